/**
 * Drives a server with autocannon from pre-built requests. Each connection walks a sequence of
 * steps (one step for plain workloads, two for id-card then authenticity); a step hands out the
 * next prepared request and may check the answer. Latencies are taken from autocannon's
 * per-response event in fractional milliseconds (its own histogram keeps whole milliseconds).
 */
import autocannon from 'autocannon';
import { readFileSync } from 'node:fs';
import type { PreparedRequest } from './envelopes.js';

/** Per-connection state a sequence carries from one step to the next. */
export type Context = Record<string, unknown>;

/** One step of a sequence. */
export interface Step {
  /** The next request; `undefined` starts the sequence over (e.g. a chain's first call failed). */
  next(context: Context): PreparedRequest | undefined;
  /** Whether the answer is the expected one; by default: HTTP 200 with `"isSuccessful":true`. */
  check?(status: number, body: string, context: Context, headers: Record<string, string | string[]>): boolean;
}

/** How hard and how long. */
export interface LoadOptions {
  connections?: number;
  /** Seconds to run; or */
  duration?: number;
  /** this many requests in all. */
  amount?: number;
  /** Fixed total rate in requests per second (open-ish loop: latency at a given load). */
  overallRate?: number;
  /** The server's process id, to measure the CPU time it spends (all its threads); several for a server of several processes (workers, Redis). */
  pid?: number | readonly number[];
}

/** What a run measured. */
export interface LoadResult {
  requests: number;
  seconds: number;
  /** Completed requests per second. */
  rps: number;
  /** Latency percentiles in milliseconds. */
  p50: number;
  p99: number;
  /** Answers that were not the expected ones (wrong status or a failure body). */
  failures: number;
  /** Connection errors and timeouts. */
  errors: number;
  /** Server CPU milliseconds (user + system, all threads) per request, if its pid was given. */
  serverCpuMs?: number;
  /** Cores the server kept busy on average, if its pid was given. */
  serverCores?: number;
  /** Load-generator CPU milliseconds per request (this process). */
  clientCpuMs: number;
  /**
   * Cores kept busy by everything else on the machine meanwhile (all cores' busy time from
   * /proc/stat, less this process and the server): other work skews the numbers.
   */
  otherCores?: number;
}

/** Busy and total CPU time of the whole machine in milliseconds, from /proc/stat. */
export function machineCpuMs(): { busy: number; total: number } {
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const total = cpu.reduce((a, b) => a + b, 0);
  const idle = cpu[3]! + (cpu[4] ?? 0);
  return { busy: (total - idle) * 10, total: total * 10 };
}

/** What a run cost: server, client and everything else, per request and in cores. */
function costs(
  pid: number | readonly number[] | undefined,
  before: { server: number; client: NodeJS.CpuUsage; machine: number },
  requests: number,
  seconds: number,
) {
  const client = process.cpuUsage(before.client);
  const clientMs = (client.user + client.system) / 1000;
  const serverMs = pid ? cpuOf(pid) - before.server : undefined;
  const machineMs = machineCpuMs().busy - before.machine;
  const n = Math.max(1, requests);
  return {
    ...(serverMs === undefined
      ? {}
      : { serverCpuMs: serverMs / n, serverCores: serverMs / 1000 / seconds, otherCores: Math.max(0, (machineMs - serverMs - clientMs) / 1000 / seconds) }),
    clientCpuMs: clientMs / n,
  };
}

function costsBefore(pid: number | readonly number[] | undefined) {
  return { server: pid ? cpuOf(pid) : 0, client: process.cpuUsage(), machine: machineCpuMs().busy };
}

/** CPU time of one process or the sum of several. */
function cpuOf(pid: number | readonly number[]): number {
  return (typeof pid === 'number' ? [pid] : pid).reduce((sum, one) => sum + cpuMs(one), 0);
}

/** CPU time of a process in milliseconds (user + system, all threads), from /proc/<pid>/stat. */
export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 14 and 15 of proc(5) (utime, stime) are the 12th and 13th after the command name; ticks of 10 ms.
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** A step that cycles through prepared requests, shared by all connections. */
export function cycle(requests: readonly PreparedRequest[], check?: Step['check']): Step {
  let i = 0;
  return { next: () => requests[i++ % requests.length], ...(check ? { check } : {}) };
}

