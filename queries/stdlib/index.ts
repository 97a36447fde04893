/**
 * The built-in module table `use` resolves against (trickle-spec §6): a `use a::b::c` brings in the
 * module under its last path segment (or its alias).
 */
import type { StdModule } from './function.ts';
import { systemModule } from './system.ts';
import { stringModule } from './string.ts';
import { recordModule } from './record.ts';
import { arrayModule } from './array.ts';
import { typeModule } from './type.ts';
import { mathModule } from './math.ts';
import { jsonModule } from './json.ts';
import { floatModule, integerModule } from './numbers.ts';
import { binaryModule } from './binary.ts';
import { base64Module } from './base64.ts';
import { reModule } from './re.ts';
import { rangeModule } from './range.ts';
import { urlModule } from './url.ts';
import { randomModule } from './random.ts';
import { originModule } from './origin.ts';
import { chashModule } from './chash.ts';
import { datetimeModule } from './datetime.ts';

export const MODULES: ReadonlyMap<string, StdModule> = new Map([
  ['tremor::system', systemModule],
  ['std::string', stringModule],
  ['std::record', recordModule],
  ['std::array', arrayModule],
  ['std::type', typeModule],
  ['std::math', mathModule],
  ['std::json', jsonModule],
  ['std::integer', integerModule],
  ['std::float', floatModule],
  ['std::binary', binaryModule],
  ['std::base64', base64Module],
  ['std::re', reModule],
  ['std::range', rangeModule],
  ['std::url', urlModule],
  ['std::random', randomModule],
  ['tremor::origin', originModule],
  ['tremor::chash', chashModule],
  ['std::datetime', datetimeModule],
  ['core::datetime', datetimeModule],
]);

export type { CallContext, StdFunction, StdModule } from './function.ts';
export { FunctionError } from './function.ts';
