/**
 * Host and port from a connector's `url` (Tremor 0.12: `"0.0.0.0:65535"`, `"tcp://host:port"`),
 * parsed as Tremor does: without a `scheme://` prefix, `tcp://` is put in front; a `[::1]` host
 * loses its brackets. An empty or host-less URL is an error (the seed's blanked `"url": ""`).
 */
import { ConnectorConfigError } from '../connector.ts';

export interface SocketAddress {
  host: string;
  port: number;
}

/** `missingPort`: the error text when the port is required, or the port to use when it is not. */
export function parseSocketUrl(url: string, missingPort: string | number): SocketAddress {
  const withScheme = /^[A-Za-z-]+:\/\//.test(url) ? url : `tcp://${url}`;
  let parsed: URL;
  try {
    parsed = new URL(withScheme);
  } catch {
    throw new ConnectorConfigError(`\`url\` ${JSON.stringify(url)} is not a valid address: expected "host:port", e.g. "127.0.0.1:4242"`, 'url');
  }
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  if (host === '') throw new ConnectorConfigError(`\`url\` ${JSON.stringify(url)} has no host: expected "host:port", e.g. "127.0.0.1:4242"`, 'url');
  if (parsed.port !== '') return { host, port: Number(parsed.port) };
  if (typeof missingPort === 'number') return { host, port: missingPort };
  throw new ConnectorConfigError(`${missingPort}: \`url\` ${JSON.stringify(url)} has no port`, 'url');
}

/** A Tremor 0.11 `port` key: a whole number from 0 to 65535. */
export function checkPort(port: number, key: string): number {
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConnectorConfigError(`\`${key}\` must be a port number from 0 to 65535, got ${port}`, key);
  return port;
}

/** `127.0.0.1` for `::ffff:127.0.0.1` (what a dual-stack listener reports for an IPv4 peer). */
export function normalizeHost(host: string): string {
  return host.startsWith('::ffff:') && host.includes('.') ? host.slice('::ffff:'.length) : host;
}

export function addressText({ host, port }: SocketAddress): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
