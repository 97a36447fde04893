/**
 * rill as a JetStream citizen, with real processes: `rill server run` and nats-server, both
 * SIGKILLed and restarted.
 *
 * (1) metronome -> qos::wal -> jetstream offramp, rill SIGKILLed and restarted 10 times, then run
 *     once more until its WAL is drained: every event the WAL ever stored (sequences 0 .. nextSeq-1
 *     of its one epoch) is in the stream exactly once, by its Nats-Msg-Id, and every tick of every
 *     run is there once (ticks of a run are consecutive ids from 0; a re-send may change their order).
 * (2) the same against a 3-node cluster (stream replicas 3) while the stream's leader is SIGKILLed
 *     and restarted, and rill too: 0 lost, 0 duplicates.
 * (3) a stream read by 2 rill processes on one durable consumer, each writing a file; one rill is
 *     SIGKILLed and restarted 5 times while messages keep coming: every message is in some file,
 *     and the copies beyond one are within max_ack_pending per kill (what the killed rill had
 *     pulled and not acked comes back after ack_wait, to either rill).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { jetstreamManager } from '@nats-io/jetstream';
import { NatsCluster, NatsServer } from '../support/nats-server.ts';
import { createStream, publishAll, streamLeader, streamMessageCount, streamMessages, withClient } from '../support/jetstream-inspect.ts';
import { killAll, sleep, startEngine, waitFor, type Child } from './processes.ts';
import { waitForAsync } from '../support/waiting.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'rill-e2e-jetstream-'));
const stops: Array<() => Promise<void>> = [];

afterAll(async () => {
  await killAll();
  for (const stop of stops.splice(0)) await stop();
  rmSync(dir, { recursive: true, force: true });
});

function write(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const binding = (onramp: string, offramp: string) =>
  [
    'binding:',
    '  - id: default',
    '    links:',
    `      "/onramp/${onramp}/{instance}/out": ["/pipeline/gd/{instance}/in"]`,
    `      "/pipeline/gd/{instance}/out": ["/offramp/${offramp}/{instance}/in"]`,
    'mapping:',
    '  /binding/default/01:',
    '    instance: "01"',
    '',
  ].join('\n');

/**
 * metronome (every 2 ms) -> qos::wal (tagging each tick with `run`) -> jetstream; returns the `-f`
 * files. `ticking = false` (the last, draining run): the onramp reads an empty file instead, so the
 * WAL only sends what it holds and ends empty.
 */
function producerSetup(name: string, hosts: string[], walDir: string, run: number, replicas: number, ticking = true): string[] {
  const onramp = ticking ? ['    type: metronome', '    config: {interval: 2}'] : ['    type: file', `    config: {source: ${JSON.stringify(write('empty.jsonl', ''))}}`];
  const artefacts = [
    'onramp:',
    '  - id: metronome',
    ...onramp,
    'offramp:',
    '  - id: js',
    '    type: jetstream',
    '    config:',
    `      hosts: ${JSON.stringify(hosts)}`,
    `      stream: ${name}`,
    `      subject: ${name.toLowerCase()}.ticks`,
    `      replicas: ${replicas}`,
    '      timeout_ms: 2000',
    binding('metronome', 'js'),
  ].join('\n');
  const query = [
    'define qos::wal operator wal with',
    `  dir = ${JSON.stringify(walDir)}, read_count = 100, max_elements = 1000000`,
    'end;',
    'create operator wal;',
    `select merge event of {"run": ${run}} end from in into wal;`,
    'select event from wal into out;',
    '',
  ].join('\n');
  return [write(`${name}-artefacts.yaml`, artefacts), write('gd.trickle', query)];
}

interface Appended {
  messageId: string;
  run: number;
  id: number;
}

/** Every message of the stream with its Nats-Msg-Id. */
async function appended(hosts: string[], stream: string): Promise<Appended[]> {
  return (await streamMessages(hosts, stream)).map(({ text, messageId }) => ({ messageId, ...(JSON.parse(text) as { run: number; id: number }) }));
}

function inspectWal(walDir: string): { epoch: string; storedEvents: number; nextSeq: number; ackedBelow: number } {
  const result = spawnSync(process.execPath, [join(ROOT, 'bin', 'rill.mjs'), 'wal', 'inspect', walDir, '--json'], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`rill wal inspect failed: ${result.stderr}`);
  return JSON.parse(result.stdout);
}

/** Starts rill and resolves once the stream has grown by at least `growth` messages (or rill died). */
async function runUntilAppended(args: string[], hosts: string[], stream: string, growth: number): Promise<Child> {
  const before = await streamMessageCount(hosts, stream).catch(() => 0);
  const engine = startEngine(args);
  await waitForAsync(async () => !engine.running || (await streamMessageCount(hosts, stream).catch(() => 0)) >= before + growth, `rill to append ${growth} messages to ${stream}`, 60_000);
  expect(engine.running, engine.stderr).toBe(true);
  return engine;
}

