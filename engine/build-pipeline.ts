/**
 * `buildPipeline`: from a compiled query to a runnable `Pipeline` (graph.ts builds the structure,
 * executor.ts runs it). Everything wrong with the query's structure is reported here, before any
 * event flows, as a CompileError holding a Diagnostic at the statement or parameter it is about:
 * cycles, unknown streams, unknown operator types, operator config errors.
 */
import { CompileError, Diagnostic } from '../queries/diagnostic.ts';
import type { CompiledQuery, OperatorStatement } from '../queries/compiled-query.ts';
import { OperatorConfigError, type Operator, type OperatorContext, type OperatorFactory } from '../operators/operator.ts';
import { knownOperatorTypes, lookupOperator } from '../operators/registry.ts';
import { buildGraph } from './graph.ts';
import { PipelineExecutor } from './executor.ts';

export interface BuildPipelineOptions {
  /** The pipeline's id (the `.trickle` file stem). */
  id: string;
  /** Default home for operators' persistent state (see OperatorContext.dataDir). */
  dataDir?: string;
  /** A runtime error that dropped an event; `rendered` shows the source line and a caret. Default: stderr. */
  onError?: (error: Error, rendered: string) => void;
  /** An operator's `ctx.warn`. Default: stderr. */
  onWarning?: (message: string) => void;
  /** Where operator types are looked up; the registry unless given (tests add their own). */
  lookupOperator?: (operatorType: string) => OperatorFactory | undefined;
}

export function buildPipeline(query: CompiledQuery, options: BuildPipelineOptions): PipelineExecutor {
  const graph = buildGraph(query);
  const lookup = options.lookupOperator ?? lookupOperator;
  return new PipelineExecutor(query, graph, {
    id: options.id,
    dataDir: options.dataDir,
    onError: options.onError,
    onWarning: options.onWarning,
    createOperator: (statement, context) => createOperator(query, statement, context, lookup),
  });
}

function createOperator(
  query: CompiledQuery,
  statement: OperatorStatement,
  context: OperatorContext,
  lookup: (operatorType: string) => OperatorFactory | undefined,
): Operator {
  const factory = lookup(statement.operatorType);
  if (!factory) {
    const known = knownTypesHint(lookup === lookupOperator ? knownOperatorTypes() : []);
    fail(query, new Diagnostic(`Unknown operator type \`${statement.operatorType}\`${known}`, statement.span));
  }
  try {
    return factory.create(statement.params, context);
  } catch (error) {
    if (!(error instanceof OperatorConfigError)) throw error;
    const span = (error.key !== undefined ? statement.paramSpans[error.key] : undefined) ?? statement.span;
    // The operator's own text as is: some of it is Tremor's exact wording that users search for.
    return fail(query, new Diagnostic(error.message, span));
  }
}

function knownTypesHint(known: string[]): string {
  return known.length > 0 ? `; known types: ${known.join(', ')}` : '';
}

function fail(query: CompiledQuery, diagnostic: Diagnostic): never {
  throw new CompileError([diagnostic], query.source);
}
