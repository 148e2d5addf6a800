/**
 * `npm run soak`: mixed traffic against a spawned emulator on 127.0.0.1 for a while (10 minutes
 * by default, `--minutes N`), then a verdict. The mix: good calls to all five endpoints
 * (authenticity with the Request-Key just issued), broken envelopes (OAEP, another IV, a 16-byte
 * key, an unknown key version, raw ciphertext), generated malformed requests (the wire fuzz
 * generators), slow clients, dropped connections, oversized uploads, admin reads and queued
 * scenarios for a second app key; and the attacks the emulator is bounded against (docs/security.md,
 * "Attacks"): calls with 14,000-character app keys, 2 MB authenticity bodies, CONNECT and odd
 * Expect headers, the admin token without Bearer, parallel uploads past a small in-flight budget
 * (EMULATOR_MAX_INFLIGHT_BYTES=8 MB here), and FIFOs, oversized and large files in a scenario
 * folder. The longest `GET /__emulator/health` took is reported (not judged).
 *
 * It reports the emulator's resident memory and open file descriptors (/proc/<pid>) and the
 * error counts at the start and at the end, and prints a verdict line: PASS when no answer was
 * unexpected, the emulator reported no internal fault, still serves a good request, its
 * descriptors went back to where they started and its memory grew by less than 100 MB.
 * Every loop ends at the deadline; a watchdog ends the run two minutes after it regardless.
 *
 *   npm run soak                  # 10 minutes
 *   npm run soak -- --minutes 1   # a short check
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import fc from 'fast-check';
import { createOcrClient, encryptBytes, newSymmetricKey, wrapSymmetricKey, type OcrClient } from '../../contracts/client/index.js';
import { apiSurface, type FuzzContext } from '../fuzz/arbitraries.js';
import { buildFuzzContext } from '../fuzz/fuzz-session.js';
import { judge } from '../fuzz/oracle.js';
import { describeCase, serializeCase, type WireCase } from '../fuzz/wire-case.js';
import { authenticityFieldsFor } from '../support/id-cards.js';
import { fixture } from '../support/fixtures.js';
import { openFds, rssBytes } from '../support/proc-stats.js';
import { spawnEmulator, type SpawnedEmulator } from '../../contracts/lib/spawn-emulator.js';
import { sendRaw } from '../support/wire-client.js';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    workers: { type: 'string', default: '6' },
  },
});
const minutes = Number(values.minutes);
const workers = Number(values.workers);
if (!(minutes > 0 && minutes <= 24 * 60) || !Number.isInteger(workers) || workers < 1 || workers > 64) {
  console.error('usage: npm run soak -- [--minutes N (default 10)] [--workers N (default 6)]');
  process.exit(2);
}

const APP = { appKey: 'emulator-appkey', secretKey: 'emulator-secretkey' };
const SCRIPTED = { appKey: 'soak-app', secretKey: 'soak-secret' };
const ADMIN_TOKEN = 'soak-admin-token';
const ADMIN = { Authorization: `Bearer ${ADMIN_TOKEN}` };
const SCENARIO_DIR = mkdtempSync(join(tmpdir(), 'soak-scenarios-'));
const INFLIGHT_BYTES = 8 * 1024 * 1024;
const MB = 1024 * 1024;
const IMAGES = {
  card: fixture('card-428x270.jpg'),
  cardPng: fixture('card-856x540.png'),
  resident: fixture('id-resident-900x570.jpg'),
  driver: fixture('id-driver-900x570.jpg'),
};

/** Outcomes per kind of traffic: how many went as expected, and the unexpected ones. */
const tally = new Map<string, { ok: number; unexpected: number }>();
const samples: string[] = [];
function record(kind: string, problem?: string): void {
  const entry = tally.get(kind) ?? { ok: 0, unexpected: 0 };
  if (problem === undefined) entry.ok++;
  else {
    entry.unexpected++;
    if (samples.length < 20) samples.push(`${kind}: ${problem}`);
  }
  tally.set(kind, entry);
}
const unexpected = () => [...tally.values()].reduce((n, t) => n + t.unexpected, 0);
const total = () => [...tally.values()].reduce((n, t) => n + t.ok + t.unexpected, 0);
const expectCode = (kind: string, got: number, ...want: number[]) =>
  record(kind, want.includes(got) ? undefined : `resultCode ${got}, expected ${want.join(' or ')}`);

