/**
 * `rill server run`'s engine thread loads only the connector kinds its files name
 * (connectors/registry.ts), driven as real processes: a kind the files name only through a YAML
 * escape is still found and runs (a ws offramp delivering to a real WebSocket server), the
 * warnings of the load stopped for it are printed once, and a configuration error reads exactly
 * as in the main thread, where every kind is loaded (unknown types, the list of kinds, its order).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocketServer } from 'ws';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { Child, freePort, waitFor } from '../e2e/processes.ts';
import { runNode } from '../support/run-node.ts';

const root = join(import.meta.dirname, '..', '..');
const RILL = join(root, 'bin', 'rill.mjs');
const dir = mkdtempSync(join(tmpdir(), 'rill-connector-kinds-'));
const children = new Set<Child>();

afterEach(async () => {
  for (const child of children) await child.kill('SIGKILL');
  children.clear();
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

describe('connector kinds in the engine thread', () => {
  it('a ws offramp named through a YAML escape runs, and the warnings are printed once', async () => {
    const port = await freePort();
    const received: string[] = [];
    const receiver = new WebSocketServer({ host: '127.0.0.1', port });
    receiver.on('connection', (socket) => socket.on('message', (data) => received.push(data.toString())));
    try {
      // "\x77s" is "ws": the file never names the kind (nor the URL's scheme) as a word.
      const artefacts = write(
        'escaped.yaml',
        [
          'onramp:',
          '  - id: tick',
          '    type: metronome',
          '    config:',
          '      interval: 20',
          'offramp:',
          '  - id: out',
          '    type: "\\x77s"',
          '    config:',
          `      url: "\\x77s://127.0.0.1:${port}/"`,
          'binding:',
          '  - id: default',
          '    links:',
          '      "/onramp/tick/{instance}/out": ["/pipeline/pass/{instance}/in"]',
          '      "/pipeline/pass/{instance}/out": ["/offramp/out/{instance}/in"]',
          'mapping:',
          '  /binding/default/01:',
          '    instance: "01"',
          '',
        ].join('\n'),
      );
      const pass = write('pass.trickle', 'select event from in into out;\n');
      const unlinked = write('unlinked.trickle', 'select event from in into out;\n');
      const server = new Child(spawn(process.execPath, [RILL, 'server', 'run', '-q', '-f', artefacts, pass, unlinked], { cwd: root, env: { ...process.env, RILL_ENGINE_THREAD: '' }, stdio: ['ignore', 'pipe', 'pipe'] }));
      children.add(server);
      await waitFor(() => received.length >= 3 || !server.running, 'three events over the ws offramp');
      await server.kill('SIGTERM');
      expect(server.exitCode, server.stderr).toBe(0);
      for (const message of received.slice(0, 3)) expect(JSON.parse(message)).toMatchObject({ onramp: 'metronome' });
      expect(server.stderr.match(/pipeline "unlinked" is not linked by any binding/g), server.stderr).toHaveLength(1);
    } finally {
      await new Promise((resolve) => receiver.close(resolve));
    }
  });

  it('unknown types and kinds read exactly as in the main thread', async () => {
    const artefacts = write('unknown.yaml', 'onramp:\n  - id: a\n    type: jetstreem\n    config: {}\nofframp:\n  - id: b\n    type: wss\n    config: {}\n');
    const troy = write('unknown.troy', 'define flow f\nflow\n  define connector c from ws_clien\n  with\n    codec = "json"\n  end;\n  create connector c;\nend;\ndeploy flow f;\n');
    for (const files of [[artefacts], [troy]]) {
      const run = (engineThread: string) => runNode([RILL, 'server', 'run', '-f', ...files], { cwd: root, env: { ...process.env, RILL_ENGINE_THREAD: engineThread } });
      const [inEngineThread, inMainThread] = [await run(''), await run('0')];
      expect(inEngineThread.code, inEngineThread.stderr).toBe(1);
      expect(inEngineThread.stderr).toMatch(/unknown (onramp|offramp) type|Unknown connector type/);
      expect(inEngineThread.stderr).toBe(inMainThread.stderr);
    }
  });
});
