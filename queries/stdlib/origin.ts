/**
 * `tremor::origin`: where the event came from, as the source describes it in a URI
 * (`scheme://host[:port]/path…`). Every function returns null when the event carries no origin.
 * Scripts get the origin from their EventView; selects do not read it (one store per event on the
 * select hot path, measured at about 5% of the seed select), and no source sets one yet.
 */
import type { Value } from '../values/value.ts';
import type { StdFunction, StdModule } from './function.ts';

/** An event's origin, Tremor's EventOriginUri. */
export interface OriginUri {
  scheme: string;
  host: string;
  port?: number;
  path: string[];
}

export function originUriString(origin: OriginUri): string {
  return `${origin.scheme}://${origin.host}${origin.port === undefined ? '' : `:${origin.port}`}/${origin.path.join('/')}`;
}

function fromOrigin(read: (origin: OriginUri) => Value): StdFunction {
  return { arity: 0, pure: false, call: (_args, context) => (context.origin ? read(context.origin) : null) };
}

export const originModule: StdModule = {
  as_uri_string: fromOrigin(originUriString),
  as_uri_record: fromOrigin((origin) => ({ scheme: origin.scheme, host: origin.host, port: origin.port ?? null, path: [...origin.path] })),
  scheme: fromOrigin((origin) => origin.scheme),
  host: fromOrigin((origin) => origin.host),
  port: fromOrigin((origin) => origin.port ?? null),
  path: fromOrigin((origin) => [...origin.path]),
};
