// compose.yaml as a user runs it (`podman-compose up`, Docker Compose's stand-in here): Redis and
// two emulators on two host ports, which a test runner on the host sees as one service.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ensureImage, ensureRedisImage, PODMAN_ENV, run, check, untilHealthy, whyNoContainers } from '../support/container.js';
import { freePort } from '../support/free-port.js';
import { ROOT } from '../../contracts/lib/spawn-emulator.js';
import { expectOneService } from './one-service.js';

// Each test starts containers: minutes on a busy machine, never a measure of speed.
vi.setConfig({ testTimeout: 180_000 });

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
      const [id] = check(await run('podman', ['ps', '-q', ...filters], { env }), 'podman ps')
        .trim()
        .split('\n');
      expect(id, service).toBeTruthy();
      const health = await run('podman', ['healthcheck', 'run', id!], { env });
      expect({ service, code: health.code, out: health.stdout.trim() }).toEqual({ service, code: 0, out: '' });
    }
  });

  it(
    "docs/container.md's podman-compose snippet runs as written and leaves nothing behind (its own project and free ports)",
    async () => {
      const markdown = readFileSync(join(ROOT, 'docs', 'container.md'), 'utf8');
      const block = /```sh\n(podman-compose -p nhn-ocr-emulator up -d\n[^`]*)```/.exec(markdown)?.[1];
      expect(block, 'the podman-compose snippet').toBeDefined();
      const docs = `emulator-compose-docs-${randomBytes(4).toString('hex')}`;
      const [portA, portB] = [await freePort(), await freePort()];
      const script = block!
        .replaceAll('nhn-ocr-emulator', docs)
        .replace('for port in 8080 8081', `for port in ${portA} ${portB}`)
        .replaceAll('127.0.0.1:8081', `127.0.0.1:${portB}`);
      const snippetEnv = { ...env, EMULATOR_PORT_A: String(portA), EMULATOR_PORT_B: String(portB), EMULATOR_ADMIN_TOKEN: 'compose-admin-token' };
      const owned = async (what: 'ps' | 'network') =>
        check(
          await run(
            'podman',
            what === 'ps'
              ? ['ps', '-a', '-q', '--filter', `label=io.podman.compose.project=${docs}`]
              : ['network', 'ls', '-q', '--filter', `name=^${docs}_default$`],
            { env },
          ),
          `podman ${what}`,
        ).trim();
      try {
        const ran = await run('sh', ['-eu', '-c', script], { env: snippetEnv, timeoutMs: 300_000 });
        expect(ran.code, ran.stderr.slice(-2000)).toBe(0);
        expect(ran.stdout).toContain('"reset":true');
        expect({ containers: await owned('ps'), network: await owned('network') }).toEqual({ containers: '', network: '' });
      } finally {
        await run('podman-compose', ['-p', docs, '-f', 'compose.yaml', 'down', '-t', '0'], { env: snippetEnv });
        await run('podman', ['network', 'rm', '-f', `${docs}_default`], { env });
      }
    },
    10 * 60_000,
  );
});
