/**
 * `tremor::chash`: consistent hashing as Tremor's (the `jumphash` crate): a key's SipHash-1-3 (with
 * Rust's `Hash` for strings: the UTF-8 bytes then a 0xff byte), then Google's jump consistent hash
 * over `slot_count` slots. `jump` uses Tremor's fixed keys; `sorted_serialize` is JSON with sorted
 * record keys (the `json-sorted` writer).
 */
import { stringifyJsonSorted } from '../values/json.ts';
import type { Value } from '../values/value.ts';
import { badType, expectString, pure, type StdModule } from './function.ts';

const MASK = 0xffffffffffffffffn;
/** 'tremor\0\0' and '\0\0tremor' as integers, Tremor's keys for `jump`. */
const TREMOR_K0 = 8_390_880_576_440_238_080n;
const TREMOR_K1 = 128_034_676_764_530n;

function rotl(x: bigint, b: bigint): bigint {
  return ((x << b) | (x >> (64n - b))) & MASK;
}

/** SipHash-1-3 (one compression round, three finalisation rounds) of `message`. */
export function sipHash13(k0: bigint, k1: bigint, message: Uint8Array): bigint {
  let v0 = k0 ^ 0x736f6d6570736575n;
  let v1 = k1 ^ 0x646f72616e646f6dn;
  let v2 = k0 ^ 0x6c7967656e657261n;
  let v3 = k1 ^ 0x7465646279746573n;
  const round = (): void => {
    v0 = (v0 + v1) & MASK;
    v1 = rotl(v1, 13n) ^ v0;
    v0 = rotl(v0, 32n);
    v2 = (v2 + v3) & MASK;
    v3 = rotl(v3, 16n) ^ v2;
    v0 = (v0 + v3) & MASK;
    v3 = rotl(v3, 21n) ^ v0;
    v2 = (v2 + v1) & MASK;
    v1 = rotl(v1, 17n) ^ v2;
    v2 = rotl(v2, 32n);
  };
  const compress = (m: bigint): void => {
    v3 ^= m;
    round();
    v0 ^= m;
  };
  const full = message.length - (message.length % 8);
  for (let i = 0; i < full; i += 8) {
    let m = 0n;
    for (let j = 7; j >= 0; j--) m = (m << 8n) | BigInt(message[i + j]);
    compress(m);
  }
  let last = BigInt(message.length & 0xff) << 56n;
  for (let j = message.length - 1; j >= full; j--) last |= BigInt(message[j]) << BigInt((j - full) * 8);
  compress(last);
  v2 ^= 0xffn;
  round();
  round();
  round();
  return v0 ^ v1 ^ v2 ^ v3;
}

/** The jumphash crate's slot for a string key. */
export function jumpSlot(k0: bigint, k1: bigint, key: string, slotCount: number): number {
  const bytes = Buffer.from(key);
  const message = new Uint8Array(bytes.length + 1);
  message.set(bytes);
  message[bytes.length] = 0xff;
  let h = sipHash13(k0, k1, message);
  let b = -1;
  let j = 0;
  while (j < slotCount) {
    b = j;
    h = (h * 2862933555777941757n + 1n) & MASK;
    j = Math.trunc((b + 1) * (2 ** 31 / (Number(h >> 33n) + 1)));
  }
  return b;
}

function slotCountArg(v: Value): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 0xffffffff) badType();
  return v;
}

function keyArg(v: Value): bigint {
  if (typeof v === 'bigint') return BigInt.asUintN(64, v);
  if (typeof v !== 'number' || !Number.isInteger(v)) badType();
  return BigInt.asUintN(64, BigInt(v));
}

export const chashModule: StdModule = {
  jump: pure(2, ([key, slots]) => jumpSlot(TREMOR_K0, TREMOR_K1, expectString(key), slotCountArg(slots))),
  jump_with_keys: pure(4, ([k0, k1, key, slots]) => jumpSlot(keyArg(k0), keyArg(k1), expectString(key), slotCountArg(slots))),
  sorted_serialize: pure(1, ([value]) => stringifyJsonSorted(value)),
};
