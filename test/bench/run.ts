/**
 * `npm run bench`: the emulator against its peers, side by side, in one run.
 *
 * - the emulator as its own process (`node dist/server/main.js`, PORT=0), driven by autocannon
 *   from pre-built envelopes: W1 public-key GET; W2 credit card (~100 KB JPEG) with a fresh
 *   symmetric key per request; W3 the same with one key reused; W4 id card then authenticity
 *   with its Request-Key; W2 with each `EMULATOR_RSA_WORKERS` setting (0, 1, 2); p50/p99 at a
 *   steady half of W2's peak; resident memory before and after 100,000 mixed requests;
 * - peers: the RSA private-operation ceiling of this machine; a floor server (express + multer,
 *   no crypto); the same envelope with node-forge only; Prism mocking openapi.yaml (installed on
 *   demand outside the repository, skipped with a note if it cannot be);
 * - start-up time to the first answer, ours and Prism's;
 * - shared state (shared-state.ts): W2 on one emulator process on Redis, on two processes on
 *   one Redis (load split), and with EMULATOR_WORKERS=2, beside the in-memory emulator.
 *
 * All servers run at once and every workload is measured in rounds, each round visiting every
 * server in turn, so slow drifts in other load on the machine hit all of them alike.
 *
 * Writes test/bench/results/latest.{md,json} and chart.svg (`--quick`: quick.* files, about a
 * minute). `--memory` runs only the memory measure on a fresh emulator (extra node flags for it
 * in BENCH_NODE_ARGS, to try V8 settings). `--shared` runs only the shared-state comparison. `--profile` instead takes a CPU profile of the
 * emulator under W2 and prints the top self-time functions.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, release, tmpdir, type } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { decryptValue } from '../../contracts/client/envelope.js';
import { DEFAULT_RSA_WORKERS } from '../../server/core/rsa-pool.js';
import { fixture } from '../support/fixtures.js';
import { MAIN, NODE_FLAGS, ROOT } from '../../contracts/lib/spawn-emulator.js';
import { authenticityRequest, fetchTarget, paddedJpeg, publicKeyRequest, uploadPool, wrappedKeys, type Target, type UploadPool } from './envelopes.js';
import { cycle, runLoad, runPaced, succeeded, type LoadOptions, type LoadResult, type Step } from './load.js';
import { backgroundBusy, median, rssMiB, startServer, startupTimes, stopAllServers, type BenchServer } from './processes.js';
import { ensurePrism, prismArgs } from './prism.js';
import { markdown, svgChart, type BenchReport, type Check, type Machine, type Row } from './report.js';
import { selfTimeTable, topSelfTime } from './profile.js';
import { rsaCeiling } from './rsa-ceiling.js';
import { pidsOf, runSplit, startSharedSetups, type SharedSetups } from './shared-state.js';
import { BARE_EXPRESS, HEALTH, sideBySideStartup, STARTUP_TARGET_RATIO } from './startup.js';

const USAGE = `usage: npm run bench -- [--quick | --ideal | --memory | --shared | --profile [--workload W] [--workers N]] [--help]

  (no flag)    the full run, about four minutes: writes test/bench/results/latest.{md,json} and chart.svg
  --quick      the same, shorter (about a minute): quick.* files
  --ideal      only W2 and W3 against the ideal server (ideal-server.ts), in interleaved rounds,
               printed with each round's ratio (about two minutes; --quick: one; extra node
               flags for the emulator in BENCH_NODE_ARGS)
  --memory     only resident memory over 100,000 mixed requests, on a fresh emulator (about two minutes)
               (extra node flags for it in BENCH_NODE_ARGS)
  --shared     only the shared-state rows: W2 on Redis (one process, two processes, EMULATOR_WORKERS=2)
               beside the in-memory emulator, and W1 on Redis (about two minutes; needs redis-server)
  --profile    a CPU profile of the emulator under W2 and its top self-time functions
  --workload W with --profile: w2 (fresh keys, the default), w3 (one key reused), floor (the
               floor server under the same uploads, for comparison), or ideal-w2 / ideal-w3 (the
               ideal server under W2 / W3)
  --workers N  with --profile: the emulator's EMULATOR_RSA_WORKERS (default ${DEFAULT_RSA_WORKERS})
  --help       this text

Builds dist/ first; Prism is installed on demand outside the repository (skipped if it cannot be).
Start-up alone: npm run bench:startup.`;

const PROFILE_WORKLOADS = ['w2', 'w3', 'floor', 'ideal-w2', 'ideal-w3'];

const args = (() => {
  try {
    return parseArgs({
      options: {
        quick: { type: 'boolean' },
        ideal: { type: 'boolean' },
        memory: { type: 'boolean' },
        shared: { type: 'boolean' },
        profile: { type: 'boolean' },
        workers: { type: 'string' },
        workload: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (error) {
    console.error(`bench: ${(error as Error).message.split('\n')[0]}\n\n${USAGE}`);
    process.exit(2);
  }
})();
if (args.help) {
  console.log(USAGE);
  process.exit(0);
}
if (args.workers !== undefined && !/^\d+$/.test(args.workers)) {
  console.error(`bench: --workers ${JSON.stringify(args.workers)} is not a whole number\n\n${USAGE}`);
  process.exit(2);
}
if (args.workload !== undefined && !PROFILE_WORKLOADS.includes(args.workload)) {
  console.error(`bench: --workload ${JSON.stringify(args.workload)} is none of ${PROFILE_WORKLOADS.join(', ')}\n\n${USAGE}`);
  process.exit(2);
}
const quick = args.quick ?? false;
const profile = args.profile ?? false;
const idealOnly = args.ideal ?? false;
const memoryOnly = args.memory ?? false;
const sharedOnly = args.shared ?? false;
/** `--workers N`: the EMULATOR_RSA_WORKERS of the profiled emulator (default: the emulator's default). */
const profileWorkers = args.workers !== undefined ? Number(args.workers) : DEFAULT_RSA_WORKERS;
/** `--workload W`: what the profiled server runs. */
const profileWorkload = (args.workload ?? 'w2') as 'w2' | 'w3' | 'floor' | 'ideal-w2' | 'ideal-w3';
// Built here rather than by the npm script, so that --help needs no build.
execFileSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: 'inherit' });
const RESULTS = fileURLToPath(new URL('./results/', import.meta.url));
const APP_KEY = 'emulator-appkey';
const SECRET_KEY = 'emulator-secretkey';
const IMAGE_BYTES = 100 * 1024;

