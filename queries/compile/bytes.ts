/**
 * `<< value:bits/type, … >>` binaries (Tremor's bit syntax). Parts are packed bit by bit, most
 * significant bit first, into one byte string:
 * - an integer part (the default type) writes its low `bits` bits (default 8), big-endian unless
 *   the type says `little` (then its bytes are reversed); `signed`/`unsigned` only document intent,
 *   the bits written are the two's complement either way;
 * - a `binary` part writes a binary's or a string's (UTF-8) bytes.
 * Types: `binary`, `integer`, optionally prefixed `big-`/`little-` and `signed-`/`unsigned-`.
 * A size outside 0..64 and an unknown type are compile errors, as in Tremor.
 */
import type { BytesExpr } from '../ast.ts';
import type { Value } from '../values/value.ts';
import { isInteger, typeName } from '../values/ops.ts';
import { constant, FOLDING_ENV, type Compiled, type Scope } from './context.ts';
import { compileExpression } from './expressions.ts';

interface PartSpec {
  binary: boolean;
  little: boolean;
  bits: number;
}

const INTEGER_TYPE = /^(?:(big|little)-)?(?:(?:signed|unsigned)-)?integer$/;

function partSpec(type: string | undefined, bits: number | undefined): PartSpec | undefined {
  if (type === undefined || type === 'binary') return { binary: type === 'binary', little: false, bits: bits ?? 8 };
  const integer = INTEGER_TYPE.exec(type);
  if (!integer) return undefined;
  return { binary: false, little: integer[1] === 'little', bits: bits ?? 8 };
}

/** Collects bits most significant first. */
class BitWriter {
  private readonly bytes: number[] = [];
  private used = 0;

  writeBits(value: bigint, bits: number): void {
    for (let i = bits - 1; i >= 0; i--) this.writeBit(Number((value >> BigInt(i)) & 1n));
  }

  writeBytes(bytes: Uint8Array): void {
    if (this.used === 0) for (const byte of bytes) this.bytes.push(byte);
    else for (const byte of bytes) this.writeBits(BigInt(byte), 8);
  }

  private writeBit(bit: number): void {
    if (this.used === 0) this.bytes.push(0);
    this.bytes[this.bytes.length - 1] |= bit << (7 - this.used);
    this.used = (this.used + 1) % 8;
  }

  result(): Uint8Array {
    return Uint8Array.from(this.bytes);
  }
}

function littleEndian(value: bigint, bits: number): bigint {
  let swapped = 0n;
  for (let byte = 0; byte < bits / 8; byte++) swapped = (swapped << 8n) | ((value >> BigInt(byte * 8)) & 0xffn);
  return swapped;
}

export function compileBytes(expr: BytesExpr, scope: Scope): Compiled {
  const context = scope.context;
  const parts = expr.parts.map((part) => {
    if (part.bits !== undefined && (part.bits < 0 || part.bits > 64)) {
      throw context.compileError(part.loc, `negative bits or bits > 64 are are not allowed: ${part.bits}`);
    }
    const spec = partSpec(part.type, part.bits);
    if (spec === undefined) throw context.compileError(part.loc, `Not a valid data type: '${part.type}'`);
    return { spec, value: compileExpression(part.value, scope, false), loc: part.value.loc };
  });
  const write = (writer: BitWriter, spec: PartSpec, value: Value, loc: BytesExpr['loc']): void => {
    if (spec.binary) {
      if (value instanceof Uint8Array) writer.writeBytes(value);
      else if (typeof value === 'string') writer.writeBytes(Buffer.from(value));
      else throw context.diagnostic(loc, `Conflicting types, got ${typeName(value)} but expected bytes`);
      return;
    }
    if (!isInteger(value)) throw context.diagnostic(loc, `Conflicting types, got ${typeName(value)} but expected integer`);
    const masked = BigInt.asUintN(spec.bits, BigInt(value));
    writer.writeBits(spec.little && spec.bits % 8 === 0 ? littleEndian(masked, spec.bits) : masked, spec.bits);
  };
  const compiled: Compiled = {
    evaluate: (env) => {
      const writer = new BitWriter();
      for (const part of parts) write(writer, part.spec, part.value.evaluate(env), part.loc);
      return writer.result();
    },
  };
  return parts.every((part) => part.value.constant) ? constant(compiled.evaluate(FOLDING_ENV)) : compiled;
}
