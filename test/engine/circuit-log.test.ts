/**
 * The circuit breaker's log lines: every change when they are rare, one summary line per quiet
 * period when a sink pushes back many times a second.
 */
import { describe, expect, it } from 'vitest';
import { CircuitLog, QUIET_MS } from '../../engine/runtime/circuit-log.ts';

function logAt(clock: { ms: number }) {
  const lines: string[] = [];
  const log = new CircuitLog('onramp/in/01', (line) => lines.push(line), () => clock.ms);
  return { lines, log };
}

describe('circuit breaker log', () => {
  it('writes a rare pause and resume each at once', () => {
    const clock = { ms: 0 };
    const { lines, log } = logAt(clock);
    log.paused();
    clock.ms += QUIET_MS;
    log.resumed();
    expect(lines).toEqual(['onramp/in/01: paused (circuit breaker triggered downstream)', 'onramp/in/01: resumed (circuit breaker restored downstream)']);
  });

  it('counts the changes of a flapping circuit and writes the state they ended in once', () => {
    const clock = { ms: 0 };
    const { lines, log } = logAt(clock);
    log.paused();
    for (let n = 0; n < 500; n++) {
      clock.ms += 1;
      log.resumed();
      log.resumed(); // no change: not counted
      log.paused();
    }
    clock.ms += 1;
    log.resumed();
    expect(lines).toHaveLength(1);
    log.flush();
    expect(lines).toEqual([
      'onramp/in/01: paused (circuit breaker triggered downstream)',
      'onramp/in/01: resumed (circuit breaker restored downstream); 1000 more pauses and resumes in the last 1 s not shown',
    ]);
  });

  it('says when changes came back to the state last shown', () => {
    const clock = { ms: 0 };
    const { lines, log } = logAt(clock);
    log.paused();
    clock.ms += 2000;
    log.resumed();
    log.paused();
    log.flush();
    log.flush(); // nothing new
    expect(lines[1]).toBe('onramp/in/01: paused (circuit breaker triggered downstream); 2 more pauses and resumes in the last 2 s not shown');
    expect(lines).toHaveLength(2);
  });

  it('writes the summary by itself once the quiet period has passed', async () => {
    const clock = { ms: 0 };
    const { lines, log } = logAt(clock);
    log.paused();
    // 50 ms before the quiet period ends: the change waits for a real timer of 50 ms.
    clock.ms = QUIET_MS - 50;
    log.resumed();
    expect(lines).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(lines).toEqual(['onramp/in/01: paused (circuit breaker triggered downstream)', 'onramp/in/01: resumed (circuit breaker restored downstream)']);
  });
});
