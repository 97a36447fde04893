/** `<< … >>` binaries, std::binary, std::base64 and the string/binary functions. */
import { describe, expect, it } from 'vitest';
import { evaluate, runtimeError, scriptCompileFailure } from './helpers.ts';

describe('binaries', () => {
  it('packs parts bit by bit, big-endian by default, little-endian on request', () => {
    expect(evaluate('use std::binary; binary::into_bytes(<<1:4, 2:4, 0x0102:16, 0x0102:16/little-integer, -1:8/signed-integer>>)')).toBe(
      '[18,1,2,2,1,255]',
    );
    expect(evaluate('use std::binary; binary::into_bytes(<<"ab"/binary, <<3>>/binary, event/binary>>)', 'c')).toBe('[97,98,3,99]');
    expect(evaluate('use std::binary; binary::len(<<>>)')).toBe('0');
  });

  it('compares binaries with binaries and strings by their bytes', () => {
    expect(evaluate('[<<1>> < <<2>>, <<49>> == "1", "2" > <<49>>, <<1, 2>> == <<1, 2>>]')).toBe('[true,true,true,true]');
  });

  it('reports bad sizes and types at compile time and bad values at runtime', () => {
    expect(scriptCompileFailure('<<event:65>>').message).toBe('negative bits or bits > 64 are are not allowed: 65');
    expect(scriptCompileFailure('<<event/snot>>').message).toBe("Not a valid data type: 'snot'");
    expect(runtimeError('<<event:8>>', 'x').message).toBe('Conflicting types, got string but expected integer');
  });

  it('std::base64 and string::into_binary / from_utf8_lossy round-trip', () => {
    expect(evaluate('use std::base64; base64::encode(<<104, 105>>)')).toBe('"aGk="');
    expect(evaluate('use std::base64; use std::string; string::from_utf8_lossy(base64::decode("aGk="))')).toBe('"hi"');
    expect(evaluate('use std::binary; use std::string; binary::into_bytes(string::into_binary("é"))')).toBe('[195,169]');
  });
});
