/**
 * The running system as Tremor 0.12's API shows it: flows, their connectors and pipelines.
 *
 * rill's runtime names every instance `<kind>/<id>/<instance>` (endpoint.ts). A flow is an
 * instance: a troy flow's id (`deploy flow main` -> `main`), or a YAML mapping's instance (`01`).
 * A connector is what Tremor calls one: the onramp and offramp halves of a troy connector are
 * one connector (`onramp/out/main` and `offramp/out/main` are connector `out` of flow `main`; the
 * `<alias>.stderr` offramp of stdio too), and so is a troy `wal` connector, which rill runs as the
 * pipeline `connector.<alias>`. Every other pipeline is a pipeline of its flow.
 */
import { connectorPort, ownerOf } from '../runtime/endpoint.ts';
import type { RuntimeStats } from '../runtime/runtime.ts';

/** Tremor 0.12's flow states; rill's runtime goes through the first, second, fourth and fifth. */
export type FlowStatus = 'initializing' | 'running' | 'paused' | 'draining' | 'stopped' | 'failed';

export type RuntimePhase = 'new' | 'running' | 'stopping' | 'stopped';

export interface PipelineReference {
  alias: string;
  port: string;
}

/** As Tremor's `GET /v1/flows/{flow}/connectors/{connector}`. */
export interface ConnectorReport {
  alias: string;
  status: FlowStatus;
  connectivity: 'connected' | 'disconnected';
  /** Per connector port, the pipelines linked to it (Tremor's shape). */
  pipelines: Record<string, PipelineReference[]>;
}

/** As Tremor's `GET /v1/flows/{flow}`, plus `pipelines` (rill's addition; Tremor lists only connectors). */
export interface FlowReport {
  alias: string;
  status: FlowStatus;
  connectors: string[];
  pipelines: string[];
}

/** As Tremor's `GET /v1/status`. */
export interface RuntimeStatusReport {
  all_running: boolean;
  num_flows: number;
  flows: Partial<Record<FlowStatus, number>>;
}

export interface PlannedLinkNames {
  /** Instance names (`onramp/in/main`) and ports of one link. */
  from: { name: string; port: string };
  to: { name: string; port: string };
}

export function flowStatus(phase: RuntimePhase): FlowStatus {
  switch (phase) {
    case 'new':
      return 'initializing';
    case 'running':
      return 'running';
    case 'stopping':
      return 'draining';
    case 'stopped':
      return 'stopped';
  }
}

export function flowReports(stats: RuntimeStats, phase: RuntimePhase): FlowReport[] {
  const flows = new Map<string, FlowReport>();
  const names = [...stats.sources, ...stats.sinks, ...stats.pipelines].map((part) => part.name);
  for (const name of names) {
    const owner = ownerOf(name);
    let flow = flows.get(owner.flow);
    if (flow === undefined) {
      flow = { alias: owner.flow, status: flowStatus(phase), connectors: [], pipelines: [] };
      flows.set(owner.flow, flow);
    }
    const list = owner.kind === 'connector' ? flow.connectors : flow.pipelines;
    if (!list.includes(owner.alias)) list.push(owner.alias);
  }
  return [...flows.values()];
}

export function connectorReports(flow: string, stats: RuntimeStats, phase: RuntimePhase, links: PlannedLinkNames[]): ConnectorReport[] {
  const reports = new Map<string, ConnectorReport>();
  const report = (alias: string): ConnectorReport => {
    let found = reports.get(alias);
    if (found === undefined) {
      found = { alias, status: flowStatus(phase), connectivity: 'connected', pipelines: {} };
      reports.set(alias, found);
    }
    return found;
  };
  for (const part of [...stats.sources, ...stats.pipelines]) {
    const owner = ownerOf(part.name);
    if (owner.flow === flow && owner.kind === 'connector') report(owner.alias);
  }
  for (const sink of stats.sinks) {
    const owner = ownerOf(sink.name);
    if (owner.flow !== flow) continue;
    // A connector is disconnected when its sink cannot take events (a client whose server is away).
    if (!sink.active) report(owner.alias).connectivity = 'disconnected';
    else report(owner.alias);
  }
  for (const link of links) {
    for (const [connectorEnd, pipelineEnd] of [
      [link.from, link.to],
      [link.to, link.from],
    ]) {
      const connector = ownerOf(connectorEnd.name);
      const pipeline = ownerOf(pipelineEnd.name);
      if (connector.flow !== flow || connector.kind !== 'connector' || pipeline.kind !== 'pipeline') continue;
      const port = connectorPort(connectorEnd.name, connectorEnd.port);
      (report(connector.alias).pipelines[port] ??= []).push({ alias: pipeline.alias, port: pipelineEnd.port });
    }
  }
  return [...reports.values()];
}

export function runtimeStatus(flows: FlowReport[]): RuntimeStatusReport {
  const counts: Partial<Record<FlowStatus, number>> = {};
  for (const flow of flows) counts[flow.status] = (counts[flow.status] ?? 0) + 1;
  return { all_running: flows.every((flow) => flow.status === 'running'), num_flows: flows.length, flows: counts };
}
