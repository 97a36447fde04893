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

  it('reports main-mode errors with their positions', () => {
    expect(lexError('let x = `abc\nevent')).toBe(
      "1:9+4 It looks like you forgot to terminate an identifier with a closing '`'",
    );
    expect(lexError('a @ b')).toBe("1:3+1 An unexpected character '@' was found");
    expect(lexError('select re|x from in')).toBe("1:10+10 It looks like you forgot to terminate an extractor with a closing '|'");
    expect(lexError('1-2')).toBe("1:2+1 An unexpected character '-' was found");
    expect(lexError('-0x')).toBe('1:1+3 An invalid hexadecimal');
    expect(lexError('-9223372036854775809')).toBe('1:1+20 An invalid integer literal');
  });

  it('resumes main-mode lexing after a string with the right offsets and positions', () => {
    const tokens = lex('"a" + \n  -0x1_0 >>> "#{ b }"::c', 't');
    expect(tokens.map((token) => [token.type, token.value, token.line, token.col, token.offset])).toEqual([
      ['strStart', '"', 1, 1, 0],
      ['strChunk', 'a', 1, 2, 1],
      ['strEnd', '"', 1, 3, 2],
      ['plus', '+', 1, 5, 4],
      ['int', -16, 2, 3, 9],
      ['shr3', '>>>', 2, 10, 16],
      ['strStart', '"', 2, 14, 20],
      ['interpStart', '#{', 2, 15, 21],
      ['ident', 'b', 2, 18, 24],
      ['interpEnd', '}', 2, 20, 26],
      ['strEnd', '"', 2, 21, 27],
      ['coloncolon', '::', 2, 22, 28],
      ['ident', 'c', 2, 24, 30],
    ]);
  });

  it('keeps a `{ … }` record inside an interpolation apart from the closing brace', () => {
    const tokens = lex('"#{ {"k": "#{ {} }"} }!"', 't');
    expect(tokens.map((token) => token.type)).toEqual([
      'strStart', 'interpStart', 'lbrace', 'strStart', 'strChunk', 'strEnd', 'colon', 'strStart', 'interpStart',
      'lbrace', 'rbrace', 'interpEnd', 'strEnd', 'rbrace', 'interpEnd', 'strChunk', 'strEnd',
    ]);
    expect(lexError('"#{ a\n}"')).toBe(
      "1:2+2 It looks like you forgot to terminate a string interpolation with a closing '}'",
    );
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
