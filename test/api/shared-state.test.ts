/**
 * Many emulators as one: two emulator processes (`node dist/server/main.js`) on two ports with
 * one EMULATOR_REDIS_URL share keys, Request-Keys and the clock; and an emulator on Redis rides
 * out a Redis outage, answering -1 while it lasts and recovering by itself. Against a real
 * redis-server (skipped, with the reason, only when none is installed). A Redis out of memory
 * is one that refuses writes: the emulator answers as in an outage, and logs no key names.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { get } from 'node:http';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOcrClient, type OcrClient } from '../../contracts/client/index.js';
import { startEmulator, type RunningEmulator } from '../../server/index.js';
import { fixture, fixedKeyFactory } from '../support/fixtures.js';
import { authenticityFieldsFor } from '../support/id-cards.js';
import { NO_REDIS_REASON, REDIS_SERVER, startRedis, type TestRedis } from '../support/redis-server.js';
import { spawnEmulator, type SpawnedEmulator } from '../../contracts/lib/spawn-emulator.js';
import { ACCESS_KEY, basic, issueToken, revokeToken, tokenRequest, v21Client } from '../support/v21.js';

const APP = { appKey: 'emulator-appkey', secretKey: 'emulator-secretkey' };
const SECRET = 'shared-state test secret, long enough';
const idImage = fixture('id-resident-900x570.jpg');

if (!REDIS_SERVER) console.warn(`shared-state tests skipped: ${NO_REDIS_REASON}`);

describe.skipIf(!REDIS_SERVER)('two emulator processes on one Redis', () => {
  let redis: TestRedis;
  let a: SpawnedEmulator;
  let b: SpawnedEmulator;
  let clientA: OcrClient;
  let clientB: OcrClient;
  let env: Record<string, string>;

  beforeAll(async () => {
    redis = await startRedis();
    env = { EMULATOR_REDIS_URL: redis.url, EMULATOR_REDIS_SECRET: SECRET, EMULATOR_REDIS_PREFIX: `two-${randomBytes(4).toString('hex')}:` };
    [a, b] = await Promise.all([spawnEmulator(env, 20_000), spawnEmulator(env, 20_000)]);
    clientA = createOcrClient({ baseUrl: a.url, ...APP });
    clientB = createOcrClient({ baseUrl: b.url, ...APP });
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await redis?.stop();
  });

  it('B answers the public key A answers (both made one at start: one of them won)', async () => {
    const [fromA, fromB] = [await clientA.fetchPublicKey('credit-card'), await clientB.fetchPublicKey('credit-card')];
    expect(fromA.resultCode).toBe(0);
    expect(fromB.result).toEqual(fromA.result);
    expect((await clientB.fetchPublicKey('id-card')).result).toEqual((await clientA.fetchPublicKey('id-card')).result);
  });

  it('a Request-Key issued by A is consumed at B, then refused at A with 4000122', async () => {
    const read = await clientA.idCard(idImage);
    const fields = authenticityFieldsFor(read.result!);
    const atB = await clientB.authenticity(read.requestKey!, fields);
    expect(atB.resultCode).toBe(0);
    expect(atB.result?.isAuthenticity).toBe(true);
    expect((await clientA.authenticity(read.requestKey!, fields)).resultCode).toBe(4000122);
    // Each process journals its own requests.
    const journalA = (await (await fetch(`${a.url}/__emulator/requests?endpoint=id-card/authenticity`)).json()) as { requests: { resultCode: number }[] };
    expect(journalA.requests.map((r) => r.resultCode)).toEqual([4000122]);
    // The Request-Keys are listed at either process, with the state the other left them in.
    const listed = (await (await fetch(`${a.url}/__emulator/request-keys`)).json()) as {
      requestKeys: { requestKey: string; state: string }[];
      store: string;
      held?: number;
    };
    expect(listed.store).toBe('redis');
    expect(listed.held).toBeUndefined();
    expect(listed.requestKeys.find((view) => view.requestKey.endsWith(read.requestKey!.slice(-4)))?.state).toBe('consumed');
    expect(JSON.stringify(listed)).not.toContain(read.requestKey!);
  });

  it('100 concurrent authenticity calls with one Request-Key, split across A and B: exactly one succeeds', async () => {
    const read = await clientB.idCard(idImage);
    const fields = authenticityFieldsFor(read.result!);
    const answers = await Promise.all(Array.from({ length: 100 }, (_, i) => (i % 2 ? clientA : clientB).authenticity(read.requestKey!, fields)));
    const codes = answers.map((answer) => answer.resultCode);
    expect(codes.filter((c) => c === 0)).toHaveLength(1);
    expect(codes.filter((c) => c === 4000122)).toHaveLength(99);
  });

  it('a clock advance through A expires the Request-Key at B', async () => {
    const read = await clientB.idCard(idImage);
    const advanced = await fetch(`${a.url}/__emulator/clock`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ advanceSeconds: 3601 }),
    });
    expect(advanced.status).toBe(200);
    expect((await clientB.authenticity(read.requestKey!, authenticityFieldsFor(read.result!))).resultCode).toBe(4000122);
    const clockB = (await (await fetch(`${b.url}/__emulator/clock`)).json()) as { offsetSeconds: number };
    expect(clockB.offsetSeconds).toBe(3601);
  });

  it('a third with another EMULATOR_REDIS_SECRET is refused at start, in one line naming the setting and neither secret, after a reset too', async () => {
    const other = 'another secret of sixteen+ chars';
    expect((await fetch(`${a.url}/__emulator/reset`, { method: 'POST' })).status).toBe(200);
    const refused = await spawnEmulator({ ...env, EMULATOR_REDIS_SECRET: other }, 20_000).then(
      (started) => started.stop().then(() => 'it started'),
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(Error);
    const { message } = refused as Error;
    expect(message).toMatch(
      /^emulator exited with 1 before it was ready:\nnhn-ocr-emulator: EMULATOR_REDIS_SECRET=\(hidden\) is not the secret the emulators on this Redis with prefix "two-[0-9a-f]{8}:" use \(their private keys would not open here\): give every emulator of one prefix the same secret, or this one another EMULATOR_REDIS_PREFIX\n$/,
    );
    expect(message).not.toContain(other);
    expect(message).not.toContain(SECRET);
    // A and B go on as before.
    expect((await clientB.fetchPublicKey('credit-card')).resultCode).toBe(0);
  });

  it('an appKey registered through A works at B', async () => {
    await fetch(`${a.url}/__emulator/appkeys`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ appKey: 'worker-1', secretKey: 'worker-1-secret' }),
    });
    const worker = createOcrClient({ baseUrl: b.url, appKey: 'worker-1', secretKey: 'worker-1-secret' });
    expect((await worker.fetchPublicKey('credit-card')).resultCode).toBe(0);
    const stats = (await (await fetch(`${b.url}/__emulator/stats`)).json()) as { store: string; requestKeys?: unknown };
    expect(stats.store).toBe('redis');
    expect(stats.requestKeys).toBeUndefined();
  });
});

describe.skipIf(!REDIS_SERVER)('a Redis outage', () => {
  let redis: TestRedis;
  let emulator: RunningEmulator;

  beforeAll(async () => {
    redis = await startRedis();
    emulator = await startEmulator({
      port: 0,
      redisUrl: redis.url,
      redisSecret: SECRET,
      redisPrefix: `outage-${randomBytes(4).toString('hex')}:`,
      keyFactory: fixedKeyFactory(),
      watchScenarios: false,
      logger: () => {},
      onFault: (error) => console.error('unexpected fault', error),
    });
  });
  afterAll(async () => {
    await emulator?.close();
    await redis?.stop();
  });

  it('answers -1 at once while Redis is gone, and again normally once it is back, without a restart', async () => {
    const client = createOcrClient({ baseUrl: emulator.url, ...APP });
    await emulator.keysReady;
    expect((await client.fetchPublicKey('credit-card')).resultCode).toBe(0);
    await redis.kill();
    const started = performance.now();
    const during = await client.fetchPublicKey('credit-card');
    const failedInMs = performance.now() - started;
    expect(during.resultCode).toBe(-1);
    expect((await fetch(`${emulator.url}/__emulator/clock`)).status).toBe(503);
    const [entry] = ((await (await fetch(`${emulator.url}/__emulator/requests?limit=1`)).json()) as { requests: { diagnosis: string }[] }).requests;
    expect(entry?.diagnosis).toMatch(/^the shared state \(Redis\) does not answer/);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect((await client.fetchPublicKey('credit-card')).resultCode).toBe(-1);

    await redis.start();
    const back = performance.now();
    let answer = await client.fetchPublicKey('credit-card');
    while (answer.resultCode !== 0 && performance.now() - back < 20_000) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      answer = await client.fetchPublicKey('credit-card');
    }
    const recoveredInMs = performance.now() - back;
    console.log(`Redis outage: a call failed after ${failedInMs.toFixed(0)} ms; answers resumed ${recoveredInMs.toFixed(0)} ms after Redis was back`);
    expect(answer.resultCode).toBe(0);
    // The restarted Redis kept nothing (no persistence in this test): a new key, and it works.
    expect((await client.creditCard(fixture('card-428x270.jpg'))).resultCode).toBe(0);
  });

  it('a Redis that hangs (connection open, no answer) costs a call its bounded wait, not a hang', async () => {
    const client = createOcrClient({ baseUrl: emulator.url, ...APP });
    expect((await client.fetchPublicKey('id-card')).resultCode).toBe(0);
    redis.pause();
    try {
      const started = performance.now();
      const during = await client.fetchPublicKey('id-card');
      console.log(`Redis frozen: a call answered ${during.resultCode} after ${(performance.now() - started).toFixed(0)} ms (bound: 1000 ms a Redis call)`);
      expect(during.resultCode).toBe(-1);
    } finally {
      redis.resume();
    }
    let answer = await client.fetchPublicKey('id-card');
    for (let i = 0; answer.resultCode !== 0 && i < 200; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      answer = await client.fetchPublicKey('id-card');
    }
    expect(answer.resultCode).toBe(0);
  });
});

describe.skipIf(!REDIS_SERVER)('Redis out of memory, then gone: what a spawned emulator answers, and what it logs', () => {
  let redis: TestRedis;
  let emulator: SpawnedEmulator;
  let control: Redis;
  /** Every token and Request-Key the emulator handed out: none may reach its output. */
  const handedOut: string[] = [];

  beforeAll(async () => {
    redis = await startRedis();
    control = new Redis(redis.url, { maxRetriesPerRequest: 0, retryStrategy: () => null, lazyConnect: true });
    control.on('error', () => {});
    await control.connect();
    emulator = await spawnEmulator(
      { EMULATOR_REDIS_URL: redis.url, EMULATOR_REDIS_SECRET: SECRET, EMULATOR_REDIS_PREFIX: `oom-${randomBytes(4).toString('hex')}:` },
      20_000,
    );
  });
  afterAll(async () => {
    control?.disconnect();
    await emulator?.stop();
    await redis?.stop();
  });

  it('out of memory: token calls answer 503 temporarily_unavailable and do nothing, the API -1, the admin API 503; all work again once memory is free', async () => {
    const client = createOcrClient({ baseUrl: emulator.url, ...APP });
    const token = await issueToken(emulator.url);
    const read = await client.idCard(idImage);
    handedOut.push(token, read.requestKey!);
    await fillUp(control);
    try {
      await expectTemporarilyUnavailable(await revokeToken(emulator.url, token), /^the shared state \(Redis\) refuses the call: OOM command not allowed/);
      await expectTemporarilyUnavailable(await tokenRequest(emulator.url, { authorization: basic(ACCESS_KEY.id, ACCESS_KEY.secret) }), /refuses the call: OOM/);
      expect((await client.authenticity(read.requestKey!, authenticityFieldsFor(read.result!))).resultCode).toBe(-1);
      const [entry] = ((await (await fetch(`${emulator.url}/__emulator/requests?limit=1`)).json()) as { requests: { diagnosis: string }[] }).requests;
      expect(entry?.diagnosis).toMatch(/^the shared state \(Redis\) refuses the call: OOM/);
      const advanced = await fetch(`${emulator.url}/__emulator/clock`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ advanceSeconds: 1 }),
      });
      // Redis answers, refusing: the admin API says so, not that it does not answer.
      expect([advanced.status, await advanced.json()]).toEqual([
        503,
        { error: 'unavailable', message: expect.stringMatching(/^the shared state \(Redis\) refuses the call: OOM/) },
      ]);
    } finally {
      await control.config('SET', 'maxmemory', '0');
    }
    // The 503 revoked nothing: the token still works, until a revocation that answers 200.
    const v21 = v21Client(emulator.url, APP.appKey, () => token);
    expect((await v21.fetchPublicKey('credit-card')).resultCode).toBe(0);
    expect((await revokeToken(emulator.url, token)).status).toBe(200);
    expect((await v21.fetchPublicKey('credit-card')).resultCode).toBe(4010006);
    // The failed authenticity call left its Request-Key usable.
    expect((await client.authenticity(read.requestKey!, authenticityFieldsFor(read.result!))).resultCode).toBe(0);
  });

  it('gone: token calls answer 503 temporarily_unavailable, never 200; the admin API 503', async () => {
    const token = await issueToken(emulator.url);
    handedOut.push(token);
    await redis.kill();
    await expectTemporarilyUnavailable(
      await tokenRequest(emulator.url, { authorization: basic(ACCESS_KEY.id, ACCESS_KEY.secret) }),
      /^the shared state \(Redis\) does not answer/,
    );
    await expectTemporarilyUnavailable(await revokeToken(emulator.url, token), /^the shared state \(Redis\) does not answer/);
    // Client credentials and the form are checked first, without the shared state (docs/what-it-emulates.md, "The token issuer").
    expect((await tokenRequest(emulator.url, { authorization: basic(ACCESS_KEY.id, 'wrong-secret') })).status).toBe(401);
    expect((await tokenRequest(emulator.url, { authorization: basic(ACCESS_KEY.id, ACCESS_KEY.secret), body: 'grant_type=password' })).status).toBe(400);
    expect(
      (await tokenRequest(emulator.url, { authorization: basic(ACCESS_KEY.id, 'wrong-secret'), path: '/oauth2/token/revoke', body: `token=${token}` })).status,
    ).toBe(401);
    for (const [method, path] of [
      ['GET', '/__emulator/keys'],
      ['POST', '/__emulator/reset'],
      ['GET', '/__emulator/request-keys'],
    ] as const) {
      expect((await fetch(`${emulator.url}${path}`, { method })).status, `${method} ${path}`).toBe(503);
    }
  });

  it('its output names no token, no Request-Key and no Redis key', () => {
    const output = emulator.output();
    expect(handedOut).toHaveLength(3);
    for (const secret of handedOut) expect(output).not.toContain(secret);
    expect(output).not.toMatch(/tok:|rk:/);
  });
});

