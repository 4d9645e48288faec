import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Tests share one Redis and spawn servers on ephemeral ports; files still run in parallel, each with its own prefix.
    fileParallelism: true,
  },
});
