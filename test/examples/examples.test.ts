// The example suites of examples/ (Java, Python, Go clients written from the API description)
// against the built emulator, with an admin token as the container image runs it. Each suite has
// an app key of its own, so the three run at once without their resets meeting.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnEmulator, type SpawnedEmulator } from '../../contracts/lib/spawn-emulator.js';
import { EXAMPLE_LANGUAGES, exampleToolMissing, itRunsEverySuite, passedTests, runExampleSuite, suitesCredentialsSetting } from './run-example.js';

const ADMIN_TOKEN = randomBytes(16).toString('hex');
const SUITE_TIMEOUT_MS = 300_000;

describe('runExampleSuite and passedTests', () => {
  it('counts passes, and a run of zero tests as 0', () => {
    expect(passedTests('java', '[         6 tests successful      ]\n[         0 tests failed          ]')).toBe(6);
    expect(passedTests('java', '[         0 tests successful      ]')).toBe(0);
    expect(passedTests('python', '..F...\n1 failed, 5 passed in 5.03s')).toBe(5);
    expect(passedTests('python', '\nno tests ran in 0.01s')).toBe(0);
    expect(
      passedTests(
        'go',
        '=== RUN   TestA\n--- PASS: TestA (0.01s)\n=== RUN   TestB\n    --- PASS: TestB/sub (0.00s)\n--- PASS: TestB (0.01s)\nPASS\nok  \tm\t0.1s',
      ),
    ).toBe(2);
    expect(passedTests('go', 'testing: warning: no tests to run\nPASS\nok  \tm\t0.1s [no tests to run]')).toBe(0);
  });

  it('stops a run at its time limit, with its process group', async () => {
    const run = await runExampleSuite('python', { EMULATOR_URL: 'http://127.0.0.1:9' }, 1);

    expect(run.code).toBe(124);
    expect(run.output).toContain('[python suite stopped after 1 ms]');
  });

  it('finds no summary in the output of a runner that never started', () => {
    for (const language of EXAMPLE_LANGUAGES) expect(passedTests(language, 'sh: 1: go: not found')).toBeUndefined();
  });
});

describe.concurrent('example suites against the built emulator (EMULATOR_ADMIN_TOKEN set)', () => {
  let emulator: SpawnedEmulator;

  beforeAll(async () => {
    emulator = await spawnEmulator({ EMULATOR_ADMIN_TOKEN: ADMIN_TOKEN, EMULATOR_EXTRA_CREDENTIALS: suitesCredentialsSetting('example') });
  });
  afterAll(async () => {
    await emulator?.stop();
  });

  itRunsEverySuite(() => ({ url: emulator.url, adminToken: ADMIN_TOKEN }), 'example', SUITE_TIMEOUT_MS);
});

// A newcomer who runs a suite against an emulator with an admin token, without passing it, learns
// from the failure what to fix: the reset's HTTP status and the emulator's own explanation.
describe.concurrent("example suites without the emulator's admin token", () => {
  let emulator: SpawnedEmulator;

  beforeAll(async () => {
    emulator = await spawnEmulator({ EMULATOR_ADMIN_TOKEN: ADMIN_TOKEN });
  });
  afterAll(async () => {
    await emulator?.stop();
  });

  for (const language of EXAMPLE_LANGUAGES) {
    const missing = exampleToolMissing(language);
    it.skipIf(missing)(
      `${language}: the failure names the reset's HTTP status and the emulator's reason${missing ? ` (skipped: ${missing})` : ''}`,
      async () => {
        const run = await runExampleSuite(language, { EMULATOR_URL: emulator.url }, SUITE_TIMEOUT_MS);

        expect(run.code, run.output).not.toBe(0);
        expect(run.output).toContain('reset answered HTTP 401 (EMULATOR_ADMIN_TOKEN set as the emulator\'s?): {"error":"unauthorized"');
        expect(run.output).toContain('the admin API needs Authorization: Bearer <EMULATOR_ADMIN_TOKEN>');
      },
      SUITE_TIMEOUT_MS + 10_000,
    );
  }
});

// The suites hold the server to values the documentation states, not to whatever it answers: an
// emulator whose credit-card/amex scenario plays another number fails them.
describe('an example suite fails against a server that departs from the documented values', () => {
  const missing = exampleToolMissing('python');
  let emulator: SpawnedEmulator;
  let scenarios: string;

  beforeAll(async () => {
    if (missing) return;
    scenarios = mkdtempSync(join(tmpdir(), 'examples-scenarios-'));
    mkdirSync(join(scenarios, 'credit-card'));
    writeFileSync(
      join(scenarios, 'credit-card', 'amex.yaml'),
      'description: Another Amex card.\nendpoints: [credit-card]\noutcome:\n  creditCard:\n    cardNumber: 3714 496353 98431\n    validThru: 09/29\n',
    );
    emulator = await spawnEmulator({ EMULATOR_ADMIN_TOKEN: ADMIN_TOKEN, EMULATOR_SCENARIOS_DIR: scenarios });
  });
  afterAll(async () => {
    await emulator?.stop();
    if (scenarios) rmSync(scenarios, { recursive: true, force: true });
  });

  it.skipIf(missing)(
    `python: the amex test fails, the others pass${missing ? ` (skipped: ${missing})` : ''}`,
    async () => {
      // Also behind a machine-wide proxy (one that refuses everything): the emulator is reached directly.
      const saved = { HTTP_PROXY: process.env['HTTP_PROXY'], HTTPS_PROXY: process.env['HTTPS_PROXY'] };
      process.env['HTTP_PROXY'] = process.env['HTTPS_PROXY'] = 'http://127.0.0.1:9';
      const run = await runExampleSuite('python', { EMULATOR_URL: emulator.url, EMULATOR_ADMIN_TOKEN: ADMIN_TOKEN }, SUITE_TIMEOUT_MS).finally(() => {
        for (const [name, value] of Object.entries(saved)) {
          if (value === undefined) delete process.env[name];
          else process.env[name] = value;
        }
      });

      expect(run.code, run.output).not.toBe(0);
      expect(run.output).toMatch(/^FAILED test_ocr_emulator\.py::test_scenario_header_plays_the_documented_amex_card\b/m);
      expect(run.output).toMatch(/^1 failed, 5 passed in /m);
    },
    SUITE_TIMEOUT_MS + 10_000,
  );
});