/** A deterministic mix (seeded), so two runs stress the same way. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface World {
  emu: SpawnedEmulator;
  port: number;
  client: OcrClient;
  scripted: OcrClient;
  ctx: FuzzContext;
  deadline: number;
}

/** The longest a health call took during the run (reported, not judged: the machine is shared). */
let healthMaxMs = 0;

/** One scenario-folder change at a time: each expects the reload its own change causes. */
let folderLock: Promise<void> = Promise.resolve();

function resultCode(answer: { status: number; body: Buffer }): number | undefined {
  if (answer.status !== 200) return undefined;
  try {
    return (JSON.parse(answer.body.toString('utf8')) as { header: { resultCode: number } }).header.resultCode;
  } catch {
    return undefined;
  }
}

/** Generated malformed requests, sampled a hundred at a time. */
let generator: fc.Arbitrary<WireCase> | undefined;
const generated: WireCase[] = [];

/** One unit of traffic of each kind; weights are relative. */
const ACTIONS: Array<{ kind: string; weight: number; run: (w: World, random: () => number) => Promise<void> }> = [
  {
    kind: 'good credit-card',
    weight: 10,
    run: async ({ client }, random) => {
      const answer = await client.creditCard(random() < 0.5 ? IMAGES.card : IMAGES.cardPng);
      record(
        'good credit-card',
        answer.resultCode === 0 && /^\d{15,16}$/.test(answer.result?.totalCardNum ?? '') ? undefined : `answered ${JSON.stringify(answer.body).slice(0, 200)}`,
      );
    },
  },
  {
    kind: 'good id-card + authenticity',
    weight: 6,
    run: async ({ client }, random) => {
      const id = await client.idCard(random() < 0.5 ? IMAGES.resident : IMAGES.driver);
      if (id.resultCode !== 0 || !id.requestKey) return record('good id-card + authenticity', `id-card answered ${JSON.stringify(id.body).slice(0, 200)}`);
      const verdict = await client.authenticity(id.requestKey, authenticityFieldsFor(id.result!));
      record(
        'good id-card + authenticity',
        verdict.resultCode === 0 && verdict.result?.isAuthenticity === true ? undefined : `authenticity answered ${JSON.stringify(verdict.body)}`,
      );
    },
  },
  {
    kind: 'good stand-alone',
    weight: 3,
    run: async ({ client }) => {
      const answer = await client.idCardStandAlone(IMAGES.resident);
      record(
        'good stand-alone',
        answer.resultCode === 0 && answer.requestKey === undefined ? undefined : `answered ${JSON.stringify(answer.body).slice(0, 200)}`,
      );
    },
  },
  {
    kind: 'public key',
    weight: 3,
    run: async ({ client }, random) => {
      const answer = await client.fetchPublicKey(random() < 0.5 ? 'credit-card' : 'id-card');
      expectCode('public key', answer.resultCode, 0);
    },
  },
  {
    kind: 'broken envelope',
    weight: 6,
    run: async ({ client }, random) => {
      const which = Math.floor(random() * 5);
      if (which === 0) expectCode('broken envelope', (await client.creditCard(IMAGES.card, { padding: 'oaep' })).resultCode, 4000302);
      else if (which === 1) expectCode('broken envelope', (await client.creditCard(IMAGES.card, { iv: Buffer.alloc(16, 7) })).resultCode, 4000003);
      else if (which === 2) {
        // A 16-byte key wrapped correctly (the image still goes under a 32-byte one).
        const symmetricKeyHeader = wrapSymmetricKey((await client.publicKey('id-card')).key, newSymmetricKey(16));
        expectCode('broken envelope', (await client.idCard(IMAGES.resident, { symmetricKeyHeader })).resultCode, 4000302);
      } else if (which === 3) expectCode('broken envelope', (await client.creditCard(IMAGES.card, { keyVersion: '99' })).resultCode, 4000301);
      else expectCode('broken envelope', (await client.creditCard(IMAGES.card, { imageCiphertext: IMAGES.card })).resultCode, 4000303);
    },
  },
  {
    kind: 'generated malformed request',
    weight: 8,
    run: async ({ port, ctx }, random) => {
      if (generated.length === 0) generated.push(...fc.sample((generator ??= apiSurface(ctx)), { numRuns: 100, seed: Math.floor(random() * 2 ** 31) }));
      const wireCase = generated.pop()!;
      const sent = serializeCase(wireCase);
      const answer = await sendRaw(port, { bytes: sent.chunks, endAfterWrite: sent.endAfterWrite, head: sent.head, timeoutMs: 30_000 });
      const problem = judge(wireCase, sent, answer);
      const detail = `status ${answer.status}, socket ${answer.socketError ?? 'ok'}, sent ${answer.sentBytes} bytes\n${describeCase(wireCase)}`;
      record('generated malformed request', problem === undefined ? undefined : `${problem}; ${detail}`);
    },
  },
  {
    kind: 'slow client',
    weight: 1,
    run: async ({ port }) => {
      // A whole request a few bytes at a time over ~3 s: slow, but within the 20 s headers deadline.
      const text = `GET /v2.0/appkeys/${APP.appKey}/public-keys/id-card HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ${APP.secretKey}\r\nConnection: close\r\n\r\n`;
      const pieces = text.match(/[\s\S]{1,4}/g)!.map((p) => Buffer.from(p));
      const answer = await sendRaw(port, { bytes: pieces, chunkDelayMs: Math.floor(3000 / pieces.length), timeoutMs: 30_000 });
      const code = answer.status === 200 ? (JSON.parse(answer.body.toString('utf8')) as { header: { resultCode: number } }).header.resultCode : undefined;
      record('slow client', code === 0 ? undefined : `status ${answer.status}, code ${code}`);
    },
  },
  {
    kind: 'dropped connection',
    weight: 3,
    run: async ({ port }, random) => {
      const publicKeyHeaders = `Authorization: ${APP.secretKey}\r\n`;
      const which = Math.floor(random() * 3);
      await new Promise<void>((resolve) => {
        const socket = connect(port, '127.0.0.1');
        socket.on('error', () => {});
        socket.on('close', () => resolve());
        socket.on('connect', () => {
          if (which === 0)
            socket.resetAndDestroy(); // connect, then RST
          else if (which === 1) {
            // Headers and half a declared body, then RST.
            socket.write(
              `POST /v2.0/appkeys/${APP.appKey}/credit-card HTTP/1.1\r\nHost: x\r\n${publicKeyHeaders}Content-Type: multipart/form-data; boundary=b\r\nContent-Length: 100000\r\n\r\n--b\r\n`,
            );
            setTimeout(() => socket.resetAndDestroy(), 20);
          } else {
            // A whole request, gone before the answer.
            socket.write(`GET /v2.0/appkeys/${APP.appKey}/public-keys/credit-card HTTP/1.1\r\nHost: x\r\n${publicKeyHeaders}\r\n`);
            socket.destroy();
          }
        });
      });
      record('dropped connection');
    },
  },
  {
    kind: 'oversized upload',
    weight: 0.2,
    run: async ({ port, client }) => {
      const key = await client.publicKey('credit-card');
      const head = Buffer.from(
        `POST /v2.0/appkeys/${APP.appKey}/credit-card HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ${APP.secretKey}\r\nX-Key-Version: ${key.version}\r\nSymmetric-Key: ${wrapSymmetricKey(key.key, newSymmetricKey())}\r\nContent-Type: multipart/form-data; boundary=b\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n`,
      );
      const block = Buffer.alloc(MB, 1);
      function* body() {
        yield head;
        const part = Buffer.from('--b\r\nContent-Disposition: form-data; name="image"; filename="x"\r\n\r\n');
        yield Buffer.from(`${part.length.toString(16)}\r\n`);
        yield part;
        yield Buffer.from('\r\n');
        for (let i = 0; i < 24; i++) {
          yield Buffer.from(`${block.length.toString(16)}\r\n`);
          yield block;
          yield Buffer.from('\r\n');
        }
        yield Buffer.from('0\r\n\r\n');
      }
      const answer = await sendRaw(port, { bytes: body(), timeoutMs: 60_000 });
      const code = answer.status === 200 ? (JSON.parse(answer.body.toString('utf8')) as { header: { resultCode: number } }).header.resultCode : undefined;
      record('oversized upload', code === 4131000 ? undefined : `status ${answer.status}, code ${code}`);
    },
  },
  {
    kind: 'admin read',
    weight: 2,
    run: async ({ emu }, random) => {
      const path = ['/requests?limit=20', '/keys', '/queue', '/clock', '/scenarios', '/requests?failed=true&limit=5', '/stats'][Math.floor(random() * 7)]!;
      const res = await fetch(`${emu.url}/__emulator${path}`, { headers: ADMIN });
      await res.arrayBuffer();
      record('admin read', res.status === 200 ? undefined : `GET ${path}: ${res.status}`);
    },
  },
  {
    kind: 'queued scenario',
    weight: 1,
    run: async ({ emu, scripted }) => {
      // For the second app key only, so the good traffic of the first is never scripted.
      const queued = await fetch(`${emu.url}/__emulator/queue`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...ADMIN },
        body: JSON.stringify({ scenario: 'credit-card/not-found', times: 1, appKey: SCRIPTED.appKey }),
      });
      await queued.arrayBuffer();
      if (queued.status !== 201) return record('queued scenario', `queue answered ${queued.status}`);
      // Other workers queue too: each shot is used by exactly one call, so 4000111 or 0.
      expectCode('queued scenario', (await scripted.creditCard(IMAGES.card)).resultCode, 4000111, 0);
    },
  },
  {
    kind: 'health',
    weight: 1,
    run: async ({ emu }) => {
      const started = performance.now();
      const res = await fetch(`${emu.url}/__emulator/health`);
      await res.arrayBuffer();
      healthMaxMs = Math.max(healthMaxMs, performance.now() - started);
      record('health', res.status === 200 ? undefined : `health: ${res.status}`);
    },
  },
  {
    kind: 'long app key',
    weight: 2,
    run: async ({ port }, random) => {
      // Unauthenticated, with a 14,000-character app key: the journal keeps ~2 KB of it, not 40.
      const wrong = random() < 0.5;
      const appKey = `${Math.floor(random() * 1e9)}-`.padEnd(14_000, 'k');
      const answer = await sendRaw(port, {
        bytes: Buffer.from(
          `GET /v2.0/appkeys/${appKey}/public-keys/credit-card HTTP/1.1\r\nHost: 127.0.0.1\r\n${wrong ? 'Authorization: wrong\r\n' : ''}Connection: close\r\n\r\n`,
        ),
        timeoutMs: 30_000,
      });
      const code = resultCode(answer);
      record('long app key', code === (wrong ? 4010001 : 4000005) ? undefined : `status ${answer.status}, code ${code}`);
    },
  },
  {
    kind: 'oversized authenticity',
    weight: 0.3,
    run: async ({ port, client }) => {
      // Within the upload limit but far over the 64 KiB an authenticity body may be: 4000001.
      const key = await client.publicKey('id-card');
      const body = Buffer.alloc(2 * MB, '[');
      const head = `POST /v2.0/appkeys/${APP.appKey}/id-card/authenticity HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ${APP.secretKey}\r\nX-Key-Version: ${key.version}\r\nSymmetric-Key: ${wrapSymmetricKey(key.key, newSymmetricKey())}\r\nRequest-Key: 00000000-0000-4000-8000-000000000000\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`;
      const answer = await sendRaw(port, { bytes: [Buffer.from(head), body], timeoutMs: 30_000 });
      const code = resultCode(answer);
      record('oversized authenticity', code === 4000001 ? undefined : `status ${answer.status}, code ${code}`);
    },
  },
  {
    kind: 'CONNECT or Expect',
    weight: 1,
    run: async ({ port }, random) => {
      if (random() < 0.5) {
        const answer = await sendRaw(port, {
          bytes: Buffer.from(`CONNECT /v2.0/appkeys/${APP.appKey}/credit-card HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`),
          timeoutMs: 30_000,
        });
        const code = resultCode(answer);
        record('CONNECT or Expect', code === 4041007 ? undefined : `CONNECT: status ${answer.status}, code ${code}`);
      } else {
        const answer = await sendRaw(port, {
          bytes: Buffer.from(
            `GET /v2.0/appkeys/${APP.appKey}/public-keys/id-card HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ${APP.secretKey}\r\nExpect: 999-bogus\r\nConnection: close\r\n\r\n`,
          ),
          timeoutMs: 30_000,
        });
        const code = resultCode(answer);
        record('CONNECT or Expect', code === 0 ? undefined : `Expect: status ${answer.status}, code ${code}`);
      }
    },
  },
  {
    kind: 'admin token without Bearer',
    weight: 0.5,
    run: async ({ emu }) => {
      const bare = await fetch(`${emu.url}/__emulator/requests?limit=1`, { headers: { Authorization: ADMIN_TOKEN } });
      await bare.arrayBuffer();
      const lower = await fetch(`${emu.url}/__emulator/requests?limit=1`, { headers: { Authorization: `bearer ${ADMIN_TOKEN}` } });
      await lower.arrayBuffer();
      record('admin token without Bearer', bare.status === 401 && lower.status === 200 ? undefined : `bare: ${bare.status}, bearer: ${lower.status}`);
    },
  },
  {
    kind: 'parallel uploads',
    weight: 0.1,
    run: async ({ client }) => {
      // Six 3 MB uploads at once against an 8 MB in-flight budget: some wait, all are answered.
      const key = await client.publicKey('credit-card');
      const image = Buffer.concat([IMAGES.card, Buffer.alloc(3 * MB - IMAGES.card.length, 0x20)]);
      const answers = await Promise.all(
        Array.from({ length: 6 }, () => {
          const symmetric = newSymmetricKey();
          return client.raw({
            method: 'POST',
            path: `/v2.0/appkeys/${APP.appKey}/credit-card`,
            headers: { Authorization: APP.secretKey, 'X-Key-Version': key.version, 'Symmetric-Key': wrapSymmetricKey(key.key, symmetric) },
            multipart: { image: encryptBytes(symmetric, image) },
          });
        }),
      );
      const codes = answers.map((a) => a.body.header.resultCode);
      record('parallel uploads', codes.every((c) => c === 0) ? undefined : `codes ${codes.join(', ')}`);
    },
  },
  {
    kind: 'scenario folder',
    weight: 0.3,
    run: (world, random) => {
      const run = folderLock.then(() => changeScenarioFolder(world, random));
      folderLock = run.catch(() => {});
      return run;
    },
  },
];

