/**
 * The troy grammar (queries/grammar/troy.ne): what it accepts, what it rejects and where.
 */
import { describe, expect, it } from 'vitest';
import { parseDeployment, parseModule } from '../../queries/troy/parse.ts';
import { Diagnostic } from '../../queries/diagnostic.ts';
import type { DefineFlowStmt } from '../../queries/troy/ast.ts';
import { lex } from '../../queries/lexer/lexer.ts';
import { TROY_KEYWORDS } from '../../queries/lexer/token.ts';

function syntaxError(source: string): Diagnostic {
  try {
    parseDeployment(source, 't.troy');
  } catch (error) {
    if (error instanceof Diagnostic) return error;
    throw error;
  }
  throw new Error('expected a syntax error');
}

describe('troy parser', () => {
  it('lexes troy keywords only in troy: `flow`, `to`, `connect` stay identifiers in trickle', () => {
    const types = (keywords?: ReadonlySet<string>) => lex('flow to connect deploy select', 't', keywords).map((token) => token.type);
    expect(types()).toEqual(['ident', 'ident', 'ident', 'ident', 'SELECT']);
    expect(types(TROY_KEYWORDS)).toEqual(['FLOW', 'TO', 'CONNECT', 'DEPLOY', 'SELECT']);
  });

  it('parses a flow with every flow statement, in source order', () => {
    const [defined, deployed] = parseDeployment(
      [
        'define flow f',
        'args a, b = 2,',
        'flow',
        '  use tremor::connectors as c;',
        '  define connector x from metronome args n with config = {"interval": args.n} end;',
        '  define pipeline p from in into out, exit args k = 1 pipeline select args.k from in into exit; end;',
        '  create connector x with n = args.a end;',
        '  create pipeline q from p;',
        '  connect /connector/x to /pipeline/q/in;',
        '  connect /pipeline/q/exit to /connector/`tcp-out`/in;',
        '  connect /pipeline/q to /pipeline/q;',
        'end;',
        'deploy flow g from f with a = 1, end',
      ].join('\n'),
      't.troy',
    );
    const flow = defined as DefineFlowStmt;
    expect(flow.args.map((arg) => [arg.name, arg.default !== undefined])).toEqual([['a', false], ['b', true]]);
    expect(flow.body.map((statement) => statement.kind)).toEqual(['use', 'defineConnector', 'definePipeline', 'create', 'create', 'connect', 'connect', 'connect']);
    const [use, connector, pipeline, create, createFrom, first, second] = flow.body;
    expect(use).toMatchObject({ path: ['tremor', 'connectors'], alias: 'c' });
    expect(connector).toMatchObject({ name: { name: 'x' }, connectorKind: { name: 'metronome' }, args: [{ name: 'n' }] });
    expect(pipeline).toMatchObject({ inputs: [{ name: 'in' }], outputs: [{ name: 'out' }, { name: 'exit' }], args: [{ name: 'k' }] });
    expect(create).toMatchObject({ what: 'connector', alias: { name: 'x' }, from: undefined });
    expect(createFrom).toMatchObject({ what: 'pipeline', from: { module: [], name: 'p' } });
    expect(first).toMatchObject({ from: { what: 'connector', alias: { name: 'x' }, port: undefined }, to: { what: 'pipeline', port: { name: 'in' } } });
    expect(second).toMatchObject({ to: { what: 'connector', alias: { name: 'tcp-out' } } });
    expect(deployed).toMatchObject({ kind: 'deployFlow', alias: { name: 'g' }, from: { name: 'f' }, with: { params: [{ name: 'a' }] } });
  });

  it('parses module files: const, fn, definitions', () => {
    const statements = parseModule('use std::time::nanos;\nconst A = 1;\nfn twice(x) with x * 2 end;\ndefine connector c from file;\n', 'm.tremor');
    expect(statements.map((statement) => statement.kind)).toEqual(['use', 'const', 'fn', 'defineConnector']);
  });

  it('rejects connector -> connector at the second `connector`', () => {
    const error = syntaxError('define flow f flow connect /connector/a to /connector/b; end;');
    expect(error.message).toBe('Found the token `connector` but expected `pipeline`');
    expect([error.span.line, error.span.column]).toEqual([1, 45]);
  });

  it('rejects `args` without `with … end` in a connector definition', () => {
    expect(syntaxError('define flow f flow define connector c from file args a; end;').message).toMatch(/^Found the token `;` but expected one of .*`with`/);
  });

  it('rejects an empty flow body and an empty `with end`', () => {
    expect(syntaxError('define flow f flow end;').message).toMatch(/^Found the token `end` but expected one of /);
    expect(syntaxError('define flow f flow create connector c with end; end;').message).toMatch(/^Found the token `end` but expected/);
  });

  it('reserves troy keywords but not port names (`in`, `out`, `err`, `exit`)', () => {
    expect(() => parseDeployment('define flow f flow connect /pipeline/p/exit to /connector/err/in; end;', 't.troy')).not.toThrow();
    const error = syntaxError('define flow f flow create connector flow; end;');
    expect(error.message).toMatch(/^Found the token `flow` but expected `<ident>`/);
    expect(error.hint).toMatch(/consider quoting it as `flow`/);
  });

  it('keeps trickle keywords and syntax in pipeline bodies', () => {
    expect(() => parseDeployment('define flow f flow define pipeline p pipeline select {"a": event.a + 1} from in where event.b into out; end; end;', 't.troy')).not.toThrow();
  });

  it('reports lexer errors with their position', () => {
    const error = syntaxError('define flow f flow create connector c with a = 42bad end; end;');
    expect(error.message).toBe("An unexpected character 'b' was found");
    expect([error.span.line, error.span.column]).toEqual([1, 50]);
  });
});
