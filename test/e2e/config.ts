/**
 * Test-specific Tremor 0.11 artefacts for the end-to-end tests: a fast metronome -> qos::wal ->
 * ws offramp on a given port (or a stdout offramp), in a temporary directory.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface WalSetup {
  dir: string;
  /** The ws offramp's port; without one the offramp is `stdout`. */
  port?: number;
  walDir: string;
  intervalMs: number;
  maxElements: number;
  maxInFlight: number;
  /** Written into every event as `run`, so the receiver can tell engine runs apart. */
  run: number;
  /** The ws offramp's `ack_delay_ms` (rill extension); absent = ack on write. */
  ackDelayMs?: number;
  /** The ws offramp's `ack_replies` (rill extension): acked by the receiver's `{"ack": N}` replies. */
  ackReplies?: boolean;
  /** Written into every event as `padding`, to make events bigger. */
  padding?: string;
}

/** The offramp's type, also its id: `ws` to `port`, or `stdout`. */
function offrampType(setup: WalSetup): 'ws' | 'stdout' {
  return setup.port === undefined ? 'stdout' : 'ws';
}

function offrampYaml(setup: WalSetup): string {
  if (setup.port === undefined) return 'offramp:\n  - id: stdout\n    type: stdout\n';
  const options = [
    `      url: ws://127.0.0.1:${setup.port}/\n`,
    setup.ackDelayMs === undefined ? '' : `      ack_delay_ms: ${setup.ackDelayMs}\n`,
    setup.ackReplies ? '      ack_replies: true\n' : '',
  ];
  return `offramp:\n  - id: ws\n    type: ws\n    config:\n${options.join('')}`;
}

export const READ_COUNT = 20;

/** Writes the four files and returns their paths, in the order they are given to `-f`. */
export function writeWalSetup(setup: WalSetup): string[] {
  const files = {
    'metronome.yaml': `onramp:\n  - id: metronome\n    type: metronome\n    config:\n      interval: ${setup.intervalMs}\n`,
    'offramp.yaml': offrampYaml(setup),
    'binding.yaml': [
      'binding:',
      '  - id: default',
      '    links:',
      '      "/onramp/metronome/{instance}/out": ["/pipeline/gd/{instance}/in"]',
      `      "/pipeline/gd/{instance}/out": ["/offramp/${offrampType(setup)}/{instance}/in"]`,
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
      `select merge event of ${JSON.stringify(setup.padding === undefined ? { run: setup.run } : { run: setup.run, padding: setup.padding })} end from in into wal;`,
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
