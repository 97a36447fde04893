/** `std::integer` and `std::float`: parsing numbers out of strings. */
import { makeFloat } from '../values/value.ts';
import { expectString, FunctionError, pure, type StdModule } from './function.ts';
import { I64_MAX, I64_MIN, integerFromBigInt } from '../values/integer.ts';

export const integerModule: StdModule = {
  parse: pure(1, ([s]) => {
    const text = expectString(s).trim();
    if (!/^[+-]?[0-9]+$/.test(text)) throw new FunctionError('runtime', `invalid digit found in string: ${text}`);
    // Exact to 64 bits (values/integer.ts), as Tremor parses into an i64.
    const exact = BigInt(text);
    if (exact < I64_MIN || exact > I64_MAX) throw new FunctionError('runtime', `number too ${exact < 0n ? 'small' : 'large'} to fit in target type: ${text}`);
    return integerFromBigInt(exact);
  }),
};

export const floatModule: StdModule = {
  parse: pure(1, ([s]) => {
    const text = expectString(s).trim();
    const n = Number(text);
    if (text === '' || Number.isNaN(n)) throw new FunctionError('runtime', `invalid float literal: ${text}`);
    return makeFloat(n);
  }),
};
