import { describe, expect, it } from 'vitest';
import { lex } from '../../queries/lexer/lexer.ts';
import { Diagnostic } from '../../queries/diagnostic.ts';

function types(source: string): string[] {
  return lex(source, 't').map((token) => (token.type === 'ident' ? `ident:${token.value}` : token.type));
}

function lexError(source: string): string {
  try {
    lex(source, 't');
  } catch (error) {
    if (!(error instanceof Diagnostic)) throw error;
    return `${error.span.line}:${error.span.column}+${error.span.length} ${error.message}`;
  }
  throw new Error('expected a lexer error');
}

describe('lexer', () => {
  it('reads identifiers with dashes as one identifier, keywords by type, backticks as identifiers', () => {
    expect(types('event.doc-type')).toEqual(['EVENT', 'dot', 'ident:doc-type']);
    expect(types('a-1 select `select`')).toEqual(['ident:a-1', 'SELECT', 'ident:select']);
    expect(types('in out err metrics')).toEqual(['ident:in', 'ident:out', 'ident:err', 'ident:metrics']);
  });

  it('lexes `-` before a digit as part of a negative literal', () => {
    const tokens = lex('a - 1 -1 --42', 't');
    expect(tokens.map((token) => token.value)).toEqual(['a', '-', 1, -1, '-', -42]);
  });

  it('keeps floats apart from ints and checks the i64 range', () => {
    const [float, int, hex] = lex('1.0 9_223_372_036_854_775_807 0xff', 't');
    expect(float).toMatchObject({ type: 'float', value: 1 });
    expect(int).toMatchObject({ type: 'int' });
    expect(hex).toMatchObject({ type: 'int', value: 255 });
    expect(lexError('9223372036854775808')).toBe('1:1+19 An invalid integer literal');
    expect(lexError('12.0j5')).toBe("1:5+1 An unexpected character 'j' was found");
    expect(lexError('let x = 0x;')).toBe('1:9+3 An invalid hexadecimal');
  });

  it('ignores #, ## and ### comments', () => {
    expect(types('### module\n## doc\nevent # trailing')).toEqual(['EVENT']);
  });

  it('splits strings into chunks and interpolations, decoding escapes', () => {
    const tokens = lex('"a\\n\\u00e9\\#{x} #{ 1 + {"b": 2}.b } end"', 't');
    expect(tokens.map((token) => token.type)).toEqual([
      'strStart', 'strChunk', 'interpStart', 'int', 'plus', 'lbrace', 'strStart', 'strChunk', 'strEnd', 'colon', 'int',
      'rbrace', 'dot', 'ident', 'interpEnd', 'strChunk', 'strEnd',
    ]);
    expect(tokens[1].value).toBe('a\né#{x} ');
  });

  it('reads heredocs from the line after the opening quotes, without stripping indentation', () => {
    const tokens = lex('"""\n  two "quoted"\n lines"""', 't');
    expect(tokens[1].value).toBe('  two "quoted"\n lines');
    expect(lexError('let tailing = """:P\n""";')).toBe(
      '1:15+3 It looks like you have characters tailing the here doc opening, it needs to be followed by a newline',
    );
  });

  it('reports string errors with Tremor positions', () => {
    expect(lexError('let s = "this is a string;\nevent')).toBe(
      "1:9+18 It looks like you forgot to terminate a string with a closing '\"'",
    );
    expect(lexError('"\\z"')).toBe("1:2+2 An unexpected escape code 'z' was found");
    expect(lexError('"\\uD800"')).toBe('1:2+6 An invalid UTF8 escape sequence was found');
    expect(lexError('"#{}"')).toBe('1:2+3 You have an interpolation without content.');
    expect(lexError('let x = "before #{ { {}";\n ')).toBe(
      "1:17+2 It looks like you forgot to terminate a string interpolation with a closing '}'",
    );
  });
});
