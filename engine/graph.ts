/**
 * The pipeline graph a compiled query describes: nodes, links between their ports, and a
 * topological order. Pure structure; the executor gives the nodes behaviour.
 *
 * As in Tremor (`query.rs` `to_pipe`): the built-in nodes `in`, `out`, `err`, `metrics` come first;
 * then each statement adds its node in source order (every select is a node of its own). `from X`
 * reads port `out` of X, `from X/p` port p; `into X` writes port `in` of X, `into X/p` port p.
 * `from in/p` adds the input `in/p`, `into out/p` (or `err/p`, `metrics/p`) the output `out/p`.
 * Links keep statement order, which is the order events fan out in.
 */
import { CompileError, Diagnostic, type SourceSpan } from '../queries/diagnostic.ts';
import type { AnySelectStatement, CompiledQuery, CompiledStatement, StreamRef } from '../queries/compiled-query.ts';

export const BUILTIN_INPUT = 'in';
export const BUILTIN_OUTPUTS = ['out', 'err', 'metrics'] as const;

export interface GraphNode {
  index: number;
  /** `in`, `in/p`, `out`, `out/p`, `err`, `metrics`, `select_N`, or a created node's name. */
  name: string;
  role: 'input' | 'output' | 'statement';
  /** The statement that created the node (absent for inputs and outputs). */
  statement?: CompiledStatement;
}

export interface GraphLink {
  from: number;
  fromPort: string;
  to: number;
  toPort: string;
  /** The select that wrote this link, for positions in errors. */
  select: AnySelectStatement;
}

export interface PipelineGraph {
  nodes: GraphNode[];
  links: GraphLink[];
  /** Every node index, each after all of its predecessors; ties keep node order. */
  topologicalOrder: number[];
}

export function buildGraph(query: CompiledQuery): PipelineGraph {
  const builder = new GraphBuilder(query);
  return builder.build();
}

class GraphBuilder {
  private readonly nodes: GraphNode[] = [];
  private readonly byName = new Map<string, GraphNode>();
  private readonly links: GraphLink[] = [];
  /**
   * Input and output stream names: trickle's built-in `in` and `out`/`err`/`metrics`, or a troy
   * pipeline's declared ports (`define pipeline P from a, b into c, d`), plus `err` always, where
   * script errors go.
   */
  private readonly inputs: readonly string[];
  private readonly outputs: readonly string[];

  constructor(private readonly query: CompiledQuery) {
    this.inputs = query.ports?.inputs ?? [BUILTIN_INPUT];
    this.outputs = query.ports ? [...new Set([...query.ports.outputs, 'err'])] : BUILTIN_OUTPUTS;
  }

  build(): PipelineGraph {
    for (const name of this.inputs) this.addNode(name, 'input');
    for (const name of this.outputs) this.addNode(name, 'output');
    for (const statement of this.query.statements) {
      if (this.byName.has(statement.nodeId)) this.fail(`Duplicate node name \`${statement.nodeId}\``, statement.span);
      this.addNode(statement.nodeId, 'statement', statement);
    }
    for (const statement of this.query.statements) {
      if (statement.kind !== 'select' && statement.kind !== 'windowedSelect') continue;
      const select = this.byName.get(statement.nodeId)!;
      const from = this.resolveFrom(statement.from);
      const into = this.resolveInto(statement.into);
      this.links.push({ from: from.node.index, fromPort: from.port, to: select.index, toPort: 'in', select: statement });
      this.links.push({ from: select.index, fromPort: 'out', to: into.node.index, toPort: into.port, select: statement });
    }
    return { nodes: this.nodes, links: this.links, topologicalOrder: this.topologicalOrder() };
  }

  private addNode(name: string, role: GraphNode['role'], statement?: CompiledStatement): GraphNode {
    const node: GraphNode = { index: this.nodes.length, name, role, statement };
    this.nodes.push(node);
    this.byName.set(name, node);
    return node;
  }

  /** `from in/p` names the input `in/p`; any other `from X/p` is port p of node X. */
  private resolveFrom(ref: StreamRef): { node: GraphNode; port: string } {
    if (this.inputs.includes(ref.node)) {
      const name = ref.port === 'out' ? ref.node : `${ref.node}/${ref.port}`;
      return { node: this.byName.get(name) ?? this.addNode(name, 'input'), port: 'out' };
    }
    const node = this.byName.get(ref.node);
    if (!node) return this.fail(`Unknown stream \`${ref.node}\``, ref.span);
    if (node.role === 'output') return this.fail(`\`${ref.node}\` is a pipeline output; it cannot be read from`, ref.span);
    return { node, port: ref.port };
  }

  /** `into out/p` names the output `out/p` (likewise `err/p`, `metrics/p`); any other is port p of X. */
  private resolveInto(ref: StreamRef): { node: GraphNode; port: string } {
    if (this.outputs.includes(ref.node)) {
      const name = ref.port === 'in' ? ref.node : `${ref.node}/${ref.port}`;
      return { node: this.byName.get(name) ?? this.addNode(name, 'output'), port: 'in' };
    }
    const node = this.byName.get(ref.node);
    if (!node) return this.fail(`Unknown stream \`${ref.node}\``, ref.span);
    if (node.role === 'input') return this.fail(`\`${ref.node}\` is a pipeline input; it cannot be written into`, ref.span);
    return { node, port: ref.port };
  }

  /** Kahn's algorithm, always taking the lowest ready node index so the order is stable. */
  private topologicalOrder(): number[] {
    const indegree = new Array<number>(this.nodes.length).fill(0);
    const successors: number[][] = this.nodes.map(() => []);
    for (const link of this.links) {
      indegree[link.to]++;
      successors[link.from].push(link.to);
    }
    const ready = this.nodes.filter((n) => indegree[n.index] === 0).map((n) => n.index);
    const order: number[] = [];
    while (ready.length > 0) {
      ready.sort((a, b) => a - b);
      const index = ready.shift()!;
      order.push(index);
      for (const next of successors[index]) if (--indegree[next] === 0) ready.push(next);
    }
    if (order.length < this.nodes.length) this.reportCycle(successors);
    return order;
  }

  private reportCycle(successors: number[][]): never {
    const state = new Array<'new' | 'open' | 'done'>(this.nodes.length).fill('new');
    const path: number[] = [];
    const visit = (index: number): number[] | undefined => {
      state[index] = 'open';
      path.push(index);
      for (const next of successors[index]) {
        if (state[next] === 'open') return [...path.slice(path.indexOf(next)), next];
        if (state[next] === 'new') {
          const cycle = visit(next);
          if (cycle) return cycle;
        }
      }
      path.pop();
      state[index] = 'done';
      return undefined;
    };
    for (const node of this.nodes) {
      const cycle = state[node.index] === 'new' ? visit(node.index) : undefined;
      if (!cycle) continue;
      // Point at the select that closes the cycle: the link from the cycle's last hop back to its start.
      const closing = this.links.find((l) => l.from === cycle[cycle.length - 2] && l.to === cycle[cycle.length - 1])!;
      const names = cycle.map((i) => this.nodes[i].name).join(' -> ');
      this.fail(`Cyclic graph: ${names}`, closing.select.span);
    }
    throw new Error('graph has no topological order but no cycle was found');
  }

  private fail(message: string, span: SourceSpan): never {
    throw new CompileError([new Diagnostic(message, span)], this.query.source);
  }
}
