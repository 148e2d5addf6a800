/**
 * Runs one of the example suites in examples/ (Java, Python, Go clients written from the API
 * description, not from this project's TypeScript) against an emulator at a URL, however that
 * emulator was started: a spawned `dist/server/main.js`, `npx nhn-ocr-emulator`, a container.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { expect, it } from 'vitest';
import { ROOT } from '../../contracts/lib/spawn-emulator.js';

/** The languages of examples/. */
export type ExampleLanguage = 'java' | 'python' | 'go';

/** Every example language. @example for (const language of EXAMPLE_LANGUAGES) await runExampleSuite(language, env) */
export const EXAMPLE_LANGUAGES: readonly ExampleLanguage[] = ['java', 'python', 'go'];

/**
 * How many tests each suite holds: a run that passes fewer (zero, say, when the runner found no
 * tests) must not count as a pass.
 * @example expect(passedTests('go', output)).toBe(EXAMPLE_TEST_COUNT.go)
 */
export const EXAMPLE_TEST_COUNT: Readonly<Record<ExampleLanguage, number>> = { java: 6, python: 6, go: 6 };

/** What the suites read (the credentials default to the emulator's own defaults). */
export interface ExampleEnv {
  EMULATOR_URL: string;
  EMULATOR_ADMIN_TOKEN?: string;
  EMULATOR_APPKEY?: string;
  EMULATOR_SECRETKEY?: string;
  EMULATOR_USER_ACCESS_KEY_ID?: string;
  EMULATOR_SECRET_ACCESS_KEY?: string;
}

/** A finished run: the runner's exit code (124 when it was stopped at the time limit) and its stdout and stderr. */
export interface ExampleRun {
  code: number;
  output: string;
}

/** The examples directory. @example join(EXAMPLES_DIR, 'go', 'README.md') */
export const EXAMPLES_DIR = join(ROOT, 'examples');

/** The JUnit console launcher the Java suite uses unless JUNIT_CONSOLE names another (Debian's junit5). */
const JUNIT_CONSOLE = '/usr/share/java/junit-platform-console-standalone.jar';

/** A first Go build compiles the standard library packages it uses: minutes on a busy 2-core machine. */
const DEFAULT_TIMEOUT_MS = 300_000;

function onPath(program: string): boolean {
  return (process.env['PATH'] ?? '').split(delimiter).some((dir) => dir !== '' && existsSync(join(dir, program)));
}

/**
 * Why a suite cannot run on this machine (its toolchain is missing), or undefined when it can.
 * npm test installs the Debian packages when missing (test/support/system-packages.mjs).
 * @example it.skipIf(exampleToolMissing('go'))('go', ...)
 */
export function exampleToolMissing(language: ExampleLanguage): string | undefined {
  if (language === 'java') {
    if (!onPath('javac') || !onPath('java')) return 'javac/java not on PATH (Debian: apt-get install default-jdk-headless)';
    const console = process.env['JUNIT_CONSOLE'] || JUNIT_CONSOLE;
    return existsSync(console) ? undefined : `${console} not found (Debian: apt-get install junit5)`;
  }
  if (language === 'python') {
    const probe = spawnSync(pythonFor(), ['-c', 'import pytest, requests, cryptography'], { stdio: 'ignore' });
    return probe.status === 0
      ? undefined
      : `${pythonFor()} lacks pytest, requests or cryptography (Debian: apt-get install python3-pytest python3-requests python3-cryptography)`;
  }
  return onPath('go') ? undefined : 'go not on PATH (Debian: apt-get install golang-go)';
}

/** The interpreter examples/python/run-tests.sh picks: Debian's, where its packages are, before one on PATH (a pyenv one, say). */
function pythonFor(): string {
  return process.env['PYTHON'] || (existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');
}

/**
 * The environment of a run: this process's, without any EMULATOR_* variable of its own (a
 * token or app key meant for another emulator), plus `env`. The emulator's host joins NO_PROXY:
 * Python's requests would send even a loopback request through an HTTP(S)_PROXY of the machine.
 */
function childEnv(env: ExampleEnv): NodeJS.ProcessEnv {
  const base = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('EMULATOR_')));
  const given = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const host = new URL(env.EMULATOR_URL).hostname.replace(/^\[|\]$/g, '');
  const noProxy = [base['NO_PROXY'] || base['no_proxy'], host].filter(Boolean).join(',');
  return { ...base, ...given, NO_PROXY: noProxy, no_proxy: noProxy };
}

/**
 * Runs `examples/<language>/run-tests.sh` against the emulator at `env.EMULATOR_URL` and
 * resolves when it ends, or after `timeoutMs` (its whole process group is killed then: a hung
 * test must not outlive the run).
 * @example
 * const run = await runExampleSuite('python', { EMULATOR_URL: emulator.url, EMULATOR_ADMIN_TOKEN: token });
 * expect(run.code, run.output).toBe(0);
 * expect(passedTests('python', run.output)).toBe(EXAMPLE_TEST_COUNT.python);
 */