const S = quick
  ? { seconds: 2, rounds: 2, warm: 0.5, mixed: 8_000, startupRuns: 3, prismStartupRuns: 1, keys: 300, wraps: 40, idKeys: 200, rsaMs: 1000, forgeKeys: 60 }
  : { seconds: 10, rounds: 2, warm: 2, mixed: 100_000, startupRuns: 10, prismStartupRuns: 3, keys: 1000, wraps: 24, idKeys: 500, rsaMs: 2000, forgeKeys: 150 };

const log = (line: string) => console.error(`bench: ${line}`);

function machine(): Machine {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  return {
    nproc: availableParallelism(),
    cpu: /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? 'unknown CPU',
    node: process.version,
    os: `${type()} ${release()}`,
    loadAverage: loadavg()[0]!,
    date: `${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`,
  };
}

/** Runs `steps` briefly to warm the server up, then measures, counting the server's CPU time. */
async function measure(server: BenchServer, steps: Step[], options: LoadOptions = {}): Promise<LoadResult> {
  await runLoad(server.url, steps, { ...options, duration: S.warm });
  return runLoad(server.url, steps, { duration: S.seconds, ...options, pid: server.pid });
}

function startEmulator(workers: number, extraNodeArgs: string[] = [], env: Record<string, string> = {}): Promise<BenchServer> {
  return startServer('emulator', process.execPath, [...NODE_FLAGS, ...extraNodeArgs, MAIN], HEALTH, {
    EMULATOR_RSA_WORKERS: String(workers),
    EMULATOR_LOG: 'off',
    ...env,
  });
}

/** A fresh directory for an emulator's key pairs (EMULATOR_KEYS_DIR), which the ideal server then reads. */
function freshKeysDir(): string {
  return mkdtempSync(join(tmpdir(), 'nhn-ocr-bench-keys-'));
}

/**
 * The ideal server (ideal-server.ts) holding the key pairs in `keysDir`: start it after the
 * emulator using that directory has made its keys (a public-key call for each service).
 */
function startIdeal(keysDir: string, extraNodeArgs: string[] = []): Promise<BenchServer> {
  return startServer('ideal', process.execPath, [...extraNodeArgs, '--import', 'tsx', fileURLToPath(new URL('./ideal-server.ts', import.meta.url))], HEALTH, {
    IDEAL_KEYS_DIR: keysDir,
  });
}

function startTsServer(name: string, file: string): Promise<BenchServer> {
  return startServer(name, process.execPath, ['--import', 'tsx', fileURLToPath(new URL(file, import.meta.url))], HEALTH);
}

/** The W4 chain: id card (fresh key), then authenticity with its Request-Key and the recognised values. */
function idCardThenAuthenticity(target: Target, idPool: UploadPool, authKeys: ReturnType<typeof wrappedKeys>): Step[] {
  let i = 0;
  let j = 0;
  const idCard: Step = {
    next(context) {
      const n = i++ % idPool.requests.length;
      context['key'] = idPool.keys[n % idPool.keys.length];
      context['requestKey'] = undefined;
      return idPool.requests[n];
    },
    check(status, body, context, headers) {
      if (!succeeded(status, body)) return false;
      const requestKey = Object.entries(headers).find(([name]) => name.toLowerCase() === 'request-key')?.[1];
      const parsed = JSON.parse(body) as { result: { idType: string; keyValues: { key: string; value: string }[] } };
      const values = Object.fromEntries(parsed.result.keyValues.map((kv) => [kv.key, decryptValue(context['key'] as Buffer, kv.value)]));
      context['requestKey'] = Array.isArray(requestKey) ? requestKey[0] : requestKey;
      context['fields'] = { idType: parsed.result.idType, name: values['name'], residentNumber: values['residentNumber'], issueDate: values['issueDate'] };
      return typeof context['requestKey'] === 'string';
    },
  };
  const authenticity: Step = {
    next(context) {
      if (typeof context['requestKey'] !== 'string') return undefined;
      return authenticityRequest(target, authKeys[j++ % authKeys.length]!, context['requestKey'], context['fields'] as Record<string, string>);
    },
    check: (status, body) => succeeded(status, body) && body.includes('"isAuthenticity":true'),
  };
  return [idCard, authenticity];
}

/** Pools for the emulator (or any server speaking the v2.0 envelope). */
async function pools(url: string) {
  const target = await fetchTarget(url, APP_KEY, SECRET_KEY);
  const image = paddedJpeg(IMAGE_BYTES);
  const fresh = uploadPool(target, 'credit-card', image, S.keys, S.wraps);
  const reused = uploadPool(target, 'credit-card', image, 1, 1);
  const idPool = uploadPool(target, 'id-card', fixture('id-resident-900x570.jpg'), S.idKeys, S.wraps);
  const authKeys = wrappedKeys(target, 'id-card', S.idKeys * S.wraps);
  return { target, image, fresh, reused, idPool, authKeys };
}

/**
 * `--memory`: only the memory measure, on a fresh emulator (about a minute): resident memory
 * idle, then after every quarter of the mixed requests. For checking a change to what the
 * server keeps per request without running the whole bench.
 */
