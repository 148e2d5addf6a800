/**
 * Runs the wire fuzzer: starts the emulators under test in-process, takes envelope material
 * from them, and checks generated requests one by one with the oracle, checking now and then
 * that a good request still gets a good answer. Shared by the CI test
 * (test/fuzz/wire.fuzz.test.ts) and the long run (`npm run fuzz`).
 *
 * Two emulators, so the admin fuzz (which resets, rotates, revokes and queues) never changes
 * what the API fuzz expects: one takes API traffic and random paths, the other the admin API
 * (with an admin token, so the token check is fuzzed too).
 */
import fc from 'fast-check';
import { createOcrClient, wrapSymmetricKey, type OcrClient } from '../../contracts/client/index.js';
import { startEmulator, type RunningEmulator } from '../../server/index.js';
import { fixture, fixedKeyFactory } from '../support/fixtures.js';
import { adminSurface, apiSurface, oddWrapsFor, symmetricKeyPool, type FuzzContext, type Service } from './arbitraries.js';
import { judge } from './oracle.js';
import { describeCase, serializeCase, type WireCase } from './wire-case.js';
import { sendRaw, type WireAnswer } from '../support/wire-client.js';

const APP = { appKey: 'emulator-appkey', secretKey: 'emulator-secretkey' } as const;
const ADMIN_TOKEN = 'fuzz-admin-token';
/**
 * Small, so that oversized bodies cost little; above the authenticity body bound (64 KiB), so
 * that a body between the two gets its own answer (4000001) and one above the limit 4131000.
 */
const MAX_UPLOAD_BYTES = 128 * 1024;
/** The most an entry of the journal may hold (every text at its 512-character bound: ~6 KiB). */
const JOURNAL_ENTRY_MAX_BYTES = 8 * 1024;

/** An emulator under fuzz. */
export interface FuzzTarget {
  emulator: RunningEmulator;
  ctx: FuzzContext;
  client: OcrClient;
  /** Everything the emulator reported as an internal fault (there should be none). */
  faults: unknown[];
  /** A problem when the emulator no longer answers a good request well. */
  alive(final?: boolean): Promise<string | undefined>;
  close(): Promise<void>;
}

/**
 * Starts the emulator for API fuzzing and takes its envelope material.
 * @example const target = await startApiTarget(); await runSurface(target, 'api', { seed: 1, numRuns: 100 })
 */
export async function startApiTarget(): Promise<FuzzTarget> {
  return startTarget(false);
}

/**
 * Starts the emulator for admin fuzzing (admin token set).
 * @example const target = await startAdminTarget()
 */
export async function startAdminTarget(): Promise<FuzzTarget> {
  return startTarget(true);
}

