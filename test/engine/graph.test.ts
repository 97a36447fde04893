import { describe, expect, it } from 'vitest';
import { buildPipeline } from '../../engine/build-pipeline.ts';
import { buildGraph } from '../../engine/graph.ts';
import { CompileError } from '../../queries/diagnostic.ts';
import { operator, query, select, span, stream } from './hand-built-query.ts';
import { Journal, recordingFactory } from './recording-operator.ts';

function compileErrorOf(build: () => unknown): CompileError {
  try {
    build();
  } catch (error) {
    if (error instanceof CompileError) return error;
    throw error;
  }
  throw new Error('expected a CompileError');
}

describe('graph building', () => {
  it('has the built-in input and outputs, and adds in/p and out/p for ports named in selects', () => {
    const pipeline = buildPipeline(
      query(select('in', 'out'), select('in/extra', 'out/special'), select('in', 'err/audit')),
      { id: 'ports' },
    );
    expect(pipeline.inputs).toEqual(['in', 'in/extra']);
    expect(pipeline.outputs).toEqual(['out', 'err', 'metrics', 'out/special', 'err/audit']);
  });

  it('links `from X/p` to port p of X and keeps statement order for fan-out', () => {
    const graph = buildGraph(query(stream('s'), select('in', 's'), select('s/other', 'out'), select('s', 'out'), select('s', 'err')));
    const names = (i: number) => graph.nodes[i].name;
    const fromS = graph.links.filter((l) => names(l.from) === 's').map((l) => `${l.fromPort}->${names(l.to)}`);
    expect(fromS).toEqual(['other->select_1', 'out->select_2', 'out->select_3']);
  });

  it('orders nodes topologically even when a downstream node is declared first', () => {
    const graph = buildGraph(query(stream('late'), stream('early'), select('early', 'late'), select('in', 'early'), select('late', 'out')));
    const order = graph.topologicalOrder.map((i) => graph.nodes[i].name);
    expect(order.indexOf('early')).toBeLessThan(order.indexOf('late'));
    expect(order.indexOf('in')).toBeLessThan(order.indexOf('early'));
    expect(order.indexOf('late')).toBeLessThan(order.indexOf('out'));
  });

  it('rejects a cycle with the position of the select that closes it', () => {
    const error = compileErrorOf(() =>
      buildGraph(query(stream('a'), stream('b'), select('in', 'a', { line: 3 }), select('a', 'b', { line: 4 }), select('b', 'a', { line: 5 }))),
    );
    expect(error.diagnostics).toHaveLength(1);
    expect(error.diagnostics[0].message).toMatch(/^Cyclic graph: .*a -> select_\d+ -> b -> select_\d+ -> a/);
    expect(error.diagnostics[0].span.line).toBe(5);
  });

  it('rejects an unknown stream at the reference', () => {
    const error = compileErrorOf(() => buildGraph(query(select('nowhere', 'out', { line: 2 }))));
    expect(error.diagnostics[0].message).toBe('Unknown stream `nowhere`');
    expect(error.diagnostics[0].span).toEqual(span(2));
  });

  it('rejects reading from an output and writing into an input', () => {
    expect(compileErrorOf(() => buildGraph(query(select('out', 'err')))).diagnostics[0].message).toMatch(/output; it cannot be read/);
    expect(compileErrorOf(() => buildGraph(query(select('in', 'in')))).diagnostics[0].message).toMatch(/input; it cannot be written/);
  });

  it('names an unknown operator type at the create statement', () => {
    const error = compileErrorOf(() => buildPipeline(query(operator('op', 'nope::nothing', undefined, 3), select('in', 'op')), { id: 'x' }));
    expect(error.diagnostics[0].message).toMatch(/^Unknown operator type `nope::nothing`; known types: .*qos::wal/);
    expect(error.diagnostics[0].span).toEqual(span(3));
  });

  it('reports an operator config error at the parameter it names, else at the statement', () => {
    const badKey = compileErrorOf(() =>
      buildPipeline(query(operator('wal', 'qos::wal', { read_count: 1, max_elements: 10, max_elemnts: 3 }, 4), select('in', 'wal')), { id: 'x' }),
    );
    expect(badKey.diagnostics[0].message).toMatch(/max_elemnts/);
    expect(badKey.diagnostics[0].span).toEqual(span(4, 30, 'max_elemnts'.length));
    const noLimit = compileErrorOf(() => buildPipeline(query(operator('wal', 'qos::wal', { read_count: 1 }, 6), select('in', 'wal')), { id: 'x' }));
    expect(noLimit.diagnostics[0].message).toBe('WAL operator needs at least one of `max_elements` or `max_bytes` config entries.');
    expect(noLimit.diagnostics[0].span).toEqual(span(6));
  });

  it('gives every node its own uid and operators their context', () => {
    const journal = new Journal();
    buildPipeline(query(operator('a', 'test::recorder'), operator('b', 'test::recorder'), select('in', 'a'), select('a', 'b')), {
      id: 'ctx',
      dataDir: '/tmp/somewhere',
      lookupOperator: recordingFactory(journal),
    });
    const a = journal.contexts.get('a')!;
    const b = journal.contexts.get('b')!;
    expect(a.uid).not.toBe(b.uid);
    expect([a.pipelineId, a.nodeId, a.dataDir]).toEqual(['ctx', 'a', '/tmp/somewhere']);
  });
});
