/**
 * Extractors against a model or a reference on random inputs:
 * - glob against a direct recursive matcher (the glob crate's semantics, written the obvious way);
 * - base64 against Node's encoder, json against JSON.stringify/parse;
 * - kv, dissect and influx against the records their texts were built from;
 * - cidr against network prefixes computed with BigInt bit arithmetic.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { globExtractor } from '../../queries/extractors/glob.ts';
import { base64Extractor } from '../../queries/extractors/base64.ts';
import { jsonExtractor } from '../../queries/extractors/json.ts';
import { kvExtractor } from '../../queries/extractors/kv.ts';
import { dissectExtractor } from '../../queries/extractors/dissect.ts';
import { decodeInflux } from '../../queries/extractors/influx.ts';
import { cidrExtractor } from '../../queries/extractors/cidr.ts';
import { NO_MATCH } from '../../queries/extractors/extractor.ts';
import { stringifyJson } from '../../queries/values/json.ts';

/** `*` any run, `?` one character, everything else itself. */
function globModel(pattern: string[], text: string[]): boolean {
  if (pattern.length === 0) return text.length === 0;
  const [head, ...rest] = pattern;
  if (head === '*') return globModel(rest, text) || (text.length > 0 && globModel(pattern, text.slice(1)));
  if (text.length === 0) return false;
  return (head === '?' || head === text[0]) && globModel(rest, text.slice(1));
}

const word = fc.stringMatching(/^[a-z]{1,6}$/);

describe('extractor properties', () => {
  it('glob agrees with a direct matcher', () => {
    const alphabet = fc.constantFrom('a', 'b', '/', '.', 'é');
    fc.assert(
      fc.property(fc.array(fc.oneof(alphabet, fc.constantFrom('*', '?')), { maxLength: 6 }), fc.array(alphabet, { maxLength: 8 }), (pattern, text) => {
        const matched = globExtractor(pattern.join('')).extract(text.join(''), 0) === true;
        expect(matched).toBe(globModel(pattern, text));
      }),
      { numRuns: 3000 },
    );
  });

  it('base64 decodes what Node encodes, and rejects what is not canonical base64', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 20 }), (text) => {
        expect(base64Extractor().extract(Buffer.from(text).toString('base64'), 0)).toBe(text);
      }),
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 12 }), (text) => {
        const result = base64Extractor().extract(text, 0);
        if (result !== NO_MATCH) expect(Buffer.from(result as string).toString('base64')).toBe(text);
      }),
    );
  });

  it('json reads what JSON.stringify writes', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = JSON.stringify(value);
        const extracted = jsonExtractor().extract(text, 0);
        expect(JSON.parse(stringifyJson(extracted as never))).toEqual(JSON.parse(text));
      }),
    );
  });

  it('kv reads back the pairs it was given (later keys win)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(word, fc.stringMatching(/^[a-z0-9]{1,5}$/)), { minLength: 1, maxLength: 5 }), (pairs) => {
        const expected = Object.fromEntries(pairs);
        expect(kvExtractor('').extract(pairs.map(([k, v]) => `${k}:${v}`).join(' '), 0)).toEqual(expected);
        expect(kvExtractor('%{key}=%{val}&').extract(pairs.map(([k, v]) => `${k}=${v}`).join('&'), 0)).toEqual(expected);
      }),
    );
  });

  it('dissect reads back the fields between its delimiters', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(word, fc.stringMatching(/^[A-Z0-9]{0,5}$/)), { minLength: 1, maxLength: 5 }), fc.constantFrom(' ', ',', ' | '), (fields, delimiter) => {
        const unique = [...new Map(fields.map(([name, value]) => [name, value])).entries()];
        const pattern = unique.map(([name]) => `%{${name}}`).join(delimiter);
        const text = unique.map(([, value]) => value).join(delimiter);
        // A field may not hold its delimiter; empty fields are fine.
        expect(dissectExtractor(pattern).extract(text, 0)).toEqual(Object.fromEntries(unique));
      }),
    );
  });

  it('influx reads back measurement, tags, fields and timestamp, escapes included', () => {
    const name = fc.stringMatching(/^[a-z][a-z ,=]{0,6}$/).filter((s) => !s.endsWith(' '));
    const escape = (s: string): string => s.replace(/[ ,=\\]/g, (ch) => `\\${ch}`);
    fc.assert(
      fc.property(
        name,
        fc.dictionary(word, word, { maxKeys: 3 }),
        fc.dictionary(word, fc.oneof(fc.integer(), fc.boolean(), word), { minKeys: 1, maxKeys: 3 }),
        fc.bigInt({ min: 0n, max: 2n ** 63n - 1n }),
        (measurement, tags, fields, timestamp) => {
          const fieldText = Object.entries(fields)
            .map(([k, v]) => `${escape(k)}=${typeof v === 'number' ? `${v}i` : typeof v === 'boolean' ? String(v) : `"${v}"`}`)
            .join(',');
          const tagText = Object.entries(tags).map(([k, v]) => `,${escape(k)}=${escape(v)}`).join('');
          const line = `${escape(measurement)}${tagText} ${fieldText} ${timestamp}`;
          const decoded = decodeInflux(line, 0);
          expect(decoded && stringifyJson(decoded)).toBe(stringifyJson({ measurement, tags, fields, timestamp: timestamp <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(timestamp) : timestamp }));
        },
      ),
    );
  });

  it('cidr gives the network prefix and mask of random IPv4 networks', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 2n ** 32n - 1n }), fc.integer({ min: 0, max: 32 }), (address, length) => {
        const mask = length === 0 ? 0n : ((2n ** 32n - 1n) << BigInt(32 - length)) & (2n ** 32n - 1n);
        const network = address & mask;
        const octets = (n: bigint): number[] => [24n, 16n, 8n, 0n].map((shift) => Number((n >> shift) & 255n));
        const text = `${octets(network).join('.')}/${length}`;
        expect(cidrExtractor('').extract(text, 0)).toEqual({ prefix: octets(network), mask: octets(mask) });
        if (address !== network) expect(cidrExtractor('').extract(`${octets(address).join('.')}/${length}`, 0)).toBe(NO_MATCH);
        const inRange = cidrExtractor(text).extract(octets(address).join('.'), 0);
        expect(inRange).toEqual({ prefix: octets(address), mask: [255, 255, 255, 255] });
      }),
    );
  });
});
