/**
 * EMULATOR_KEYS_DIR: key pairs (every version, revocations) written to a directory and read back
 * at start, so a client's cached public key keeps working across a restart.
 */
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { createOcrClient } from '../../contracts/client/index.js';
import { startEmulator, type RunningEmulator } from '../../server/index.js';
import { KEY_RING_FORMAT, LOCK_FILE, RING_FILE_MAX_BYTES, ringFileName } from '../../server/keys-dir.js';
import { FIXED_KEYS, fixture, fixedKeyFactory } from '../support/fixtures.js';
import { spawnEmulator } from '../../contracts/lib/spawn-emulator.js';

const APP = { appKey: 'emulator-appkey', secretKey: 'emulator-secretkey' };
const card = fixture('card-428x270.jpg');
const dirs: string[] = [];
const running: RunningEmulator[] = [];

afterEach(async () => {
  for (const emulator of running.splice(0)) await emulator.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function keysDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'keys-dir-'));
  dirs.push(dir);
  return dir;
}

async function start(dir: string): Promise<RunningEmulator> {
  const emulator = await startEmulator({ port: 0, keysDir: dir, keyFactory: fixedKeyFactory(), watchScenarios: false, logger: () => {} });
  running.push(emulator);
  await emulator.keysReady;
  return emulator;
}

