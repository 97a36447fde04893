/**
 * The extractors a pattern can name (`field ~= name|rule|`, `~ name|rule|`), as in Tremor 0.11;
 * names are case-insensitive there too.
 */
import { base64Extractor } from './base64.ts';
import { cidrExtractor } from './cidr.ts';
import { datetimeExtractor } from './datetime.ts';
import { dissectExtractor } from './dissect.ts';
import { ExtractorRuleError, type Extractor } from './extractor.ts';
import { globExtractor } from './glob.ts';
import { grokExtractor } from './grok.ts';
import { influxExtractor } from './influx.ts';
import { jsonExtractor } from './json.ts';
import { kvExtractor } from './kv.ts';
import { reExtractor } from './re.ts';

const EXTRACTORS: Record<string, (rule: string) => Extractor> = {
  base64: base64Extractor,
  cidr: cidrExtractor,
  datetime: datetimeExtractor,
  dissect: dissectExtractor,
  glob: globExtractor,
  grok: grokExtractor,
  influx: influxExtractor,
  json: jsonExtractor,
  kv: kvExtractor,
  re: reExtractor,
};

/** Builds the extractor `name|rule|`; throws an ExtractorRuleError saying what is wrong. */
export function createExtractor(name: string, rule: string): Extractor {
  const make = EXTRACTORS[name.toLowerCase()];
  if (make === undefined || !Object.hasOwn(EXTRACTORS, name.toLowerCase())) throw new ExtractorRuleError(`Unsupported extractor ${name.toLowerCase()}`);
  return make(rule);
}

export { ExtractorRuleError, NO_MATCH, type Extraction, type Extractor } from './extractor.ts';
