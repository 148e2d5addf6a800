/**
 * The recipe of docs/parallel-tests.md, runnable: one emulator for the whole
 * run (global setup), and every test worker with an appKey of its own (setup file).
 * test/recipes/parallel-vitest.test.ts runs it.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: fileURLToPath(new URL('.', import.meta.url)),
    include: ['*.spec.ts'],
    globalSetup: ['./emulator.global.ts'],
    setupFiles: ['./emulator.worker.ts'],
    pool: 'forks',
    maxWorkers: 2,
  },
});
