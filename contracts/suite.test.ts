/**
 * The contract suite, run the way `npm run contracts` runs it: as its own process, against an
 * emulator it starts from dist/. It must exit 0.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** The API versions the emulator run covers: every case under v2.0 and under v2.1. */
const API = 'both';

describe('npm run contracts against the emulator', () => {
  it('exits 0 with one line per case and the summary last', () => {
    const junit = join(mkdtempSync(join(tmpdir(), 'contracts-')), 'contracts.xml');
    const args = ['--import', 'tsx', 'contracts/run.ts', '--junit', junit, '--api', API];
    const run = spawnSync(process.execPath, args, {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 120_000,
      env: { ...process.env, OCR_BASE_URL: '', OCR_API_VERSION: '' },
    });
    const lines = run.stdout.trimEnd().split('\n');
    const failures = lines.filter((line) => line.startsWith('FAIL '));
    expect(failures, run.stdout + run.stderr).toEqual([]);
    expect(run.status, run.stderr).toBe(0);
    expect(lines.at(-1)).toMatch(/^\d+ passed, 0 failed, 0 diverged, \d+ skipped$/);
    expect(lines.filter((line) => /^(pass|skip) [a-z0-9-]+\/[a-z0-9-]+/.test(line)).length).toBeGreaterThan(50);
    expect(run.stdout).not.toMatch(/differs from the \w+ snapshot/);
    expect(readFileSync(junit, 'utf8')).toMatch(/<testsuite name="contracts" tests="\d+" failures="0"/);
  }, 120_000);
});
