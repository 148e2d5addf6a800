/**
 * Many emulators as one: two emulator processes (`node dist/server/main.js`) on two ports with
 * one EMULATOR_REDIS_URL share keys, Request-Keys and the clock; and an emulator on Redis rides
 * out a Redis outage, answering -1 while it lasts and recovering by itself. Against a real
 * redis-server (skipped, with the reason, only when none is installed).
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { get } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOcrClient, type OcrClient } from '../../contracts/client/index.js';
import { startEmulator, type RunningEmulator } from '../../server/index.js';
import { fixture, fixedKeyFactory } from '../support/fixtures.js';
import { authenticityFieldsFor } from '../support/id-cards.js';
import { NO_REDIS_REASON, REDIS_SERVER, startRedis, type TestRedis } from '../support/redis-server.js';
import { spawnEmulator, type SpawnedEmulator } from '../support/spawn-emulator.js';

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

  beforeAll(async () => {
    redis = await startRedis();
    const env = { EMULATOR_REDIS_URL: redis.url, EMULATOR_REDIS_SECRET: SECRET, EMULATOR_REDIS_PREFIX: `two-${randomBytes(4).toString('hex')}:` };
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
    const listed = (await (await fetch(`${a.url}/__emulator/request-keys`)).json()) as { requestKeys: { requestKey: string; state: string }[]; store: string; held?: number };
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
    const advanced = await fetch(`${a.url}/__emulator/clock`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ advanceSeconds: 3601 }) });
    expect(advanced.status).toBe(200);
    expect((await clientB.authenticity(read.requestKey!, authenticityFieldsFor(read.result!))).resultCode).toBe(4000122);
    const clockB = (await (await fetch(`${b.url}/__emulator/clock`)).json()) as { offsetSeconds: number };
    expect(clockB.offsetSeconds).toBe(3601);
  });

  it('an appKey registered through A works at B', async () => {
    await fetch(`${a.url}/__emulator/appkeys`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ appKey: 'worker-1', secretKey: 'worker-1-secret' }) });
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

describe.skipIf(!REDIS_SERVER)('EMULATOR_WORKERS: worker processes on one port', () => {
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it('one ready line from the primary once both workers listen; both serve; SIGTERM stops all', async () => {
    const env = { EMULATOR_WORKERS: '2', EMULATOR_REDIS_URL: redis.url, EMULATOR_REDIS_SECRET: SECRET, EMULATOR_REDIS_PREFIX: `workers-${randomBytes(4).toString('hex')}:` };
    const emulator = await spawnEmulator(env, 20_000);
    const children = () => execFileSync('pgrep', ['-P', String(emulator.child.pid)], { encoding: 'utf8' }).trim().split('\n').filter(Boolean);
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
        const { requests } = JSON.parse(await onNewConnection(`${emulator.url}/__emulator/requests?endpoint=public-key`)) as { requests: { id: number; path: string }[] };
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
    const env = { EMULATOR_WORKERS: '2', EMULATOR_REDIS_URL: redis.url, EMULATOR_REDIS_SECRET: SECRET, EMULATOR_REDIS_PREFIX: `restart-${randomBytes(4).toString('hex')}:` };
    const emulator = await spawnEmulator(env, 20_000);
    const children = () => execFileSync('pgrep', ['-P', String(emulator.child.pid)], { encoding: 'utf8' }).trim().split('\n').filter(Boolean);
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
      const restarted = new RegExp(`worker ${victim} exited \\(SIGKILL\\); worker (\\d+) serves in its place, started after \\d+ ms \\(restart 1 of at most \\d+ a minute\\)`);
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
    const env = { EMULATOR_WORKERS: '2', EMULATOR_REDIS_URL: redis.url, EMULATOR_REDIS_SECRET: SECRET, EMULATOR_REDIS_PREFIX: `restart-limit-${randomBytes(4).toString('hex')}:` };
    const emulator = await spawnEmulator(env, 20_000);
    const children = () => execFileSync('pgrep', ['-P', String(emulator.child.pid)], { encoding: 'utf8' }).trim().split('\n').filter(Boolean);
    const [survivor] = children();
    const exited = new Promise<number | null>((resolve) => emulator.child.once('exit', resolve));
    try {
      let victim = children()[1]!;
      for (let restart = 1; restart <= 5; restart++) {
        process.kill(Number(victim), 'SIGKILL');
        const line = new RegExp(`worker ${victim} exited \\(SIGKILL\\); worker (\\d+) serves in its place, started after ${100 * 2 ** (restart - 1)} ms \\(restart ${restart} of at most 5 a minute\\)`);
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
    await expect(spawnEmulator({ EMULATOR_WORKERS: '2' })).rejects.toThrow(/exited with 1 before it was ready:\nnhn-ocr-emulator: EMULATOR_WORKERS="2" needs EMULATOR_REDIS_URL: worker processes share their state through Redis\n$/);
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
