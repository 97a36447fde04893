/**
 * examples/jetstream as its README runs it, against a real nats-server (its port put into the
 * files): the troy producer publishes ticks through its WAL into TICKS, the troy consumer writes
 * them to ticks.jsonl with their stream sequence; the 0.11 producer (YAML + trickle) appends to the
 * same stream.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Child, killAll, sleep, waitFor } from '../e2e/processes.ts';
import { spawn } from 'node:child_process';
import { NatsServer } from '../support/nats-server.ts';
import { streamMessageCount } from '../support/jetstream-inspect.ts';
import { waitForAsync } from '../support/waiting.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const EXAMPLE = join(ROOT, 'examples', 'jetstream');
const dir = mkdtempSync(join(tmpdir(), 'rill-jetstream-example-'));
let server: NatsServer | undefined;

afterAll(async () => {
  await killAll();
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Copies an example file into the test's folder, pointing it at the test's server when it names one. */
function copyWithPort(name: string, port: number): string {
  const text = readFileSync(join(EXAMPLE, name), 'utf8');
  writeFileSync(join(dir, name), text.replaceAll('127.0.0.1:4222', `127.0.0.1:${port}`));
  return name;
}

function rill(args: string[]): Child {
  return new Child(spawn(process.execPath, [join(ROOT, 'bin', 'rill.mjs'), ...args], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] }));
}

function lines(): Array<{ id: number; stream_seq: number }> {
  const file = join(dir, 'ticks.jsonl');
  if (!existsSync(file)) return [];
  const text = readFileSync(file, 'utf8');
  return text
    .slice(0, text.lastIndexOf('\n') + 1)
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line));
}

describe('examples/jetstream', () => {
  it('validates, and runs producer.troy, producer.yaml and consumer.troy against a local nats-server', async () => {
    const validate = rill(['validate', join(EXAMPLE, 'producer.troy'), join(EXAMPLE, 'consumer.troy')]);
    await validate.exited;
    expect(validate.exitCode, validate.stderr).toBe(0);
    server = await NatsServer.start();
    const hosts = [server.host];
    const producer = rill(['server', 'run', '-q', copyWithPort('producer.troy', server.port)]);
    await waitForAsync(async () => !producer.running || (await streamMessageCount(hosts, 'TICKS').catch(() => 0)) >= 5, 'ticks in TICKS');
    await producer.kill('SIGTERM');
    expect(producer.exitCode, producer.stderr).toBe(0);
    expect(producer.stderr).toContain('created stream "TICKS" for "ticks.metronome"');

    copyWithPort('guaranteed.trickle', server.port);
    const before = await streamMessageCount(hosts, 'TICKS');
    const yamlProducer = rill(['server', 'run', '-q', '-f', copyWithPort('producer.yaml', server.port), 'guaranteed.trickle']);
    await waitForAsync(async () => !yamlProducer.running || (await streamMessageCount(hosts, 'TICKS')) >= before + 3, 'the 0.11 producer to append');
    await yamlProducer.kill('SIGTERM');
    expect(yamlProducer.exitCode, yamlProducer.stderr).toBe(0);
    const total = await streamMessageCount(hosts, 'TICKS');

    const consumer = rill(['server', 'run', '-q', copyWithPort('consumer.troy', server.port)]);
    await waitFor(() => !consumer.running || lines().length >= total, 'every tick in ticks.jsonl');
    await sleep(200);
    await consumer.kill('SIGTERM');
    expect(consumer.exitCode, consumer.stderr).toBe(0);
    expect(lines().map((line) => line.stream_seq)).toEqual(Array.from({ length: total }, (_, index) => index + 1));
  }, 120_000);
});