/** The default check: our APIs answer HTTP 200 and say so in the body. */
export function succeeded(status: number, body: string): boolean {
  return status === 200 && body.includes('"isSuccessful":true');
}

/**
 * Runs a sequence against `url` and measures it.
 * @example const w1 = await runLoad(url, [cycle([publicKeyRequest(target)])], { duration: 10 })
 */
export async function runLoad(url: string, steps: Step[], options: LoadOptions): Promise<LoadResult> {
  const latencies: number[] = [];
  let failures = 0;
  const requests = steps.map((step) => ({
    setupRequest: (request: autocannon.Request, context: Context) => {
      const prepared = step.next(context);
      if (!prepared) return undefined as unknown as autocannon.Request;
      return { ...request, method: prepared.method, path: prepared.path, headers: { ...prepared.headers }, body: prepared.body ?? Buffer.alloc(0) };
    },
    onResponse: (status: number, body: string, context: Context, headers: Record<string, string | string[]>) => {
      const ok = step.check ? step.check(status, body, context, headers ?? {}) : succeeded(status, body);
      if (!ok) failures++;
    },
  }));
  const before = costsBefore(options.pid);
  const started = performance.now();
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url,
        connections: options.connections ?? 10,
        pipelining: 1,
        timeout: 30,
        ...(options.amount ? { amount: options.amount } : { duration: options.duration ?? 10 }),
        ...(options.overallRate ? { overallRate: options.overallRate } : {}),
        requests: requests as unknown as autocannon.Request[],
      },
      (error, result) => (error ? reject(error) : resolve(result)),
    );
    instance.on('response', (_client: unknown, _status: number, _bytes: number, responseTime: number) => {
      latencies.push(responseTime);
    });
  });
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? Number.NaN;
  return {
    requests: latencies.length,
    seconds,
    rps: latencies.length / seconds,
    p50: at(0.5),
    p99: at(0.99),
    failures,
    errors: result.errors + result.timeouts,
    ...costs(options.pid, before, latencies.length, seconds),
  };
}

/**
 * Latency at a fixed arrival rate, open loop (as wrk2 does it): request `i` is due at
 * `i / rate` seconds and its latency counts from then, so a slow answer delays nobody's clock
 * and queueing shows up in the numbers. autocannon's `overallRate` instead lets each connection
 * send its whole per-second quota back to back at the start of every second, which measures
 * bursts at full speed, not a steady half load.
 * @example const r = await runPaced(url, cycle(pool.requests), 400, 10)
 */
export async function runPaced(url: string, step: Step, rate: number, seconds: number, pid?: number | readonly number[]): Promise<LoadResult> {
  const { Agent, request } = await import('node:http');
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const target = new URL(url);
  const total = Math.max(1, Math.round(rate * seconds));
  const interval = 1000 / rate;
  const latencies: number[] = [];
  let failures = 0;
  let errors = 0;
  let finished = 0;
  const before = costsBefore(pid);
  const started = performance.now();
  await new Promise<void>((resolve) => {
    const settle = () => {
      if (++finished === total) resolve();
    };
    const fire = (due: number) => {
      const prepared = step.next({});
      if (!prepared) {
        errors++;
        settle();
        return;
      }
      const body = prepared.body ?? Buffer.alloc(0);
      const req = request(
        {
          agent,
          host: target.hostname,
          port: target.port,
          method: prepared.method,
          path: prepared.path,
          headers: { ...prepared.headers, 'Content-Length': String(body.length) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            latencies.push(performance.now() - due);
            const text = Buffer.concat(chunks).toString('utf8');
            if (!(step.check ? step.check(res.statusCode ?? 0, text, {}, {}) : succeeded(res.statusCode ?? 0, text))) failures++;
            settle();
          });
        },
      );
      req.on('error', () => {
        errors++;
        settle();
      });
      req.end(body);
    };
    let sent = 0;
    const tick = () => {
      const now = performance.now();
      while (sent < total && started + sent * interval <= now) fire(started + sent++ * interval);
      if (sent < total) setTimeout(tick, Math.max(0, started + sent * interval - performance.now()));
    };
    tick();
  });
  const elapsed = (performance.now() - started) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? Number.NaN;
  return {
    requests: latencies.length,
    seconds: elapsed,
    rps: latencies.length / elapsed,
    p50: at(0.5),
    p99: at(0.99),
    failures,
    errors,
    ...costs(pid, before, latencies.length, elapsed),
  };
}
