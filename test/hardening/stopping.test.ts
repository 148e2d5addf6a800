/**
 * Stopping without dropping what is in flight (docs/security.md, "Stopping"), on real spawned
 * processes (`node dist/server/main.js`, as `docker stop` finds it): on SIGTERM the port refuses
 * new connections and idle keep-alive connections close at once, while a call waiting out a
 * scenario's `delayMs` and an upload still sending its body both get their whole answer, with
 * `Connection: close`; then the process exits 0. Alone and as EMULATOR_WORKERS=2 on a real
 * redis-server. Ordering is asserted, not durations: the scripted delay is long enough that
 * everything else happens first on any machine.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOcrClient, encryptBytes, newSymmetricKey, wrapSymmetricKey } from '../../contracts/client/index.js';
import { fixture } from '../support/fixtures.js';
import { NO_REDIS_REASON, REDIS_SERVER, startRedis, type TestRedis } from '../support/redis-server.js';
import { spawnEmulator, type SpawnedEmulator } from '../../contracts/lib/spawn-emulator.js';
import { sendRaw, type WireAnswer } from '../support/wire-client.js';

const APP = { appKey: 'emulator-appkey', secretKey: 'emulator-secretkey' };
/** The scripted delay of the slow call: far longer than a signal takes to be handled. */
const SLOW_MS = 8_000;

let scenarios: string;
beforeAll(() => {
  scenarios = mkdtempSync(join(tmpdir(), 'emulator-stopping-'));
  writeFileSync(join(scenarios, 'slow.yaml'), `description: a slow answer\nendpoints: ['*']\noutcome:\n  delayMs: ${SLOW_MS}\n`);
});
afterAll(() => rmSync(scenarios, { recursive: true, force: true }));

/** The port of a spawned emulator. */
const portOf = (emu: SpawnedEmulator) => Number(new URL(emu.url).port);

/** A public-key call that waits out the slow scenario, on a connection of its own. */
function slowCall(emu: SpawnedEmulator, timeoutMs = SLOW_MS + 15_000): Promise<WireAnswer> {
  const request = `GET /v2.0/appkeys/${APP.appKey}/public-keys/credit-card HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ${APP.secretKey}\r\nX-Emulator-Scenario: slow\r\n\r\n`;
  return sendRaw(portOf(emu), { bytes: Buffer.from(request), timeoutMs });
}

/** Health over a keep-alive connection left open and idle afterwards; resolves once answered. */
function idleKeepAlive(emu: SpawnedEmulator): Promise<{ socket: Socket; closed: Promise<void> }> {
  return new Promise((resolve, reject) => {
    const socket = connect(portOf(emu), '127.0.0.1', () => socket.write('GET /__emulator/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'));
    const closed = new Promise<void>((done) => socket.once('close', () => done()));
    socket.once('error', reject);
    socket.once('data', (chunk: Buffer) =>
      chunk.toString('latin1').startsWith('HTTP/1.1 200') ? resolve({ socket, closed }) : reject(new Error(chunk.toString('latin1'))),
    );
  });
}

/** Whether a new connection to the port is refused. */
function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
  });
}

