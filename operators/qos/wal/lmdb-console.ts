/**
 * Keeps lmdb-js from printing a stack trace for every refused commit.
 *
 * lmdb-js 3.5.6 (write.js, the callback of `env.startWriting`) turns a failed commit's status into
 * an Error and passes it to `console.error` before it rejects the commit's `commitError` promise
 * with that same Error. On a full disk that is one stack trace per refused commit on stderr (427
 * lines in the 5 MB tmpfs run), although the store already reports the refusal (with
 * LMDB's reason, read from `commitError`) and the WAL logs one line per change of state.
 * lmdb-js has no option for this, so `console.error` drops exactly those calls: a single Error with
 * a numeric `code` (LMDB's or the system's error number) thrown from lmdb-js's own code. Anything
 * else anyone logs is printed as before.
 */
let installed = false;

export function silenceLmdbCommitErrors(): void {
  if (installed) return;
  installed = true;
  const print = console.error;
  console.error = function (...args: unknown[]): void {
    if (args.length === 1 && isLmdbCommitError(args[0])) return;
    print.apply(console, args);
  };
}

/** The Error lmdb-js makes of a failed commit: `code` is a number, the first frame is in lmdb-js. */
function isLmdbCommitError(value: unknown): boolean {
  if (!(value instanceof Error) || typeof (value as { code?: unknown }).code !== 'number') return false;
  const firstFrame = value.stack?.split('\n').find((line) => line.trimStart().startsWith('at '));
  return firstFrame !== undefined && /[\\/]node_modules[\\/]lmdb[\\/]/.test(firstFrame);
}
