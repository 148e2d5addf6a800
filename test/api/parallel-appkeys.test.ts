/**
 * Parallel tests on one emulator: appKeys registered at run time, each with state of its own,
 * and the admin controls scoped to one appKey (clock, reset) leaving the others alone.
 */
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { fixture } from '../support/fixtures.js';
import { useEmulator, validatingFetch } from '../support/harness.js';
import { authenticityFieldsFor } from '../support/id-cards.js';
import { issueToken, v21Client } from '../support/v21.js';
import { createOcrClient, emulatorControl } from '../../contracts/client/index.js';
import { createApp, createEngine, Journal } from '../../server/index.js';
import { memoryStores } from '../../server/core/stores/memory.js';

const h = useEmulator();
const idImage = fixture('id-resident-900x570.jpg');
const card = fixture('card-428x270.jpg');

const admin = () => request(h.url);
const worker = (n: number) => ({ appKey: `worker-${n}`, secretKey: `worker-${n}-secret` });
const clientOf = (credentials: { appKey: string; secretKey: string }) => createOcrClient({ baseUrl: h.url, ...credentials, fetch: validatingFetch });

async function register(n: number): Promise<ReturnType<typeof clientOf>> {
  await admin()
    .post('/__emulator/appkeys')
    .send(worker(n))
    .expect((res) => expect([200, 201]).toContain(res.status));
  return clientOf(worker(n));
}

describe('POST /__emulator/appkeys', () => {
  it('registers (201), is idempotent with the same secret (200), refuses another secret (409)', async () => {
    expect((await admin().post('/__emulator/appkeys').send(worker(1)).expect(201)).body).toEqual({ appKey: 'worker-1', source: 'registered' });
    await admin().post('/__emulator/appkeys').send(worker(1)).expect(200);
    const conflict = await admin().post('/__emulator/appkeys').send({ appKey: 'worker-1', secretKey: 'other' }).expect(409);
    expect(conflict.body.error).toBe('conflict');
    // A configured appKey: same secret is fine, another is a conflict.
    await admin().post('/__emulator/appkeys').send({ appKey: 'emulator-appkey', secretKey: 'emulator-secretkey' }).expect(200);
    await admin().post('/__emulator/appkeys').send({ appKey: 'emulator-appkey', secretKey: 'x' }).expect(409);
  });

  it('refuses names that cannot go in a path and secrets that cannot go in a header', async () => {
    for (const body of [
      {},
      { appKey: 'a b', secretKey: 's' },
      { appKey: 'a/b', secretKey: 's' },
      { appKey: 'x'.repeat(129), secretKey: 's' },
      { appKey: 'ok', secretKey: 'has space' },
      { appKey: 'ok', secretKey: '' },
    ]) {
      expect((await admin().post('/__emulator/appkeys').send(body).expect(400)).body.error).toBe('bad_request');
    }
  });

  it('works at once on v2.0 with its secret and on v2.1 with the unrestricted User Access Key', async () => {
    const client = await register(2);
    expect((await client.creditCard(card)).resultCode).toBe(0);
    expect((await clientOf({ ...worker(2), secretKey: 'wrong' }).fetchPublicKey('credit-card')).resultCode).toBe(4010001);
    const token = await issueToken(h.url);
    expect((await v21Client(h.url, 'worker-2', () => token).creditCard(card)).resultCode).toBe(0);
  });

  it('lists configured appKeys first, never secrets; DELETE removes a registered one and refuses a configured one', async () => {
    await register(3);
    const listed = await admin().get('/__emulator/appkeys').expect(200);
    expect(listed.body.appKeys.slice(0, 2)).toEqual([
      { appKey: 'emulator-appkey', source: 'configured' },
      { appKey: 'other-appkey', source: 'configured' },
    ]);
    expect(listed.body.appKeys).toContainEqual({ appKey: 'worker-3', source: 'registered' });
    expect(JSON.stringify(listed.body)).not.toContain('secret');
    expect(listed.body.max).toBe(10_000);
    await admin().delete('/__emulator/appkeys/worker-3').expect(200, { removed: 'worker-3' });
    expect((await clientOf(worker(3)).fetchPublicKey('credit-card')).resultCode).toBe(4010001);
    await admin().delete('/__emulator/appkeys/worker-3').expect(404);
    expect((await admin().delete('/__emulator/appkeys/emulator-appkey').expect(409)).body.error).toBe('conflict');
  });

  it('startEmulator gives registerAppKey and removeAppKey', async () => {
    expect(await h.emulator.registerAppKey('in-process', 'in-process-secret')).toBe('created');
    expect(await h.emulator.registerAppKey('in-process', 'in-process-secret')).toBe('unchanged');
    await expect(h.emulator.registerAppKey('in-process', 'another')).rejects.toThrow(/another secret/);
    await expect(h.emulator.registerAppKey('in process', 'secret')).rejects.toThrow(/appKey must be 1 to 128 characters/);
    expect((await clientOf({ appKey: 'in-process', secretKey: 'in-process-secret' }).fetchPublicKey('id-card')).resultCode).toBe(0);
    expect(await h.emulator.removeAppKey('in-process')).toBe(true);
    expect(await h.emulator.removeAppKey('in-process')).toBe(false);
  });
});

