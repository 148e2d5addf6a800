/**
 * The parallel-tests recipe of docs/parallel-tests.md (test/recipes/parallel-vitest/), run as a vitest run of its
 * own: one emulator, two workers, each with its own appKey; one moves its clock an hour ahead
 * while the other's Request-Key stays valid.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { ROOT } from '../../contracts/lib/spawn-emulator.js';

const VITEST = fileURLToPath(new URL('../../node_modules/vitest/vitest.mjs', import.meta.url));
const CONFIG = fileURLToPath(new URL('./parallel-vitest/vitest.config.ts', import.meta.url));

it('the recipe passes: two workers, two appKeys, one emulator', () => {
  const run = spawnSync(process.execPath, [VITEST, 'run', '--config', CONFIG], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
    timeout: 60_000,
  });
  expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
  expect(run.stdout).toMatch(/Tests\s+2 passed/);
});
