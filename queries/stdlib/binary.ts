/** `std::binary`: binaries (`<< … >>`) to and from arrays of byte values. */
import type { Value } from '../values/value.ts';
import { badType, expectArray, pure, type StdModule } from './function.ts';

export function expectBinary(v: Value): Uint8Array {
  if (!(v instanceof Uint8Array)) badType();
  return v;
}

export const binaryModule: StdModule = {
  len: pure(1, ([b]) => expectBinary(b).length),
  into_bytes: pure(1, ([b]) => Array.from(expectBinary(b))),
  from_bytes: pure(1, ([a]) =>
    Uint8Array.from(
      expectArray(a).map((byte) => {
        if (typeof byte !== 'number' || !Number.isInteger(byte) || byte < 0 || byte > 255) badType();
        return byte;
      }),
    ),
  ),
};