/**
 * One change to the scenario folder and the reload it causes: a FIFO or an oversized file is a
 * listed problem (the last good set stays), a large file within the bound loads (parsed on a
 * worker thread); then the folder is put back and reloads clean.
 */
async function changeScenarioFolder({ emu }: World, random: () => number): Promise<void> {
  const reload = async () => {
    const res = await fetch(`${emu.url}/__emulator/scenarios/reload`, { method: 'POST', headers: ADMIN });
    return { status: res.status, body: (await res.json()) as { problems: Array<{ file: string; problems: string[] }> } };
  };
  const which = Math.floor(random() * 3);
  const file = join(SCENARIO_DIR, ['fifo.yaml', 'oversized.yaml', 'large.yaml'][which]!);
  const step = '  - creditCard: { cardNumber: "4111 1111 1111 1111", validThru: "12/30" }\n';
  try {
    if (which === 0) execFileSync('mkfifo', [file]);
    else writeFileSync(file, `description: soak\nendpoints: [credit-card]\nsequence:\n${step.repeat(which === 1 ? 4000 : 2000)}`);
    const answer = await reload();
    const problem = answer.body.problems.find((p) => p.file === file)?.problems[0] ?? '';
    const ok = which === 2 ? answer.status === 200 : answer.status === 422 && (which === 0 ? /FIFO/.test(problem) : /at most \d+ are read/.test(problem));
    record('scenario folder', ok ? undefined : `${file}: reload ${answer.status} ${JSON.stringify(answer.body.problems).slice(0, 300)}`);
  } finally {
    rmSync(file, { force: true });
  }
  const back = await reload();
  if (back.status !== 200) record('scenario folder', `after removing the file: reload ${back.status} ${JSON.stringify(back.body.problems).slice(0, 300)}`);
}

