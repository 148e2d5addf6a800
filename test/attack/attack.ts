/**
 * `npm run attack`: replays seven attacks on the emulator, each against a fresh process of the
 * compiled emulator (`node dist/server/main.js` on 127.0.0.1), and prints what each did to it:
 * resident memory before, at its peak and after, how long `GET /__emulator/health` took while
 * the attack ran (polled every 50 ms from a thread of its own, so the attacker's own work does
 * not delay the measure), and what the attacking requests got.
 *
 *   1 journal       unauthenticated calls (no or a wrong secret key) with 14,000-character app keys
 *                   (EMULATOR_JOURNAL_SIZE=100000)
 *   2 authenticity  a 20 MB body of `[` to the authenticity endpoint
 *   3 scenario FIFO a FIFO named evil.yaml in a scenario folder (and a .yaml link to /dev/zero at start)
 *   4 CONNECT       CONNECT and `Expect: 999-bogus` to API paths
 *   5 admin token   the admin token sent without `Bearer`
 *   6 uploads       32 parallel 20 MB uploads
 *   7 hot reload    a 21 MB YAML scenario file, then one of 256 KiB (the bound)
 *
 *   npm run attack                               # all seven
 *   npm run attack -- --only 1,6                 # some
 *   npm run attack -- --main ../other/dist/server/main.js   # another build, e.g. before a change
 *   npm run attack -- --journal-calls 147211 --journal-size 1000000
 *
 * A process over 2 GB of resident memory is killed (and reported), so that a build without the
 * bounds cannot take the machine down; a request that gets no answer in 15 s is reported as such.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { encryptBytes, newSymmetricKey, wrapSymmetricKey } from '../../contracts/client/index.js';
import { rssBytes } from '../support/proc-stats.js';
import { MAIN, NODE_FLAGS, spawnEmulator, type SpawnedEmulator } from '../../contracts/lib/spawn-emulator.js';
import { sendRaw } from '../support/wire-client.js';

const { values } = parseArgs({
  options: {
    main: { type: 'string', default: MAIN },
    only: { type: 'string', default: '1,2,3,4,5,6,7' },
    'journal-calls': { type: 'string', default: '20000' },
    'journal-size': { type: 'string', default: '100000' },
  },
});
const main = resolve(values.main!);
const only = new Set(values.only!.split(',').map(Number));
const APP = { appKey: 'emulator-appkey', secretKey: 'emulator-secretkey' };
const MB = 1024 * 1024;
const KILL_RSS = 2 * 1024 * MB;
const NO_ANSWER_MS = 15_000;

/** One attack's figures. */
interface Figures {
  attack: string;
  rssBefore?: number;
  rssPeak?: number;
  rssAfter?: number;
  health?: { samples: number; p50: number; max: number; unanswered: number };
  outcome: string;
}
const results: Figures[] = [];

// ---------------------------------------------------------------------------------------------
// Measuring

/** Polls health from a worker thread: its own event loop, never delayed by the attacker's. */
const POLLER = `
const { parentPort, workerData } = require('node:worker_threads');
const http = require('node:http');
const samples = [];
let stop = false;
parentPort.on('message', () => { stop = true; });
function once() {
  if (stop) { parentPort.postMessage(samples); return; }
  const started = performance.now();
  let done = false;
  const finish = (ms) => { if (done) return; done = true; samples.push(ms); setTimeout(once, 50); };
  const req = http.get(workerData.url + '/__emulator/health', { agent: false, timeout: workerData.noAnswerMs }, (res) => {
    res.resume();
    res.on('end', () => finish(performance.now() - started));
  });
  req.on('timeout', () => { req.destroy(); finish(Infinity); });
  req.on('error', () => finish(Infinity));
}
once();
`;

function pollHealth(url: string): { stop(): Promise<Figures['health']> } {
  const worker = new Worker(POLLER, { eval: true, workerData: { url, noAnswerMs: NO_ANSWER_MS } });
  return {
    stop: () =>
      new Promise((resolvePromise) => {
        worker.once('message', (samples: number[]) => {
          void worker.terminate();
          const answered = samples.filter(Number.isFinite).sort((a, b) => a - b);
          resolvePromise({
            samples: samples.length,
            p50: answered[Math.floor(answered.length / 2)] ?? NaN,
            max: samples.some((s) => !Number.isFinite(s)) ? Infinity : (answered.at(-1) ?? NaN),
            unanswered: samples.length - answered.length,
          });
        });
        worker.postMessage('stop');
      }),
  };
}