async function startTarget(admin: boolean): Promise<FuzzTarget> {
  const faults: unknown[] = [];
  const emulator = await startEmulator({
    port: 0,
    keyFactory: fixedKeyFactory(),
    credentials: new Map([
      [APP.appKey, APP.secretKey],
      ['other-appkey', 'other-secretkey'],
    ]),
    maxUploadBytes: MAX_UPLOAD_BYTES,
    watchScenarios: false,
    onFault: (error) => faults.push(error),
    logger: () => {},
    ...(admin ? { adminToken: ADMIN_TOKEN } : {}),
  });
  const client = createOcrClient({ baseUrl: emulator.url, ...APP });
  const scenarios = emulator.engine.scenarios
    .list()
    .filter((s) => ![s.outcome ?? {}, ...(s.sequence ?? [])].some((o) => o.fault || o.delayMs))
    .map((s) => s.name);
  const ctx = await buildFuzzContext(emulator.url, {
    maxUploadBytes: MAX_UPLOAD_BYTES,
    requestKeys: admin ? 1 : 24,
    scenarios,
    ...(admin ? { adminToken: ADMIN_TOKEN } : {}),
  });
  const { requestKeys } = ctx;
  const idImage = fixture('id-resident-900x570.jpg');
  const card = fixture('card-428x270.jpg');
  const adminHeaders: Record<string, string> = admin ? { Authorization: `Bearer ${ADMIN_TOKEN}` } : {};

  async function alive(final = false): Promise<string | undefined> {
    try {
      const health = await fetch(`${emulator.url}/__emulator/health`);
      if (health.status !== 200) return `health answered ${health.status}`;
      if (final) {
        // Whatever the cases sent, the journal stays small an entry, and no upload bytes are held.
        const stats = (await (await fetch(`${emulator.url}/__emulator/stats`, { headers: adminHeaders })).json()) as {
          journal: { held: number; bytes: number };
          uploads: { heldBytes: number; waiting: number };
        };
        if (stats.journal.bytes > stats.journal.held * JOURNAL_ENTRY_MAX_BYTES)
          return `the journal holds ${stats.journal.bytes} bytes in ${stats.journal.held} entries`;
        if (stats.uploads.heldBytes !== 0 || stats.uploads.waiting !== 0) return `upload bytes still held after the run: ${JSON.stringify(stats.uploads)}`;
      }
      if (admin && final) {
        // The admin fuzz may have queued failures, revoked keys or moved the clock: start over.
        const reset = await fetch(`${emulator.url}/__emulator/reset`, { method: 'POST', headers: adminHeaders });
        if (reset.status !== 200) return `reset answered ${reset.status}`;
      }
      if (admin && !final) {
        const answer = await client.fetchPublicKey('credit-card');
        return Number.isInteger(answer.resultCode) ? undefined : `public key answered ${JSON.stringify(answer.body)}`;
      }
      const answer = await client.creditCard(card, { publicKey: await client.publicKey('credit-card', true) });
      if (answer.resultCode !== 0 || !/^\d{16}$/.test(answer.result?.totalCardNum ?? '')) {
        return `a good credit-card request answered ${JSON.stringify(answer.body).slice(0, 300)}`;
      }
      if (!admin) {
        // A fresh Request-Key now and then: authenticity calls that succeed use them up.
        const id = await client.idCard(idImage, { publicKey: await client.publicKey('id-card', true) });
        if (id.resultCode !== 0 || !id.requestKey) return `a good id-card request answered ${JSON.stringify(id.body).slice(0, 300)}`;
        requestKeys.push(id.requestKey);
        if (requestKeys.length > 200) requestKeys.shift();
      }
      return undefined;
    } catch (error) {
      return `a good request failed: ${String(error)}`;
    }
  }

  return { emulator, ctx, client, faults, alive, close: () => emulator.close() };
}

/**
 * Takes envelope material from a running emulator (any URL: in-process or spawned) for the
 * generators: its public keys, Symmetric-Key headers for a fixed pool of keys, Request-Keys.
 * @example const ctx = await buildFuzzContext(url, { maxUploadBytes: 20 * 1024 * 1024, requestKeys: 10, scenarios: [] })
 */
export async function buildFuzzContext(
  url: string,
  options: { maxUploadBytes: number; requestKeys: number; scenarios: string[]; adminToken?: string; credentials?: { appKey: string; secretKey: string } },
): Promise<FuzzContext> {
  const credentials = options.credentials ?? APP;
  const client = createOcrClient({ baseUrl: url, ...credentials });
  const publicKeys = {} as FuzzContext['publicKeys'];
  const symmetricKeys = symmetricKeyPool(4);
  const wrapped = {} as FuzzContext['wrapped'];
  const oddWraps = {} as FuzzContext['oddWraps'];
  for (const service of ['credit-card', 'id-card'] as Service[]) {
    const key = await client.publicKey(service);
    publicKeys[service] = key;
    wrapped[service] = symmetricKeys.map((k) => wrapSymmetricKey(key.key, k));
    oddWraps[service] = oddWrapsFor(key.key);
  }
  const idImage = fixture('id-resident-900x570.jpg');
  const requestKeys: string[] = [];
  for (let i = 0; i < options.requestKeys; i++) {
    const answer = await client.idCard(idImage, { scenario: ['id-card/resident', 'id-card/driver', 'id-card/passport'][i % 3]! });
    if (answer.requestKey) requestKeys.push(answer.requestKey);
  }
  return {
    ...credentials,
    maxUploadBytes: options.maxUploadBytes,
    publicKeys,
    symmetricKeys,
    wrapped,
    oddWraps,
    images: ['card-428x270.jpg', 'card-428x270.png', 'card-856x540.jpg', 'id-resident-900x570.jpg'].map(fixture),
    requestKeys,
    scenarios: options.scenarios,
    ...(options.adminToken ? { adminToken: options.adminToken } : {}),
  };
}