/** A last, graceful run (nothing ticking) until the WAL holds nothing more, then SIGTERM. */
async function drain(args: string[], walDir: string): Promise<void> {
  const engine = startEngine(args);
  await waitFor(() => !engine.running || inspectWal(walDir).storedEvents === 0, 'the WAL to drain into the stream', 60_000);
  await engine.kill('SIGTERM');
  expect(engine.exitCode, engine.stderr).toBe(0);
}

/** Exactly once: the WAL's sequences 0 .. nextSeq-1 each once, and every run's ticks 0 .. max once. */
function checkExactlyOnce(messages: Appended[], walDir: string, runs: number): { stored: number; duplicates: number; lost: number } {
  const wal = inspectWal(walDir);
  expect(wal.storedEvents).toBe(0);
  const ticks = new Set(messages.map(({ run, id }) => `${run}/${id}`));
  expect(messages.length - ticks.size, 'ticks appended more than once').toBe(0);
  const seqCounts = new Map<number, number>();
  for (const { messageId } of messages) {
    const [epoch, seq] = messageId.split(':');
    expect(epoch).toBe(wal.epoch);
    seqCounts.set(Number(seq), (seqCounts.get(Number(seq)) ?? 0) + 1);
  }
  const stored = wal.nextSeq;
  const lost = Array.from({ length: stored }, (_, seq) => seq).filter((seq) => !seqCounts.has(seq));
  const duplicates = messages.length - seqCounts.size;
  expect(lost.slice(0, 10), `${lost.length} stored events missing from the stream`).toEqual([]);
  expect(duplicates, 'messages appended twice').toBe(0);
  expect(messages.length).toBe(stored);
  for (let run = 0; run < runs; run++) {
    // Sorted: a re-sent event is appended after those already in flight, so the stream's order may differ.
    const ids = messages.filter((message) => message.run === run).map((message) => message.id).sort((a, b) => a - b);
    expect(ids.length, `ticks of run ${run}`).toBeGreaterThan(0);
    expect(ids, `run ${run}: ticks 0..${ids.length - 1}, each once`).toEqual([...Array(ids.length).keys()]);
  }
  return { stored, duplicates, lost: lost.length };
}

