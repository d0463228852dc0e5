import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Integration tests start emulators on ports and share PostgreSQL: files run in parallel, tests within
    // a file in order. Vitest's default is one worker fewer than the CPUs, which on a 2-CPU machine (CI's)
    // is one file at a time; many files wait on emulators and leases, so two overlap well (8.2 min instead
    // of 9.9 on 2 CPUs).
    pool: 'forks',
    maxWorkers: Math.max(2, availableParallelism()),
  },
});
