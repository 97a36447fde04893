/**
 * `rill server run -f` with a Tremor 0.11 `tcp` onramp -> pipeline -> `file` offramp, fed by a
 * real client socket: what a user runs. Also: a port already taken is a clear start error.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, killAll, startEngine, waitFor } from '../e2e/processes.ts';
import { Client } from './recorders.ts';

const dir = mkdtempSync(join(tmpdir(), 'rill-tcp-e2e-'));

afterAll(async () => {
  await killAll();
  rmSync(dir, { recursive: true, force: true });
});

function writeSetup(port: number, outFile: string): string[] {
  const yaml = [
    'onramp:',
    '  - id: tcp',
    '    type: tcp',
    '    codec: json',
    '    preprocessors: [lines]',
    '    config:',
    '      host: 127.0.0.1',
    `      port: ${port}`,
    'offramp:',
    '  - id: out',
    '    type: file',
    '    codec: json-sorted',
    '    config:',
    `      file: ${JSON.stringify(outFile)}`,
    'binding:',
    '  - id: default',
    '    links:',
    '      "/onramp/tcp/{instance}/out": ["/pipeline/main/{instance}/in"]',
    '      "/pipeline/main/{instance}/out": ["/offramp/out/{instance}/in"]',
    'mapping:',
    '  /binding/default/01:',
    '    instance: "01"',
    '',
  ].join('\n');
  const yamlFile = join(dir, `tcp-${port}.yaml`);
  const trickleFile = join(dir, 'main.trickle');
  writeFileSync(yamlFile, yaml);
  writeFileSync(trickleFile, 'select merge event of {"peer_port": $tcp_server.peer.port} end from in into out;\n');
  return [yamlFile, trickleFile];
}

describe('rill server run with a tcp onramp', () => {
  it('events a client sends reach the file offramp with $tcp_server.peer; bad lines are reported; SIGTERM exits 0', async () => {
    const port = await freePort();
    const outFile = join(dir, 'out.log');
    const engine = startEngine(['-f', ...writeSetup(port, outFile)]);
    let client: Client | undefined;
    let connecting = false;
    await waitFor(() => {
      if (!engine.running) throw new Error(`rill exited: ${engine.stderr}`);
      if (client === undefined && !connecting) {
        connecting = true;
        void Client.connect(port).then((c) => (client = c), () => (connecting = false));
      }
      return client !== undefined;
    }, 'the tcp onramp to listen', 60_000);
    const c = client!;
    c.write('{"b":1,"a":2.0}\nnot json\n{"b":2,"a":3}\n');
    await waitFor(() => existsSync(outFile) && readFileSync(outFile, 'utf8').split('\n').length === 3, 'two lines in the file', 60_000);
    expect(readFileSync(outFile, 'utf8')).toBe(`{"a":2.0,"b":1,"peer_port":${c.port}}\n{"a":3,"b":2,"peer_port":${c.port}}\n`);
    await waitFor(() => engine.stderr.includes('cannot decode "not json" as json'), 'the decode report');

    await engine.kill('SIGTERM');
    expect(engine.exitCode).toBe(0);
    await waitFor(() => c.closed, 'the server to close the connection');
    expect(engine.stderr).not.toMatch(/^\s+at /m);
  });

  it('a port already in use: exit 1 with the address, no stack trace', async () => {
    const port = await freePort();
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(port, '127.0.0.1', resolve));
    try {
      const engine = startEngine(['-f', ...writeSetup(port, join(dir, 'unused.log'))]);
      await engine.exited;
      expect(engine.exitCode).toBe(1);
      expect(engine.stderr).toContain(`cannot start: cannot listen on 127.0.0.1:${port}: listen EADDRINUSE`);
      expect(engine.stderr).not.toMatch(/^\s+at /m);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });
});
