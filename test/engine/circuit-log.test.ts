/**
 * The circuit breaker's log lines: every change while they are few, and one summary line per
 * quiet period once a sink pushes back many times a second.
 */
import { describe, expect, it } from 'vitest';
import { BURST_LINES, CircuitLog, QUIET_MS } from '../../engine/runtime/circuit-log.ts';

const PAUSED = 'onramp/in/01: paused (circuit breaker triggered downstream)';
const RESUMED = 'onramp/in/01: resumed (circuit breaker restored downstream)';

function logAt(clock: { ms: number }) {
  const lines: string[] = [];
  const log = new CircuitLog('onramp/in/01', (line) => lines.push(line), () => clock.ms);
  return { lines, log };
}

describe('circuit breaker log', () => {
  it('writes a few pauses and resumes each at once, repeated calls without a change not at all', () => {
    const clock = { ms: 0 };
    const { lines, log } = logAt(clock);
    log.paused();
    log.paused();
    clock.ms += 100;
    log.resumed();
    expect(lines).toEqual([PAUSED, RESUMED]);
  });

  it('counts the changes of a flapping circuit and writes the state they ended in once per period', () => {
    const clock = { ms: 0 };
    const { lines, log } = logAt(clock);
    let changes = 0;
    for (let n = 0; n < 500; n++) {
      clock.ms += 1;
      log.paused();
      log.resumed();
      changes += 2;
    }
    log.paused();
    changes++;
    expect(lines).toEqual([PAUSED, RESUMED, PAUSED, RESUMED].slice(0, BURST_LINES));
    log.flush();
    // The last line stands for the last change (a pause after the resume shown last).
    expect(lines).toHaveLength(BURST_LINES + 1);
    expect(lines[BURST_LINES]).toBe(`${PAUSED}; ${changes - BURST_LINES - 1} more pauses and resumes in the last ${QUIET_MS / 1000} s not shown`);
    // A new period shows changes at once again.
    clock.ms += QUIET_MS;
    log.resumed();
    expect(lines.at(-1)).toBe(RESUMED);
  });

  it('writes the summary by itself when the period ends', async () => {
    const clock = { ms: 0 };
    const { lines, log } = logAt(clock);
    for (let n = 0; n < BURST_LINES; n++) (n % 2 === 0 ? log.paused() : log.resumed());
    // 50 ms before the period ends: the next change waits for a real timer of 50 ms.
    clock.ms = QUIET_MS - 50;
    if (BURST_LINES % 2 === 0) log.paused();
    else log.resumed();
    expect(lines).toHaveLength(BURST_LINES);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(lines).toHaveLength(BURST_LINES + 1);
    expect(lines.at(-1)).toBe(BURST_LINES % 2 === 0 ? PAUSED : RESUMED);
  });
});
