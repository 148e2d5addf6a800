/**
 * One behavioural suite for every store implementation: the memory stores and the Redis stores
 * (against a real redis-server, no mocks) must answer alike. What only Redis can do, two
 * processes sharing one state, is shown with two store bundles on one Redis and prefix.
 */
import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedKeyFactory } from '../../../test/support/fixtures.js';
import { NO_REDIS_REASON, REDIS_SERVER, startRedis, type TestRedis } from '../../../test/support/redis-server.js';
import { OcrError } from '../errors.js';
import { seededRandom } from '../random.js';
import { memoryStores } from './memory.js';
import { redisStores } from './redis.js';
import { RedisReplyError, RedisSecretMismatchError } from './redis-link.js';
import type { StateStores } from './types.js';

const T0 = Date.UTC(2026, 11, 1, 9);
const SECRET = 'a shared secret of the test suite';
const OTHER_SECRET = 'another secret, sixteen+ chars';

/** A store bundle with a clock the test moves. */
interface Made {
  stores: StateStores;
  tick(ms: number): void;
}

type Maker = (prefix?: string, secret?: string, maxRequestKeys?: number) => Promise<Made>;

let redis: TestRedis | undefined;
const opened: StateStores[] = [];

beforeAll(async () => {
  if (REDIS_SERVER) redis = await startRedis();
});
afterAll(async () => {
  for (const stores of opened) await stores.close();
  await redis?.stop();
});

function clock() {
  let t = T0;
  return { wall: { now: () => t }, tick: (ms: number) => void (t += ms) };
}

const common = { keyFactory: fixedKeyFactory(), random: seededRandom(`stores-${Math.random()}`), requestKeyTtlSeconds: 3600 };

const makers: { name: string; make: Maker; skip: string | false }[] = [
  {
    name: 'memory',
    skip: false,
    make: async (_prefix, _secret, maxRequestKeys) => {
      const { wall, tick } = clock();
      return { stores: memoryStores({ ...common, wall, maxAppKeys: 2, maxRequestKeys }), tick };
    },
  },
  {
    name: 'redis',
    skip: REDIS_SERVER ? false : NO_REDIS_REASON,
    make: async (prefix = `test-${randomBytes(4).toString('hex')}:`, secret = SECRET, maxRequestKeys = undefined) => {
      const { wall, tick } = clock();
      const stores = await redisStores({ ...common, wall, url: redis!.url, secret, prefix, maxAppKeys: 2, maxRequestKeys });
      opened.push(stores);
      return { stores, tick };
    },
  },
];

async function code(run: () => Promise<unknown>): Promise<number> {
  try {
    await run();
    return 0;
  } catch (error) {
    if (error instanceof OcrError) return error.code;
    throw error;
  }
}

