/**
 * engine/runtime/troy-plan.ts: what a deployed flow becomes on the runtime, and the problems it
 * reports before anything starts.
 */
import { describe, expect, it } from 'vitest';
import { addDeployment } from '../../engine/runtime/troy-plan.ts';
import type { RuntimePlan } from '../../engine/runtime/load.ts';
import { flow, plan } from './helpers.ts';

function problemsOf(source: string, debugConnectors = true): string[] {
  const runtimePlan: RuntimePlan = { sources: [], sinks: [], pipelines: [], links: [] };
  const problems: string[] = [];
  addDeployment(plan(source), { warn: () => {}, debugConnectors }, runtimePlan, problems);
  return problems;
}

describe('troy plan problems', () => {
  it('a created connector of an unknown kind is refused even when nothing connects it (integration/unknown-connector)', () => {
    const problems = problemsOf(flow('define connector out from bad_connector;\ncreate connector out;'));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^test\.troy:4:1: Unknown connector type bad_connector .*\(flow f\)$/);
  });

  it('a created, unconnected connector of a known kind is no problem (and is not built)', () => {
    expect(problemsOf(flow('define connector out from metronome with config = {"interval": 1000000} end;\ncreate connector out;'))).toEqual([]);
  });
});
