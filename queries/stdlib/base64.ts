/** `std::base64`: standard (padded) base64 of a binary (or a string's UTF-8 bytes), and back. */
import { badType, FunctionError, pure, type StdModule } from './function.ts';
import { isCanonicalBase64 } from '../extractors/base64.ts';

export const base64Module: StdModule = {
  encode: pure(1, ([v]) => {
    if (v instanceof Uint8Array) return Buffer.from(v).toString('base64');
    if (typeof v === 'string') return Buffer.from(v).toString('base64');
    return badType();
  }),
  decode: pure(1, ([v]) => {
    if (typeof v !== 'string') badType();
    if (!isCanonicalBase64(v)) throw new FunctionError('runtime', `Invalid base64: ${v}`);
    return Uint8Array.from(Buffer.from(v, 'base64'));
  }),
};
