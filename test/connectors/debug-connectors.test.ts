/**
 * The debug connectors `cb` and `bench`, and `crononome`, run as users run them: a troy file
 * given to a real `rill server run --debug-connectors` process.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { runNode } from '../support/run-node.ts';

const RILL = fileURLToPath(new URL('../../bin/rill.mjs', import.meta.url));
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function caseDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'rill-debug-connectors-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

const run = (dir: string, ...args: string[]) => runNode([RILL, 'server', 'run', '-n', '-q', ...args, 'flow.troy'], { cwd: dir, killAfterMs: 60_000 });

const cbFlow = (timeoutNs: number) => `
define flow main
flow
  use tremor::pipelines;
  define connector check from cb
  with
    config = {"path": "in.json", "timeout": ${timeoutNs}}
  end;
  create connector check;
  create pipeline main from pipelines::passthrough;
  connect /connector/check to /pipeline/main;
  connect /pipeline/main to /connector/check;
end;
deploy flow main;
`;

describe('cb', () => {
  it('an event nobody settles is reported missing after the timeout, and the process exits 1', async () => {
    const dir = caseDir({ 'flow.troy': cbFlow(1_000_000_000), 'in.json': '{"cb":"ack"}\n{"cb":"fail"}\n{"x":1}\n{"cb":["ack","trigger"]}\n' });
    const result = await run(dir, '--debug-connectors');
    // The 3rd event has no `cb` command: the cb sink leaves it unsettled, as Tremor's does.
    expect(result.stderr).toContain('Expected CB events up to id 3.\nGot acks: 2\nGot fails: 1\nGot triggers: 1');
    expect(result.stderr).toContain('paused (circuit breaker triggered downstream)');
    expect(result.code).toBe(1);
  });

  it('every event answered: "All required CB events received." and exit 0', async () => {
    const dir = caseDir({ 'flow.troy': cbFlow(5_000_000_000), 'in.json': '{"cb":"ack"}\n{"cb":"fail"}\n{"cb":"ack"}\n' });
    const result = await run(dir, '--debug-connectors');
    expect(result.stderr).toContain('All required CB events received.\nGot acks: 2\nGot fails: 1');
    expect(result.code).toBe(0);
  });

  it('is a debug connector: without --debug-connectors it is refused with the hint', async () => {
    const dir = caseDir({ 'flow.troy': cbFlow(1), 'in.json': '{"cb":"ack"}\n' });
    const result = await run(dir);
    expect(result.stderr).toContain('Unknown connector type cb (a debug connector: run with --debug-connectors, as Tremor)');
    expect(result.code).toBe(1);
  });
});

describe('bench', () => {
  it('replays the file iters times into its own sink, prints the figures on stdout and stops the process', async () => {
    const dir = caseDir({
      'in.json': '{"n":1}\n{"n":2}\n{"n":3}\n',
      'flow.troy': `
define flow main
flow
  use tremor::pipelines;
  define connector load from bench
  with
    codec = "json",
    config = {"source": "in.json", "iters": 100, "structured": true}
  end;
  create connector load;
  create pipeline main from pipelines::passthrough;
  connect /connector/load to /pipeline/main;
  connect /pipeline/main to /connector/load;
end;
deploy flow main;
`,
    });
    const result = await run(dir, '--debug-connectors');
    expect(result.code, result.stderr).toBe(0);
    const figures = JSON.parse(result.stdout.trim().split('\n').pop()!) as { count: number; percentiles: Array<{ quantile: number; valueNs: number }> };
    expect(figures.count).toBe(300);
    expect(figures.percentiles.map((p) => p.quantile)).toEqual([0.5, 0.9, 0.99, 0.999, 1]);
    expect(figures.percentiles[0]!.valueNs).toBeLessThanOrEqual(figures.percentiles[4]!.valueNs);
  });

  it('a missing source file is a configuration error naming it', async () => {
    const dir = caseDir({
      'flow.troy': `define flow main flow use tremor::pipelines; define connector load from bench with config = {"source": "nope.json"} end;
        create connector load; create pipeline p from pipelines::passthrough; connect /connector/load to /pipeline/p; end; deploy flow main;`,
    });
    const result = await run(dir, '--debug-connectors');
    expect(result.stderr).toMatch(/cannot read "nope\.json": ENOENT/);
    expect(result.code).toBe(1);
  });
});

describe('crononome', () => {
  it('fires a 6-field (seconds) entry with its payload under `trigger`, and `$crononome.trigger` names it', async () => {
    const dir = caseDir({
      'flow.troy': `
define flow main
flow
  use tremor::connectors;
  define connector cron from crononome
  with
    config = {"entries": [{"name": "every-second", "expr": "* * * * * *", "payload": {"snot": "badger"}}]}
  end;
  define connector out from file
  with
    codec = "json", config = {"path": "out.log", "mode": "truncate"}
  end;
  define pipeline main
  pipeline
    select {"trigger": event.trigger, "connector": event["connector"], "meta": $crononome} from in into out;
  end;
  define pipeline stop
  pipeline
    select {"delay": 1} from in into out;
  end;
  create connector cron;
  create connector out;
  create connector exit from connectors::exit;
  create pipeline main;
  create pipeline stop;
  connect /connector/cron to /pipeline/main;
  connect /connector/cron to /pipeline/stop;
  connect /pipeline/main to /connector/out;
  connect /pipeline/stop to /connector/exit;
end;
deploy flow main;
`,
    });
    const result = await run(dir, '--debug-connectors');
    expect(result.code, result.stderr).toBe(0);
    const { readFileSync } = await import('node:fs');
    const lines = readFileSync(join(dir, 'out.log'), 'utf8').trim().split('\n');
    expect(JSON.parse(lines[0]!)).toEqual({ trigger: { name: 'every-second', payload: { snot: 'badger' } }, connector: 'crononome', meta: { trigger: 'every-second' } });
  });

  it('a 5-field expression is refused: Tremor expressions start with seconds', async () => {
    const dir = caseDir({
      'flow.troy': `define flow main flow use tremor::pipelines; define connector cron from crononome with config = {"entries": [{"name": "x", "expr": "* * * * *"}]} end;
        create connector cron; create pipeline p from pipelines::passthrough; connect /connector/cron to /pipeline/p; end; deploy flow main;`,
    });
    const result = await run(dir);
    expect(result.stderr).toContain("has 5 fields; Tremor's have 6 or 7 (seconds first, year last)");
    expect(result.code).toBe(1);
  });
});
