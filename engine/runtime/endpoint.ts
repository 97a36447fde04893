/**
 * Link URLs of Tremor 0.11 bindings: `/<onramp|pipeline|offramp>/<artefact id>/<instance>/<port>`.
 * A binding writes them with placeholders (`{instance}`) that a mapping fills in.
 */
export type EndpointKind = 'onramp' | 'pipeline' | 'offramp';

export interface Endpoint {
  kind: EndpointKind;
  id: string;
  instance: string;
  port: string;
}

/** `onramp/metronome/01`: one running instance of an artefact. */
export function instanceName(endpoint: Pick<Endpoint, 'kind' | 'id' | 'instance'>): string {
  return `${endpoint.kind}/${endpoint.id}/${endpoint.instance}`;
}

/** Parses a link URL; the port defaults as Tremor's does (`out` on the from side, `in` on the to side). Returns an error text on failure. */
export function parseEndpoint(url: string, side: 'from' | 'to'): Endpoint | string {
  const segments = url.split('/');
  if (segments[0] !== '' || segments.length < 4 || segments.length > 5 || segments.slice(1).some((s) => s === '')) {
    return `"${url}" is not a link URL like "/pipeline/<id>/<instance>/<port>"`;
  }
  const [, kind, id, instance, port] = segments;
  if (kind !== 'onramp' && kind !== 'pipeline' && kind !== 'offramp') {
    return `"${url}": "${kind}" is not one of onramp, pipeline, offramp`;
  }
  const placeholder = /\{[^}]*\}/.exec(url);
  if (placeholder) return `"${url}": placeholder ${placeholder[0]} is not given a value by the mapping`;
  return { kind, id, instance, port: port ?? (side === 'from' ? 'out' : 'in') };
}

/** Replaces every `{name}` with the mapping's value for `name` (Tremor substitutes the instance segment). */
export function substitute(url: string, values: Record<string, string>): string {
  return url.replace(/\{([^}]*)\}/g, (whole, name: string) => values[name] ?? whole);
}

/**
 * The troy names behind an instance name: its flow (a troy flow's id, or a YAML mapping's instance)
 * and the connector or pipeline it is part of. A troy connector's halves (`onramp/out/main`,
 * `offramp/out/main`, stdio's `offramp/out.stderr/main`) are connector `out`; a troy `wal`
 * connector runs as the pipeline `connector.<alias>`, and is connector `<alias>`.
 */
export interface InstanceOwner {
  flow: string;
  kind: 'connector' | 'pipeline';
  alias: string;
}

export function ownerOf(instanceName: string): InstanceOwner {
  const [kind, id, ...instance] = instanceName.split('/');
  const flow = instance.join('/');
  if (kind === 'pipeline') {
    return id.startsWith('connector.') ? { flow, kind: 'connector', alias: id.slice('connector.'.length) } : { flow, kind: 'pipeline', alias: id };
  }
  return { flow, kind: 'connector', alias: id.endsWith('.stderr') ? id.slice(0, -'.stderr'.length) : id };
}

/** The connector port an instance stands for: `stderr` for stdio's `<alias>.stderr` offramp, else `port` (the runtime's `in`/`out`). */
export function connectorPort(instanceName: string, port: string): string {
  return instanceName.split('/')[1].endsWith('.stderr') ? 'stderr' : port;
}
