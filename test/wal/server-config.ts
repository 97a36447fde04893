/**
 * A `rill server run` configuration for WAL tests that need the real server: metronome -> a
 * pipeline `in -> qos::wal (dir) -> out` -> blackhole. Returns the `-f` files, in order.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function writeWalServerConfig(configDir: string, walDir: string, metronomeIntervalMs = 100): string[] {
  mkdirSync(configDir, { recursive: true });
  const files: Record<string, string> = {
    'pipeline.trickle': `define qos::wal operator wal with dir = ${JSON.stringify(walDir)}, read_count = 10, max_elements = 100000 end;
create operator wal;
select event from in into wal;
select event from wal into out;
`,
    'metronome.yaml': `onramp:\n  - id: metronome\n    type: metronome\n    config:\n      interval: ${metronomeIntervalMs}\n`,
    'blackhole.yaml': 'offramp:\n  - id: blackhole\n    type: blackhole\n',
    'binding.yaml':
      'binding:\n  - id: default\n    links:\n      "/onramp/metronome/{instance}/out": ["/pipeline/pipeline/{instance}/in"]\n      "/pipeline/pipeline/{instance}/out": ["/offramp/blackhole/{instance}/in"]\n',
    'mapping.yaml': 'mapping:\n  /binding/default/01:\n    instance: "01"\n',
  };
  for (const [name, text] of Object.entries(files)) writeFileSync(join(configDir, name), text);
  return Object.keys(files).map((name) => join(configDir, name));
}

/** The `rill: cannot start: ...` line of a server's stderr, without the pipeline/operator prefix. */
export function startRefusal(stderr: string): string | undefined {
  const line = stderr.split('\n').find((text) => text.startsWith('rill: cannot start: '));
  return line?.replace(/^rill: cannot start: pipeline `pipeline`, operator `wal`: /, '');
}
