import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Crash and end-to-end tests spawn real processes and wait on real sockets.
    testTimeout: 120_000,
    hookTimeout: 60_000,
    // CI has 2 cores; the e2e suites are heavy, so keep file parallelism modest.
    maxWorkers: 2,
  },
});
