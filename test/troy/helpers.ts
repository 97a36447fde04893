/**
 * Shared by the troy tests: a source's plan, or the text its first error renders to.
 */
import { CompileError } from '../../queries/diagnostic.ts';
import { renderDiagnostic } from '../../queries/index.ts';
import { planDeployment, type DeployOptions } from '../../queries/troy/deploy.ts';
import { BUNDLED_MODULES_DIR } from '../../queries/troy/modules.ts';
import type { DeploymentPlan } from '../../queries/troy/plan.ts';

/** Only the bundled modules, whatever TREMOR_PATH the test runner has. */
export const BUNDLED_ONLY: DeployOptions = { modulePath: [{ dir: BUNDLED_MODULES_DIR, label: BUNDLED_MODULES_DIR }] };

export function plan(source: string, options: DeployOptions = BUNDLED_ONLY): DeploymentPlan {
  return planDeployment(source, 'test.troy', options);
}

/** The CompileError `source` must fail with (the test fails if it plans, or throws anything else). */
export function failure(source: string, options: DeployOptions = BUNDLED_ONLY): CompileError {
  try {
    planDeployment(source, 'test.troy', options);
  } catch (error) {
    if (error instanceof CompileError) return error;
    throw error;
  }
  throw new Error('expected a compile error, but the source planned');
}

/** The first error of `source`, rendered as rill prints it. */
export function rendered(source: string, options: DeployOptions = BUNDLED_ONLY): string {
  const error = failure(source, options);
  return renderDiagnostic(error.diagnostics[0], error.source);
}

/** A flow body wrapped into a deployed flow named `f`. */
export function flow(body: string, deploy = 'deploy flow f;'): string {
  return `define flow f\nflow\n${body}\nend;\n${deploy}\n`;
}