describe.each(makers)('$name stores', ({ make, name, skip }) => {
  it.skipIf(skip)('a context: the clock of an appKey is the wall clock plus the global and its own offsets', async () => {
    const { stores, tick } = await make();
    expect(await stores.context('a')).toMatchObject({ appKey: 'a', now: T0, globalOffsetMs: 0, registeredSecret: undefined, defaults: [], queued: false });
    await stores.clock.advance(60_000, 'a');
    await stores.clock.advance(1000);
    tick(5);
    expect((await stores.context('a')).now).toBe(T0 + 61_005);
    expect((await stores.context('b')).now).toBe(T0 + 1005);
    expect(await stores.clock.offsets('a')).toEqual({ globalMs: 1000, appMs: 60_000 });
    await expect(stores.clock.advance(-1)).rejects.toThrow(RangeError);
  });

  it.skipIf(skip)('a reset of one appKey starts a new generation of it alone; a full reset of all', async () => {
    const { stores } = await make();
    await stores.clock.advance(5000, 'a');
    await stores.clock.advance(7000);
    await stores.clock.advance(3000, 'b');
    await stores.scenarios.setDefaults('b', ['no-card']);
    const [a, b] = [await stores.context('a'), await stores.context('b')];
    await stores.reset('a');
    expect((await stores.context('a')).now).toBe(T0 + 7000);
    expect((await stores.context('b')).now).toBe(T0 + 10_000);
    expect((await stores.context('b')).generation).toBe(b.generation);
    if (name === 'redis') expect((await stores.context('a')).generation).not.toBe(a.generation);
    await stores.reset();
    expect(await stores.context('b')).toMatchObject({ now: T0, defaults: [] });
  });

  it.skipIf(skip)('registered appKeys: created, unchanged, conflict, full; their secret in the context', async () => {
    const { stores } = await make();
    const registry = stores.appKeys;
    expect(await registry.register('w1', 's1')).toBe('created');
    expect(await registry.register('w1', 's1')).toBe('unchanged');
    expect(await registry.register('w1', 'other')).toBe('conflict');
    expect((await stores.context('w1')).registeredSecret).toBe('s1');
    expect((await registry.list()).sort()).toEqual(['w1']);
    expect(await registry.remove('w1')).toBe(true);
    expect(await registry.remove('w1')).toBe(false);
    expect((await stores.context('w1')).registeredSecret).toBeUndefined();
    await stores.reset();
    expect(await registry.register('w2', 's2')).toBe('created');
    expect(await registry.register('w3', 's3')).toBe('created');
    expect(await registry.register('w4', 's4')).toBe('full');
    await stores.reset();
    expect((await registry.list()).sort()).toEqual(['w2', 'w3']);
  });

  it.skipIf(skip)('key pairs: one first key however many ask at once; rotate, find, revoke, list', async () => {
    const { stores } = await make();
    const a = await stores.context('a');
    const keys = await Promise.all(Array.from({ length: 5 }, () => stores.keys.current(a, 'credit-card')));
    expect(new Set(keys.map((k) => k.publicKeyBase64)).size).toBe(1);
    expect(keys[0]!.version).toBe('0');
    const rotated = await stores.keys.rotate(a, 'credit-card');
    expect(rotated.version).toBe('1');
    expect((await stores.keys.current(a, 'credit-card')).publicKeyBase64).toBe(rotated.publicKeyBase64);
    expect((await stores.keys.find(a, 'credit-card', '0'))?.publicKeyBase64).toBe(keys[0]!.publicKeyBase64);
    expect(await stores.keys.find(a, 'credit-card', '7')).toBeUndefined();
    expect(await stores.keys.revoke(a, 'credit-card', '0')).toBe(true);
    expect(await stores.keys.revoke(a, 'credit-card', '7')).toBe(false);
    expect((await stores.keys.find(a, 'credit-card', '0'))?.revoked).toBe(true);
    expect((await stores.keys.list(a, 'credit-card')).map((k) => [k.version, k.revoked])).toEqual([
      ['0', true],
      ['1', false],
    ]);
    expect(await stores.keys.list(a, 'id-card')).toEqual([]);
    // The private key opens what the public key wraps.
    expect(rotated.privateKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
  });

  it.skipIf(skip)("a reset of one appKey forgets its keys and leaves another's", async () => {
    const { stores } = await make();
    const [a, b] = [await stores.context('a'), await stores.context('b')];
    // Rotating a ring with no key yet makes the first one, then the next: versions 0 and 1.
    expect((await stores.keys.rotate(a, 'id-card')).version).toBe('1');
    expect((await stores.keys.list(a, 'id-card')).map((k) => k.version)).toEqual(['0', '1']);
    const kept = await stores.keys.current(b, 'id-card');
    await stores.reset('a');
    const [a2, b2] = [await stores.context('a'), await stores.context('b')];
    expect(await stores.keys.list(a2, 'id-card')).toEqual([]);
    expect((await stores.keys.current(b2, 'id-card')).publicKeyBase64).toBe(kept.publicKeyBase64);
  });

  it.skipIf(skip)('Request-Keys: a claim holds, a release hands back, a consume ends; exactly one of 100 claims holds', async () => {
    const { stores } = await make();
    const a = await stores.context('a');
    const key = await stores.requestKeys.issue(a, { idType: 'resident', values: { name: '홍길동' }, verdict: true });
    const claimed = await stores.requestKeys.claim(a, key);
    expect(claimed).toMatchObject({ requestKey: key, appKey: 'a', idType: 'resident', values: { name: '홍길동' }, verdict: true });
    expect(await code(() => stores.requestKeys.claim(a, key))).toBe(4000122);
    await stores.requestKeys.release(claimed);
    const outcomes = await Promise.allSettled(Array.from({ length: 100 }, () => stores.requestKeys.claim(a, key)));
    const held = outcomes.filter((o): o is PromiseFulfilledResult<Awaited<ReturnType<StateStores['requestKeys']['claim']>>> => o.status === 'fulfilled');
    expect(held).toHaveLength(1);
    await stores.requestKeys.consume(held[0]!.value);
    expect(await code(() => stores.requestKeys.claim(a, key))).toBe(4000122);
    const b = await stores.context('b');
    expect(await code(() => stores.requestKeys.claim(b, key))).toBe(4000122);
    expect(await code(() => stores.requestKeys.claim(a, 'never-issued'))).toBe(4000122);
  });

  it.skipIf(skip)("Request-Keys expire on their appKey's clock, and a reset of the appKey forgets them", async () => {
    const { stores } = await make();
    const a = await stores.context('a');
    const [first, second] = [
      await stores.requestKeys.issue(a, { idType: 'driver', values: {} }),
      await stores.requestKeys.issue(a, { idType: 'driver', values: {} }),
    ];
    const b = await stores.context('b');
    const third = await stores.requestKeys.issue(b, { idType: 'driver', values: {} });
    await stores.clock.advance(3600_000, 'a');
    // The advance is what expires it: the context read after it, not a hand-made one.
    await expect(stores.requestKeys.claim(await stores.context('a'), first)).rejects.toThrow(
      /^4000122 AUTHENTICITY_REQUEST_KEY_INVALID: Request-Key expired 0 s ago/,
    );
    await stores.reset('a');
    expect(await code(async () => stores.requestKeys.release(await stores.requestKeys.claim(await stores.context('a'), second)))).toBe(4000122);
    expect((await stores.requestKeys.claim(await stores.context('b'), third)).verdict).toBeUndefined();
  });

  it.skipIf(skip)('Request-Keys past the bound: the oldest are dropped (4000122), the newest stay usable', async () => {
    const { stores } = await make(undefined, undefined, 3);
    const a = await stores.context('a');
    const keys: string[] = [];
    for (let i = 0; i < 5; i++) keys.push(await stores.requestKeys.issue(a, { idType: 'driver', values: { n: String(i) } }));
    await expect(stores.requestKeys.claim(a, keys[0]!)).rejects.toThrow(/^4000122 AUTHENTICITY_REQUEST_KEY_INVALID: Request-Key was never issued/);
    expect(await code(() => stores.requestKeys.claim(a, keys[1]!))).toBe(4000122);
    for (const [i, key] of keys.entries()) if (i >= 2) expect((await stores.requestKeys.claim(a, key)).values).toEqual({ n: String(i) });
    expect((await stores.requestKeys.list(10, (appKey) => stores.context(appKey))).map((view) => view.requestKey.slice(-4))).toEqual(
      keys.slice(2).map((key) => key.slice(-4)),
    );
  });

  it.skipIf(skip)('a Request-Key claimed by a call that never finishes is held; on Redis the claim lapses after 30 s', async () => {
    const { stores, tick } = await make();
    const a = await stores.context('a');
    const key = await stores.requestKeys.issue(a, { idType: 'resident', values: {} });
    await stores.requestKeys.claim(a, key);
    await expect(stores.requestKeys.claim(a, key)).rejects.toThrow(/held by another authenticity call/);
    tick(30_001);
    // In memory the holder is this process, which always consumes or releases; Redis cannot
    // know that a holder in another process is still alive.
    if (name === 'redis') expect((await stores.requestKeys.claim(await stores.context('a'), key)).requestKey).toBe(key);
    else await expect(stores.requestKeys.claim(await stores.context('a'), key)).rejects.toThrow(/held by another/);
  });

  it.skipIf(skip)("Request-Keys are listed newest last, masked, with their state by their appKey's clock; a reset drops its appKey's", async () => {
    const { stores } = await make();
    const contextOf = (appKey: string) => stores.context(appKey);
    // All in the same millisecond: the listing keeps issue order all the same.
    const issue = async (appKey: string, idType: 'resident' | 'driver') => stores.requestKeys.issue(await stores.context(appKey), { idType, values: {} });
    const [a1, a2, b1] = [await issue('a', 'resident'), await issue('a', 'driver'), await issue('b', 'driver')];
    await stores.requestKeys.consume(await stores.requestKeys.claim(await stores.context('a'), a2));
    await stores.clock.advance(3600_000, 'a');
    const listed = await stores.requestKeys.list(10, contextOf);
    expect(listed.map((view) => [view.appKey, view.idType, view.state])).toEqual([
      ['a', 'resident', 'expired'],
      ['a', 'driver', 'consumed'],
      ['b', 'driver', 'valid'],
    ]);
    expect(listed.map((view) => view.requestKey.slice(-4))).toEqual([a1, a2, b1].map((key) => key.slice(-4)));
    expect(listed.every((view) => !view.requestKey.includes(a1) && !view.requestKey.includes(b1))).toBe(true);
    expect(listed[2]!.expiresAt - listed[2]!.issuedAt).toBe(3600_000);
    expect((await stores.requestKeys.list(1, contextOf)).map((view) => view.appKey)).toEqual(['b']);
    expect(await stores.requestKeys.list(0, contextOf)).toEqual([]);
    await stores.reset('a');
    expect((await stores.requestKeys.list(10, contextOf)).map((view) => view.appKey)).toEqual(['b']);
    await stores.reset();
    expect(await stores.requestKeys.list(10, contextOf)).toEqual([]);
  });

  it.skipIf(skip)('resident-card locks: five wrong issue dates lock a card of one appKey; a right answer clears', async () => {
    const { stores } = await make();
    const [a, b] = [await stores.context('a'), await stores.context('b')];
    const wrong = async (times: number) => {
      for (let i = 0; i < times; i++) await stores.locks.record(a, '9001011234567', ['issueDate']);
    };
    await wrong(4);
    expect(await code(() => stores.locks.assertOpen(a, '9001011234567'))).toBe(0);
    await stores.locks.record(a, '9001011234567', []); // a right answer clears the count...
    await wrong(4);
    expect(await code(() => stores.locks.assertOpen(a, '9001011234567'))).toBe(0); // ...so four more do not lock
    await wrong(1);
    expect(await code(() => stores.locks.assertOpen(a, '9001011234567'))).toBe(4000123);
    expect(await code(() => stores.locks.assertOpen(b, '9001011234567'))).toBe(0);
    await stores.reset('a');
    expect(await code(async () => stores.locks.assertOpen(await stores.context('a'), '9001011234567'))).toBe(0);
  });

  it.skipIf(skip)('the queue: first in first out, per appKey, per endpoint, N shots', async () => {
    const { stores } = await make();
    const s = stores.scenarios;
    await s.enqueue({ scenario: 'only-b', remaining: 1, appKey: 'b', endpoints: ['credit-card'] });
    await s.enqueue({ scenario: 'ids', remaining: 1, endpoints: ['id-card'] });
    await s.enqueue({ scenario: 'any', remaining: 2, endpoints: ['*'] });
    expect((await stores.context('a')).queued).toBe(true);
    expect(await s.takeShot('a', 'credit-card')).toBe('any');
    expect(await s.takeShot('b', 'credit-card')).toBe('only-b');
    expect((await s.queue()).map((q) => [q.scenario, q.remaining])).toEqual([
      ['ids', 1],
      ['any', 1],
    ]);
    expect(await s.takeShot('a', 'id-card')).toBe('ids');
    expect(await s.takeShot('a', 'public-key')).toBe('any');
    expect(await s.takeShot('a', 'public-key')).toBeUndefined();
    await s.enqueue({ scenario: 'x', remaining: 3, endpoints: ['*'] });
    await s.clearQueue();
    expect(await s.queue()).toEqual([]);
  });

  it.skipIf(skip)('defaults and call counters are per appKey; a reset of one forgets its own, queue entries included', async () => {
    const { stores } = await make();
    const s = stores.scenarios;
    await s.setDefaults('a', ['one', 'two']);
    await s.setDefaults('b', ['three']);
    expect((await stores.context('a')).defaults).toEqual(['one', 'two']);
    expect(await s.defaults()).toEqual({ a: ['one', 'two'], b: ['three'] });
    const [a, b] = [await stores.context('a'), await stores.context('b')];
    expect([await s.nextCall(a, 'flaky'), await s.nextCall(a, 'flaky'), await s.nextCall(b, 'flaky'), await s.nextCall(a, 'other')]).toEqual([0, 1, 0, 0]);
    await s.enqueue({ scenario: 'mine', remaining: 1, appKey: 'a', endpoints: ['*'] });
    await s.enqueue({ scenario: 'theirs', remaining: 1, appKey: 'b', endpoints: ['*'] });
    await stores.reset('a');
    expect(await s.defaults()).toEqual({ b: ['three'] });
    expect((await s.queue()).map((q) => q.scenario)).toEqual(['theirs']);
    expect(await s.nextCall(await stores.context('a'), 'flaky')).toBe(0);
    expect(await s.nextCall(await stores.context('b'), 'flaky')).toBe(1);
    await s.setDefaults('b', []);
    expect(await s.defaults()).toEqual({});
  });

  it.skipIf(skip)("tokens: kept, revoked only by their own key, forgotten by a full reset (not by an appKey's)", async () => {
    const { stores } = await make();
    await stores.tokens.put('t1', { keyId: 'k', expiresAt: T0 + 60_000, revoked: false }, T0);
    expect(await stores.tokens.get('t1')).toEqual({ keyId: 'k', expiresAt: T0 + 60_000, revoked: false });
    await stores.tokens.revoke('t1', 'someone-else');
    expect((await stores.tokens.get('t1'))?.revoked).toBe(false);
    await stores.reset('a');
    await stores.tokens.revoke('t1', 'k');
    expect((await stores.tokens.get('t1'))?.revoked).toBe(true);
    await stores.reset();
    expect(await stores.tokens.get('t1')).toBeUndefined();
    expect(await stores.tokens.get('never')).toBeUndefined();
  });
});

describe.skipIf(!REDIS_SERVER)('two processes on one Redis (two store bundles, one prefix)', () => {
  const redisMaker = makers[1]!.make;

  it('asked at once for a first key, both end with one key; a rotation by one is current for the other', async () => {
    const prefix = `twins-${randomBytes(4).toString('hex')}:`;
    const [one, two] = [(await redisMaker(prefix)).stores, (await redisMaker(prefix)).stores];
    const [a1, a2] = [await one.context('a'), await two.context('a')];
    const [k1, k2] = await Promise.all([one.keys.current(a1, 'credit-card'), two.keys.current(a2, 'credit-card')]);
    expect(k1.publicKeyBase64).toBe(k2.publicKeyBase64);
    const rotated = await one.keys.rotate(a1, 'credit-card');
    expect((await two.keys.current(a2, 'credit-card')).publicKeyBase64).toBe(rotated.publicKeyBase64);
    // A revocation by one is seen by the other, whose parsed key is cached.
    await one.keys.revoke(a1, 'credit-card', '0');
    expect((await two.keys.find(a2, 'credit-card', '0'))?.revoked).toBe(true);
  });

  it('a Request-Key issued by one is claimed by exactly one of 100 claims split across both', async () => {
    const prefix = `twins-${randomBytes(4).toString('hex')}:`;
    const [one, two] = [(await redisMaker(prefix)).stores, (await redisMaker(prefix)).stores];
    const key = await one.requestKeys.issue(await one.context('a'), { idType: 'resident', values: {} });
    const [a1, a2] = [await one.context('a'), await two.context('a')];
    const outcomes = await Promise.allSettled(Array.from({ length: 100 }, (_, i) => (i % 2 ? one : two).requestKeys.claim(i % 2 ? a1 : a2, key)));
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
  });

  it('the bound on Request-Keys holds for two processes issuing at once: Redis keeps the newest, no more', async () => {
    const prefix = `twins-${randomBytes(4).toString('hex')}:`;
    const [one, two] = [(await redisMaker(prefix, SECRET, 10)).stores, (await redisMaker(prefix, SECRET, 10)).stores];
    const [a1, a2] = [await one.context('a'), await two.context('a')];
    const keys = await Promise.all(
      Array.from({ length: 100 }, (_, i) => (i % 2 ? one : two).requestKeys.issue(i % 2 ? a1 : a2, { idType: 'driver', values: {} })),
    );
    const raw = new Redis(redis!.url);
    const held = await raw.keys(`${prefix}rk:*`);
    const indexed = await raw.llen(`${prefix}rk-index`);
    raw.disconnect();
    expect([held.length, indexed]).toEqual([10, 10]);
    const usable = await Promise.all(keys.map((key) => code(() => one.requestKeys.claim(a1, key))));
    expect(usable.filter((c) => c === 0)).toHaveLength(10);
  });

  it('an error reply of Redis comes without the key names and values the call sent (a token, here)', async () => {
    const prefix = `reply-${randomBytes(4).toString('hex')}:`;
    const { stores } = await redisMaker(prefix);
    const raw = new Redis(redis!.url);
    await raw.set(`${prefix}tok:the-token-itself`, 'a string where a hash belongs');
    raw.disconnect();
    const failure = await stores.tokens.get('the-token-itself').catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(RedisReplyError);
    expect((failure as Error).message).toMatch(/^Redis refused a call: WRONGTYPE /);
    // All of it, as a log line prints an error: its own properties too.
    expect(inspect(failure)).not.toMatch(/the-token-itself|tok:|reply-/);
  });

  it('another EMULATOR_REDIS_SECRET on the same prefix is refused at open, resets or not; the secret is stored nowhere', async () => {
    const prefix = `twins-${randomBytes(4).toString('hex')}:`;
    const one = (await redisMaker(prefix)).stores;
    await one.reset('a');
    await one.reset();
    await expect(redisMaker(prefix, OTHER_SECRET)).rejects.toThrow(RedisSecretMismatchError);
    await expect(redisMaker(prefix, OTHER_SECRET)).rejects.toThrow(`is not the secret the emulators on this Redis with prefix "${prefix}" use`);
    // The same secret opens; another prefix is another emulator.
    await redisMaker(prefix);
    await redisMaker(`${prefix}b:`, OTHER_SECRET);
    const raw = new Redis(redis!.url);
    const stored = await raw.get(`${prefix}secret-check`);
    raw.disconnect();
    expect(stored).toMatch(/^[\w-]{43}$/);
    expect(stored).not.toContain(SECRET);
  });

  it('keys stored under another secret (a check that lapsed) do not open, and say why', async () => {
    const prefix = `twins-${randomBytes(4).toString('hex')}:`;
    const one = (await redisMaker(prefix)).stores;
    await one.keys.current(await one.context('a'), 'id-card');
    const raw = new Redis(redis!.url);
    await raw.del(`${prefix}secret-check`);
    raw.disconnect();
    const other = (await redisMaker(prefix, OTHER_SECRET)).stores;
    const failure = await other.keys.current(await other.context('a'), 'id-card').catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(OcrError);
    expect((failure as OcrError).diagnosis).toMatch(/another EMULATOR_REDIS_SECRET/);
  });
});
