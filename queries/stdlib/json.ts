/** `std::json` */
import { parseJson, stringifyJson } from '../values/json.ts';
import { expectString, FunctionError, pure, type StdModule } from './function.ts';
import type { Value } from '../values/value.ts';

function decode(text: string): Value {
  try {
    return parseJson(text);
  } catch (error) {
    throw new FunctionError('runtime', (error as Error).message);
  }
}

export const jsonModule: StdModule = {
  encode: pure(1, ([v]) => stringifyJson(v)),
  encode_pretty: pure(1, ([v]) => JSON.stringify(JSON.parse(stringifyJson(v)), null, 2)),
  decode: pure(1, ([s]) => decode(expectString(s))),
};
