import { defineConfig } from 'vitest/config';

// Each test file starts its own Hedgerow process (chDB binds one data dir per process),
// so files run in parallel forks and tests inside a file share that server.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // expect.poll waits for pages that re-render on their own; 1 s (the default) is short on two busy cores.
    expect: { poll: { timeout: 10_000 } },
    pool: 'forks',
    maxWorkers: 2,
    reporters: ['default', './test/helpers/summary-reporter.ts'],
  },
});
