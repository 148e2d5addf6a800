// The example suites of examples/ (Java, Python, Go) against the container image, as a team's CI
// runs them: the image with its defaults but an admin token, on a mapped port, each suite with an
// app key of its own so the three run at once without their resets meeting.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runContainer, whyNoContainers, type RunningContainer } from '../support/container.js';
import { EXAMPLE_LANGUAGES, EXAMPLE_TEST_COUNT, exampleToolMissing, passedTests, runExampleSuite, type ExampleLanguage } from '../examples/run-example.js';

// Each test starts containers: minutes on a busy machine, never a measure of speed.
vi.setConfig({ testTimeout: 180_000 });

const skip = whyNoContainers();
const BUILD_MS = 20 * 60_000;
const SUITE_TIMEOUT_MS = 300_000;
const ADMIN_TOKEN = randomBytes(16).toString('hex');
const credentials = (language: ExampleLanguage) => ({ EMULATOR_APPKEY: `${language}-in-image`, EMULATOR_SECRETKEY: `${language}-in-image-secret` });

describe.skipIf(skip).concurrent(`example suites against the container image${skip ? ` (SKIPPED: ${skip})` : ''}`, () => {
  let emulator: RunningContainer;

  beforeAll(async () => {
    const extra = EXAMPLE_LANGUAGES.map((language) => `${credentials(language).EMULATOR_APPKEY}:${credentials(language).EMULATOR_SECRETKEY}`).join(',');
    emulator = await runContainer({ env: { EMULATOR_ADMIN_TOKEN: ADMIN_TOKEN, EMULATOR_EXTRA_CREDENTIALS: extra } });
  }, BUILD_MS);

  afterAll(async () => {
    await emulator?.remove();
  });

  for (const language of EXAMPLE_LANGUAGES) {
    const missing = exampleToolMissing(language);
    it.skipIf(missing)(`${language}: every test of examples/${language} passes${missing ? ` (skipped: ${missing})` : ''}`, async () => {
      const run = await runExampleSuite(language, { EMULATOR_URL: emulator.url, EMULATOR_ADMIN_TOKEN: ADMIN_TOKEN, ...credentials(language) }, SUITE_TIMEOUT_MS);

      expect(run.code, run.output).toBe(0);
      expect(passedTests(language, run.output), run.output).toBe(EXAMPLE_TEST_COUNT[language]);
      // It talked to the container, with its own app key.
      const journal = await fetch(`${emulator.url}/__emulator/requests?appKey=${credentials(language).EMULATOR_APPKEY}`, { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } });
      expect(((await journal.json()) as { requests: unknown[] }).requests.length).toBeGreaterThan(0);
    }, SUITE_TIMEOUT_MS + 10_000);
  }
});
