// The container image (Dockerfile) built on a local stand-in of its base and run with podman,
// driven from the host by the curl + openssl clients of test/interop (no code of ours): default
// settings on a mapped port, non-root, healthy by its own HEALTHCHECK, and `stop` answering the
// call in flight before exiting 0.
import { spawnSync } from 'node:child_process';
import { chownSync, mkdtempSync, readFileSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { BASE_IMAGE, check, ensureImage, IMAGE, podman, PODMAN_ENV, runContainer, whyNoContainers, type RunningContainer } from '../support/container.js';
import { freePort } from '../support/free-port.js';
import { isLuhnValid } from '../../contracts/lib/plausible.js';
import { fixturePath, runClient, SHELL_CLIENT, SHELL_CLIENT_V21, V21_CLIENT_SUCCEEDED } from '../support/shell-clients.js';
import { ROOT } from '../../contracts/lib/spawn-emulator.js';

// Each test starts containers: minutes on a busy machine, never a measure of speed.
vi.setConfig({ testTimeout: 180_000 });

const skip = whyNoContainers();
const BUILD_MS = 20 * 60_000;
const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

interface ImageConfig {
  Size: number;
  Config: { User: string; ExposedPorts: Record<string, unknown>; Env: string[]; Labels: Record<string, string>; StopSignal: string; Entrypoint: string[] };
  Healthcheck?: { Test: string[] };
}

async function inspectImage(name: string): Promise<ImageConfig> {
  return (JSON.parse(check(await podman(['image', 'inspect', name]), 'podman image inspect')) as ImageConfig[])[0]!;
}

describe.skipIf(skip)(`the container image${skip ? ` (SKIPPED: ${skip})` : ''}`, () => {
  const containers: RunningContainer[] = [];
  let emulator: RunningContainer;

  beforeAll(async () => {
    await ensureImage();
    emulator = await runContainer();
    containers.push(emulator);
  }, BUILD_MS);

  afterAll(async () => {
    for (const container of containers) await container.remove();
  });

  it('is built from the Dockerfile with its labels, user, port, health check and stop signal; the CA used by npm is left in no layer', async () => {
    const image = await inspectImage(IMAGE);
    expect(image.Config.User).toBe('node');
    expect(Object.keys(image.Config.ExposedPorts)).toEqual(['8080/tcp']);
    expect(image.Config.Env).toEqual(expect.arrayContaining(['HOST=0.0.0.0', 'PORT=8080']));
    expect(image.Config.StopSignal).toBe('SIGTERM');
    expect(image.Config.Entrypoint).toEqual(['node', 'dist/server/main.js']);
    expect(image.Healthcheck?.Test.join(' ')).toContain('/__emulator/health');
    expect(image.Config.Labels).toMatchObject({
      'org.opencontainers.image.title': 'nhn-ocr-emulator',
      'org.opencontainers.image.version': version,
      'org.opencontainers.image.licenses': 'MIT',
    });
    expect(Object.keys(image.Config.Labels)).toEqual(expect.arrayContaining(['org.opencontainers.image.source', 'org.opencontainers.image.description']));
    const history = check(await podman(['history', '--no-trunc', '--format', '{{.CreatedBy}}', IMAGE]), 'podman history');
    expect(history).not.toContain('NODE_EXTRA_CA_CERTS');
    const files = check(
      await podman([
        'run',
        '--rm',
        '--entrypoint',
        'sh',
        IMAGE,
        '-c',
        'ls /run/secrets 2>/dev/null; ls /app; ls /app/node_modules | wc -l; if test -d /app/node_modules/vitest; then echo dev-dependencies; fi',
      ]),
      'listing the image',
    );
    expect(files.split('\n').slice(0, -2)).toEqual([
      'LICENSE',
      'dist',
      'node_modules',
      'openapi.yaml',
      'package-lock.json',
      'package.json',
      'scenarios',
      'server',
    ]);
    expect(files).not.toContain('dev-dependencies');
    // The project's own layers: production dependencies, dist/ and the data files.
    const added = (image.Size - (await inspectImage(BASE_IMAGE)).Size) / 1e6;
    console.log(`container image: ${added.toFixed(1)} MB above ${BASE_IMAGE}`);
    expect(added).toBeLessThan(60);
  });

  it('answers the curl + openssl v2.0 client on a mapped port with default settings', async () => {
    const out = await runClient('bash', [SHELL_CLIENT, emulator.url, 'emulator-appkey', 'emulator-secretkey', fixturePath('card-856x540.jpg')]);
    expect(out.get('resultCode')).toBe('0');
    expect(isLuhnValid(out.get('totalCardNum') ?? '')).toBe(true);
    expect(out.get('validThru')).toMatch(/^(0[1-9]|1[0-2])\/\d{2}$/);
  });

  it('answers the curl + openssl v2.1 client: token, credit card, ID card, authenticity, revocation', async () => {
    const out = await runClient('bash', [
      SHELL_CLIENT_V21,
      emulator.url,
      emulator.url,
      'emulator-appkey',
      'emulator-user-access-key',
      'emulator-secret-access-key',
      fixturePath('card-856x540.jpg'),
      fixturePath('id-resident-900x570.jpg'),
    ]);
    expect(Object.fromEntries(out)).toMatchObject(V21_CLIENT_SUCCEEDED);
  });

  it('runs node as PID 1 under uid 1000, and says the admin API is off and how to turn it on', async () => {
    expect(check(await podman(['exec', emulator.id, 'id', '-u']), 'podman exec id').trim()).toBe('1000');
    const status = check(await podman(['exec', emulator.id, 'cat', '/proc/1/status', '/proc/1/cmdline']), 'podman exec cat');
    expect(status).toMatch(/^Uid:\s+1000\s+1000\s+1000\s+1000$/m);
    expect(status).toContain('node\0dist/server/main.js');
    const logs = await emulator.logs();
    expect(logs).toContain('nhn-ocr-emulator ready at http://0.0.0.0:8080 (appKey=emulator-appkey secretKey=emulator-secretkey');
    expect(logs).toContain('admin API off (HOST=0.0.0.0 is not loopback and EMULATOR_ADMIN_TOKEN is unset); set EMULATOR_ADMIN_TOKEN to turn it on');
    const admin = await fetch(`${emulator.url}/__emulator/reset`, { method: 'POST' });
    expect(admin.status).toBe(403);
  });

  it('becomes healthy by its HEALTHCHECK', async () => {
    // Podman runs health checks from systemd timers; without systemd, `healthcheck run` runs one.
    let health = '';
    for (let attempt = 0; attempt < 20 && health !== 'healthy'; attempt++) {
      await podman(['healthcheck', 'run', emulator.id]);
      health = check(await podman(['inspect', '--format', '{{.State.Health.Status}}', emulator.id]), 'podman inspect').trim();
      if (health !== 'healthy') await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    expect(health).toBe('healthy');
  });

  it('with a token, opens the admin API to the host; scenario and keys directories mount as volumes', async () => {
    const keys = mkdtempSync(join(tmpdir(), 'container-keys-'));
    chownSync(keys, 1000, 1000); // the image's user writes its key pairs there
    const guarded = await runContainer({
      env: { EMULATOR_ADMIN_TOKEN: 'ci-token', EMULATOR_SCENARIOS_DIR: '/scenarios', EMULATOR_KEYS_DIR: '/keys' },
      podmanArgs: ['-v', `${join(ROOT, 'test', 'container', 'scenarios')}:/scenarios:ro`, '-v', `${keys}:/keys`],
    });
    containers.push(guarded);
    const auth = { Authorization: 'Bearer ci-token' };
    expect((await fetch(`${guarded.url}/__emulator/reset`, { method: 'POST' })).status).toBe(401);
    expect((await fetch(`${guarded.url}/__emulator/reset`, { method: 'POST', headers: auth })).status).toBe(200);
    const { scenarios } = (await (await fetch(`${guarded.url}/__emulator/scenarios`, { headers: auth })).json()) as { scenarios: { name: string }[] };
    const names = scenarios.map((scenario) => scenario.name);
    expect(names).toContain('container/slow-public-key');
    await fetch(`${guarded.url}/v2.0/appkeys/emulator-appkey/public-keys/credit-card`, { headers: { Authorization: 'emulator-secretkey' } });
    const listing = check(await podman(['exec', guarded.id, 'ls', '/keys']), 'ls /keys');
    expect(listing.trim()).not.toBe('');
  });

  it("docs/container.md's admin-token snippet runs as written (podman for docker, a free port for 8080)", async () => {
    const markdown = readFileSync(join(ROOT, 'docs', 'container.md'), 'utf8');
    const block = /```sh\n(docker run --rm -d [^`]*--name ocr [^`]*)```/.exec(markdown)?.[1];
    expect(block, 'the token snippet').toBeDefined();
    const port = await freePort();
    const name = `ocr-docs-${port}`;
    const script = block!
      .replaceAll('docker ', 'podman ')
      .replace('-p 8080:8080', `-p 127.0.0.1:${port}:8080`)
      .replaceAll('127.0.0.1:8080', `127.0.0.1:${port}`)
      .replaceAll(' ocr', ` ${name}`);
    try {
      const ran = spawnSync('sh', ['-eu'], { input: script, env: PODMAN_ENV, encoding: 'utf8', timeout: 60_000 });
      expect(ran.status, ran.stderr).toBe(0);
      expect(ran.stdout).toContain('"reset"');
    } finally {
      await podman(['rm', '-f', '-t', '0', name]);
    }
  });

  it('keeps key pairs in a named volume across containers (the image makes /keys writable for uid 1000, and private)', async () => {
    const volume = `emulator-keys-${await freePort()}`;
    const logs: string[] = [];
    const key = async (): Promise<unknown> => {
      const container = await runContainer({ env: { EMULATOR_KEYS_DIR: '/keys' }, podmanArgs: ['-v', `${volume}:/keys`] });
      try {
        return (
          (await (
            await fetch(`${container.url}/v2.0/appkeys/emulator-appkey/public-keys/id-card`, { headers: { Authorization: 'emulator-secretkey' } })
          ).json()) as { result: unknown }
        ).result;
      } finally {
        logs.push(await container.logs());
        await container.remove();
      }
    };
    try {
      const first = await key();
      expect(first).toBeTruthy();
      expect(await key()).toEqual(first);
      // A new named volume takes the image's /keys mode: 0700, so the emulator has no warning.
      expect(logs.join('\n')).toContain('nhn-ocr-emulator ready at');
      expect(logs.join('\n')).not.toContain('warning');
    } finally {
      await podman(['volume', 'rm', '-f', volume]);
    }
  });

  it('on stop, answers the call in flight, then exits 0', async () => {
    const slow = await runContainer({
      env: { EMULATOR_SCENARIOS_DIR: '/scenarios' },
      podmanArgs: ['-v', `${join(ROOT, 'test', 'container', 'scenarios')}:/scenarios:ro`],
    });
    containers.push(slow);
    // The request is written whole (connected through the published port, so the container
    // accepted it), then waits out the scenario's 4 s; stop comes a second into that.
    let written!: () => void;
    const sent = new Promise<void>((resolve) => (written = resolve));
    const call = new Promise<{ header: { resultCode: number } }>((resolve, reject) => {
      const req = get(
        `${slow.url}/v2.0/appkeys/emulator-appkey/public-keys/credit-card`,
        { headers: { Authorization: 'emulator-secretkey', 'X-Emulator-Scenario': 'container/slow-public-key' } },
        (res) => {
          let body = '';
          res
            .setEncoding('utf8')
            .on('data', (chunk: string) => (body += chunk))
            .on('end', () => resolve(JSON.parse(body) as { header: { resultCode: number } }));
        },
      );
      req.on('finish', written).on('error', reject);
    });
    await sent;
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const exitCode = await slow.stop(10);
    expect((await call).header.resultCode).toBe(0);
    expect(exitCode).toBe(0);
    expect(await slow.logs()).toContain('nhn-ocr-emulator stopping (SIGTERM)');
  });
});
