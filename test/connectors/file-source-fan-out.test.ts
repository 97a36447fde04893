/**
 * A `file` onramp linked to two pipelines, loaded from real artefact files and run by the real
 * runtime with a `--data-dir`: a line is checkpointed only once both pipelines have delivered it.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCheckpointFile } from '../../connectors/file-checkpoint.ts';
import { loadArtefacts } from '../../engine/runtime/load.ts';
import { Runtime } from '../../engine/runtime/runtime.ts';
import { waitFor } from '../support/waiting.ts';

let dir: string;
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'rill-file-fan-out-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Onramp `lines` -> pipelines `a` and `b`, each into its own file offramp. */
async function runWith(queryOfB: string): Promise<{ checkpointLine: number; delivered: Record<'a' | 'b', number> }> {
  writeFileSync(join(dir, 'in.jsonl'), '{"n":0}\n{"n":1}\n{"n":2}\n{"n":3}\n{"n":4}\n');
  writeFileSync(join(dir, 'a.trickle'), 'select event from in into out;\n');
  writeFileSync(join(dir, 'b.trickle'), `${queryOfB}\n`);
  writeFileSync(
    join(dir, 'artefacts.yaml'),
    [
      'onramp:',
      '  - id: lines',
      '    type: file',
      `    config: {source: ${JSON.stringify(join(dir, 'in.jsonl'))}}`,
      'offramp:',
      `  - {id: out-a, type: file, config: {file: ${JSON.stringify(join(dir, 'a.jsonl'))}}}`,
      `  - {id: out-b, type: file, config: {file: ${JSON.stringify(join(dir, 'b.jsonl'))}}}`,
      'binding:',
      '  - id: default',
      '    links:',
      '      "/onramp/lines/{instance}/out": ["/pipeline/a/{instance}/in", "/pipeline/b/{instance}/in"]',
      '      "/pipeline/a/{instance}/out": ["/offramp/out-a/{instance}/in"]',
      '      "/pipeline/b/{instance}/out": ["/offramp/out-b/{instance}/in"]',
      'mapping:',
      '  /binding/default/01: {instance: "01"}',
      '',
    ].join('\n'),
  );
  const dataDir = join(dir, 'data');
  const plan = loadArtefacts(['a.trickle', 'b.trickle', 'artefacts.yaml'].map((name) => join(dir, name)), { dataDir, warn: () => {} });
  const runtime = new Runtime(plan, { log: () => {} });
  await runtime.start();
  // b may deliver fewer lines (a `where`); what it delivers is acked by the time a's are, or soon
  // after: wait for a, then for every line b emitted.
  const acked = (name: string) => runtime.stats().sinks.find((sink) => sink.name === name)!;
  await waitFor(() => acked('offramp/out-a/01').acked === 5, 'pipeline a to deliver every line');
  await waitFor(() => acked('offramp/out-b/01').acked === acked('offramp/out-b/01').received, 'pipeline b to settle what it sent');
  await runtime.stop();
  const stateDir = join(dataDir, 'onramp', 'lines', '01');
  const [checkpointFile] = readdirSync(stateDir).filter((name) => name.endsWith('.checkpoint'));
  const lines = (name: string) => readFileSync(join(dir, name), 'utf8').split('\n').filter((line) => line !== '').length;
  const checkpoint = parseCheckpointFile(readFileSync(join(stateDir, checkpointFile)));
  if (typeof checkpoint === 'string') throw new Error(`${checkpointFile}: ${checkpoint}`);
  return {
    checkpointLine: checkpoint.line,
    delivered: { a: lines('a.jsonl'), b: lines('b.jsonl') },
  };
}

describe('file onramp linked to two pipelines', () => {
  it('checkpoints every line once both pipelines have delivered it', async () => {
    const { checkpointLine, delivered } = await runWith('select event from in into out;');
    expect(delivered).toEqual({ a: 5, b: 5 });
    expect(checkpointLine).toBe(5);
  });

  it('a line one pipeline filters out is done there: the checkpoint passes it once the other delivered it', async () => {
    const { checkpointLine, delivered } = await runWith('select event from in where event.n < 2 into out;');
    expect(delivered).toEqual({ a: 5, b: 2 });
    // b's `where` ended lines 3-5 inside the pipeline, which acks them (engine/executor.ts).
    expect(checkpointLine).toBe(5);
  });
});
