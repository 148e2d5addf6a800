/**
 * The bench's shared-state setups: the emulator on Redis as one process, as two processes on one
 * Redis with the load split between them, and as `EMULATOR_WORKERS=2` (all against a
 * redis-server the bench starts, in a temporary directory, stopped at the end). Their CPU time
 * counts every process of the setup, redis-server included.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { NO_REDIS_REASON, REDIS_SERVER, startRedis, type TestRedis } from '../support/redis-server.js';
import { runLoad, type LoadOptions, type LoadResult, type Step } from './load.js';
import type { BenchServer } from './processes.js';

/** The setups, once started. */
export interface SharedSetups {
  redis: TestRedis;
  /** One emulator process on Redis. */
  single: BenchServer;
  /** Two emulator processes on one Redis and prefix. */
  twins: [BenchServer, BenchServer];
  /** EMULATOR_WORKERS=2 on Redis. */
  workers: BenchServer;
}

const SECRET = 'nhn-ocr-emulator bench secret';

/**
 * Starts redis-server and the three setups with `start` (the bench's emulator starter, given
 * extra environment); resolves `{ skipped }` when redis-server is not installed.
 * @example const shared = await startSharedSetups((env) => startEmulator(0, [], env))
 */
export async function startSharedSetups(start: (env: Record<string, string>) => Promise<BenchServer>): Promise<SharedSetups | { skipped: string }> {
  if (!REDIS_SERVER) return { skipped: NO_REDIS_REASON };
  const redis = await startRedis();
  const env = (name: string, extra: Record<string, string> = {}) => ({
    EMULATOR_REDIS_URL: redis.url,
    EMULATOR_REDIS_SECRET: SECRET,
    EMULATOR_REDIS_PREFIX: `bench-${name}-${randomBytes(3).toString('hex')}:`,
    ...extra,
  });
  const single = await start(env('single'));
  const twinEnv = env('twins');
  const twins: [BenchServer, BenchServer] = [await start(twinEnv), await start(twinEnv)];
  const workers = await start(env('workers', { EMULATOR_WORKERS: '2' }));
  return { redis, single, twins, workers };
}

/**
 * Every process of a server (a primary's workers too), and redis-server when given.
 * @example pidsOf(shared.workers, shared.redis) // [primary, worker, worker, redis]
 */
export function pidsOf(server: BenchServer, redis?: TestRedis): number[] {
  let children: number[] = [];
  try {
    children = execFileSync('pgrep', ['-P', String(server.pid)], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .filter(Boolean)
      .map(Number);
  } catch {
    // no children
  }
  return [server.pid, ...children, ...(redis?.pid ? [redis.pid] : [])];
}

/**
 * One load split across several servers at once (half the connections each), reported as one:
 * throughput summed, percentiles the worst of the parts, CPU over every process (`pids` of each
 * part; redis-server in one part only).
 * @example const r = await runSplit([a, b], [stepsA, stepsB], { duration: 5 }, [pidsOf(a, redis), pidsOf(b)])
 */
export async function runSplit(
  servers: readonly BenchServer[],
  steps: readonly Step[][],
  options: LoadOptions,
  pids: readonly number[][],
): Promise<LoadResult> {
  const connections = Math.max(1, Math.round((options.connections ?? 10) / servers.length));
  const parts = await Promise.all(servers.map((server, i) => runLoad(server.url, steps[i]!, { ...options, connections, pid: pids[i]! })));
  const requests = parts.reduce((n, p) => n + p.requests, 0);
  const seconds = Math.max(...parts.map((p) => p.seconds));
  const serverMs = parts.reduce((n, p) => n + (p.serverCpuMs ?? 0) * p.requests, 0);
  return {
    requests,
    seconds,
    rps: parts.reduce((n, p) => n + p.rps, 0),
    p50: Math.max(...parts.map((p) => p.p50)),
    p99: Math.max(...parts.map((p) => p.p99)),
    failures: parts.reduce((n, p) => n + p.failures, 0),
    errors: parts.reduce((n, p) => n + p.errors, 0),
    serverCpuMs: serverMs / Math.max(1, requests),
    serverCores: serverMs / 1000 / seconds,
    // Each part counted the other's server as other load: take the smallest.
    otherCores: Math.min(...parts.map((p) => p.otherCores ?? 0)),
    clientCpuMs: parts.reduce((n, p) => n + p.clientCpuMs * p.requests, 0) / Math.max(1, requests),
  };
}
