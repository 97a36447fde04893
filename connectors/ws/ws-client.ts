/**
 * `ws_client` (Tremor 0.12 connector): a WebSocket client to `config.url` (`ws://host:port/...`).
 * The sink half is the same client as the 0.11 `ws` offramp (ws-sink.ts: one socket, reconnect
 * with backoff, trigger while down, ack once written); the source half emits what the server
 * sends back on that socket, with `$ws_client = {"url": ...}`. `binary` sends binary frames.
 */
import type { ConnectorFactory } from '../connector.ts';
import { checkWsUrl, WsSink } from '../ws-sink.ts';
import { MessageSource } from './message-source.ts';

export const wsClientFactory: ConnectorFactory = {
  kind: 'connector',
  type: 'ws_client',
  configKeys: { url: { type: 'string', required: true }, binary: { type: 'boolean' }, no_delay: { type: 'boolean' } },
  codec: 'required',
  create(settings) {
    const url = checkWsUrl(settings.config.url as string);
    const source = new MessageSource(settings.codec, url);
    const sink = new WsSink({
      url,
      binary: settings.config.binary === true,
      codec: settings.codec,
      onMessage: (data) => source.push(data, { ws_client: { url } }),
    });
    return { source, sink };
  },
};
