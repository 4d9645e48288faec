import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The fault suite has its own config and script (npm run test:faults), run by `npm test` after this one.
    exclude: [...configDefaults.exclude, 'test/faults/**'],
    // Logs only with a failing test (test/helpers/console-streams.ts makes the bundles' stdout lines attributable).
    silent: 'passed-only',
    setupFiles: ['test/helpers/console-streams.ts'],
    globalSetup: ['test/helpers/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