async function runMemory(): Promise<void> {
  const emulator = await startEmulator(DEFAULT_RSA_WORKERS, (process.env['BENCH_NODE_ARGS'] ?? '').split(' ').filter(Boolean));
  try {
    const { target, fresh, reused, idPool, authKeys } = await pools(emulator.url);
    const steps = [cycle([publicKeyRequest(target)]), cycle(fresh.requests), cycle(reused.requests), ...idCardThenAuthenticity(target, idPool, authKeys)];
    log(`idle: RSS ${rssMiB(emulator.pid).toFixed(1)} MiB`);
    const failed = await runMixed(emulator, steps, async (requests) => {
      log(`mixed ${requests}: RSS ${rssMiB(emulator.pid).toFixed(1)} MiB; ${await statsLine(emulator.url)}`);
    });
    log(`${failed} failed`);
  } finally {
    await emulator.stop();
  }
}

/**
 * The mixed requests of the memory measure (every step in turn on each connection), in four
 * quarters with `afterQuarter` called after each; resolves with how many failed.
 */
async function runMixed(server: BenchServer, steps: Step[], afterQuarter: (requests: number) => Promise<void>): Promise<number> {
  const quarters = 4;
  let failed = 0;
  for (let q = 1; q <= quarters; q++) {
    const r = await runLoad(server.url, steps, { amount: S.mixed / quarters });
    failed += r.failures + r.errors;
    await afterQuarter((S.mixed / quarters) * q);
  }
  return failed;
}

/**
 * p50, p99 and max of the durations the emulator journaled (from routing to the answer): the
 * part of a client's latency spent inside the emulator, without the machine's scheduling and
 * the load generator's own pauses.
 */
async function journalTimes(url: string): Promise<{ count: number; p50: number; p99: number; max: number }> {
  const { requests } = (await (await fetch(`${url}/__emulator/requests`)).json()) as { requests: { durationMs?: number }[] };
  const times = requests.map((r) => r.durationMs ?? 0).sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? Number.NaN;
  return { count: times.length, p50: at(0.5), p99: at(0.99), max: times.at(-1) ?? Number.NaN };
}

/** The emulator's own account of its memory and stores (GET /__emulator/stats), on one line. */
async function statsLine(url: string): Promise<string> {
  const stats = (await (await fetch(`${url}/__emulator/stats`)).json()) as {
    memory: Record<string, number>;
    requestKeys: { held: number; consumed: number };
    keyCache: { size: number };
  };
  const mib = (bytes: number) => `${(bytes / 1048576).toFixed(1)}`;
  const m = stats.memory;
  return `heap ${mib(m['heapUsed']!)}/${mib(m['heapTotal']!)} MiB, external ${mib(m['external']!)} MiB, Request-Keys ${stats.requestKeys.held} (${stats.requestKeys.consumed} used), cached keys ${stats.keyCache.size}`;
}

async function runProfile(): Promise<void> {
  const dir = join(RESULTS, 'profile');
  mkdirSync(dir, { recursive: true });
  for (const file of readdirSync(dir)) if (file.endsWith('.cpuprofile')) rmSync(join(dir, file));
  const profiler = ['--cpu-prof', '--cpu-prof-dir', dir];
  const ideal = profileWorkload.startsWith('ideal');
  const keysDir = freshKeysDir();
  // The floor and the ideal server take the emulator's uploads: a separate emulator builds them
  // (and, for the ideal server, makes the key pairs it reads).
  const source = profileWorkload === 'floor' || ideal ? await startEmulator(profileWorkers, [], { EMULATOR_KEYS_DIR: keysDir }) : undefined;
  // The floor as the full run starts it (startTsServer), plus the profiler.
  const server =
    profileWorkload === 'floor'
      ? await startServer('floor', process.execPath, [...profiler, '--import', 'tsx', fileURLToPath(new URL('./floor-server.ts', import.meta.url))], HEALTH)
      : ideal
        ? await fetchTarget(source!.url, APP_KEY, SECRET_KEY).then(() => startIdeal(keysDir, profiler))
        : await startEmulator(profileWorkers, profiler);
  try {
    try {
      const { fresh, reused } = await pools((source ?? server).url);
      const steps = [cycle(profileWorkload.endsWith('w3') ? reused.requests : fresh.requests)];
      const result = await measure(server, steps);
      log(
        `${profileWorkload} under the profiler (EMULATOR_RSA_WORKERS=${profileWorkers}): ${result.rps.toFixed(0)} req/s, ${result.serverCpuMs?.toFixed(2)} ms CPU a request`,
      );
    } finally {
      await source?.stop();
    }
  } finally {
    await server.stop();
    rmSync(keysDir, { recursive: true, force: true });
  }
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .map((f) => join(dir, f));
  for (const file of files) {
    console.log(`\n${file.replace(ROOT, '')}\n`);
    console.log(selfTimeTable(topSelfTime(file, 25)));
  }
}

/** One workload against one server, measured in rounds. */
interface Pair {
  workload: string;
  server: BenchServer;
  serverName: Row['server'];
  steps: Step[];
  note?: string;
  perUnit?: number;
  rounds: LoadResult[];
  /** The load split across these servers (one setup of several processes), each with its steps. */
  split?: { servers: BenchServer[]; steps: Step[][] };
  /** Every process whose CPU time counts (default: the server's own). */
  pids?: () => number[][];
}

/** One round of a pair: its load on its server, or split across its servers. */
function measurePair(pair: Pair, duration: number, counted = true): Promise<LoadResult> {
  const pids = counted ? (pair.pids?.() ?? [[pair.server.pid]]) : undefined;
  if (pair.split) return runSplit(pair.split.servers, pair.split.steps, { duration }, pids ?? pair.split.servers.map(() => []));
  return runLoad(pair.server.url, pair.steps, { duration, ...(pids ? { pid: pids[0]! } : {}) });
}

/**
 * W2 on the shared-state setups, each with its own wrapping of the same uploads (each setup has
 * its own keys): one process on Redis, two processes on one Redis, EMULATOR_WORKERS=2.
 */
