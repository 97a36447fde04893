/**
 * Runs one case of a troy conformance corpus laid out like `shared/troy-corpus` (its INDEX.md says
 * what upstream's harnesses check). Used by the vitest suite (test/troy/corpus.test.ts) and by
 * `rill conformance` when the corpus's manifest has troy categories.
 *
 * - `flow_errors`: `flow.troy` must fail to compile, and the rendered error must equal `error.txt`
 *   exactly (only leading and trailing whitespace of the whole text is ignored), as
 *   `tests/flow_error.rs` compares it. The module path is upstream's, in upstream's order and with
 *   upstream's mount names (`tests/flow_errors/<case>/`, then `tremor-script/lib`, which is rill's
 *   bundled module folder), so `module_not_found` lists the same two mounts.
 * - `flows`: `flow.troy` must compile into a plan in which every deployed flow has instances and
 *   links, as the first half of `tests/flows.rs` requires (parse, compile, and everything
 *   `start_flow` resolves: creates, args, connects), and then run: `rill server run -n
 *   --debug-connectors flow.troy` must stop by itself (its `exit` connector) with status 0.
 *   Upstream allows 10 s; this runner allows FLOW_RUN_TIMEOUT_MS, because a loaded 2-core CI
 *   machine is slower to start a process, and what is checked is that the flow ends, not how fast.
 * - `integration` cases run with `rill test integration` (bin/commands/integration-runner.ts;
 *   test/troy/integration.test.ts) and `wal` cases are descriptions; neither is run here.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { RILL_BIN } from '../../bin/commands/integration-runner.ts';
import { join } from 'node:path';
import { CompileError } from '../../queries/diagnostic.ts';
import { renderDiagnostic } from '../../queries/index.ts';
import { planDeployment } from '../../queries/troy/deploy.ts';
import { BUNDLED_MODULES_DIR, type ModuleMount } from '../../queries/troy/modules.ts';

export interface TroyCase {
  category: string;
  case: string;
  tier: string;
  files: string[];
}

export interface TroyCaseResult {
  category: string;
  case: string;
  tier: string;
  ok: boolean;
  /** Why it failed; empty when ok. */
  reason: string;
}

/** Categories a troy corpus has; a manifest with any of them is a troy corpus. */
export const TROY_CATEGORIES = ['flows', 'flow_errors', 'integration', 'wal'];

/** The categories this runner runs. */
export const TROY_RUN_CATEGORIES = ['flows', 'flow_errors'];

export function isTroyManifest(cases: ReadonlyArray<{ category: string }>): boolean {
  return cases.some((corpusCase) => TROY_CATEGORIES.includes(corpusCase.category));
}

export function loadTroyManifest(corpusDir: string): TroyCase[] {
  return JSON.parse(readFileSync(join(corpusDir, 'manifest.json'), 'utf8')) as TroyCase[];
}

export function troyCaseName(corpusCase: TroyCase): string {
  return `${corpusCase.category}/${corpusCase.case}`;
}

/** Runs a case; never throws (an unexpected exception is a failure with its message). */
export function runTroyCase(corpusDir: string, corpusCase: TroyCase): TroyCaseResult {
  const dir = join(corpusDir, corpusCase.category, corpusCase.case);
  const result = (reason: string): TroyCaseResult => ({
    category: corpusCase.category,
    case: corpusCase.case,
    tier: corpusCase.tier,
    ok: reason === '',
    reason,
  });
  try {
    switch (corpusCase.category) {
      case 'flow_errors':
        return result(runFlowErrorCase(dir, corpusCase.case));
      case 'flows':
        return result(runFlowCase(dir, corpusCase.case));
      default:
        return result(`category ${corpusCase.category} is not run by the troy runner`);
    }
  } catch (error) {
    return result(`unexpected ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
  }
}

const UPSTREAM_STDLIB: ModuleMount = { dir: BUNDLED_MODULES_DIR, label: 'tremor-script/lib' };

function runFlowErrorCase(dir: string, name: string): string {
  const source = readFileSync(join(dir, 'flow.troy'), 'utf8');
  const modulePath = [{ dir, label: `tests/flow_errors/${name}/` }, UPSTREAM_STDLIB];
  try {
    planDeployment(source, 'flow.troy', { modulePath });
  } catch (error) {
    if (!(error instanceof CompileError)) throw error;
    const got = renderDiagnostic(error.diagnostics[0], error.source).trim();
    const expected = readFileSync(join(dir, 'error.txt'), 'utf8').trim();
    return got === expected ? '' : `error text differs:\n--- expected\n${expected}\n--- got\n${got}`;
  }
  return 'compiled, but a compile error was expected';
}

function runFlowCase(dir: string, name: string): string {
  const file = join(dir, 'flow.troy');
  if (!existsSync(file)) return 'no flow.troy';
  const modulePath = [UPSTREAM_STDLIB, { dir, label: `tests/flows/${name}/` }];
  let plan;
  try {
    plan = planDeployment(readFileSync(file, 'utf8'), 'flow.troy', { modulePath });
  } catch (error) {
    if (!(error instanceof CompileError)) throw error;
    return `compile error:\n${renderDiagnostic(error.diagnostics[0], error.source)}`;
  }
  if (plan.flows.length === 0) return 'no `deploy flow` statement';
  for (const flow of plan.flows) {
    if (flow.connectors.length === 0 || flow.links.length === 0) return `flow ${flow.id} creates no connectors or links nothing`;
  }
  const run = spawnSync(process.execPath, [RILL_BIN, 'server', 'run', '-n', '-q', '--debug-connectors', 'flow.troy'], {
    cwd: dir,
    env: { ...process.env, TREMOR_PATH: '' },
    encoding: 'utf8',
    timeout: FLOW_RUN_TIMEOUT_MS,
    killSignal: 'SIGKILL',
  });
  if (run.error !== undefined && (run.error as NodeJS.ErrnoException).code === 'ETIMEDOUT') return `still running after ${FLOW_RUN_TIMEOUT_MS / 1000} s (its exit connector did not stop it)`;
  if (run.status !== 0) return `rill server run exited with ${run.status ?? run.signal}:\n${run.stderr.trim()}`;
  return '';
}

const FLOW_RUN_TIMEOUT_MS = 30_000;
