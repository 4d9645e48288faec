import { defineConfig } from 'vitest/config';

// `npm run test:faults`: exactly once under faults (test/faults). Each file is one local stack in its own process;
// most of the time is spent waiting (leases, FC retries), so files and rows run concurrently.
export default defineConfig({
  test: {
    include: ['test/faults/**/*.test.ts'],
    // Logs only with a failing test (test/helpers/console-streams.ts makes the bundles' stdout lines attributable).
    silent: 'passed-only',
    setupFiles: ['test/helpers/console-streams.ts'],
    globalSetup: ['test/helpers/global-setup.ts', 'test/faults/lib/global-setup.ts'],
    testTimeout: 180_000,
    hookTimeout: 60_000,
    // Two cores are enough: the long files mostly wait out leases while the short ones run.
    maxWorkers: 4,
    maxConcurrency: 100,
  },
});