describe('the bound on registered appKeys', () => {
  it('answers 507 past it, naming the bound the store holds and how to make room; removing one makes room', async () => {
    const engine = createEngine({ credentials: new Map([['configured', 'secret']]), stores: memoryStores({ requestKeyTtlSeconds: 3600, maxAppKeys: 1 }) });
    const app = createApp(engine, { maxUploadBytes: 1024, journal: new Journal() });
    await request(app).post('/__emulator/appkeys').send(worker(1)).expect(201);
    const full = await request(app).post('/__emulator/appkeys').send(worker(2)).expect(507);
    expect(full.body).toEqual({
      error: 'full',
      message: '1 appKeys are registered already: remove the ones you are done with (DELETE /__emulator/appkeys/{appKey})',
    });
    expect((await request(app).get('/__emulator/appkeys').expect(200)).body).toMatchObject({ registered: 1, max: 1 });
    await expect(engine.controls.registerAppKey('worker-2', 'worker-2-secret')).rejects.toMatchObject({ name: 'RegistrationError', kind: 'full' });
    await request(app).delete('/__emulator/appkeys/worker-1').expect(200);
    await request(app).post('/__emulator/appkeys').send(worker(2)).expect(201);
  });
});

describe('controls scoped to one appKey', () => {
  it("advancing one appKey's clock expires its Request-Key and leaves another's valid", async () => {
    const [a, b] = [await register(10), await register(11)];
    const [readA, readB] = [await a.idCard(idImage), await b.idCard(idImage)];
    await admin().post('/__emulator/clock').send({ advanceSeconds: 3601, appKey: 'worker-10' }).expect(200);
    const clockA = (await admin().get('/__emulator/clock?appKey=worker-10').expect(200)).body;
    expect(clockA).toMatchObject({ appKey: 'worker-10', appKeyOffsetSeconds: 3601 });
    expect((await admin().get('/__emulator/clock?appKey=worker-11').expect(200)).body.appKeyOffsetSeconds).toBe(0);
    expect((await a.authenticity(readA.requestKey!, authenticityFieldsFor(readA.result!))).resultCode).toBe(4000122);
    const answer = await b.authenticity(readB.requestKey!, authenticityFieldsFor(readB.result!));
    expect(answer.resultCode).toBe(0);
    expect(answer.result?.isAuthenticity).toBe(true);
  });

  it("a token is the issuer's: one appKey's clock does not expire it there or anywhere (test/api/token-clock.test.ts: the global clock does)", async () => {
    await register(12);
    await register(13);
    const token = await issueToken(h.url);
    await admin().post('/__emulator/clock').send({ advanceSeconds: 86_400, appKey: 'worker-12' }).expect(200);
    expect((await v21Client(h.url, 'worker-12', () => token).fetchPublicKey('credit-card')).resultCode).toBe(0);
    expect((await v21Client(h.url, 'worker-13', () => token).fetchPublicKey('credit-card')).resultCode).toBe(0);
  });

  it("resetting one appKey forgets its keys, queue entries and journal, and leaves another's", async () => {
    const [a, b] = [await register(20), await register(21)];
    const [keyA, keyB] = [await a.publicKey('credit-card'), await b.publicKey('credit-card')];
    await admin().post('/__emulator/keys/credit-card/rotate').send({ appKey: 'worker-20' }).expect(200);
    await admin().post('/__emulator/queue').send({ scenario: 'credit-card/not-found', appKey: 'worker-20' }).expect(201);
    await admin().post('/__emulator/queue').send({ scenario: 'credit-card/not-found', appKey: 'worker-21' }).expect(201);
    expect((await admin().post('/__emulator/reset').send({ appKey: 'worker-20' }).expect(200)).body).toEqual({ reset: true, appKey: 'worker-20' });
    const keys = (await admin().get('/__emulator/keys?appKey=worker-20').expect(200)).body.keys;
    expect(keys.every((k: { versions: unknown[] }) => k.versions.length === 0)).toBe(true);
    expect((await admin().get('/__emulator/requests?appKey=worker-20').expect(200)).body.requests).toEqual([]);
    // worker-21's one call so far: its public key.
    expect((await admin().get('/__emulator/requests?appKey=worker-21').expect(200)).body.requests.map((r: { endpoint: string }) => r.endpoint)).toEqual([
      'public-key',
    ]);
    expect((await admin().get('/__emulator/queue').expect(200)).body.queue).toEqual([{ scenario: 'credit-card/not-found', remaining: 1, appKey: 'worker-21' }]);
    // worker-21's key is the one it had; worker-20 gets a new version "0".
    expect(await b.publicKey('credit-card', true)).toEqual(keyB);
    expect((await a.publicKey('credit-card', true)).version).toBe(keyA.version);
    expect((await b.creditCard(card)).resultCode).toBe(4000111);
  });

  it('an unknown appKey is 404 for clock, reset and keys', async () => {
    await admin().post('/__emulator/clock').send({ advanceSeconds: 1, appKey: 'nobody' }).expect(404);
    await admin().get('/__emulator/clock?appKey=nobody').expect(404);
    await admin().post('/__emulator/reset').send({ appKey: 'nobody' }).expect(404);
    await admin().get('/__emulator/keys?appKey=nobody').expect(404);
  });
});

describe('emulatorControl (the client kit) scoped to one appKey', () => {
  it('registers, moves the clock of, resets and removes an app key', async () => {
    const control = emulatorControl(h.url);
    expect(await control.appKeys.register('kit-worker', 'kit-worker-secret')).toBe('created');
    expect(await control.appKeys.register('kit-worker', 'kit-worker-secret')).toBe('unchanged');
    expect(await control.appKeys.list()).toContainEqual({ appKey: 'kit-worker', source: 'registered' });
    expect((await control.advanceClock(60, 'kit-worker')).appKeyOffsetSeconds).toBe(60);
    expect((await control.clock('kit-worker')).appKeyOffsetSeconds).toBe(60);
    await control.reset('kit-worker');
    expect((await control.clock('kit-worker')).appKeyOffsetSeconds).toBe(0);
    await control.appKeys.remove('kit-worker');
    await expect(control.appKeys.remove('kit-worker')).rejects.toMatchObject({ status: 404 });
  });
});