async function worker(world: World, seed: number): Promise<void> {
  const random = prng(seed);
  const weights = ACTIONS.reduce((n, a) => n + a.weight, 0);
  while (Date.now() < world.deadline) {
    let pick = random() * weights;
    const action = ACTIONS.find((a) => (pick -= a.weight) < 0) ?? ACTIONS[0]!;
    try {
      await action.run(world, random);
    } catch (error) {
      record(action.kind, `threw ${String(error)}`);
    }
  }
}

const mb = (bytes: number) => `${(bytes / MB).toFixed(1)} MB`;
const faultsIn = (output: string) => (output.match(/internal fault/g) ?? []).length;

async function main(): Promise<number> {
  writeFileSync(join(SCENARIO_DIR, 'mine.yaml'), 'description: the soak folder\nendpoints: [credit-card]\n');
  const emu = await spawnEmulator(
    {
      EMULATOR_EXTRA_CREDENTIALS: `${SCRIPTED.appKey}:${SCRIPTED.secretKey}`,
      EMULATOR_ADMIN_TOKEN: ADMIN_TOKEN,
      EMULATOR_SCENARIOS_DIR: SCENARIO_DIR,
      EMULATOR_MAX_INFLIGHT_BYTES: String(INFLIGHT_BYTES),
    },
    30_000,
  );
  const pid = emu.child.pid!;
  const watchdog = setTimeout(
    () => {
      console.log('soak: watchdog: the run did not end two minutes after its deadline; stopping');
      emu.child.kill('SIGKILL');
      process.exit(2);
    },
    (minutes * 60 + 120) * 1000,
  );
  watchdog.unref();
  try {
    const world: World = {
      emu,
      port: Number(new URL(emu.url).port),
      client: createOcrClient({ baseUrl: emu.url, ...APP }),
      scripted: createOcrClient({ baseUrl: emu.url, ...SCRIPTED }),
      // Generated bodies stay small (a 128 KB "limit", above the 64 KiB authenticity bound); the
      // real 20 MB limit gets its own traffic.
      ctx: await buildFuzzContext(emu.url, { maxUploadBytes: 128 * 1024, requestKeys: 10, scenarios: [] }),
      deadline: 0,
    };
    // Warm-up: every kind of traffic once (keys issued, code paths loaded, a 20 MB upload
    // buffered), so "start" is the emulator at work, not at rest.
    for (let i = 0; i < 3; i++) for (const action of ACTIONS) await action.run(world, prng(i));
    tally.clear();
    const start = { rss: rssBytes(pid), fds: openFds(pid), faults: faultsIn(emu.output()) };
    console.log(`soak: ${minutes} min, ${workers} workers, emulator pid ${pid} at ${emu.url}`);
    console.log(`start: rss ${mb(start.rss)}, open fds ${start.fds}, unexpected answers 0, internal faults ${start.faults}`);

    const began = Date.now();
    world.deadline = began + minutes * 60_000;
    const every = Math.min(60_000, (minutes * 60_000) / 4);
    const progress = setInterval(() => {
      const elapsed = ((Date.now() - began) / 60_000).toFixed(1);
      console.log(`  ${elapsed} min: ${total()} calls, ${unexpected()} unexpected, rss ${mb(rssBytes(pid))}, open fds ${openFds(pid)}`);
    }, every);
    await Promise.all(Array.from({ length: workers }, (_, i) => worker(world, 1000 + i)));
    clearInterval(progress);

    // Keep-alive sockets of the soak's own fetch close after the server's 5 s idle timeout.
    let fds = openFds(pid);
    for (let waited = 0; waited < 15_000 && fds > start.fds; waited += 500) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      fds = openFds(pid);
    }
    const good = await world.client.creditCard(IMAGES.card);
    const health = await fetch(`${emu.url}/__emulator/health`);
    const stats = (await (await fetch(`${emu.url}/__emulator/stats`, { headers: ADMIN })).json()) as {
      journal: { held: number; bytes: number };
      uploads: { heldBytes: number; peakBytes: number; pauses: number };
    };
    const end = { rss: rssBytes(pid), fds, faults: faultsIn(emu.output()) };
    console.log(
      `journal: ${stats.journal.held} entries, ${mb(stats.journal.bytes)}; uploads: peak ${mb(stats.uploads.peakBytes)} held at once (budget ${mb(INFLIGHT_BYTES)}), ${stats.uploads.pauses} waits; health took at most ${healthMaxMs.toFixed(0)} ms`,
    );
    console.log(`end:   rss ${mb(end.rss)}, open fds ${end.fds}, unexpected answers ${unexpected()}, internal faults ${end.faults}`);
    console.log('calls by kind (as expected / unexpected):');
    for (const [kind, t] of [...tally].sort((a, b) => b[1].ok + b[1].unexpected - (a[1].ok + a[1].unexpected))) {
      console.log(`  ${kind.padEnd(30)} ${String(t.ok).padStart(8)} / ${t.unexpected}`);
    }
    for (const sample of samples) console.log(`  unexpected: ${sample}`);

    const growth = end.rss - start.rss;
    const problems = [
      ...(unexpected() ? [`${unexpected()} unexpected answers`] : []),
      ...(end.faults > start.faults ? [`${end.faults - start.faults} internal faults`] : []),
      ...(good.resultCode !== 0 || health.status !== 200 ? ['no good answer at the end'] : []),
      ...(end.fds > start.fds + 5 ? [`open fds ${start.fds} -> ${end.fds}`] : []),
      ...(growth > 100 * MB ? [`resident memory grew by ${mb(growth)}`] : []),
      ...(stats.uploads.heldBytes !== 0 ? [`${stats.uploads.heldBytes} upload bytes still held`] : []),
      ...(stats.journal.bytes > stats.journal.held * 8 * 1024 ? [`the journal holds ${mb(stats.journal.bytes)} in ${stats.journal.held} entries`] : []),
    ];
    console.log(
      problems.length
        ? `verdict: FAIL (${problems.join('; ')})`
        : `verdict: PASS (${total()} calls in ${minutes} min, 0 unexpected, rss ${mb(start.rss)} -> ${mb(end.rss)}, fds ${start.fds} -> ${end.fds})`,
    );
    return problems.length ? 1 : 0;
  } finally {
    await emu.stop();
    rmSync(SCENARIO_DIR, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error('soak: failed to run:', error);
    process.exit(2);
  },
);
