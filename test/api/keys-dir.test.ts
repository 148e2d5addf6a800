/**
 * EMULATOR_KEYS_DIR: key pairs (every version, revocations) written to a directory and read back
 * at start, so a client's cached public key keeps working across a restart.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { createOcrClient } from '../../contracts/client/index.js';
import { startEmulator, type RunningEmulator } from '../../server/index.js';
import { KEY_RING_FORMAT, ringFileName } from '../../server/keys-dir.js';
import { fixture, fixedKeyFactory } from '../support/fixtures.js';
import { spawnEmulator } from '../support/spawn-emulator.js';

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
    const keys = (await request(second.url).get('/__emulator/keys').expect(200)).body.keys as { appKey: string; service: string; versions: { version: string; revoked: boolean }[] }[];
    expect(keys.find((k) => k.service === 'id-card')?.versions.map((v) => [v.version, v.revoked])).toEqual([
      ['0', true],
      ['1', false],
    ]);
  });

  it('writes one JSON file per appKey and service, mode 0600, in the documented format', async () => {
    const dir = keysDir();
    await start(dir);
    // The names and the format README documents, spelt out: not derived from the code under test.
    const name = `${APP.appKey}.credit-card.json`;
    expect(readdirSync(dir).sort()).toEqual([`${APP.appKey}.credit-card.json`, `${APP.appKey}.id-card.json`]);
    expect(statSync(join(dir, name)).mode & 0o777).toBe(0o600);
    const ring = JSON.parse(readFileSync(join(dir, name), 'utf8'));
    expect(ring).toMatchObject({ format: 'nhn-ocr-emulator/key-ring@1', appKey: APP.appKey, service: 'credit-card', current: '0' });
    expect(ring.versions[0]).toMatchObject({ version: '0', revoked: false });
    expect(ring.versions[0].privateKey).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
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
    expect(readdirSync(dir)).toEqual(['notes.json']);
  });

  it('refuses to start on a broken key file, naming it', async () => {
    const dir = keysDir();
    writeFileSync(join(dir, 'emulator-appkey.credit-card.json'), JSON.stringify({ format: KEY_RING_FORMAT, appKey: 'a', service: 'credit-card', current: '0', versions: [{ version: '0', privateKey: 'nope' }] }));
    await expect(startEmulator({ port: 0, keysDir: dir, watchScenarios: false })).rejects.toThrow(/EMULATOR_KEYS_DIR: .*emulator-appkey\.credit-card\.json, version 0/);
  });

  it('the emulator process: same public key after a restart', async () => {
    const dir = keysDir();
    const env = { EMULATOR_KEYS_DIR: dir };
    const publicKey = async (url: string) => (await (await fetch(`${url}/v2.0/appkeys/${APP.appKey}/public-keys/credit-card`, { headers: { Authorization: APP.secretKey } })).json()) as { result: { key: string } };
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
