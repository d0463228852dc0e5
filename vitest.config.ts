import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Integration tests start emulators on ports and share PostgreSQL: files run in parallel, tests within
    // a file in order.
    pool: 'forks',
  },
});
