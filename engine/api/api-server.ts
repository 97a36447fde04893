/**
 * The HTTP API of `rill server run --api HOST:PORT` (Tremor's port is 9898; `-n` turns it off),
 * shaped like Tremor 0.12's (static/openapi.yaml of tremor-runtime):
 *
 * - `GET /v1/version`: `{version, debug}`;
 * - `GET /v1/status`: `{all_running, num_flows, flows: {<status>: count}}`, 200 when every flow is
 *   running, 503 otherwise (as Tremor);
 * - `GET /v1/flows`, `/v1/flows/{flow}`: `{alias, status, connectors}` (plus `pipelines`);
 * - `GET /v1/flows/{flow}/connectors`, `.../connectors/{connector}`: `{alias, status, connectivity, pipelines}`;
 * - `GET /health`: 200 `{"status":"ok"}` once every flow is running, 503 with the flows' states otherwise;
 * - `GET /metrics`: Prometheus text format (metrics.ts).
 *
 * Read-only: Tremor's PATCH (pause/resume a flow) is answered 405.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RuntimeStats } from '../runtime/runtime.ts';
import { connectorReports, flowReports, runtimeStatus, type PlannedLinkNames, type RuntimePhase } from './flows.ts';
import { createMetricsRegistry } from './metrics.ts';

export interface ApiSource {
  stats(): RuntimeStats;
  phase(): RuntimePhase;
  links: PlannedLinkNames[];
  version: string;
}

export interface ApiServer {
  /** Where it listens (the port, when 0 was asked for, is the one the system chose). */
  address: AddressInfo;
  close(): Promise<void>;
}

/** `HOST:PORT` (`127.0.0.1:9898`, `[::1]:9898`, `:9898` = every interface); undefined when malformed. */
export function parseApiAddress(text: string): { host: string; port: number } | undefined {
  const match = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(text);
  if (match === null) return undefined;
  const port = Number(match[3]);
  if (port > 65535) return undefined;
  return { host: match[1] ?? (match[2] || '0.0.0.0'), port };
}

export async function startApiServer(host: string, port: number, source: ApiSource): Promise<ApiServer> {
  const registry = createMetricsRegistry(() => source.stats());
  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => send(response, 500, { error: (error as Error).message }));
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = new URL(request.url ?? '/', 'http://api').pathname.replace(/\/+$/, '') || '/';
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      send(response, 405, { error: `${request.method} is not supported: this API is read-only` });
      return;
    }
    if (path === '/metrics') {
      const text = await registry.metrics();
      response.writeHead(200, { 'content-type': registry.contentType });
      response.end(text);
      return;
    }
    const flows = flowReports(source.stats(), source.phase());
    const status = runtimeStatus(flows);
    if (path === '/health') {
      if (status.all_running) send(response, 200, { status: 'ok' });
      else send(response, 503, { status: 'unavailable', flows: Object.fromEntries(flows.map((flow) => [flow.alias, flow.status])) });
      return;
    }
    if (path === '/v1/version') return send(response, 200, { version: source.version, debug: false });
    if (path === '/v1/status') return send(response, status.all_running ? 200 : 503, status);
    if (path === '/v1/flows') return send(response, 200, flows);
    const segments = path.split('/').slice(1).map(decodeURIComponent);
    if (segments[0] === 'v1' && segments[1] === 'flows' && segments.length >= 3 && segments.length <= 5) {
      const flow = flows.find((candidate) => candidate.alias === segments[2]);
      if (flow === undefined) return send(response, 404, { error: `no flow ${segments[2]}` });
      if (segments.length === 3) return send(response, 200, flow);
      if (segments[3] === 'connectors') {
        const connectors = connectorReports(flow.alias, source.stats(), source.phase(), source.links);
        if (segments.length === 4) return send(response, 200, connectors);
        const connector = connectors.find((candidate) => candidate.alias === segments[4]);
        if (connector === undefined) return send(response, 404, { error: `no connector ${segments[4]} in flow ${flow.alias}` });
        return send(response, 200, connector);
      }
    }
    send(response, 404, { error: `no such endpoint: ${path} (see /v1/status, /v1/flows, /health, /metrics)` });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  // Scrapers keep connections alive; they must not hold a stopping server open.
  server.keepAliveTimeout = 5_000;
  return { address: server.address() as AddressInfo, close: () => closeServer(server) };
}

function send(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  response.end(text);
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