/** Polls until new connections are refused (true), or `ms` passes (false). */
async function untilRefused(port: number, ms = 10_000): Promise<boolean> {
  for (const deadline = Date.now() + ms; Date.now() < deadline; ) {
    if (await refused(port)) return true;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return false;
}

/** Waits for a line in the output (bounded). */
async function untilOutput(emu: SpawnedEmulator, pattern: RegExp, ms = 10_000): Promise<void> {
  for (const deadline = Date.now() + ms; !pattern.test(emu.output()); ) {
    if (Date.now() > deadline) throw new Error(`no ${pattern} in:\n${emu.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A credit-card upload under a good envelope as raw bytes: the headers and first half, then the rest. */
async function uploadInTwo(emu: SpawnedEmulator): Promise<[Buffer, Buffer]> {
  const client = createOcrClient({ baseUrl: emu.url, ...APP });
  const { key: publicKey, version } = await client.publicKey('credit-card');
  const key = newSymmetricKey();
  const image = encryptBytes(key, fixture('card-428x270.jpg'));
  const body = Buffer.concat([
    Buffer.from('--b\r\nContent-Disposition: form-data; name="image"; filename="card.jpg"\r\nContent-Type: application/octet-stream\r\n\r\n'),
    image,
    Buffer.from('\r\n--b--\r\n'),
  ]);
  const head = Buffer.from(
    `POST /v2.0/appkeys/${APP.appKey}/credit-card HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ${APP.secretKey}\r\nX-Key-Version: ${version}\r\n` +
      `Symmetric-Key: ${wrapSymmetricKey(publicKey, key)}\r\nContent-Type: multipart/form-data; boundary=b\r\nContent-Length: ${body.length}\r\n\r\n`,
  );
  const half = Math.floor(body.length / 2);
  return [Buffer.concat([head, body.subarray(0, half)]), body.subarray(half)];
}

const resultCode = (answer: WireAnswer) => (JSON.parse(answer.body.toString('utf8')) as { header: { resultCode: number } }).header.resultCode;

/**
 * The drain, the same alone and with workers: a slow call and an upload in flight, an idle
 * keep-alive connection; SIGTERM; then the order of what happens.
 */
async function drainsOnSigterm(emu: SpawnedEmulator): Promise<void> {
  const port = portOf(emu);
  const idle = await idleKeepAlive(emu);
  const events: string[] = [];
  void idle.closed.then(() => events.push('idle closed'));
  const slow = slowCall(emu).then((answer) => {
    events.push('slow answered');
    return answer;
  });
  // The second half of the upload goes well after the signal (a request still sending its body).
  const upload = sendRaw(port, { bytes: await uploadInTwo(emu), chunkDelayMs: SLOW_MS / 2, timeoutMs: SLOW_MS + 15_000 }).then((answer) => {
    events.push('upload answered');
    return answer;
  });
  // In flight: a later request on another connection has been answered.
  expect((await fetch(`${emu.url}/__emulator/health`)).status).toBe(200);
  const exited = emu.stop('SIGTERM');
  await untilOutput(emu, /stopping \(SIGTERM\)/);
  expect(await untilRefused(port)).toBe(true);
  events.push('refused');
  await idle.closed;
  const [slowAnswer, uploadAnswer] = await Promise.all([slow, upload]);
  expect(slowAnswer).toMatchObject({ status: 200, closedWithoutAnswer: false });
  expect(slowAnswer.headers['connection']).toBe('close');
  expect(resultCode(slowAnswer)).toBe(0);
  expect(uploadAnswer).toMatchObject({ status: 200, closedWithoutAnswer: false });
  expect(uploadAnswer.headers['connection']).toBe('close');
  expect(resultCode(uploadAnswer)).toBe(0);
  // Refused and idle closed while the slow call was still waiting, and while the upload was still
  // being sent: not after either.
  expect(events.slice(0, 2).sort()).toEqual(['idle closed', 'refused']);
  expect(events.slice(2).sort()).toEqual(['slow answered', 'upload answered']);
  expect(await exited).toBe(0);
  expect(emu.output()).not.toMatch(/unanswered|internal fault/);
}

describe('SIGTERM drains a single process', () => {
  it('answers the slow call and the upload in flight, refuses new connections, closes the idle one, exits 0', async () => {
    // A keep-alive timeout far past the test: an idle connection closes because of the drain. And
    // a bound far past it too: here nothing may be cut.
    const emu = await spawnEmulator({ EMULATOR_SCENARIOS_DIR: scenarios, EMULATOR_KEEP_ALIVE_TIMEOUT_MS: '600000', EMULATOR_SHUTDOWN_TIMEOUT_MS: '60000' });
    try {
      await drainsOnSigterm(emu);
    } finally {
      await emu.stop('SIGKILL');
    }
  });

  it('closes what is still unanswered once EMULATOR_SHUTDOWN_TIMEOUT_MS passes, says so, and exits 0', async () => {
    const emu = await spawnEmulator({ EMULATOR_SCENARIOS_DIR: scenarios, EMULATOR_SHUTDOWN_TIMEOUT_MS: '300' });
    try {
      const slow = slowCall(emu);
      expect((await fetch(`${emu.url}/__emulator/health`)).status).toBe(200);
      expect(await emu.stop('SIGTERM')).toBe(0);
      expect(await slow).toMatchObject({ status: 0, closedWithoutAnswer: true });
      expect(emu.output()).toContain('nhn-ocr-emulator: 1 request still unanswered after 300 ms (EMULATOR_SHUTDOWN_TIMEOUT_MS); closed without an answer');
    } finally {
      await emu.stop('SIGKILL');
    }
  });

  it('stops at once on a second signal', async () => {
    const emu = await spawnEmulator({ EMULATOR_SCENARIOS_DIR: scenarios, EMULATOR_SHUTDOWN_TIMEOUT_MS: '600000' });
    try {
      const slow = slowCall(emu);
      expect((await fetch(`${emu.url}/__emulator/health`)).status).toBe(200);
      const exited = emu.stop('SIGTERM');
      await untilOutput(emu, /stopping \(SIGTERM\)/);
      emu.child.kill('SIGINT');
      expect(await exited).toBe(0);
      expect(emu.output()).toContain('nhn-ocr-emulator: SIGINT again, stopping now without waiting for the requests in flight');
      // Before the slow call's answer was due.
      expect(await slow).toMatchObject({ status: 0, closedWithoutAnswer: true });
    } finally {
      await emu.stop('SIGKILL');
    }
  });
});

if (!REDIS_SERVER) console.warn(`worker-process stopping tests skipped: ${NO_REDIS_REASON}`);

describe.skipIf(!REDIS_SERVER)('SIGTERM drains EMULATOR_WORKERS=2', () => {
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.stop();
  });
  const workerEnv = () => ({
    EMULATOR_WORKERS: '2',
    EMULATOR_REDIS_URL: redis.url,
    EMULATOR_REDIS_SECRET: 'stopping test secret, long enough',
    EMULATOR_REDIS_PREFIX: `stopping-${randomBytes(4).toString('hex')}:`,
    EMULATOR_SCENARIOS_DIR: scenarios,
    EMULATOR_KEEP_ALIVE_TIMEOUT_MS: '600000',
    // The bound is another test's: here nothing may be cut, however late a loaded worker reads its request.
    EMULATOR_SHUTDOWN_TIMEOUT_MS: '60000',
  });

  it('answers what is in flight on every worker, refuses new connections, exits 0', async () => {
    const emu = await spawnEmulator(workerEnv(), 30_000);
    try {
      await drainsOnSigterm(emu);
    } finally {
      await emu.stop('SIGKILL');
    }
  });
});
