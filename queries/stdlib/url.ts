/**
 * `std::url`: percent-encoding as Tremor's `urlencoding` crate does it: every byte of the UTF-8
 * text but `A-Z a-z 0-9 - _ . ~` is encoded (encodeURIComponent also spares `! ' ( ) *`); decoding
 * leaves `+` alone. Malformed encodings are a runtime error.
 */
import { expectString, FunctionError, pure, type StdModule } from './function.ts';

export function urlEncode(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`);
}

export const urlModule: StdModule = {
  encode: pure(1, ([s]) => urlEncode(expectString(s))),
  decode: pure(1, ([s]) => {
    try {
      return decodeURIComponent(expectString(s));
    } catch {
      throw new FunctionError('runtime', `invalid url encoding: ${s as string}`);
    }
  }),
};