async function sharedPairs(shared: SharedSetups, image: Buffer, fresh: UploadPool): Promise<Pair[]> {
  const w2 = async (server: BenchServer) => [
    cycle(uploadPool(await fetchTarget(server.url, APP_KEY, SECRET_KEY), 'credit-card', image, S.keys, S.wraps, fresh).requests),
  ];
  const workload = 'W2 credit card, fresh key';
  const [a, b] = shared.twins;
  return [
    {
      workload,
      server: shared.single,
      serverName: 'emulator',
      steps: await w2(shared.single),
      rounds: [],
      note: 'on Redis, one process',
      pids: () => [pidsOf(shared.single, shared.redis)],
    },
    {
      workload,
      server: a,
      serverName: 'emulator',
      steps: [],
      rounds: [],
      note: 'two processes on one Redis, load split',
      split: { servers: [a, b], steps: [await w2(a), await w2(b)] },
      pids: () => [pidsOf(a, shared.redis), pidsOf(b)],
    },
    {
      workload,
      server: shared.workers,
      serverName: 'emulator',
      steps: await w2(shared.workers),
      rounds: [],
      note: 'EMULATOR_WORKERS=2 on Redis',
      pids: () => [pidsOf(shared.workers, shared.redis)],
    },
  ];
}

/** The shared-state checks: ratios of throughput and of CPU a request. */
function sharedChecks(memory: LoadResult, single: LoadResult, twins: LoadResult, workers: LoadResult, both: (a: LoadResult, b: LoadResult) => string): Check[] {
  const rps = (r: LoadResult) => `${r.rps.toFixed(0)} req/s`;
  return [
    { measure: 'W2 on Redis (one process) vs in memory', ours: rps(single), peer: rps(memory), ratio: both(single, memory), target: '-', met: undefined },
    { measure: 'W2 two processes on one Redis vs one in memory', ours: rps(twins), peer: rps(memory), ratio: both(twins, memory), target: '-', met: undefined },
    { measure: 'W2 EMULATOR_WORKERS=2 vs 1 (both on Redis)', ours: rps(workers), peer: rps(single), ratio: both(workers, single), target: '-', met: undefined },
  ];
}

/** `--shared`: only the shared-state comparison, beside the in-memory emulator, printed. */
async function runShared(): Promise<void> {
  const memory = await startEmulator(DEFAULT_RSA_WORKERS);
  const shared = await startSharedSetups((env) => startEmulator(DEFAULT_RSA_WORKERS, [], env));
  if ('skipped' in shared) {
    log(`shared-state rows skipped: ${shared.skipped}`);
    return;
  }
  try {
    const { image, fresh, target } = await pools(memory.url);
    const pairs: Pair[] = [
      { workload: 'W2 credit card, fresh key', server: memory, serverName: 'emulator', steps: [cycle(fresh.requests)], rounds: [], note: 'in memory' },
      ...(await sharedPairs(shared, image, fresh)),
      { workload: 'W1 public key', server: memory, serverName: 'emulator', steps: [cycle([publicKeyRequest(target)])], rounds: [], note: 'in memory' },
      {
        workload: 'W1 public key',
        server: shared.single,
        serverName: 'emulator',
        steps: [cycle([publicKeyRequest(target)])],
        rounds: [],
        note: 'on Redis, one process',
        pids: () => [pidsOf(shared.single, shared.redis)],
      },
    ];
    for (let round = 1; round <= S.rounds; round++) {
      for (const pair of pairs) {
        if (round === 1) await measurePair(pair, S.warm, false);
        pair.rounds.push(await measurePair(pair, S.seconds / S.rounds));
      }
    }
    const results = pairs.map((pair) => combine(pair.rounds));
    for (const [i, pair] of pairs.entries()) {
      const r = results[i]!;
      console.log(
        `${pair.workload} (${pair.note}): ${r.rps.toFixed(0)} req/s, ${r.serverCpuMs?.toFixed(3)} ms CPU a request (rounds ${r.roundRps.map((x) => x.toFixed(0)).join(', ')}), ${r.failures + r.errors} failed`,
      );
    }
    const both = (a: LoadResult, b: LoadResult) =>
      `${(a.rps / b.rps).toFixed(2)}x (per CPU-second: ${((b.serverCpuMs ?? 0) / (a.serverCpuMs ?? 1)).toFixed(2)}x)`;
    for (const check of sharedChecks(results[0]!, results[1]!, results[2]!, results[3]!, both)) console.log(`${check.measure}: ${check.ratio}`);
    console.log(`W1 on Redis (one process) vs in memory: ${both(results[5]!, results[4]!)}`);
  } finally {
    for (const server of [memory, shared.single, ...shared.twins, shared.workers]) await server.stop();
    await shared.redis.stop();
  }
}

/** The ideal-server targets: W2 (fresh keys) and W3 (one key reused) as shares of its throughput. */
const IDEAL_TARGETS = { w2: 0.8, w3: 0.6 } as const;

/**
 * `--ideal`: W2 and W3 on the emulator and on the ideal server, in interleaved rounds (the order
 * turned round every other round, so a drift in other load hits both alike), printed with each
 * round's ratio and the load average: for iterating on the emulator's own cost.
 */
