// Two containers of the image on one Redis (the redis stand-in, in a container on a podman
// network of this test) act as one service for a client on the host: one through each mapped port.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, it, vi } from 'vitest';
import { check, ensureImage, ensureRedisImage, podman, REDIS_IMAGE, runContainer, whyNoContainers, type RunningContainer } from '../support/container.js';
import { expectOneService } from './one-service.js';

// Each test starts containers: minutes on a busy machine, never a measure of speed.
vi.setConfig({ testTimeout: 180_000 });

const skip = whyNoContainers();

describe.skipIf(skip)(`two containers on one Redis${skip ? ` (SKIPPED: ${skip})` : ''}`, () => {
  const suffix = randomBytes(4).toString('hex');
  const network = `emulator-test-${suffix}`;
  const redis = `emulator-test-redis-${suffix}`;
  const emulators: RunningContainer[] = [];

  beforeAll(async () => {
    await Promise.all([ensureImage(), ensureRedisImage()]);
    check(await podman(['network', 'create', network]), 'podman network create');
    check(await podman(['run', '-d', '--name', redis, '--network', network, REDIS_IMAGE]), 'podman run redis');
    const env = { EMULATOR_REDIS_URL: `redis://${redis}:6379`, EMULATOR_REDIS_SECRET: 'container test secret, long enough', EMULATOR_ADMIN_TOKEN: 'ci-token' };
    // restart on-failure: an emulator that finds Redis not listening yet exits 1 and comes back.
    for (let i = 0; i < 2; i++) emulators.push(await runContainer({ env, podmanArgs: ['--network', network, '--restart', 'on-failure'] }));
  }, 20 * 60_000);

  afterAll(async () => {
    for (const emulator of emulators) await emulator.remove();
    await podman(['rm', '-f', '-t', '0', redis]);
    await podman(['network', 'rm', '-f', network]);
  });

  it('a Request-Key issued through one port is consumed once across both; the clock moved through one holds for the other', async () => {
    await expectOneService(emulators[0]!.url, emulators[1]!.url, 'ci-token');
  });
});
