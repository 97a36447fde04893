/**
 * The module loader on random module graphs written to disk (property test).
 *
 * Module `m<i>` is a file `m<i>.tremor` that `use`s its dependencies in a random order and defines
 * `const v = <i> + <each dependency's v>`; the script uses `m0` and reads `m0::v`.
 * - Acyclic graphs compile and the value is the one a direct recursive evaluation of the graph gives
 *   (a module used twice, through a diamond, counts twice).
 * - Graphs with a cycle reachable from the script fail with Tremor's "Cyclic dependency detected:"
 *   naming the files on the way, as a depth-first walk in `use` order (the model below) meets them.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileScript } from '../../queries/index.ts';
import { CompileError } from '../../queries/diagnostic.ts';

/** dependencies[i] = the modules m<i> uses, in `use` order. */
type Graph = number[][];

const acyclicGraph = fc.integer({ min: 1, max: 6 }).chain((size) =>
  fc.tuple(...Array.from({ length: size }, (_, i) => fc.subarray(Array.from({ length: size - i - 1 }, (_, k) => i + 1 + k)).chain((deps) => fc.shuffledSubarray(deps, { minLength: deps.length, maxLength: deps.length })))),
);

/** An acyclic graph plus one edge from a module back to itself or one it can be reached from. */
const cyclicGraph = acyclicGraph.chain((graph) =>
  fc.record({
    graph: fc.constant(graph as Graph),
    from: fc.integer({ min: 0, max: graph.length - 1 }),
    position: fc.nat(),
  }).chain(({ graph, from, position }) =>
    fc.integer({ min: 0, max: from }).map((to) => {
      const withBackEdge = graph.map((deps) => [...deps]);
      withBackEdge[from].splice(position % (withBackEdge[from].length + 1), 0, to);
      return withBackEdge;
    }),
  ),
);

function writeGraph(dir: string, graph: Graph): string {
  graph.forEach((deps, i) => {
    const uses = deps.map((dep) => `use m${dep};\n`).join('');
    const sum = [String(i), ...deps.map((dep) => `m${dep}::v`)].join(' + ');
    writeFileSync(join(dir, `m${i}.tremor`), `${uses}const v = ${sum};\n`);
  });
  const script = join(dir, 'script.tremor');
  writeFileSync(script, 'use m0;\nm0::v\n');
  return script;
}

function compileGraph(graph: Graph): { value?: unknown; error?: CompileError; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'rill-modules-'));
  const script = writeGraph(dir, graph);
  const options = { modulePath: [{ dir, label: 'lib' }] };
  try {
    const compiled = compileScript('use m0;\nm0::v\n', script, options);
    const outcome = compiled.instantiate().run({ data: null, meta: {}, ingestNs: 0 });
    return { value: outcome.kind === 'emit' ? outcome.data : outcome.kind, dir };
  } catch (error) {
    if (error instanceof CompileError) return { error, dir };
    throw error;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The value of m<i>::v by direct recursion over an acyclic graph. */
function valueOf(graph: Graph, i: number): number {
  return graph[i].reduce((sum, dep) => sum + valueOf(graph, dep), i);
}

/** The first cycle a depth-first walk in `use` order meets: the files on the stack, then the repeated one. */
function firstCycle(graph: Graph): string[] | undefined {
  const stack: string[] = ['script.tremor'];
  const visit = (i: number): string[] | undefined => {
    const name = `m${i}.tremor`;
    if (stack.includes(name)) return [...stack, name];
    stack.push(name);
    for (const dep of graph[i]) {
      const found = visit(dep);
      if (found) return found;
    }
    stack.pop();
    return undefined;
  };
  return visit(0);
}

describe('module loader (property)', () => {
  it('declares a module used along many paths once: a 40-level diamond compiles', () => {
    // m<i> uses m<i+1> twice (once under an alias): 2^40 paths to the last module.
    const depth = 40;
    const graph: Graph = Array.from({ length: depth }, (_, i) => (i + 1 < depth ? [i + 1, i + 1] : []));
    const dir = mkdtempSync(join(tmpdir(), 'rill-modules-'));
    try {
      graph.forEach((deps, i) => {
        const body = deps.length === 0 ? 'const v = 1;\n' : `use m${i + 1};\nuse m${i + 1} as again;\nconst v = m${i + 1}::v + again::v;\n`;
        writeFileSync(join(dir, `m${i}.tremor`), body);
      });
      const script = join(dir, 'script.tremor');
      writeFileSync(script, 'use m0;\nm0::v\n');
      const outcome = compileScript('use m0;\nm0::v\n', script, { modulePath: [{ dir, label: 'lib' }] }).instantiate().run({ data: null, meta: {}, ingestNs: 0 });
      expect(outcome).toMatchObject({ kind: 'emit', data: 2 ** (depth - 1) });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('compiles acyclic module graphs to the value of a direct evaluation', () => {
    fc.assert(
      fc.property(acyclicGraph, (graph) => {
        const result = compileGraph(graph);
        expect(result.error?.message).toBeUndefined();
        expect(result.value).toBe(valueOf(graph, 0));
      }),
      { numRuns: 60 },
    );
  });

  it('reports the first cycle a depth-first walk meets, naming its files', () => {
    let cycles = 0;
    fc.assert(
      fc.property(cyclicGraph, (graph) => {
        const cycle = firstCycle(graph);
        const result = compileGraph(graph);
        if (cycle === undefined) {
          // The back edge sits in a module the script never reaches.
          expect(result.value).toBe(valueOf(graph, 0));
          return;
        }
        cycles++;
        const [diagnostic] = result.error?.diagnostics ?? [];
        expect(diagnostic?.message).toBe(`Cyclic dependency detected: ${cycle.map((name) => join('lib', name)).join(' -> ')}`);
        expect(diagnostic?.span.line).toBe(0);
      }),
      { numRuns: 60 },
    );
    // The generator must really produce cycles, not only unreachable back edges.
    expect(cycles).toBeGreaterThan(10);
  });
});
