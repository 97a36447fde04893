/** `std::base64`: standard (padded) base64 of a binary (or a string's UTF-8 bytes), and back. */
import { badType, FunctionError, pure, type StdModule } from './function.ts';

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export const base64Module: StdModule = {
  encode: pure(1, ([v]) => {
    if (v instanceof Uint8Array) return Buffer.from(v).toString('base64');
    if (typeof v === 'string') return Buffer.from(v).toString('base64');
    return badType();
  }),
  decode: pure(1, ([v]) => {
    if (typeof v !== 'string') badType();
    if (!BASE64.test(v)) throw new FunctionError('runtime', `Invalid base64: ${v}`);
    return Uint8Array.from(Buffer.from(v, 'base64'));
  }),
};
