/**
 * `npm run contracts` in live mode (OCR_BASE_URL), as a nightly CI job runs it, pointed at the
 * stand-in (test/stand-in/, written from the documentation alone): it exits 0 against the
 * unbroken stand-in under v2.0 and under v2.1, and 1 against each copy that breaks one rule the
 * drift alarm is there for (a -1 for a documented mistake, a reusable Request-Key, a revoked
 * token still accepted, expires_in as a string, 4010001 for an invalid token, plaintext values
 * on v2.1). --learn records a divergence as a live snapshot and exits 0; the emulator is then
 * held to it. Exit 2 for a target that cannot be reached.
 *
 * The unbroken runs run `contracts/run.ts` as its own process (its exit status is the
 * process's); the others call what it calls (lib/cli.ts, `runContracts`, with the same
 * environment) in this process, which spares a TypeScript start-up per run on two-core machines.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runContracts } from './lib/cli.js';
import { spawnStandIn } from '../test/support/stand-in.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const TIMEOUT = 120_000;

const children = new Set<ChildProcess>();
afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
});

function startStandIn(rule = ''): Promise<string> {
  return spawnStandIn(rule, (child) => children.add(child));
}

/** The environment of a live run against a stand-in, for v2.0 or v2.1. */
function liveEnv(baseUrl: string, api: 'v2.0' | 'v2.1' = 'v2.0'): Record<string, string> {
  const env: Record<string, string> = { OCR_BASE_URL: baseUrl, OCR_APPKEY: 'standin-appkey', OCR_SECRETKEY: 'standin-secretkey', OCR_API_VERSION: api };
  if (api === 'v2.1') {
    Object.assign(env, {
      OCR_USER_ACCESS_KEY_ID: 'standin-user-access-key',
      OCR_SECRET_ACCESS_KEY: 'standin-secret-access-key',
      OCR_OAUTH_URL: baseUrl,
      OCR_USER_ACCESS_KEY_ID2: 'standin-restricted-key',
      OCR_SECRET_ACCESS_KEY2: 'standin-restricted-secret',
    });
  }
  return env;
}

/** Runs `contracts/run.ts` as `npm run contracts` does, with this environment on top of a clean one. */
function contracts(args: string[], env: Record<string, string>): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('OCR_')));
  const child = spawn(process.execPath, ['--import', 'tsx', 'contracts/run.ts', ...args], {
    cwd: ROOT,
    env: { ...clean, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.once('exit', (status) => resolve({ status, stdout, stderr })));
}

const lines = (text: string) => text.trimEnd().split('\n');

/** `runContracts` with its output captured, as the process would print it. */
async function contractsHere(args: string[], env: Record<string, string>): Promise<{ status: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const status = await runContracts(args, env, { log: (line) => (stdout += `${line}\n`), error: (line) => (stderr += `${line}\n`) });
  return { status, stdout, stderr };
}

/** A port nothing listens on: one the system just handed out and took back. */
function closedPort(): Promise<number> {
  const server = createServer();
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    }),
  );
}