/** Samples a process's RSS every 20 ms; kills it past KILL_RSS. */
function watchRss(emu: SpawnedEmulator): { stop(): number; killed: () => boolean } {
  const pid = emu.child.pid!;
  let peak = safeRss(pid);
  let killed = false;
  const timer = setInterval(() => {
    const rss = safeRss(pid);
    peak = Math.max(peak, rss);
    if (rss > KILL_RSS && !killed) {
      killed = true;
      emu.child.kill('SIGKILL');
    }
  }, 20);
  return {
    stop: () => {
      clearInterval(timer);
      return Math.max(peak, safeRss(pid));
    },
    killed: () => killed,
  };
}

function safeRss(pid: number): number {
  try {
    return rssBytes(pid);
  } catch {
    return 0; // gone
  }
}

/** Runs one attack against a fresh emulator with health polled and memory watched. */
async function measured(
  attack: string,
  env: Record<string, string>,
  run: (emu: SpawnedEmulator) => Promise<string>,
  options: { reportStop?: boolean } = {},
): Promise<void> {
  process.stdout.write(`${attack}: `);
  const emu = await spawnEmulator(env, 20_000, main);
  try {
    await fetch(`${emu.url}/__emulator/health`).then((r) => r.arrayBuffer());
    const rssBefore = rssBytes(emu.child.pid!);
    const rss = watchRss(emu);
    const health = pollHealth(emu.url);
    let outcome: string;
    try {
      outcome = await run(emu);
    } catch (error) {
      outcome = `attack failed: ${String(error)}`;
    }
    const rssPeak = rss.stop();
    const figures: Figures = { attack, rssBefore, rssPeak, rssAfter: safeRss(emu.child.pid!), health: await health.stop(), outcome };
    if (rss.killed()) figures.outcome = `KILLED at ${mb(KILL_RSS)} resident; ${figures.outcome}`;
    else if (emu.child.exitCode !== null || emu.child.signalCode !== null)
      figures.outcome = `process DIED (${emu.child.exitCode ?? emu.child.signalCode}); ${figures.outcome}`;
    else if (options.reportStop) figures.outcome += `; ${await stopHard(emu)}`;
    results.push(figures);
    console.log(figures.outcome);
  } finally {
    await stopHard(emu);
  }
}

/** SIGTERM, then SIGKILL after 3 s (a blocked process ignores SIGTERM); resolves with what it took. */
async function stopHard(emu: SpawnedEmulator): Promise<string> {
  if (emu.child.exitCode !== null || emu.child.signalCode !== null) return 'already gone';
  const started = performance.now();
  const exited = emu.stop('SIGTERM');
  const timer = setTimeout(() => emu.child.kill('SIGKILL'), 3000);
  await exited;
  clearTimeout(timer);
  return emu.child.signalCode === 'SIGKILL' ? 'ignored SIGTERM (killed after 3 s)' : `exited ${Math.round(performance.now() - started)} ms after SIGTERM`;
}

const mb = (bytes: number | undefined) => (bytes === undefined ? '-' : `${(bytes / MB).toFixed(0)} MB`);
const ms = (value: number | undefined) =>
  value === undefined || Number.isNaN(value) ? '-' : Number.isFinite(value) ? `${value.toFixed(0)} ms` : `>${NO_ANSWER_MS / 1000} s`;
const code = (body: Buffer | string) => {
  try {
    return String((JSON.parse(body.toString()) as { header?: { resultCode?: number } }).header?.resultCode ?? 'no resultCode');
  } catch {
    return `not JSON (${body.length} bytes)`;
  }
};

