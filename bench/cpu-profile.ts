/**
 * `node --import tsx bench/cpu-profile.ts FILE.cpuprofile... [--top=N]`: where a `node --cpu-prof`
 * profile's time went (as `npm run bench -- troy --cpu-prof=DIR` writes them, one per thread):
 * the share of the profile's wall time each function spent itself (self time), and the same
 * summed per source file, so a whole process's cost can be read without a profiler UI.
 */
import { readFileSync } from 'node:fs';
import { exitQuietlyWhenStdoutCloses } from './quiet-pipe.ts';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

function summarise(path: string, top: number): void {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, index) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0)));
  const totalUs = profile.endTime - profile.startTime;
  const functions = new Map<string, number>();
  const files = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    const file = shortUrl(url) || functionName;
    functions.set(`${functionName || '(anonymous)'} ${file}${url ? `:${lineNumber + 1}` : ''}`, (functions.get(`${functionName || '(anonymous)'} ${file}${url ? `:${lineNumber + 1}` : ''}`) ?? 0) + us);
    files.set(file, (files.get(file) ?? 0) + us);
  }
  console.log(`${path}: ${(totalUs / 1e6).toFixed(2)} s`);
  const print = (title: string, entries: Map<string, number>) => {
    console.log(`  ${title}`);
    for (const [name, us] of [...entries].sort((a, b) => b[1] - a[1]).slice(0, top)) {
      console.log(`  ${((100 * us) / totalUs).toFixed(1).padStart(6)}%  ${(us / 1000).toFixed(0).padStart(6)} ms  ${name}`);
    }
  };
  print('self time by function', functions);
  print('self time by file', files);
}

/** A url inside the repository or node_modules, from there on; node's own modules as they are. */
function shortUrl(url: string): string {
  const at = url.search(/\/(node_modules|engine|connectors|operators|queries|bin|bench)\//);
  return at < 0 ? url : url.slice(at + 1);
}

exitQuietlyWhenStdoutCloses();

const args = process.argv.slice(2);
const top = Number(args.find((arg) => arg.startsWith('--top='))?.slice(6) ?? 25);
for (const path of args.filter((arg) => !arg.startsWith('--'))) summarise(path, top);
