/** `std::type` */
import { isRecord } from '../values/value.ts';
import { isFloat, isInteger, numberOf, typeName } from '../values/ops.ts';
import { pure, type StdModule } from './function.ts';

export const typeModule: StdModule = {
  is_null: pure(1, ([v]) => v === null),
  is_bool: pure(1, ([v]) => typeof v === 'boolean'),
  is_integer: pure(1, ([v]) => isInteger(v)),
  is_float: pure(1, ([v]) => isFloat(v)),
  is_number: pure(1, ([v]) => numberOf(v) !== undefined),
  is_string: pure(1, ([v]) => typeof v === 'string'),
  is_array: pure(1, ([v]) => Array.isArray(v)),
  is_record: pure(1, ([v]) => isRecord(v)),
  is_binary: pure(1, ([v]) => v instanceof Uint8Array),
  as_string: pure(1, ([v]) => (typeName(v) === 'boolean' ? 'bool' : typeName(v))),
};