async function envelope(url: string, service: 'credit-card' | 'id-card'): Promise<{ key: Buffer; headers: Record<string, string> }> {
  const answer = (await (await fetch(`${url}/v2.0/appkeys/${APP.appKey}/public-keys/${service}`, { headers: { Authorization: APP.secretKey } })).json()) as {
    result: { key: string; version: string };
  };
  const key = newSymmetricKey();
  return { key, headers: { Authorization: APP.secretKey, 'X-Key-Version': answer.result.version, 'Symmetric-Key': wrapSymmetricKey(answer.result.key, key) } };
}

/** One request with node:http; resolves with status, body and time, or a failure. */
function send(
  url: string,
  options: { method: string; path: string; headers?: Record<string, string | number>; body?: Buffer; agent?: Agent },
): Promise<{ status: number; body: Buffer; ms: number } | { error: string; ms: number }> {
  const started = performance.now();
  return new Promise((resolvePromise) => {
    const { hostname, port } = new URL(url);
    const req = request(
      { hostname, port, method: options.method, path: options.path, headers: options.headers, agent: options.agent ?? false, timeout: NO_ANSWER_MS },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolvePromise({ status: res.statusCode ?? 0, body: Buffer.concat(chunks), ms: performance.now() - started }));
        res.on('error', (e) => resolvePromise({ error: e.message, ms: performance.now() - started }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer in ${NO_ANSWER_MS / 1000} s`)));
    req.on('error', (e) => resolvePromise({ error: (e as NodeJS.ErrnoException).code ?? e.message, ms: performance.now() - started }));
    req.end(options.body);
  });
}

// ---------------------------------------------------------------------------------------------
// The attacks

async function journalAttack(): Promise<void> {
  const calls = Number(values['journal-calls']);
  const size = values['journal-size']!;
  await measured(`1 journal (${calls} calls, 14,000-char app keys, EMULATOR_JOURNAL_SIZE=${size})`, { EMULATOR_JOURNAL_SIZE: size }, async (emu) => {
    const agent = new Agent({ keepAlive: true, maxSockets: 16 });
    let next = 0;
    const codes = new Map<string, number>();
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < calls) {
          const n = next++;
          // Half with no credentials, half with a wrong secret key (whose diagnosis quotes the app key).
          const headers: Record<string, string> = n % 2 ? { Authorization: 'wrong' } : {};
          const answer = await send(emu.url, { method: 'GET', path: `/v2.0/appkeys/${`${n}-`.padEnd(14_000, 'k')}/public-keys/credit-card`, headers, agent });
          const kind = 'error' in answer ? answer.error : code(answer.body);
          codes.set(kind, (codes.get(kind) ?? 0) + 1);
          if ('error' in answer && emu.child.exitCode !== null) return;
        }
      }),
    );
    agent.destroy();
    const stats = await fetch(`${emu.url}/__emulator/stats`)
      .then((r) => r.json() as Promise<{ journal: unknown }>)
      .catch(() => undefined);
    return `${[...codes].map(([k, v]) => `${v} x ${k}`).join(', ')}; journal ${JSON.stringify(stats?.journal ?? 'unavailable')}`;
  });
}

async function authenticityAttack(): Promise<void> {
  await measured('2 authenticity (20 MB of `[`)', {}, async (emu) => {
    const { headers } = await envelope(emu.url, 'id-card');
    const body = Buffer.alloc(20 * 1000 * 1000, '[');
    const answer = await send(emu.url, {
      method: 'POST',
      path: `/v2.0/appkeys/${APP.appKey}/id-card/authenticity`,
      headers: { ...headers, 'Request-Key': '00000000-0000-4000-8000-000000000000', 'Content-Type': 'application/json', 'Content-Length': body.length },
      body,
    });
    return 'error' in answer ? `no answer: ${answer.error} after ${ms(answer.ms)}` : `resultCode ${code(answer.body)} after ${ms(answer.ms)}`;
  });
}

async function fifoAttack(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'attack-fifo-'));
  writeFileSync(join(dir, 'mine.yaml'), 'description: mine\nendpoints: [credit-card]\noutcome: { error: 4000111 }\n');
  try {
    await measured(
      '3a scenario folder: mkfifo evil.yaml while serving',
      { EMULATOR_SCENARIOS_DIR: dir },
      async (emu) => {
        execFileSync('mkfifo', [join(dir, 'evil.yaml')]);
        await new Promise((r) => setTimeout(r, 1000)); // the watcher's reload
        const reload = await send(emu.url, { method: 'POST', path: '/__emulator/scenarios/reload' });
        const listed = await send(emu.url, { method: 'GET', path: '/__emulator/scenarios' });
        const problems = 'error' in listed ? listed.error : JSON.stringify((JSON.parse(listed.body.toString()) as { problems: unknown }).problems);
        return `reload: ${'error' in reload ? reload.error : `HTTP ${reload.status}`} in ${ms(reload.ms)}; problems ${problems}`;
      },
      { reportStop: true },
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  // The start with a .yaml link to /dev/zero: an endless read before the ready line. Spawned by
  // hand, to watch its memory before any ready line (and kill it past KILL_RSS).
  const zero = mkdtempSync(join(tmpdir(), 'attack-zero-'));
  symlinkSync('/dev/zero', join(zero, 'zero.yaml'));
  process.stdout.write('3b scenario folder: zero.yaml -> /dev/zero at start: ');
  try {
    const started = performance.now();
    const child = spawn(process.execPath, [...NODE_FLAGS, main], {
      env: { ...process.env, PORT: '0', EMULATOR_SCENARIOS_DIR: zero },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    let peak = 0;
    let killed = '';
    const timer = setInterval(() => {
      peak = Math.max(peak, safeRss(child.pid!));
      if (peak > KILL_RSS && !killed) killed = `killed at ${mb(peak)} resident`;
      else if (/ready at/.test(output) && !killed) killed = 'started (no problem reported)';
      else if (performance.now() - started > 20_000 && !killed) killed = 'no ready line and no exit in 20 s: killed';
      if (killed) child.kill('SIGKILL');
    }, 20);
    const exit = await new Promise<string>((r) => child.once('exit', (c, signal) => r(String(c ?? signal))));
    clearInterval(timer);
    const said =
      /zero\.yaml: [^\n]*/.exec(output)?.[0] ?? /bad_alloc|heap out of memory|Cannot create a string longer[^\n]*/.exec(output)?.[0] ?? output.split('\n')[0];
    const outcome = `${killed || `exited with ${exit}`} after ${ms(performance.now() - started)}, peak ${mb(peak)}: ${said}`;
    results.push({ attack: '3b scenario folder: zero.yaml -> /dev/zero at start', rssPeak: peak, outcome });
    console.log(outcome);
  } finally {
    rmSync(zero, { recursive: true, force: true });
  }
}

async function connectAttack(): Promise<void> {
  await measured('4 CONNECT and Expect: 999-bogus', {}, async (emu) => {
    const port = Number(new URL(emu.url).port);
    const connect = await sendRaw(port, { bytes: Buffer.from(`CONNECT /v2.0/appkeys/${APP.appKey}/credit-card HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`) });
    const expect = await sendRaw(port, {
      bytes: Buffer.from(
        `GET /v2.0/appkeys/${APP.appKey}/public-keys/credit-card HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ${APP.secretKey}\r\nExpect: 999-bogus\r\n\r\n`,
      ),
    });
    const describe = (a: Awaited<ReturnType<typeof sendRaw>>) =>
      a.status ? `HTTP ${a.status}, resultCode ${code(a.body)}` : `no answer (${a.closedWithoutAnswer ? 'closed, 0 bytes' : 'timed out'})`;
    return `CONNECT: ${describe(connect)}; Expect: ${describe(expect)}`;
  });
}

async function adminTokenAttack(): Promise<void> {
  await measured('5 admin token without Bearer', { EMULATOR_ADMIN_TOKEN: 't0ken' }, async (emu) => {
    const statuses: string[] = [];
    for (const authorization of ['t0ken', 'bearer t0ken', 'Bearer t0ken']) {
      const answer = await send(emu.url, { method: 'GET', path: '/__emulator/requests', headers: { Authorization: authorization } });
      statuses.push(`"${authorization}": ${'error' in answer ? answer.error : answer.status}`);
    }
    return statuses.join(', ');
  });
}

async function uploadsAttack(): Promise<void> {
  await measured('6 uploads (32 parallel, 20 MB each)', {}, async (emu) => {
    const { key, headers } = await envelope(emu.url, 'credit-card');
    const boundary = 'attackboundary';
    const head = Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="image"; filename="x.jpg"\r\nContent-Type: application/octet-stream\r\n\r\n`,
    );
    const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
    const ciphertext = encryptBytes(key, Buffer.alloc(20 * MB - head.length - tail.length - 32, 7));
    const body = Buffer.concat([head, ciphertext, tail]);
    const started = performance.now();
    const answers = await Promise.all(
      Array.from({ length: 32 }, () =>
        send(emu.url, {
          method: 'POST',
          path: `/v2.0/appkeys/${APP.appKey}/credit-card`,
          headers: { ...headers, 'Content-Type': `multipart/form-data; boundary=${boundary}`, 'Content-Length': body.length },
          body,
        }),
      ),
    );
    const codes = new Map<string, number>();
    for (const a of answers) {
      const kind = 'error' in a ? a.error : code(a.body);
      codes.set(kind, (codes.get(kind) ?? 0) + 1);
    }
    const stats = await fetch(`${emu.url}/__emulator/stats`)
      .then((r) => r.json() as Promise<{ uploads?: unknown }>)
      .catch(() => undefined);
    return `${[...codes].map(([k, v]) => `${v} x ${k}`).join(', ')} in ${ms(performance.now() - started)} (body ${body.length} bytes); uploads ${JSON.stringify(stats?.uploads ?? 'not reported')}`;
  });
}

async function reloadAttack(): Promise<void> {
  const step = '  - creditCard: { cardNumber: "4111 1111 1111 1111", validThru: "12/30", conf: 0.5 }\n';
  const head = 'description: large\nendpoints: [credit-card]\nsequence:\n';
  for (const [label, bytes] of [
    ['21 MB', 21 * MB],
    ['256 KiB', 256 * 1024],
  ] as const) {
    const dir = mkdtempSync(join(tmpdir(), 'attack-reload-'));
    const outside = mkdtempSync(join(tmpdir(), 'attack-reload-src-'));
    writeFileSync(join(dir, 'mine.yaml'), 'description: mine\nendpoints: [credit-card]\n');
    try {
      await measured(`7 hot reload of a ${label} YAML file`, { EMULATOR_SCENARIOS_DIR: dir }, async (emu) => {
        const text = head + step.repeat(Math.floor((bytes - head.length) / step.length));
        writeFileSync(join(outside, 'large.yaml'), text);
        renameSync(join(outside, 'large.yaml'), join(dir, 'large.yaml')); // one change event, the file whole
        await new Promise((r) => setTimeout(r, 300)); // the watcher fires and the reload starts
        const reload = await send(emu.url, { method: 'POST', path: '/__emulator/scenarios/reload' });
        const result = 'error' in reload ? reload.error : `HTTP ${reload.status} ${reload.body.toString().slice(0, 160)}`;
        return `${text.length} bytes; POST reload: ${result} in ${ms(reload.ms)}`;
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
      rmSync(outside, { recursive: true, force: true });
    }
  }
}

// ---------------------------------------------------------------------------------------------

const ATTACKS: Record<number, () => Promise<void>> = {
  1: journalAttack,
  2: authenticityAttack,
  3: fifoAttack,
  4: connectAttack,
  5: adminTokenAttack,
  6: uploadsAttack,
  7: reloadAttack,
};

console.log(`attack: ${main}`);
for (const [n, attack] of Object.entries(ATTACKS)) if (only.has(Number(n))) await attack();

console.log('\n| attack | RSS before | RSS peak | RSS after | health p50 | health max (samples) | outcome |');
console.log('|---|---:|---:|---:|---:|---:|---|');
for (const r of results) {
  const health = r.health ? `${ms(r.health.max)} (${r.health.samples}${r.health.unanswered ? `, ${r.health.unanswered} unanswered` : ''})` : '-';
  console.log(
    `| ${r.attack} | ${mb(r.rssBefore)} | ${mb(r.rssPeak)} | ${mb(r.rssAfter)} | ${ms(r.health?.p50)} | ${health} | ${r.outcome.replace(/\|/g, '\\|')} |`,
  );
}
process.exit(0);
