// The example suites of examples/ (Java, Python, Go) against the container image, as a team's CI
// runs them: the image with its defaults but an admin token, on a mapped port, each suite with an
// app key of its own so the three run at once without their resets meeting.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, vi } from 'vitest';
import { runContainer, whyNoContainers, type RunningContainer } from '../support/container.js';
import { itRunsEverySuite, suitesCredentialsSetting } from '../examples/run-example.js';

// Each test starts containers: minutes on a busy machine, never a measure of speed.
vi.setConfig({ testTimeout: 180_000 });

const skip = whyNoContainers();
const BUILD_MS = 20 * 60_000;
const SUITE_TIMEOUT_MS = 300_000;
const ADMIN_TOKEN = randomBytes(16).toString('hex');

describe.skipIf(skip).concurrent(`example suites against the container image${skip ? ` (SKIPPED: ${skip})` : ''}`, () => {
  let emulator: RunningContainer;

  beforeAll(async () => {
    emulator = await runContainer({ env: { EMULATOR_ADMIN_TOKEN: ADMIN_TOKEN, EMULATOR_EXTRA_CREDENTIALS: suitesCredentialsSetting('in-image') } });
  }, BUILD_MS);

  afterAll(async () => {
    await emulator?.remove();
  });

  itRunsEverySuite(() => ({ url: emulator.url, adminToken: ADMIN_TOKEN }), 'in-image', SUITE_TIMEOUT_MS);
});