describe('rill -> JetStream and JetStream -> rill, with SIGKILLs', () => {
  it('(1) metronome -> qos::wal -> jetstream, rill SIGKILLed and restarted 10 times: every stored event in the stream exactly once', async () => {
    const KILLS = 10;
    const server = await NatsServer.start();
    stops.push(() => server.stop());
    const hosts = [server.host];
    const walDir = join(dir, 'wal-single');
    for (let run = 0; run < KILLS; run++) {
      const engine = await runUntilAppended(['-q', '-f', ...producerSetup('TICKS', hosts, walDir, run, 1)], hosts, 'TICKS', 20);
      await sleep(Math.random() * 600);
      await engine.kill('SIGKILL');
    }
    await drain(['-q', '-f', ...producerSetup('TICKS', hosts, walDir, KILLS, 1, false)], walDir);
    const messages = await appended(hosts, 'TICKS');
    const result = checkExactlyOnce(messages, walDir, KILLS);
    console.log(`e2e jetstream producer: kills=${KILLS} stored=${result.stored} appended=${messages.length} duplicates=${result.duplicates} lost=${result.lost}`);
  }, 180_000);

  it('(2) the same against a 3-node cluster (replicas 3) while the stream leader is SIGKILLed and restarted: 0 lost, 0 duplicates', async () => {
    const ROUNDS = 3;
    const cluster = await NatsCluster.start();
    stops.push(() => cluster.stop());
    const hosts = cluster.hosts;
    const walDir = join(dir, 'wal-cluster');
    const leaders: string[] = [];
    let run = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const engine = await runUntilAppended(['-q', '-f', ...producerSetup('CTICKS', hosts, walDir, run++, 3)], hosts, 'CTICKS', 20);
      const leaderName = await waitForLeader(hosts, 'CTICKS');
      leaders.push(leaderName);
      const leader = cluster.byName(leaderName);
      const count = await streamMessageCount(hosts, 'CTICKS');
      await leader.kill('SIGKILL');
      // rill keeps ticking into its WAL while the cluster elects a new leader.
      await sleep(1_500 + Math.random() * 1_000);
      await leader.launch();
      await waitForAsync(async () => (await streamMessageCount(hosts, 'CTICKS').catch(() => 0)) > count + 20, 'appends after the leader came back', 60_000);
      // And rill itself dies too, at a random moment.
      await sleep(Math.random() * 500);
      await engine.kill('SIGKILL');
    }
    await drain(['-q', '-f', ...producerSetup('CTICKS', hosts, walDir, run, 3, false)], walDir);
    const messages = await appended(hosts, 'CTICKS');
    const result = checkExactlyOnce(messages, walDir, run);
    console.log(`e2e jetstream cluster: leader kills=${ROUNDS} (${leaders.join(',')}) stored=${result.stored} appended=${messages.length} duplicates=${result.duplicates} lost=${result.lost}`);
  }, 240_000);

  it('(3) 2 rill processes on one durable consumer -> files, one SIGKILLed and restarted 5 times: every message in some output, duplicates within max_ack_pending per kill', async () => {
    const KILLS = 5;
    const MAX_ACK_PENDING = 50;
    const server = await NatsServer.start();
    stops.push(() => server.stop());
    const hosts = [server.host];
    await createStream(hosts, 'WORK', ['work.>']);
    // One folder per worker: its pipeline is `gd` (named after gd.trickle), its output out-<worker>.jsonl.
    const args = (worker: string): string[] => {
      const folder = join(dir, `worker-${worker}`);
      mkdirSync(folder, { recursive: true });
      const artefacts = [
        'onramp:',
        '  - id: js',
        '    type: jetstream',
        '    config:',
        `      hosts: ${JSON.stringify(hosts)}`,
        '      stream: WORK',
        '      durable: workers',
        `      max_ack_pending: ${MAX_ACK_PENDING}`,
        '      ack_wait_ms: 2000',
        'offramp:',
        '  - id: out',
        '    type: file',
        '    config:',
        `      file: ${JSON.stringify(join(dir, `out-${worker}.jsonl`))}`,
        binding('js', 'out'),
      ].join('\n');
      writeFileSync(join(folder, 'artefacts.yaml'), artefacts);
      writeFileSync(join(folder, 'gd.trickle'), 'select event from in into out;\n');
      return ['-q', '-f', join(folder, 'artefacts.yaml'), join(folder, 'gd.trickle')];
    };
    const outputs = () => ['a', 'b'].flatMap((worker) => readNumbers(join(dir, `out-${worker}.jsonl`)));
    let published = 0;
    let publishing = true;
    const publisher = (async () => {
      while (publishing) {
        await publishAll(hosts, 'work.items', Array.from({ length: 50 }, (_, index) => JSON.stringify({ n: published + index })));
        published += 50;
        await sleep(40);
      }
    })();
    const steady = startEngine(args('b'));
    for (let kill = 0; kill < KILLS; kill++) {
      const before = readNumbers(join(dir, 'out-a.jsonl')).length;
      const victim = startEngine(args('a'));
      await waitFor(() => !victim.running || readNumbers(join(dir, 'out-a.jsonl')).length > before, `worker a (run ${kill}) to write`, 60_000);
      expect(victim.running, victim.stderr).toBe(true);
      await sleep(200 + Math.random() * 600);
      await victim.kill('SIGKILL');
    }
    publishing = false;
    await publisher;
    const last = startEngine(args('a'));
    await waitFor(() => new Set(outputs()).size === published || !steady.running || !last.running, 'every message in some output', 90_000);
    // The last one may have had nothing left to do: stop it only once it runs (and handles SIGTERM).
    await waitFor(() => !last.running || last.stderr.includes('rill: running'), 'the last rill to run', 60_000);
    await last.kill('SIGTERM');
    await steady.kill('SIGTERM');
    expect(steady.exitCode, steady.stderr).toBe(0);
    expect(last.exitCode, last.stderr).toBe(0);
    const all = outputs();
    const distinct = new Set(all);
    const missing = Array.from({ length: published }, (_, n) => n).filter((n) => !distinct.has(n));
    const duplicates = all.length - distinct.size;
    const fromA = readNumbers(join(dir, 'out-a.jsonl')).length;
    console.log(`e2e jetstream shared durable: published=${published} kills=${KILLS} written=${all.length} (a ${fromA}, b ${all.length - fromA}) duplicates=${duplicates} (bound ${KILLS * MAX_ACK_PENDING}) missing=${missing.length}`);
    expect(missing.slice(0, 10), `${missing.length} messages in no output`).toEqual([]);
    expect(fromA, 'the killed worker did part of the work').toBeGreaterThan(0);
    expect(all.length - fromA, 'the steady worker did part of the work').toBeGreaterThan(0);
    expect(duplicates).toBeLessThanOrEqual(KILLS * MAX_ACK_PENDING);
  }, 240_000);
});

/** The `n` of every complete line of a JSON-lines file (a kill may cut the last one short). */
function readNumbers(file: string): number[] {
  if (!existsSync(file)) return [];
  const text = readFileSync(file, 'utf8');
  return text
    .slice(0, text.lastIndexOf('\n') + 1)
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => (JSON.parse(line) as { n: number }).n);
}

async function waitForLeader(hosts: string[], stream: string): Promise<string> {
  let leader: string | undefined;
  await waitForAsync(async () => (leader = await streamLeader(hosts, stream).catch(() => undefined)) !== undefined, `a leader for ${stream}`, 30_000);
  return leader!;
}
