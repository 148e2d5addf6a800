// compose.yaml as a user runs it (`podman-compose up`, Docker Compose's stand-in here): Redis and
// two emulators on two host ports, which a test runner on the host sees as one service.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureImage, ensureRedisImage, PODMAN_ENV, run, check, untilHealthy, whyNoContainers } from '../support/container.js';
import { freePort } from '../support/free-port.js';
import { expectOneService } from './one-service.js';

const skip = whyNoContainers(['podman', 'runc', 'mmdebstrap', 'podman-compose']);

describe.skipIf(skip)(`compose.yaml${skip ? ` (SKIPPED: ${skip})` : ''}`, () => {
  const project = `emulator-compose-${randomBytes(4).toString('hex')}`;
  let env: NodeJS.ProcessEnv;
  let urls: [string, string];
  const compose = (args: string[]) => run('podman-compose', ['-p', project, '-f', 'compose.yaml', ...args], { env });

  beforeAll(async () => {
    await Promise.all([ensureImage(), ensureRedisImage()]);
    const [portA, portB] = [await freePort(), await freePort()];
    env = { ...PODMAN_ENV, EMULATOR_PORT_A: String(portA), EMULATOR_PORT_B: String(portB), EMULATOR_ADMIN_TOKEN: 'compose-test-token' };
    urls = [`http://127.0.0.1:${portA}`, `http://127.0.0.1:${portB}`];
    check(await compose(['up', '-d']), 'podman-compose up -d');
    await Promise.all(urls.map((url) => untilHealthy(url, 90_000)));
  }, 20 * 60_000);

  afterAll(async () => {
    await compose(['down', '-t', '5']);
    // podman-compose 1.0 leaves the project's network behind.
    await run('podman', ['network', 'rm', '-f', `${project}_default`], { env });
  });

  it('serves on two ports that share one state, with the admin token from the environment', async () => {
    expect((await fetch(`${urls[0]}/__emulator/clock`)).status).toBe(401);
    await expectOneService(urls[0], urls[1], 'compose-test-token');
  });

  it("passes each emulator's compose health check (the check podman-compose runs, quotes and all)", async () => {
    for (const service of ['emulator-a', 'emulator-b']) {
      const filters = ['--filter', `label=io.podman.compose.project=${project}`, '--filter', `label=com.docker.compose.service=${service}`];
      const [id] = check(await run('podman', ['ps', '-q', ...filters], { env }), 'podman ps').trim().split('\n');
      expect(id, service).toBeTruthy();
      const health = await run('podman', ['healthcheck', 'run', id!], { env });
      expect({ service, code: health.code, out: health.stdout.trim() }).toEqual({ service, code: 0, out: '' });
    }
  });
});
