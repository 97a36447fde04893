/** `tremor::system` */
import { hostname } from 'node:os';
import { nowNs } from '../../engine/event.ts';
import type { StdModule } from './function.ts';

// The hostname does not change while rill runs; reading it once keeps `system::hostname()` free.
const HOST = hostname() || 'tremor_host.local';

export const systemModule: StdModule = {
  hostname: { arity: 0, pure: true, call: () => HOST },
  instance: { arity: 0, pure: true, call: () => 'tremor' },
  ingest_ns: { arity: 0, pure: false, call: (_args, context) => context.ingestNs },
  nanotime: { arity: 0, pure: false, call: () => nowNs() },
};