describe('EMULATOR_KEYS_DIR', () => {
  it('a cached public key, every version and every revocation survive a restart', async () => {
    const dir = keysDir();
    const first = await start(dir);
    const client = createOcrClient({ baseUrl: first.url, ...APP });
    const before = await client.publicKey('credit-card');
    await request(first.url).post('/__emulator/keys/credit-card/rotate').expect(200);
    await request(first.url).post('/__emulator/keys/id-card/revoke').send({ version: '0' }).expect(200);
    await first.close();
    running.length = 0;

    const second = await start(dir);
    // The client still holds the key of the first run and sends X-Key-Version "0" with it.
    const again = createOcrClient({ baseUrl: second.url, ...APP });
    expect((await again.fetchPublicKey('credit-card')).result?.version).toBe('1');
    expect((await again.creditCard(card, { publicKey: before, keyVersion: before.version })).resultCode).toBe(0);
    const keys = (await request(second.url).get('/__emulator/keys').expect(200)).body.keys as {
      appKey: string;
      service: string;
      versions: { version: string; revoked: boolean }[];
    }[];
    expect(keys.find((k) => k.service === 'id-card')?.versions.map((v) => [v.version, v.revoked])).toEqual([
      ['0', true],
      ['1', false],
    ]);
  });

  it('writes one JSON file per appKey and service, mode 0600, in the documented format', async () => {
    const dir = keysDir();
    await start(dir);
    // The names and the format docs/shared-state.md documents, spelt out: not derived from the code under test.
    const name = `${APP.appKey}.credit-card.json`;
    // And the lock file, naming the process that holds the directory.
    expect(readdirSync(dir).sort()).toEqual(['.nhn-ocr-emulator.lock', `${APP.appKey}.credit-card.json`, `${APP.appKey}.id-card.json`]);
    expect(readFileSync(join(dir, '.nhn-ocr-emulator.lock'), 'utf8')).toBe(`${process.pid}\n${hostname()}\n`);
    expect(statSync(join(dir, name)).mode & 0o777).toBe(0o600);
    const ring = JSON.parse(readFileSync(join(dir, name), 'utf8'));
    expect(ring).toMatchObject({ format: 'nhn-ocr-emulator/key-ring@1', appKey: APP.appKey, service: 'credit-card', current: '0' });
    expect(ring.versions[0]).toMatchObject({ version: '0', revoked: false });
    expect(ring.versions[0].privateKey).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    // A directory that is missing is made for the owner only.
    const made = join(keysDir(), 'made', 'here');
    await start(made);
    expect(statSync(made).mode & 0o777).toBe(0o700);
    expect(ringFileName('a/b c', 'id-card')).toBe('a%2Fb%20c.id-card.json');
    expect(ringFileName('x'.repeat(300), 'id-card')).toMatch(/^sha256-[0-9a-f]{64}\.id-card\.json$/);
  });

  it('a reset deletes the files it forgets, and only those', async () => {
    const dir = keysDir();
    writeFileSync(join(dir, 'notes.json'), '{"mine": true}');
    const emulator = await start(dir);
    await emulator.registerAppKey('worker-1', 'worker-1-secret');
    await createOcrClient({ baseUrl: emulator.url, appKey: 'worker-1', secretKey: 'worker-1-secret' }).publicKey('id-card');
    await request(emulator.url).post('/__emulator/reset').send({ appKey: 'worker-1' }).expect(200);
    expect(readdirSync(dir)).not.toContain('worker-1.id-card.json');
    expect(readdirSync(dir)).toContain(`${APP.appKey}.id-card.json`);
    await request(emulator.url).post('/__emulator/reset').expect(200);
    expect(readdirSync(dir).sort()).toEqual(['.nhn-ocr-emulator.lock', 'notes.json']);
  });

  it('a change the directory refuses after the start is not made: memory and disk stay one', async () => {
    const dir = keysDir();
    const emulator = await start(dir);
    const ring = (service: string) => JSON.parse(readFileSync(join(dir, `${APP.appKey}.${service}.json`), 'utf8'));
    const served = async () => (await createOcrClient({ baseUrl: emulator.url, ...APP }).fetchPublicKey('credit-card')).result?.version;
    // A write that fails as on a directory remounted read-only or a full disk, even as root:
    // the temporary file each save writes first is taken by a directory.
    for (const service of ['credit-card', 'id-card']) mkdirSync(join(dir, `.${APP.appKey}.${service}.json.${process.pid}.tmp`, 'taken'), { recursive: true });

    const rotate = await request(emulator.url).post('/__emulator/keys/credit-card/rotate').expect(500);
    expect(rotate.body.message).toBe(`keys directory ${dir}: ${APP.appKey}.credit-card.json cannot be written (EISDIR); nothing changed`);
    expect(await served()).toBe('0');
    expect(ring('credit-card').current).toBe('0');
    await request(emulator.url).post('/__emulator/keys/id-card/revoke').send({ version: '0' }).expect(500);
    const keys = (await request(emulator.url).get('/__emulator/keys').expect(200)).body.keys as {
      service: string;
      versions: { version: string; revoked: boolean }[];
    }[];
    expect(keys.find((k) => k.service === 'id-card')?.versions.map((v) => [v.version, v.revoked])).toEqual([['0', false]]);
    expect(ring('id-card').versions.map((v: { revoked: boolean }) => v.revoked)).toEqual([false]);

    // Writable again: the next rotation is version 1, on disk and served alike.
    for (const service of ['credit-card', 'id-card']) rmSync(join(dir, `.${APP.appKey}.${service}.json.${process.pid}.tmp`), { recursive: true });
    await request(emulator.url).post('/__emulator/keys/credit-card/rotate').expect(200);
    expect(await served()).toBe('1');
    expect(ring('credit-card').current).toBe('1');
  });

  it('refuses to start on a broken key file, naming it', async () => {
    const dir = keysDir();
    writeFileSync(
      join(dir, 'emulator-appkey.credit-card.json'),
      JSON.stringify({ format: KEY_RING_FORMAT, appKey: 'a', service: 'credit-card', current: '0', versions: [{ version: '0', privateKey: 'nope' }] }),
    );
    await expect(startEmulator({ port: 0, keysDir: dir, watchScenarios: false })).rejects.toThrow(
      /EMULATOR_KEYS_DIR: .*emulator-appkey\.credit-card\.json, version 0/,
    );
  });

  it('the emulator process: same public key after a restart', async () => {
    const dir = keysDir();
    const env = { EMULATOR_KEYS_DIR: dir };
    const publicKey = async (url: string) =>
      (await (await fetch(`${url}/v2.0/appkeys/${APP.appKey}/public-keys/credit-card`, { headers: { Authorization: APP.secretKey } })).json()) as {
        result: { key: string };
      };
    const first = await spawnEmulator(env);
    const before = await publicKey(first.url);
    expect(await first.stop()).toBe(0);
    const second = await spawnEmulator(env);
    try {
      expect(await publicKey(second.url)).toEqual(before);
    } finally {
      await second.stop();
    }
  });
});

