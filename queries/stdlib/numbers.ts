/** `std::integer` and `std::float`: parsing numbers out of strings. */
import { makeFloat } from '../values/value.ts';
import { expectString, FunctionError, pure, type StdModule } from './function.ts';

export const integerModule: StdModule = {
  parse: pure(1, ([s]) => {
    const text = expectString(s).trim();
    if (!/^[+-]?[0-9]+$/.test(text)) throw new FunctionError('runtime', `invalid digit found in string: ${text}`);
    return Number(text);
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
