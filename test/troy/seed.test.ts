/**
 * Seed 000 (the `wal` connector docs page): as pasted, it lost every `with`, `end`, `flow` and
 * closing brace. Parsing must stop at the first problem with file:line:column, a caret and a NOTE
 * showing the canonical form; the repaired text (reference/troy-and-connectors.md §6.2) must plan.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { describeCompileError } from '../../queries/troy/index.ts';
import { failure, plan } from './helpers.ts';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

describe('seed 000 as pasted', () => {
  it('the config snippet stops at `connector`: connectors are defined inside a flow', () => {
    const text = describeCompileError(failure(fixture('seed-000-config-as-pasted.troy')));
    expect(text).toBe(
      [
        'test.troy:1:8: error: Found the token `connector` but expected `flow`',
        'Error: ',
        '    1 | define connector my_wal from wal',
        '      |        ^^^^^^^^^ Found the token `connector` but expected `flow`',
        '      |                  NOTE: Connectors and pipelines are defined inside a flow. A flow is `define flow NAME flow <statements, each ending in `;`> end;`',
        '    2 | "config": {',
        '    3 | #  required - directory where WAL storage is configured',
        '',
      ].join('\n'),
    );
  });

  it('the flows stop at line 2: `flow` must follow `define flow server`', () => {
    const [diagnostic] = failure(fixture('seed-000-flows-as-pasted.troy')).diagnostics;
    expect(diagnostic.span).toMatchObject({ file: 'test.troy', line: 2, column: 1, length: 3 });
    expect(diagnostic.message).toBe('Found the token `use` but expected one of `args`, `flow`');
    expect(diagnostic.hint).toBe('A flow is `define flow NAME flow <statements, each ending in `;`> end;`: `flow` follows the name (and its `args`)');
  });

  it('repairing one problem at a time, each next problem has a NOTE with the canonical form', () => {
    const lines = fixture('seed-000-flows-as-pasted.troy').split('\n');
    // Index = seed line - 30 (the fixture starts at seed line 30).
    lines[0] = 'define flow server\nflow';
    const afterFlow = failure(lines.join('\n')).diagnostics[0];
    expect(afterFlow.message).toMatch(/^Found the token `preprocessors` but expected one of /);
    expect(afterFlow.span.line).toBe(8);
    expect(afterFlow.hint).toBe(
      'A connector definition takes its settings in `with … end`: `define connector NAME from KIND with codec = "json", config = {"key": value} end;`',
    );
    lines[5] = 'define connector tcp_server from tcp_server\nwith';
    const afterWith = failure(lines.join('\n')).diagnostics[0];
    expect(afterWith.message).toMatch(/^Found the token `define` but expected one of .*`}`/);
    expect(afterWith.hint).toBe('A record is `{"key": value, "key": value}`: close it with `}`');
    lines[11] = '"buf_size": 1024,\n}';
    const afterBrace = failure(lines.join('\n')).diagnostics[0];
    expect(afterBrace.message).toMatch(/^Found the token `define` but expected one of .*`end`/);
    expect(afterBrace.hint).toBe('A `with` block is `with NAME = value, NAME = value end`: `end` follows its last value');
  });
});

describe('seed 000 repaired', () => {
  it('plans both flows: the server with its wal between two pipelines, the client with out_or_exit', () => {
    const { flows } = plan(fixture('seed-000-repaired.troy'));
    expect(flows.map((flow) => flow.id)).toEqual(['server', 'client']);
    const [server, client] = flows;
    expect(server.connectors.map((connector) => `${connector.alias}:${connector.kind}`)).toEqual([
      'server_out:file',
      'stdio:stdio',
      'tcp_server:tcp_server',
      'wal:wal',
    ]);
    expect(server.connectors.find((connector) => connector.alias === 'wal')?.config).toEqual({ dir: 'server_state', chunk_size: 1024, max_chunks: 100 });
    expect(server.connectors.find((connector) => connector.alias === 'tcp_server')).toMatchObject({
      codec: 'json',
      preprocessors: ['separate'],
      postprocessors: ['separate'],
      config: { url: '0.0.0.0:65535', buf_size: 1024 },
    });
    expect(server.links.map(({ from, to }) => `${from.alias}/${from.port}->${to.alias}/${to.port}`)).toEqual([
      'tcp_server/out->before_gd/in',
      'before_gd/out->wal/in',
      'wal/out->after_gd/in',
      'tcp_server/err->debug/in',
      'after_gd/out->server_out/in',
      'after_gd/out->tcp_server/in',
      'debug/out->stdio/in',
    ]);
    expect(client.pipelines.find((pipeline) => pipeline.alias === 'from_client')).toMatchObject({ definition: 'out_or_exit', outputs: ['out', 'exit'], args: { delay: 0 } });
    expect(client.pipelines.find((pipeline) => pipeline.alias === 'from_client')?.query.ports).toEqual({ inputs: ['in'], outputs: ['out', 'exit'] });
    expect(client.connectors.find((connector) => connector.alias === 'tcp_client')?.reconnect).toEqual({ retry: { interval_ms: 100, growth_rate: 2, max_retries: 3 } });
    expect(client.connectors.find((connector) => connector.alias === 'exit')?.config).toEqual({ delay: 100_000_000, graceful: true });
  });
});