describe('npm run contracts against the unbroken stand-in, in live mode', () => {
  let baseUrl: string;
  beforeAll(async () => {
    baseUrl = await startStandIn();
  });

  it.each(['v2.0', 'v2.1'] as const)(
    'exits 0 under %s, skipping only what the stand-in cannot offer, and writes the Markdown report',
    async (api) => {
      const report = join(mkdtempSync(join(tmpdir(), 'contracts-report-')), 'report.md');
      const run = await contracts(['--report', report], liveEnv(baseUrl, api));
      const out = lines(run.stdout);
      expect(
        out.filter((line) => /^(FAIL|DIVERGED) /.test(line)),
        run.stdout + run.stderr,
      ).toEqual([]);
      expect(run.status, run.stderr).toBe(0);
      expect(out[0]).toMatch(new RegExp(`^target: live ${baseUrl.replace(/[.]/g, '\\.')} \\(api ${api.replace('.', '\\.')}`));
      expect(out.at(-1)).toMatch(/^\d+ passed, 0 failed, 0 diverged, \d+ skipped$/);
      for (const skip of out.filter((line) => line.startsWith('skip '))) {
        expect(skip).toMatch(/needs emulator control|needs a second app key|read as resident: nothing to check/);
      }
      const passed = out.filter((line) => line.startsWith('pass ')).length;
      expect(passed).toBeGreaterThan(api === 'v2.0' ? 45 : 55);
      if (api === 'v2.1') {
        expect(out).toContain('pass token/restricted-key@v2.1');
        expect(out.filter((line) => line.startsWith('pass ')).every((line) => line.endsWith('@v2.1'))).toBe(true);
      }
      expect(run.stdout).not.toMatch(/call budget of \d+ calls used up/);
      const markdown = readFileSync(report, 'utf8');
      expect(markdown).toMatch(/^## Contract suite: the target agrees with the contract/);
      expect(markdown).toContain(`| ${passed} | 0 | 0 |`);
    },
    TIMEOUT,
  );
});

/** Each break, the run that shows it, and the line that names it. */
const BREAKS: Array<{ rule: string; api?: 'v2.0' | 'v2.1'; filter: string; line: RegExp }> = [
  {
    rule: 'missing-header-unknown-error',
    filter: 'envelope/missing-symmetric-key',
    line: /^DIVERGED envelope\/missing-symmetric-key: emulator answers 4000005 Required headers is missing\., the service answered -1 "Unknown error\."$/m,
  },
  {
    rule: 'request-key-reusable',
    filter: 'request-key/single-use',
    line: /^FAIL request-key\/single-use: expected 4000122 Request Key is invalid or expired\., got 0 "SUCCESS"$/m,
  },
  {
    rule: 'revoked-token-accepted',
    api: 'v2.1',
    filter: 'token/revoked-token',
    line: /^DIVERGED token\/revoked-token@v2\.1: emulator answers 4010006 Invalid token\., the service answered 0 "SUCCESS"$/m,
  },
  {
    rule: 'expires-in-string',
    api: 'v2.1',
    filter: 'token/',
    line: /^FAIL token\/expires-in-number@v2\.1: expires_in is "86400", a string; expected a JSON number/m,
  },
  {
    rule: 'invalid-token-4010001',
    api: 'v2.1',
    filter: 'token/garbage-token',
    line: /^DIVERGED token\/garbage-token@v2\.1: emulator answers 4010006 Invalid token\., the service answered 4010001 "Invalid appKey or secretKey\."$/m,
  },
  { rule: 'plaintext-values-v21', api: 'v2.1', filter: 'credit-card/', line: /^FAIL credit-card\/jpg-normal@v2\.1: cardNums\[0\]\.value .*sent in clear\?/m },
];

describe('npm run contracts against a stand-in that breaks one rule, in live mode', () => {
  // One after another: the machines this runs on have two cores, and each run is a process.
  it.each(BREAKS)(
    'STANDIN_BREAK=$rule exits 1 and says so',
    async ({ rule, api = 'v2.0', filter, line }) => {
      const baseUrl = await startStandIn(rule);
      const run = await contractsHere(['--filter', filter], liveEnv(baseUrl, api));
      expect(run.stdout, run.stderr).toMatch(line);
      expect(run.status).toBe(1);
      expect(lines(run.stdout).at(-1)).toMatch(/^\d+ passed, ([1-9]\d* failed, 0 diverged|0 failed, [1-9]\d* diverged), \d+ skipped$/);
    },
    TIMEOUT,
  );
});

describe('--learn', () => {
  it(
    'records the divergence as a live snapshot and exits 0; the emulator is then held to it',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'contracts-learn-'));
      const report = join(dir, 'report.md');
      const baseUrl = await startStandIn('missing-header-unknown-error');
      const filter = ['--filter', 'envelope/missing-symmetric-key', '--filter', 'envelope/missing-key-version'];
      const learn = await contractsHere(['--learn', '--snapshots', dir, '--report', report, ...filter], liveEnv(baseUrl));
      expect(learn.status, learn.stdout + learn.stderr).toBe(0);
      expect(learn.stdout).toMatch(
        /^learned envelope\/missing-symmetric-key: emulator answers 4000005 Required headers is missing\., the service answered -1 "Unknown error\."$/m,
      );
      expect(learn.stdout).toMatch(/^learned \(1; recorded as live snapshots/m);
      expect(lines(learn.stdout).at(-1)).toBe('1 passed, 0 failed, 1 diverged (1 learned), 0 skipped');
      const snapshot = JSON.parse(readFileSync(join(dir, 'envelope/missing-symmetric-key.json'), 'utf8'));
      expect(snapshot).toMatchObject({ source: 'live', exchanges: [{ label: 'answer', body: { header: { resultCode: -1 } } }] });
      expect(existsSync(join(dir, 'envelope/missing-key-version.json'))).toBe(true);
      expect(readFileSync(report, 'utf8')).toContain(
        '| `envelope/missing-symmetric-key`: No Symmetric-Key answers 4000005 | `POST /v2.0/appkeys/{appKey}/credit-card` | 4000005 Required headers is missing. | -1 "Unknown error." |',
      );

      const emulator = await contractsHere(['--snapshots', dir, ...filter], {});
      expect(emulator.stdout, emulator.stderr).toMatch(
        /^FAIL envelope\/missing-symmetric-key: parity: envelope\/missing-symmetric-key: differs from the live snapshot of \d{4}-\d\d-\d\d: answer body\.header\.resultCode: -1 in the snapshot, 4000005 now/m,
      );
      expect(emulator.stdout).toMatch(/^pass envelope\/missing-key-version$/m);
      expect(emulator.status).toBe(1);
    },
    TIMEOUT,
  );
});

describe('exit 2', () => {
  it(
    'for a target that cannot be reached, and for a bad command line',
    async () => {
      const port = await closedPort();
      const closed = await contractsHere([], { OCR_BASE_URL: `http://127.0.0.1:${port}`, OCR_APPKEY: 'a', OCR_SECRETKEY: 's' });
      expect(closed.status).toBe(2);
      expect(closed.stderr).toContain(`OCR_BASE_URL http://127.0.0.1:${port} cannot be reached: ECONNREFUSED`);
      const usage = await contractsHere(['--api', 'v3'], {});
      expect(usage.status).toBe(2);
      expect(usage.stderr).toMatch(/--api "v3" is none of v2\.0, v2\.1, both/);
    },
    TIMEOUT,
  );
});
