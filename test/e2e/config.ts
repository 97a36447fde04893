/**
 * Test-specific Tremor 0.11 artefacts for the end-to-end tests: a fast metronome -> qos::wal ->
 * ws offramp on a given port, in a temporary directory.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface WalSetup {
  dir: string;
  port: number;
  walDir: string;
  intervalMs: number;
  maxElements: number;
  maxInFlight: number;
  /** Written into every event as `run`, so the receiver can tell engine runs apart. */
  run: number;
  /** The ws offramp's `ack_delay_ms` (rill extension); absent = ack on write. */
  ackDelayMs?: number;
}

export const READ_COUNT = 20;

/** Writes the four files and returns their paths, in the order they are given to `-f`. */
export function writeWalSetup(setup: WalSetup): string[] {
  const files = {
    'metronome.yaml': `onramp:\n  - id: metronome\n    type: metronome\n    config:\n      interval: ${setup.intervalMs}\n`,
    'ws.yaml': `offramp:\n  - id: ws\n    type: ws\n    config:\n      url: ws://127.0.0.1:${setup.port}/\n${setup.ackDelayMs === undefined ? '' : `      ack_delay_ms: ${setup.ackDelayMs}\n`}`,
    'binding.yaml': [
      'binding:',
      '  - id: default',
      '    links:',
      '      "/onramp/metronome/{instance}/out": ["/pipeline/gd/{instance}/in"]',
      '      "/pipeline/gd/{instance}/out": ["/offramp/ws/{instance}/in"]',
      'mapping:',
      '  /binding/default/01:',
      '    instance: "01"',
      '',
    ].join('\n'),
    'gd.trickle': [
      'define qos::wal operator wal with',
      `  dir = ${JSON.stringify(setup.walDir)}, read_count = ${READ_COUNT},`,
      `  max_elements = ${setup.maxElements}, max_in_flight = ${setup.maxInFlight}`,
      'end;',
      'create operator wal;',
      `select merge event of {"run": ${setup.run}} end from in into wal;`,
      'select event from wal into out;',
      '',
    ].join('\n'),
  };
  return Object.entries(files).map(([name, text]) => {
    const path = join(setup.dir, name);
    writeFileSync(path, text);
    return path;
  });
}
