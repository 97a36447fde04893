/**
 * The troy language (Tremor 0.12 deployments), as the rest of rill uses it:
 * - `planDeployment(source, file, options)`: a `.troy` file -> DeploymentPlan (throws CompileError);
 * - `defaultModulePath()`: where `use` looks (`TREMOR_PATH`, then the bundled modules);
 * - `describeCompileError(error)`: `file:line:column: error: message` and the rendered source
 *   lines, the way `rill run` prints a query's compile error.
 */
import type { CompileError } from '../diagnostic.ts';
import { renderDiagnostic } from '../diagnostics/render.ts';

export { planDeployment, type DeployOptions } from './deploy.ts';
export { BUNDLED_MODULES_DIR, defaultModulePath, type ModuleMount } from './modules.ts';
export type * from './plan.ts';

export function describeCompileError(error: CompileError): string {
  return error.diagnostics
    .map((diagnostic) => {
      const { file, line, column } = diagnostic.span;
      return `${file}:${line}:${column}: ${diagnostic.severity}: ${diagnostic.message}\n${renderDiagnostic(diagnostic, error.source).trimEnd()}\n`;
    })
    .join('');
}
