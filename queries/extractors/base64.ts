/**
 * `base64||`: the string decoded from standard (padded) base64 and read as UTF-8. Node's decoder
 * skips characters that are not base64, so the input is checked against the alphabet first;
 * bytes that are not UTF-8 are no match, as in Tremor (it decodes into a `String`).
 */
import { NO_MATCH, type Extractor } from './extractor.ts';

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

export function isCanonicalBase64(text: string): boolean {
  return BASE64.test(text);
}

export function decodeBase64Utf8(input: string): string | undefined {
  if (!BASE64.test(input)) return undefined;
  try {
    return utf8.decode(Buffer.from(input, 'base64'));
  } catch {
    return undefined;
  }
}

export function base64Extractor(): Extractor {
  return {
    extract(input) {
      return decodeBase64Utf8(input) ?? NO_MATCH;
    },
  };
}
