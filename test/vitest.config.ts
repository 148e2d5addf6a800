import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: fileURLToPath(new URL('..', import.meta.url)),
    include: ['server/**/*.test.ts', 'contracts/**/*.test.ts', 'test/**/*.test.ts'],
    exclude: ['**/node_modules/**', 'dist/**', 'test/bench/**'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // At least two test files at once. Vitest's default (cores - 1) runs them one by one on a
    // 2-core machine, where most of them wait on spawned processes and sockets: two at once
    // took the suite from ~180 s to ~140 s there (three runs, none flaky).
    maxWorkers: Math.max(2, availableParallelism() - 1),
  },
});
