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