export function runExampleSuite(language: ExampleLanguage, env: ExampleEnv, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<ExampleRun> {
  const script = join(EXAMPLES_DIR, language, 'run-tests.sh');
  // Its own process group, so that the time limit stops the compiler or test binary under sh too.
  const child = spawn('sh', [script], { env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  return new Promise((resolve, reject) => {
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    }, timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      if (timedOut) resolve({ code: 124, output: `${output}\n[${language} suite stopped after ${timeoutMs} ms]` });
      else resolve({ code: code ?? 128, output: signal ? `${output}\n[${language} suite ended by ${signal}]` : output });
    });
  });
}

/**
 * How many tests the runner reports as passed, from its summary (JUnit console launcher
 * `[ 6 tests successful ]`, pytest `6 passed in 1.2s`, `go test -v` top-level `--- PASS:`
 * lines); 0 when it ran none, undefined when the output has no summary at all.
 * @example passedTests('python', '6 passed in 5.03s') // 6
 */
export function passedTests(language: ExampleLanguage, output: string): number | undefined {
  if (language === 'java') {
    const match = /^\[\s*(\d+) tests successful\s*\]$/m.exec(output);
    return match ? Number(match[1]) : undefined;
  }
  if (language === 'python') {
    const summary = output
      .split('\n')
      .filter((line) => / in [\d.]+s\b/.test(line))
      .pop();
    if (summary === undefined) return undefined;
    return Number(/(\d+) passed\b/.exec(summary)?.[1] ?? 0);
  }
  if (!/^(ok|FAIL|PASS)\b/m.test(output)) return undefined;
  return output.match(/^--- PASS: /gm)?.length ?? 0;
}

/** Where a suite runs: the emulator's URL and admin token, and the app key the suite gets alone. */
export interface SuiteTarget {
  url: string;
  adminToken: string;
  appKey: string;
  secretKey: string;
}

/**
 * Runs a suite and asserts what a passing run is: exit 0, every one of its tests passed (a run of
 * none fails), and the emulator's journal holds calls of the suite's own app key (it talked to
 * this emulator, not to one on a default port).
 * @example await expectSuitePasses('go', { url: emulator.url, adminToken, appKey: 'go-example', secretKey: 'go-secret' })
 */
export async function expectSuitePasses(language: ExampleLanguage, target: SuiteTarget, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<void> {
  const env = { EMULATOR_URL: target.url, EMULATOR_ADMIN_TOKEN: target.adminToken, EMULATOR_APPKEY: target.appKey, EMULATOR_SECRETKEY: target.secretKey };
  const run = await runExampleSuite(language, env, timeoutMs);
  expect(run.code, run.output).toBe(0);
  expect(passedTests(language, run.output), run.output).toBe(EXAMPLE_TEST_COUNT[language]);
  const journal = await fetch(`${target.url}/__emulator/requests?appKey=${encodeURIComponent(target.appKey)}`, {
    headers: { Authorization: `Bearer ${target.adminToken}` },
  });
  expect(((await journal.json()) as { requests: unknown[] }).requests.length).toBeGreaterThan(0);
}

/** The credentials each language's suite gets alone, with a tag naming where it runs. */
export function suiteCredentials(language: ExampleLanguage, tag: string): { appKey: string; secretKey: string } {
  return { appKey: `${language}-${tag}`, secretKey: `${language}-${tag}-secret` };
}

/**
 * EMULATOR_EXTRA_CREDENTIALS for an emulator that serves every language's suite at once.
 * @example spawnEmulator({ EMULATOR_EXTRA_CREDENTIALS: suitesCredentialsSetting('example') })
 */
export function suitesCredentialsSetting(tag: string): string {
  return EXAMPLE_LANGUAGES.map((language) => {
    const { appKey, secretKey } = suiteCredentials(language, tag);
    return `${appKey}:${secretKey}`;
  }).join(',');
}

/**
 * One test per language that runs its suite against the emulator `target()` names, skipped with
 * the reason when the language's tools are missing. Call inside a `describe`.
 * @example itRunsEverySuite(() => ({ url: emulator.url, adminToken }), 'example', 300_000)
 */
export function itRunsEverySuite(target: () => { url: string; adminToken: string }, tag: string, timeoutMs: number): void {
  for (const language of EXAMPLE_LANGUAGES) {
    const missing = exampleToolMissing(language);
    it.skipIf(missing)(
      `${language}: every test of examples/${language} passes${missing ? ` (skipped: ${missing})` : ''}`,
      async () => {
        await expectSuitePasses(language, { ...target(), ...suiteCredentials(language, tag) }, timeoutMs);
      },
      timeoutMs + 10_000,
    );
  }
}