async function runIdeal(): Promise<void> {
  const rounds = quick ? 2 : 5;
  const seconds = quick ? 2 : 4;
  const keysDir = freshKeysDir();
  const loadBefore = loadavg()[0]!;
  const emulator = await startEmulator(DEFAULT_RSA_WORKERS, (process.env['BENCH_NODE_ARGS'] ?? '').split(' ').filter(Boolean), { EMULATOR_KEYS_DIR: keysDir });
  let ideal: BenchServer | undefined;
  try {
    const { fresh, reused } = await pools(emulator.url);
    ideal = await startIdeal(keysDir);
    const pairs = (['w2', 'w3'] as const).flatMap((w) =>
      [emulator, ideal!].map((server) => ({ w, server, steps: [cycle(w === 'w2' ? fresh.requests : reused.requests)], rounds: [] as LoadResult[] })),
    );
    for (const pair of pairs) await runLoad(pair.server.url, pair.steps, { duration: S.warm });
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 === 0 ? pairs : [...pairs].reverse();
      for (const pair of order) pair.rounds.push(await runLoad(pair.server.url, pair.steps, { duration: seconds, pid: pair.server.pid }));
      log(`round ${round + 1} of ${rounds} done`);
    }
    for (const w of ['w2', 'w3'] as const) {
      const [ours, peer] = pairs.filter((p) => p.w === w);
      const a = combine(ours!.rounds);
      const b = combine(peer!.rounds);
      const perRound = ours!.rounds.map((r, i) => r.rps / peer!.rounds[i]!.rps);
      const failed = a.failures + a.errors + b.failures + b.errors;
      console.log(
        `${w.toUpperCase()}: emulator ${a.rps.toFixed(0)} req/s (${a.serverCpuMs?.toFixed(3)} ms CPU a request), ideal ${b.rps.toFixed(0)} req/s (${b.serverCpuMs?.toFixed(3)} ms): ` +
          `${(a.rps / b.rps).toFixed(3)}x (per CPU-second ${((b.serverCpuMs ?? 0) / (a.serverCpuMs ?? 1)).toFixed(3)}x; rounds ${perRound.map((x) => x.toFixed(2)).join(', ')}; ` +
          `target >= ${IDEAL_TARGETS[w]}x: ${a.rps >= IDEAL_TARGETS[w] * b.rps ? 'met' : 'not met'})${failed ? `; ${failed} failed` : ''}`,
      );
    }
    console.log(`load average ${loadBefore.toFixed(2)} before, ${loadavg()[0]!.toFixed(2)} after; ${rounds} rounds of ${seconds} s each`);
  } finally {
    await ideal?.stop();
    await emulator.stop();
    rmSync(keysDir, { recursive: true, force: true });
  }
}

/** Rounds of one pair combined: median throughput and percentiles, CPU over all rounds. */
function combine(rounds: LoadResult[]): LoadResult & { roundRps: number[] } {
  const mid = (values: number[]) => median(values);
  const requests = rounds.reduce((n, r) => n + r.requests, 0);
  const cpu = rounds.every((r) => r.serverCpuMs !== undefined) ? rounds.reduce((n, r) => n + r.serverCpuMs! * r.requests, 0) : undefined;
  const seconds = rounds.reduce((n, r) => n + r.seconds, 0);
  return {
    requests,
    seconds,
    rps: mid(rounds.map((r) => r.rps)),
    p50: mid(rounds.map((r) => r.p50)),
    p99: mid(rounds.map((r) => r.p99)),
    failures: rounds.reduce((n, r) => n + r.failures, 0),
    errors: rounds.reduce((n, r) => n + r.errors, 0),
    ...(cpu === undefined ? {} : { serverCpuMs: cpu / Math.max(1, requests), serverCores: cpu / 1000 / seconds }),
    ...(rounds.every((r) => r.otherCores !== undefined) ? { otherCores: rounds.reduce((n, r) => n + r.otherCores! * r.seconds, 0) / seconds } : {}),
    clientCpuMs: rounds.reduce((n, r) => n + r.clientCpuMs * r.requests, 0) / Math.max(1, requests),
    roundRps: rounds.map((r) => r.rps),
  };
}

