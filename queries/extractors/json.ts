/** `json||`: the string parsed as JSON (integers and floats kept apart, as rill's codec reads them). */
import { parseJson } from '../values/json.ts';
import { NO_MATCH, type Extractor } from './extractor.ts';

export function jsonExtractor(): Extractor {
  return {
    extract(input) {
      try {
        return parseJson(input);
      } catch {
        return NO_MATCH;
      }
    },
  };
}
