/**
 * The bundled troy modules (queries/troy/lib) are found both from source and from an esbuild bundle
 * under node_modules/.cache/ (how the compiled `rill` CLI runs, bin/compiled-cache.mjs), where
 * `import.meta.url` is the bundle's, not the source file's.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { BUNDLED_MODULES_DIR } from '../../queries/troy/modules.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const cache = join(root, 'node_modules', '.cache');
mkdirSync(cache, { recursive: true });
const scratch = mkdtempSync(join(cache, 'rill-troy-bundle-test-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('bundled troy modules', () => {
  it('are queries/troy/lib from source', () => {
    expect(BUNDLED_MODULES_DIR).toBe(join(root, 'queries', 'troy', 'lib'));
  });

  it('are queries/troy/lib from a bundle in node_modules/.cache, and plan `use integration;`', async () => {
    const entry = join(scratch, 'entry.ts');
    writeFileSync(
      entry,
      [
        `import { BUNDLED_MODULES_DIR, planDeployment } from ${JSON.stringify(join(root, 'queries', 'troy', 'index.ts'))};`,
        "const plan = planDeployment('define flow f flow use integration; create connector exit from integration::exit; end; deploy flow f;', 'b.troy');",
        'console.log(JSON.stringify({ dir: BUNDLED_MODULES_DIR, config: plan.flows[0].connectors[0].config }));',
      ].join('\n'),
    );
    await esbuild.build({ entryPoints: [entry], bundle: true, platform: 'node', format: 'esm', packages: 'external', outfile: join(scratch, 'out', 'bundle.mjs'), logLevel: 'silent' });
    const output = execFileSync(process.execPath, [join(scratch, 'out', 'bundle.mjs')], { cwd: scratch, env: { ...process.env, TREMOR_PATH: '' }, encoding: 'utf8' });
    expect(JSON.parse(output)).toEqual({ dir: join(root, 'queries', 'troy', 'lib'), config: { delay: 100_000_000, graceful: true } });
  }, 60_000);
});