async function main(): Promise<void> {
  if (profile) return runProfile();
  if (memoryOnly) return runMemory();
  if (sharedOnly) return runShared();
  if (idealOnly) return runIdeal();
  const started = performance.now();
  const report: BenchReport = {
    quick,
    machine: machine(),
    settings: {
      seconds: S.seconds,
      rounds: S.rounds,
      imageBytes: IMAGE_BYTES,
      connections: 10,
      mixedRequests: S.mixed,
      rsaWorkersDefault: DEFAULT_RSA_WORKERS,
    },
    rsa: { perCore: 0, allCores: 0, threads: 0, msPerOp: 0 },
    startup: [],
    rows: [],
    memory: [],
    checks: [],
    notes: [],
  };
  const add = (row: Row) => {
    report.rows.push(row);
    const r = row.result;
    log(
      `${row.workload} · ${row.server}${row.note ? ` (${row.note})` : ''}: ${r.rps.toFixed(0)} req/s, p50 ${r.p50.toFixed(2)} ms, p99 ${r.p99.toFixed(2)} ms, ${r.requests} requests, ${r.failures + r.errors} failed`,
    );
    if (r.failures + r.errors) report.notes.push(`${row.workload} on ${row.server}: ${r.failures} unexpected answers, ${r.errors} connection errors.`);
  };

  let busy = await backgroundBusy(quick ? 1000 : 2000);
  // Other work on a shared machine skews everything: give it up to two minutes to calm down.
  for (let waited = 0; !quick && busy > 0.25 && waited < 120; waited += 10) {
    log(`machine ${(busy * 100).toFixed(0)}% busy with other work; waiting for it to calm down (${120 - waited} s left)...`);
    await new Promise((resolve) => setTimeout(resolve, 8000));
    busy = await backgroundBusy(2000);
  }
  report.machine.backgroundBusy = busy;
  log(`machine busy without us: ${(busy * 100).toFixed(0)}% of ${report.machine.nproc} cores`);
  log('RSA ceiling...');
  report.rsa = await rsaCeiling(S.rsaMs);
  log(`RSA: ${report.rsa.perCore.toFixed(0)}/s per thread, ${report.rsa.allCores.toFixed(0)}/s on ${report.rsa.threads}`);

  log('start-up...');
  const { emulator: ours, bare } = await sideBySideStartup(S.startupRuns);
  report.startup.push({
    server: 'emulator (node dist/server/main.js)',
    medianMs: median(ours),
    minMs: Math.min(...ours),
    maxMs: Math.max(...ours),
    runs: ours.length,
  });
  report.startup.push({
    server: `bare express app (node ${relative(ROOT, BARE_EXPRESS)})`,
    medianMs: median(bare),
    minMs: Math.min(...bare),
    maxMs: Math.max(...bare),
    runs: bare.length,
  });
  const prism = await ensurePrism();
  const prismProbe = { path: publicKeyRequest({ appKey: APP_KEY, secretKey: SECRET_KEY }).path, headers: { Authorization: SECRET_KEY } };
  const openapi = join(ROOT, 'openapi.yaml');
  if ('script' in prism) {
    const times = await startupTimes('Prism', process.execPath, prismArgs(prism.script, openapi), prismProbe, S.prismStartupRuns);
    report.startup.push({
      server: `Prism ${prism.version} (prism mock openapi.yaml)`,
      medianMs: median(times),
      minMs: Math.min(...times),
      maxMs: Math.max(...times),
      runs: times.length,
    });
  } else {
    report.notes.push(`Prism rows skipped: ${prism.skipped}`);
  }

  // Every server up at once, so that each round measures all of them within seconds of each other.
  log('starting servers...');
  const servers: BenchServer[] = [];
  const workerSettings = [0, 1, 2];
  const emulators = new Map<number, BenchServer>();
  // The default emulator keeps its key pairs in a directory, which the ideal server reads.
  const keysDir = freshKeysDir();
  for (const workers of workerSettings) {
    const server = await startEmulator(workers, [], workers === DEFAULT_RSA_WORKERS ? { EMULATOR_KEYS_DIR: keysDir } : {});
    servers.push(server);
    emulators.set(workers, server);
  }
  const emulator = emulators.get(DEFAULT_RSA_WORKERS)!;
  await fetchTarget(emulator.url, APP_KEY, SECRET_KEY);
  const ideal = await startIdeal(keysDir);
  servers.push(ideal);
  const rssAtStart = rssMiB(emulator.pid);
  const floor = await startTsServer('floor', './floor-server.ts');
  const forgeServer = await startTsServer('node-forge', './forge-server.ts');
  servers.push(floor, forgeServer);
  const prismServer = 'script' in prism ? await startServer('Prism', process.execPath, prismArgs(prism.script, openapi), prismProbe) : undefined;
  if (prismServer) servers.push(prismServer);
  const shared = await startSharedSetups((env) => startEmulator(DEFAULT_RSA_WORKERS, [], env));
  if ('skipped' in shared) report.notes.push(`Shared-state rows skipped: ${shared.skipped}`);
  else servers.push(shared.single, ...shared.twins, shared.workers);

  try {
    log('building envelopes...');
    const { target, image, fresh, reused, idPool, authKeys } = await pools(emulator.url);
    const w1Steps = [cycle([publicKeyRequest(target)])];
    const w2Steps = [cycle(fresh.requests)];
    const w3Steps = [cycle(reused.requests)];
    const w4Steps = idCardThenAuthenticity(target, idPool, authKeys);
    const pairs: Pair[] = [
      { workload: 'W1 public key', server: emulator, serverName: 'emulator', steps: w1Steps, rounds: [] },
      ...(prismServer ? [{ workload: 'W1 public key', server: prismServer, serverName: 'Prism', steps: [cycle([publicKeyRequest(target)])], rounds: [] }] : []),
      { workload: 'W2 credit card, fresh key', server: emulator, serverName: 'emulator', steps: w2Steps, rounds: [] },
      { workload: 'W2 credit card, fresh key', server: ideal, serverName: 'ideal server', steps: [cycle(fresh.requests)], rounds: [] },
      { workload: 'W2-size upload, no crypto', server: floor, serverName: 'floor', steps: [cycle(fresh.requests)], rounds: [] },
      { workload: 'W3 credit card, reused key', server: emulator, serverName: 'emulator', steps: w3Steps, rounds: [] },
      { workload: 'W3 credit card, reused key', server: ideal, serverName: 'ideal server', steps: [cycle(reused.requests)], rounds: [] },
      { workload: 'W4 id card + authenticity', server: emulator, serverName: 'emulator', steps: w4Steps, rounds: [], perUnit: 2 },
    ];
    for (const workers of workerSettings.filter((w) => w !== DEFAULT_RSA_WORKERS)) {
      const other = emulators.get(workers)!;
      const otherTarget = await fetchTarget(other.url, APP_KEY, SECRET_KEY);
      const pool = uploadPool(otherTarget, 'credit-card', image, S.keys, S.wraps, fresh);
      pairs.push({
        workload: 'W2 credit card, fresh key',
        server: other,
        serverName: 'emulator',
        steps: [cycle(pool.requests)],
        rounds: [],
        note: `EMULATOR_RSA_WORKERS=${workers}`,
      });
    }
    const forgeTarget = await fetchTarget(forgeServer.url, APP_KEY, SECRET_KEY);
    const forgePool = uploadPool(forgeTarget, 'credit-card', image, S.forgeKeys, 2, fresh);
    pairs.push({ workload: 'W2 credit card, fresh key', server: forgeServer, serverName: 'node-forge', steps: [cycle(forgePool.requests)], rounds: [] });
    pairs.find((p) => p.server === emulator && p.workload.startsWith('W2'))!.note = `EMULATOR_RSA_WORKERS=${DEFAULT_RSA_WORKERS}, the default`;
    const sharedSet = 'skipped' in shared ? [] : await sharedPairs(shared, image, fresh);
    pairs.push(...sharedSet);

    for (let round = 1; round <= S.rounds; round++) {
      log(`round ${round} of ${S.rounds}...`);
      for (const pair of pairs) {
        if (round === 1) await measurePair(pair, S.warm, false);
        pair.rounds.push(await measurePair(pair, S.seconds / S.rounds));
      }
    }
    const results = new Map<Pair, ReturnType<typeof combine>>();
    for (const pair of pairs) {
      const result = combine(pair.rounds);
      results.set(pair, result);
      add({
        workload: pair.workload,
        server: pair.serverName,
        result,
        ...(pair.note ? { note: pair.note } : {}),
        ...(pair.perUnit ? { perUnit: pair.perUnit } : {}),
      });
    }
    const of = (workload: string, server: BenchServer) => [...results].find(([p]) => p.workload === workload && p.server === server)?.[1];
    const w1 = of('W1 public key', emulator)!;
    const prismW1 = prismServer ? of('W1 public key', prismServer) : undefined;
    const w2 = of('W2 credit card, fresh key', emulator)!;
    const w3 = of('W3 credit card, reused key', emulator)!;
    const w4 = of('W4 id card + authenticity', emulator)!;
    const floorResult = of('W2-size upload, no crypto', floor)!;
    const idealW2 = of('W2 credit card, fresh key', ideal)!;
    const idealW3 = of('W3 credit card, reused key', ideal)!;
    const forge = of('W2 credit card, fresh key', forgeServer)!;
    const variants = Object.fromEntries(workerSettings.map((w) => [w, of('W2 credit card, fresh key', emulators.get(w)!)!]));
    const sharedResults = sharedSet.map((pair) => results.get(pair)!);

    // Latency at half of W2's peak, steady (open loop); and autocannon's overallRate for comparison.
    const halfRate = Math.max(1, Math.floor(w2.rps / 2));
    await fetch(`${emulator.url}/__emulator/requests`, { method: 'DELETE' });
    const steady = await runPaced(emulator.url, w2Steps[0]!, halfRate, S.seconds, emulator.pid);
    const inside = await journalTimes(emulator.url);
    add({ workload: `W2 at a steady ${halfRate} req/s (half of peak), open loop`, server: 'emulator', result: steady, noChart: true });
    // The floor server under the same paced uploads: the tail the machine and the load generator
    // add by themselves, measured in the same run.
    const floorSteady = await runPaced(floor.url, cycle(fresh.requests), halfRate, S.seconds, floor.pid);
    add({ workload: `W2 at a steady ${halfRate} req/s (half of peak), open loop`, server: 'floor', result: floorSteady, noChart: true });
    const bursts = await runLoad(emulator.url, w2Steps, { duration: S.seconds, overallRate: halfRate, pid: emulator.pid });
    add({ workload: `W2 with autocannon overallRate ${halfRate}`, server: 'emulator', result: bursts, note: 'per-second bursts', noChart: true });

    // Memory over mixed requests (W1, W2, W3 and W4's two calls in turn on each connection).
    report.memory.push({ label: 'idle, just started', requests: 0, rssMiB: rssAtStart });
    report.memory.push({ label: 'after the workloads above, before the mixed requests', requests: 0, rssMiB: rssMiB(emulator.pid) });
    const mixedFailed = await runMixed(emulator, [...w1Steps, ...w2Steps, ...w3Steps, ...w4Steps], async (requests) => {
      report.memory.push({ label: 'after mixed requests', requests, rssMiB: rssMiB(emulator.pid) });
      log(`mixed ${requests}: RSS ${rssMiB(emulator.pid).toFixed(1)} MiB`);
    });
    if (mixedFailed) report.notes.push(`mixed requests: ${mixedFailed} failed.`);

    // Ratios and targets.
    const checks: Check[] = report.checks;
    const rps = (r: LoadResult) => `${r.rps.toFixed(0)} req/s`;
    /** Three significant digits: 0.498 must not print as a met-looking 0.50. */
    const ratio = (a: number, b: number) => (b > 0 ? `${(a / b).toPrecision(3)}x` : 'n/a');
    /** Throughput ratio, and the same per CPU-second of the server (robust to other load on the machine). */
    const both = (a: LoadResult, b: LoadResult) =>
      a.serverCpuMs && b.serverCpuMs ? `${ratio(a.rps, b.rps)} (per CPU-second: ${ratio(b.serverCpuMs, a.serverCpuMs)})` : ratio(a.rps, b.rps);
    checks.push(
      prismW1
        ? { measure: 'W1 public key vs Prism', ours: rps(w1), peer: rps(prismW1), ratio: both(w1, prismW1), target: '>= 3x', met: w1.rps >= 3 * prismW1.rps }
        : { measure: 'W1 public key vs Prism', ours: rps(w1), peer: 'skipped', ratio: 'n/a', target: '>= 3x', met: undefined },
      {
        measure: 'W2 fresh key vs the ideal server',
        ours: rps(w2),
        peer: rps(idealW2),
        ratio: both(w2, idealW2),
        target: `>= ${IDEAL_TARGETS.w2}x`,
        met: w2.rps >= IDEAL_TARGETS.w2 * idealW2.rps,
      },
      {
        measure: 'W3 reused key vs the ideal server',
        ours: rps(w3),
        peer: rps(idealW3),
        ratio: both(w3, idealW3),
        target: `>= ${IDEAL_TARGETS.w3}x`,
        met: w3.rps >= IDEAL_TARGETS.w3 * idealW3.rps,
      },
      {
        measure: 'W2 fresh key vs floor',
        ours: rps(w2),
        peer: rps(floorResult),
        ratio: both(w2, floorResult),
        target: '>= 0.5x',
        met: w2.rps >= 0.5 * floorResult.rps,
      },
      {
        measure: 'W3 reused key vs floor',
        ours: rps(w3),
        peer: rps(floorResult),
        ratio: both(w3, floorResult),
        target: '>= 0.9x',
        met: w3.rps >= 0.9 * floorResult.rps,
      },
      { measure: 'W2 fresh key vs node-forge only', ours: rps(w2), peer: rps(forge), ratio: both(w2, forge), target: '>= 20x', met: w2.rps >= 20 * forge.rps },
      {
        measure: 'W2 vs RSA ceiling (one thread)',
        ours: rps(w2),
        peer: `${report.rsa.perCore.toFixed(0)} ops/s`,
        ratio: ratio(w2.rps, report.rsa.perCore),
        target: '-',
        met: undefined,
      },
      {
        measure: 'W2 by EMULATOR_RSA_WORKERS: 1 and 2 workers vs inline',
        ours: `1: ${rps(variants[1]!)}; 2: ${rps(variants[2]!)}`,
        peer: `0: ${rps(variants[0]!)}`,
        ratio: `${both(variants[1]!, variants[0]!)}; ${both(variants[2]!, variants[0]!)}`,
        target: `default ${DEFAULT_RSA_WORKERS}`,
        met: undefined,
      },
      { measure: 'W4 id card + authenticity', ours: `${(w4.rps / 2).toFixed(0)} flows/s`, peer: '-', ratio: '-', target: '-', met: undefined },
      ...(sharedResults.length === 3 ? sharedChecks(w2, sharedResults[0]!, sharedResults[1]!, sharedResults[2]!, both) : []),
    );
    const ourStart = report.startup[0]!;
    const bareStart = report.startup[1]!;
    const prismStart = report.startup[2];
    checks.push({
      measure: 'start-up to a healthy /__emulator/health vs a bare express app to its first answer (medians, runs alternating)',
      ours: `${ourStart.medianMs.toFixed(0)} ms`,
      peer: `${bareStart.medianMs.toFixed(0)} ms`,
      ratio: `${(ourStart.medianMs / bareStart.medianMs).toFixed(2)}x`,
      target: `<= ${STARTUP_TARGET_RATIO}x`,
      met: ourStart.medianMs <= STARTUP_TARGET_RATIO * bareStart.medianMs,
    });
    checks.push({
      measure: 'start-up to first answer (median)',
      ours: `${ourStart.medianMs.toFixed(0)} ms`,
      peer: prismStart ? `Prism ${prismStart.medianMs.toFixed(0)} ms` : 'Prism skipped',
      ratio: prismStart ? `${ratio(prismStart.medianMs, ourStart.medianMs)} faster` : 'n/a',
      target: '<= 300 ms and faster than Prism',
      met: ourStart.medianMs <= 300 && (!prismStart || ourStart.medianMs < prismStart.medianMs),
    });
    checks.push({
      measure: `p99 latency of W2 at a steady ${halfRate} req/s (half of W2's peak, open loop)`,
      ours: `${steady.p99.toFixed(2)} ms (p50 ${steady.p50.toFixed(2)})`,
      peer: `floor at the same rate: ${floorSteady.p99.toFixed(2)} ms (p50 ${floorSteady.p50.toFixed(2)}); autocannon overallRate: ${bursts.p99.toFixed(2)} ms`,
      ratio: ratio(steady.p99, floorSteady.p99),
      // The floor's own tail at the same rate is what the machine and the load generator add;
      // where even the floor misses 10 ms, the emulator is held to the floor's tail instead.
      target: '<= 10 ms, or <= 1.1x the floor where the floor misses 10 ms',
      met: steady.p99 <= 10 || (floorSteady.p99 > 10 && steady.p99 <= 1.1 * floorSteady.p99),
    });
    checks.push({
      measure: `the same requests timed inside the emulator (routing to answer, the journal's last ${inside.count})`,
      ours: `p99 ${inside.p99.toFixed(2)} ms (p50 ${inside.p50.toFixed(2)}, max ${inside.max.toFixed(2)})`,
      peer: '-',
      ratio: '-',
      target: '-',
      met: undefined,
    });
    const mem = report.memory;
    const end = mem[mem.length - 1]!.rssMiB;
    const half = mem.find((m) => m.requests === S.mixed / 2)!.rssMiB;
    checks.push({
      measure: `RSS after ${S.mixed.toLocaleString('en-US')} mixed requests`,
      ours: `${end.toFixed(1)} MiB`,
      peer: `${half.toFixed(1)} MiB half-way`,
      ratio: `${end - half >= 0 ? '+' : ''}${(end - half).toFixed(1)} MiB over the second half`,
      target: '<= 150 MiB, second half grows < 10%',
      met: end <= 150 && end - half < 0.1 * half,
    });
    report.notes.push(
      `Each workload ran ${S.rounds} rounds of ${S.seconds / S.rounds} s (after a ${S.warm} s warm-up), all servers interleaved in each round; req/s, p50 and p99 are medians of the rounds, CPU is over all rounds.`,
      `W2 and W4 send ${S.keys * S.wraps} distinct Symmetric-Key headers in a cycle (${S.keys} symmetric keys, each wrapped ${S.wraps} times: PKCS#1 v1.5 wrapping is randomised), so every request costs the server an RSA operation; W3 sends one header.`,
      `Load generator and servers share the same ${report.machine.nproc} cores; the floor and node-forge servers run the same express + multer stack on the same ~100 KB upload; the ideal server (ideal-server.ts, bare node:http) does only what no emulator can skip: read the body, unwrap the key (cached by header), decrypt the image, encrypt one value, answer JSON. "Other load" is what everything else on the machine kept busy meanwhile; where it is high, throughput and tail latency are understated.`,
      `Run took ${((performance.now() - started) / 1000).toFixed(0)} s.`,
    );
  } finally {
    for (const server of servers) await server.stop();
    if (!('skipped' in shared)) await shared.redis.stop();
    rmSync(keysDir, { recursive: true, force: true });
  }

  mkdirSync(RESULTS, { recursive: true });
  const base = quick ? 'quick' : 'latest';
  const md = markdown(report);
  writeFileSync(join(RESULTS, `${base}.md`), md);
  writeFileSync(join(RESULTS, `${base}.json`), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(join(RESULTS, quick ? 'quick-chart.svg' : 'chart.svg'), svgChart(report));
  console.log(md);
  log(`wrote ${join(RESULTS, `${base}.md`).replace(ROOT, '')}`);
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log(`${signal}: stopping the servers...`);
    void stopAllServers().finally(() => process.exit(130));
  });
}
try {
  await main();
} finally {
  await stopAllServers();
}
process.exit(0);
