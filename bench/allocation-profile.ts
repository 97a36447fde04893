/**
 * `node --import tsx bench/allocation-profile.ts FILE.heapprofile [--top=N] [--stacks=FUNCTION]`:
 * what a sampled allocation profile (bench/allocation-sampler.mjs writes one) says was allocated:
 * the total, the functions that allocated most themselves, and with `--stacks` the call paths
 * (five frames up) of one function's allocations. Sizes are estimates: each sample stands for
 * about the sampling interval's bytes.
 */
import { readFileSync } from 'node:fs';
import { exitQuietlyWhenStdoutCloses } from './quiet-pipe.ts';

interface ProfileNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: ProfileNode[];
}

function frameName(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  return `${functionName || '(anonymous)'} ${url.replace(/.*\//, '')}:${lineNumber + 1}`;
}

function summarise(path: string, top: number, stacksOf: string | undefined): void {
  const head = (JSON.parse(readFileSync(path, 'utf8')) as { head: ProfileNode }).head;
  const byFunction = new Map<string, number>();
  const stacks = new Map<string, number>();
  let total = 0;
  // Iterative: a deep call tree would overflow a recursive walk.
  const pending: Array<{ node: ProfileNode; path: string[] }> = [{ node: head, path: [] }];
  while (pending.length > 0) {
    const { node, path: callers } = pending.pop()!;
    const name = frameName(node);
    const here = [...callers, name];
    total += node.selfSize;
    if (node.selfSize > 0) {
      byFunction.set(name, (byFunction.get(name) ?? 0) + node.selfSize);
      if (stacksOf !== undefined && node.callFrame.functionName === stacksOf) {
        const key = here.slice(-6).join(' > ');
        stacks.set(key, (stacks.get(key) ?? 0) + node.selfSize);
      }
    }
    for (const child of node.children) pending.push({ node: child, path: here });
  }
  const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1).padStart(8)} MB`;
  console.log(`${path}: ${mb(total)} allocated (sampled)`);
  for (const [name, bytes] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`  ${mb(bytes)}  ${name}`);
  if (stacksOf !== undefined) {
    console.log(`  call paths of ${stacksOf}:`);
    for (const [key, bytes] of [...stacks].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`  ${mb(bytes)}  ${key}`);
  }
}

exitQuietlyWhenStdoutCloses();

const args = process.argv.slice(2);
const top = Number(args.find((arg) => arg.startsWith('--top='))?.slice('--top='.length) ?? 25);
const stacksOf = args.find((arg) => arg.startsWith('--stacks='))?.slice('--stacks='.length);
const files = args.filter((arg) => !arg.startsWith('--'));
if (files.length === 0) {
  console.error('usage: node --import tsx bench/allocation-profile.ts FILE.heapprofile [--top=N] [--stacks=FUNCTION]');
  process.exit(1);
}
for (const path of files) summarise(path, top, stacksOf);