/** Sets Redis to refuse writes once at 1 MB (`noeviction`), and fills it to there. */
async function fillUp(redis: Redis): Promise<void> {
  await redis.config('SET', 'maxmemory-policy', 'noeviction');
  await redis.config('SET', 'maxmemory', '1mb');
  for (let i = 0; i < 10_000; i++) {
    try {
      await redis.set(`fill:${i}`, 'x'.repeat(1000));
    } catch (error) {
      if (/^OOM/.test((error as Error).message)) return;
      throw error;
    }
  }
  throw new Error('Redis took 10 MB past a 1 MB maxmemory');
}

/** A token issuer answer saying it did nothing and to try again: 503 in RFC 6749's shape, never cached. */
async function expectTemporarilyUnavailable(res: Response, description: RegExp): Promise<void> {
  expect(res.status).toBe(503);
  expect(res.headers.get('cache-control')).toBe('no-store');
  const body = (await res.json()) as { error: string; error_description: string };
  expect(body.error).toBe('temporarily_unavailable');
  expect(body.error_description).toMatch(description);
}

describe.skipIf(!REDIS_SERVER)('EMULATOR_WORKERS: worker processes on one port', () => {
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it('one ready line from the primary once both workers listen; both serve; SIGTERM stops all', async () => {
    const env = twoWorkers(redis, 'workers');
    const emulator = await spawnEmulator(env, 20_000);
    const children = () => workerPids(emulator);
    try {
      expect(emulator.readyLine).toMatch(/^nhn-ocr-emulator ready at http:\/\/127\.0\.0\.1:\d+ \(appKey=emulator-appkey .*\) with 2 worker processes$/);
      expect(children()).toHaveLength(2);
      const client = createOcrClient({ baseUrl: emulator.url, ...APP });
      const keys = await Promise.all(Array.from({ length: 8 }, () => client.fetchPublicKey('credit-card')));
      expect(new Set(keys.map((k) => JSON.stringify(k.result))).size).toBe(1);
      const read = await client.idCard(idImage);
      expect((await client.authenticity(read.requestKey!, authenticityFieldsFor(read.result!))).resultCode).toBe(0);
      // Both serve: each worker journals what it answered, so over fresh connections (handed to
      // the workers in turn) two different non-empty journals come back.
      for (let i = 0; i < 6; i++) await onNewConnection(`${emulator.url}/v2.0/appkeys/${APP.appKey}/public-keys/id-card`, { Authorization: APP.secretKey });
      const journals = new Set<string>();
      for (let i = 0; i < 6; i++) {
        const { requests } = JSON.parse(await onNewConnection(`${emulator.url}/__emulator/requests?endpoint=public-key`)) as {
          requests: { id: number; path: string }[];
        };
        if (requests.length > 0) journals.add(JSON.stringify(requests));
      }
      expect(journals.size).toBe(2);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(emulator.output().match(/ready at/g)).toHaveLength(1);
    } finally {
      const pids = children();
      expect(await emulator.stop('SIGTERM')).toBe(0);
      for (const pid of pids) expect(() => process.kill(Number(pid), 0)).toThrow();
    }
  });

  it('a worker killed with SIGKILL is replaced while the port keeps answering; on SIGTERM none is restarted', async () => {
    const env = twoWorkers(redis, 'restart');
    const emulator = await spawnEmulator(env, 20_000);
    const children = () => workerPids(emulator);
    const health = `${emulator.url}/__emulator/health`;
    try {
      const [victim, survivor] = children();
      process.kill(Number(victim), 'SIGKILL');
      // Once the primary has reaped it (a connection handed to a worker in the instant it dies is
      // lost with it: node:cluster's round-robin), the survivor answers every fresh connection
      // while the replacement starts, and then both do.
      for (const deadline = Date.now() + 20_000; children().includes(victim!); await new Promise((resolve) => setTimeout(resolve, 20))) {
        expect(Date.now()).toBeLessThan(deadline);
      }
      const restarted = new RegExp(
        `worker ${victim} exited \\(SIGKILL\\); worker (\\d+) serves in its place, started after \\d+ ms \\(restart 1 of at most \\d+ a minute\\)`,
      );
      for (const deadline = Date.now() + 20_000; !restarted.test(emulator.output()); ) {
        expect(Date.now()).toBeLessThan(deadline);
        expect(JSON.parse(await onNewConnection(health))).toMatchObject({ status: 'ok' });
      }
      const replacement = restarted.exec(emulator.output())![1]!;
      const now = children();
      expect(now.sort()).toEqual([survivor, replacement].sort());
      for (let i = 0; i < 4; i++) expect(JSON.parse(await onNewConnection(health))).toMatchObject({ status: 'ok' });
      expect(emulator.output().match(/ready at/g)).toHaveLength(1);
      expect(emulator.output().match(/serves in its place/g)).toHaveLength(1);
    } finally {
      const pids = children();
      expect(await emulator.stop('SIGTERM')).toBe(0);
      for (const pid of pids) expect(() => process.kill(Number(pid), 0)).toThrow();
      // Workers stopped on a signal are not replaced.
      expect(emulator.output()).not.toMatch(/exited \((SIGTERM|code \d+)\)/);
      expect(emulator.output().match(/serves in its place/g)).toHaveLength(1);
    }
  }, 90_000);

  it('stops all, exit 1, when workers keep dying: past the restarts allowed in a minute', async () => {
    const env = {
      EMULATOR_WORKERS: '2',
      EMULATOR_REDIS_URL: redis.url,
      EMULATOR_REDIS_SECRET: SECRET,
      EMULATOR_REDIS_PREFIX: `restart-limit-${randomBytes(4).toString('hex')}:`,
    };
    const emulator = await spawnEmulator(env, 20_000);
    const children = () => workerPids(emulator);
    const [survivor] = children();
    const exited = new Promise<number | null>((resolve) => emulator.child.once('exit', resolve));
    try {
      let victim = children()[1]!;
      for (let restart = 1; restart <= 5; restart++) {
        process.kill(Number(victim), 'SIGKILL');
        const line = new RegExp(
          `worker ${victim} exited \\(SIGKILL\\); worker (\\d+) serves in its place, started after ${100 * 2 ** (restart - 1)} ms \\(restart ${restart} of at most 5 a minute\\)`,
        );
        for (const deadline = Date.now() + 30_000; !line.test(emulator.output()); await new Promise((resolve) => setTimeout(resolve, 20))) {
          expect(Date.now(), emulator.output()).toBeLessThan(deadline);
        }
        victim = line.exec(emulator.output())![1]!;
      }
      process.kill(Number(victim), 'SIGKILL');
      expect(await exited).toBe(1);
      expect(emulator.output()).toContain(`nhn-ocr-emulator: worker ${victim} exited (SIGKILL) after 5 restarts within a minute; stopping the others`);
      expect(() => process.kill(Number(survivor), 0)).toThrow();
    } finally {
      await emulator.stop('SIGKILL');
    }
  }, 120_000);

  it('is refused without Redis, in one line', async () => {
    await expect(spawnEmulator({ EMULATOR_WORKERS: '2' })).rejects.toThrow(
      /exited with 1 before it was ready:\nnhn-ocr-emulator: EMULATOR_WORKERS="2" needs EMULATOR_REDIS_URL: worker processes share their state through Redis\n$/,
    );
  });
});

/** A GET on a connection of its own (closed after), so that the cluster hands it to the next worker. */
function onNewConnection(url: string, headers: Record<string, string> = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    get(url, { agent: false, headers: { ...headers, Connection: 'close' }, signal: AbortSignal.timeout(10_000) }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => resolve(text));
    }).on('error', reject);
  });
}

/** The settings of two workers on the test's Redis, under a prefix of their own. */
function twoWorkers(redis: TestRedis, name: string): Record<string, string> {
  return {
    EMULATOR_WORKERS: '2',
    EMULATOR_REDIS_URL: redis.url,
    EMULATOR_REDIS_SECRET: SECRET,
    EMULATOR_REDIS_PREFIX: `${name}-${randomBytes(4).toString('hex')}:`,
  };
}

/** The pids of a spawned primary's worker processes. */
function workerPids(emulator: SpawnedEmulator): string[] {
  return execFileSync('pgrep', ['-P', String(emulator.child.pid)], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .filter(Boolean);
}
