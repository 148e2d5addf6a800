/**
 * Which clock expires a v2.1 token: the issuer's (the global emulator clock), on every appKey.
 * An appKey's own clock offset (`POST /__emulator/clock {"appKey": ...}`) moves that appKey's
 * Request-Keys and dates, never the validity of a token issued for the User Access Key. Through
 * the wire, on the memory store and on a real redis-server.
 */
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../server/index.js';
import { fixedKeyFactory } from '../support/fixtures.js';
import { APP, OTHER_APP } from '../support/harness.js';
import { REDIS_SERVER, startRedis, type TestRedis } from '../support/redis-server.js';
import { issueToken } from '../support/v21.js';

const TTL_SECONDS = 600;

describe.each([
  { store: 'memory', skip: false },
  { store: 'redis', skip: !REDIS_SERVER },
])('tokens on the issuer clock ($store store)', ({ store, skip }) => {
  let redis: TestRedis | undefined;
  let emulator: RunningEmulator;

  beforeAll(async () => {
    if (skip) return;
    redis = store === 'redis' ? await startRedis() : undefined;
    emulator = await startEmulator({
      port: 0,
      keyFactory: fixedKeyFactory(),
      prepareKeys: false,
      credentials: new Map([
        [APP.appKey, APP.secretKey],
        [OTHER_APP.appKey, OTHER_APP.secretKey],
      ]),
      tokenTtlSeconds: TTL_SECONDS,
      watchScenarios: false,
      logger: () => {},
      ...(redis ? { redisUrl: redis.url, redisSecret: 'token-clock-secret', redisPrefix: `token-clock-${randomBytes(4).toString('hex')}:` } : {}),
    });
  });
  afterAll(async () => {
    await emulator?.close();
    await redis?.stop();
  });

  const admin = () => request(emulator.url);
  const advance = (body: { advanceSeconds: number; appKey?: string }) => admin().post('/__emulator/clock').send(body).expect(200);
  /** The result code of a v2.1 public-key call to `appKey` with `token`. */
  const codeOn = async (appKey: string, token: string) =>
    (await admin().get(`/v2.1/appkeys/${appKey}/public-keys/credit-card`).set('X-NHN-Authorization', `Bearer ${token}`)).body.header.resultCode as number;
  const lastDiagnosis = () => emulator.journal.list().at(-1)?.diagnosis;

  it.skipIf(skip)('an appKey-scoped advance past expires_in: a new token is valid on that appKey, and so is an older one', async () => {
    await admin().post('/__emulator/reset').expect(200);
    const before = await issueToken(emulator.url);
    await advance({ advanceSeconds: 90_000, appKey: APP.appKey });
    const fresh = await issueToken(emulator.url);
    for (const token of [fresh, before]) {
      expect(await codeOn(APP.appKey, token), lastDiagnosis()).toBe(0);
      expect(await codeOn(OTHER_APP.appKey, token), lastDiagnosis()).toBe(0);
    }
  });

  it.skipIf(skip)('a global advance expires tokens on every appKey, whatever their own offsets', async () => {
    await admin().post('/__emulator/reset').expect(200);
    await advance({ advanceSeconds: 90_000, appKey: APP.appKey });
    const token = await issueToken(emulator.url);
    await advance({ advanceSeconds: TTL_SECONDS - 1 });
    expect(await codeOn(APP.appKey, token)).toBe(0);
    await advance({ advanceSeconds: 1 });
    for (const appKey of [APP.appKey, OTHER_APP.appKey]) {
      expect(await codeOn(appKey, token)).toBe(4010006);
      expect(lastDiagnosis()).toMatch(/^token expired 0 s ago by the issuer's clock/);
    }
  });
});