/** Options of one fuzz run. */
export interface RunOptions {
  seed: number;
  numRuns: number;
  /** Check a good request every this many cases (default 100). */
  checkEvery?: number;
  /** Replay one shrunk counterexample (fast-check's `path`). */
  path?: string;
  /** Per-request time allowed (default 10 s). */
  timeoutMs?: number;
  /** Called every `checkEvery` cases. */
  onProgress?: (done: number) => void;
  /** Shrink a failing case (default true); false reports the first failure as found. */
  shrink?: boolean;
  /** Counts answers by kind (`resultCode 4000302`, `admin 404`, `parser 400`, ...) when given. */
  tally?: Map<string, number>;
}

/**
 * What kind of answer a case got, for coverage tallies.
 * @example answerKind(answer) // 'resultCode 4000302'
 */
export function answerKind(answer: WireAnswer): string {
  if (answer.timedOut) return 'timed out';
  if (answer.closedWithoutAnswer) return 'closed';
  if (answer.headers['content-type'] === undefined) return `parser ${answer.status}`;
  if (answer.status === 200 && /json/.test(answer.headers['content-type'])) {
    const code = (JSON.parse(answer.body.toString('utf8') || '{}') as { header?: { resultCode?: number } }).header?.resultCode;
    if (code !== undefined) return `resultCode ${code}`;
  }
  return `HTTP ${answer.status}`;
}

/**
 * Runs one surface's property against a target and returns fast-check's details (check
 * `failed`; `fc.defaultReportMessage(details)` explains a failure with seed and path).
 * @example const details = await runSurface(target, 'api', { seed: 42, numRuns: 1500 })
 */
export async function runSurface(target: FuzzTarget, surface: 'api' | 'admin', options: RunOptions): Promise<fc.RunDetails<[WireCase]>> {
  const checkEvery = options.checkEvery ?? 100;
  const arbitrary = (surface === 'api' ? apiSurface(target.ctx) : adminSurface(target.ctx)).map(
    (c): WireCase => Object.assign(c, { [fc.toStringMethod]: () => describeCase(c) }),
  );
  let done = 0;
  const property = fc.asyncProperty(arbitrary, async (wireCase) => {
    if (process.env['FUZZ_TRACE']) console.log(`#${done + 1} ${describeCase(wireCase)}`);
    const sent = serializeCase(wireCase);
    const before = await connections(target);
    const answer = await sendRaw(target.emulator.port, {
      bytes: sent.chunks,
      endAfterWrite: sent.endAfterWrite,
      head: sent.head,
      timeoutMs: options.timeoutMs ?? 10_000,
    });
    if (process.env['FUZZ_TRACE']) console.log(`  -> ${answerKind(answer)}`);
    // Let the server see the connection close, so a fault it causes is pinned on this case.
    await settle(target, before);
    const problem = judge(wireCase, sent, answer);
    if (options.tally && !problem) {
      const kind = answerKind(answer);
      options.tally.set(kind, (options.tally.get(kind) ?? 0) + 1);
    }
    if (problem) throw new Error(`${problem}\n  sent as: ${sent.validHttp ? 'valid HTTP/1.1' : `invalid HTTP/1.1 (${sent.invalidBecause})`}`);
    const fault = target.faults.shift();
    if (fault !== undefined) {
      target.faults.length = 0;
      throw new Error(`the emulator reported an internal fault: ${describeFault(fault)}`);
    }
    if (++done % checkEvery === 0) {
      options.onProgress?.(done);
      const dead = await target.alive();
      if (dead) throw new Error(`after ${done} cases: ${dead}`);
    }
  });
  return fc.check(property, {
    seed: options.seed,
    numRuns: options.numRuns,
    ...(options.path ? { path: options.path } : {}),
    endOnFailure: options.shrink === false,
  });
}

function connections(target: FuzzTarget): Promise<number> {
  return new Promise((resolve) => target.emulator.server.getConnections((_error, count) => resolve(count)));
}

/** Waits (up to 500 ms) until the server holds no more connections than before the case. */
async function settle(target: FuzzTarget, before: number): Promise<void> {
  for (let waited = 0; waited < 500; waited += 2) {
    if ((await connections(target)) <= before) break;
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  await new Promise((resolve) => setImmediate(resolve));
}

/**
 * One line about a fault, with the first stack frames (for the report, not for the wire).
 * @example describeFault(new Error('x')) // 'Error: x at ...'
 */
export function describeFault(error: unknown): string {
  if (error instanceof Error) return (error.stack ?? String(error)).split('\n').slice(0, 6).join('\n');
  return String(error);
}
