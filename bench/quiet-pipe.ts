/**
 * For the profile summaries (cpu-profile.ts, allocation-profile.ts): piped into `head`, stdout
 * closes early, and the next write fails with EPIPE; stop quietly then, as a filter does, instead
 * of an uncaught stack trace.
 */
export function exitQuietlyWhenStdoutCloses(): void {
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
}