/** The output of an emulator process that refuses to start, trimmed (it must not become ready). */
async function refusal(env: Record<string, string>): Promise<string> {
  const error = await spawnEmulator(env).then(
    async (emulator) => {
      await emulator.stop();
      throw new Error(`started: ${emulator.readyLine}`);
    },
    (error: Error) => error,
  );
  const match = /^emulator exited with (\d+) before it was ready:\n([\s\S]*)$/.exec(error.message);
  if (!match) throw error;
  expect(match[1]).toBe('1');
  return match[2]!.trim();
}

/** A ring file holding one version with this private key. */
function ringWith(dir: string, privateKey: string): string {
  const file = join(dir, `${APP.appKey}.credit-card.json`);
  const versions = [{ version: '0', issuedAt: '2026-12-01T09:00:00.000Z', revoked: false, privateKey }];
  writeFileSync(file, JSON.stringify({ format: KEY_RING_FORMAT, appKey: APP.appKey, service: 'credit-card', current: '0', versions }), { mode: 0o600 });
  return file;
}

const pem = (key: KeyObject) => key.export({ type: 'pkcs8', format: 'pem' }).toString();

describe('EMULATOR_KEYS_DIR: what the directory may hold (the emulator process)', () => {
  it('refuses a ring file that is a link to a device, naming it, without reading it', async () => {
    const dir = keysDir();
    symlinkSync('/dev/zero', join(dir, 'zero.json'));
    expect(await refusal({ EMULATOR_KEYS_DIR: dir })).toBe(
      `nhn-ocr-emulator: EMULATOR_KEYS_DIR: ${join(dir, 'zero.json')} is a character device, not a regular file: not read`,
    );
  });

  it('refuses a FIFO without waiting for a writer', async () => {
    const dir = keysDir();
    execFileSync('mkfifo', [join(dir, 'pipe.json')]);
    expect(await refusal({ EMULATOR_KEYS_DIR: dir })).toBe(
      `nhn-ocr-emulator: EMULATOR_KEYS_DIR: ${join(dir, 'pipe.json')} is a FIFO (named pipe), not a regular file: not read`,
    );
  });

  it('refuses a ring file past the size bound', async () => {
    const dir = keysDir();
    const file = join(dir, 'huge.json');
    writeFileSync(file, ' '.repeat(RING_FILE_MAX_BYTES + 1));
    expect(await refusal({ EMULATOR_KEYS_DIR: dir })).toBe(
      `nhn-ocr-emulator: EMULATOR_KEYS_DIR: ${file} is ${RING_FILE_MAX_BYTES + 1} bytes; at most ${RING_FILE_MAX_BYTES} are read`,
    );
  });

  it('serves RSA-2048 keys only: an EC key, RSA-512, RSA-4096 and exponent 3 are refused', async () => {
    const cases: [KeyObject, string][] = [
      [generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey, 'is an ec key; only RSA-2048 keys are read'],
      [generateKeyPairSync('rsa', { modulusLength: 512 }).privateKey, 'is RSA-512; only RSA-2048 keys are read'],
      [generateKeyPairSync('rsa', { modulusLength: 4096 }).privateKey, 'is RSA-4096; only RSA-2048 keys are read'],
      [generateKeyPairSync('rsa', { modulusLength: 2048, publicExponent: 3 }).privateKey, 'has public exponent 3; only 65537 is read'],
    ];
    for (const [key, problem] of cases) {
      const dir = keysDir();
      const file = ringWith(dir, pem(key));
      expect(await refusal({ EMULATOR_KEYS_DIR: dir })).toBe(`nhn-ocr-emulator: EMULATOR_KEYS_DIR: ${file}, version 0: ${problem}`);
    }
    // The key the fixtures hold, RSA-2048 with exponent 65537, is served as it is.
    const dir = keysDir();
    ringWith(dir, FIXED_KEYS[0]!.pem);
    const emulator = await spawnEmulator({ EMULATOR_KEYS_DIR: dir });
    try {
      const answer = (await (
        await fetch(`${emulator.url}/v2.0/appkeys/${APP.appKey}/public-keys/credit-card`, { headers: { Authorization: APP.secretKey } })
      ).json()) as { result: { key: string } };
      expect(answer.result.key).toBe(FIXED_KEYS[0]!.publicKeyDer.toString('base64'));
    } finally {
      await emulator.stop();
    }
  });

  it('one process a directory: a second is refused, naming the first; a lock left by a dead process is taken over', async () => {
    const dir = keysDir();
    const first = await spawnEmulator({ EMULATOR_KEYS_DIR: dir });
    try {
      expect(await refusal({ EMULATOR_KEYS_DIR: dir })).toBe(
        `nhn-ocr-emulator: EMULATOR_KEYS_DIR: keys directory ${dir} is in use by process ${first.child.pid} (lock file ${join(dir, '.nhn-ocr-emulator.lock')})`,
      );
    } finally {
      expect(await first.stop()).toBe(0);
    }
    // Stopped, it lets the directory go.
    expect(readdirSync(dir)).not.toContain('.nhn-ocr-emulator.lock');
    // A process killed outright leaves its lock; the next start takes it over.
    const killed = await spawnEmulator({ EMULATOR_KEYS_DIR: dir });
    await killed.stop('SIGKILL');
    expect(readFileSync(join(dir, '.nhn-ocr-emulator.lock'), 'utf8')).toBe(`${killed.child.pid}\n${hostname()}\n`);
    const next = await spawnEmulator({ EMULATOR_KEYS_DIR: dir });
    try {
      expect(readFileSync(join(dir, '.nhn-ocr-emulator.lock'), 'utf8')).toBe(`${next.child.pid}\n${hostname()}\n`);
    } finally {
      await next.stop();
    }
  });

  it('refuses a directory it cannot write, at start (a read-only mount)', async (context) => {
    const dir = keysDir();
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=1m', 'tmpfs', dir], { stdio: 'pipe' });
    } catch (error) {
      context.skip(`a read-only mount cannot be made here: ${String((error as Error).message).split('\n')[0]}`);
    }
    try {
      expect(await refusal({ EMULATOR_KEYS_DIR: dir })).toBe(`nhn-ocr-emulator: EMULATOR_KEYS_DIR: keys directory ${dir} is not writable (EROFS)`);
    } finally {
      execFileSync('umount', [dir]);
    }
  });

  it('warns, in one line, about a directory others can read, and serves', async () => {
    const dir = keysDir();
    chmodSync(dir, 0o755);
    const emulator = await spawnEmulator({ EMULATOR_KEYS_DIR: dir });
    await emulator.stop();
    const warnings = emulator
      .output()
      .split('\n')
      .filter((line) => line.includes('warning'));
    expect(warnings).toEqual([
      `nhn-ocr-emulator: warning: keys directory ${dir} holds private keys and is readable by group and others (mode 0755); chmod 700 it`,
    ]);
  });

  it("takes over a lock naming this process's pid that this process does not hold (a killed container's PID 1, found by the next)", async () => {
    const dir = keysDir();
    writeFileSync(join(dir, LOCK_FILE), `${process.pid}\n${hostname()}\n`, { mode: 0o600 });
    const emulator = await start(dir);
    expect(readFileSync(join(dir, LOCK_FILE), 'utf8')).toBe(`${process.pid}\n${hostname()}\n`);
    await emulator.close();
    running.length = 0;
    expect(readdirSync(dir)).not.toContain(LOCK_FILE);
  });

  it('in one process too, a directory serves one emulator at a time', async () => {
    const dir = keysDir();
    await start(dir);
    await expect(startEmulator({ port: 0, keysDir: dir, keyFactory: fixedKeyFactory(), watchScenarios: false })).rejects.toThrow(
      `EMULATOR_KEYS_DIR: keys directory ${dir} is in use by process ${process.pid} (this process)`,
    );
  });
});
