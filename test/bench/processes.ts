/**
 * Servers under test as processes of their own: start, wait for ready, read memory, stop.
 * Everything listens on 127.0.0.1 only.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { ROOT } from '../../contracts/lib/spawn-emulator.js';
import { freePort } from '../support/free-port.js';

const running = new Set<BenchServer>();

/** Stops every server this process started and has not stopped yet (on errors and Ctrl-C). */
export async function stopAllServers(): Promise<void> {
  await Promise.all([...running].map((server) => server.stop()));
}

/**
 * Resident memory of a process in MiB, from /proc/<pid>/status (VmRSS).
 * @example rssMiB(server.pid) // 61.2
 */
export function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1]);
  return kb / 1024;
}

/** How to tell that a server answers: an HTTP request that must get `status`. */
export interface Probe {
  path: string;
  headers?: Record<string, string>;
  status?: number;
}

/** A server process started by the bench. */
export interface BenchServer {
  name: string;
  url: string;
  pid: number;
  child: ChildProcess;
  /** Milliseconds from spawn to the first answer of the probe. */
  readyMs: number;
  output: () => string;
  stop(): Promise<void>;
}

/**
 * Starts `command args` (args may depend on the port) with PORT set to a free port and polls `probe` every 2 ms until it
 * answers; resolves with the running server. The child gets its own process group so the whole
 * tree stops with it.
 */
export async function startServer(
  name: string,
  command: string,
  args: string[] | ((port: number) => string[]),
  probe: Probe,
  env: Record<string, string> = {},
  timeoutMs = 30_000,
): Promise<BenchServer> {
  const port = await freePort();
  const argv = typeof args === 'function' ? args(port) : args;
  const url = `http://127.0.0.1:${port}`;
  let output = '';
  const started = performance.now();
  const child = spawn(command, argv, {
    cwd: ROOT,
    env: { ...process.env, HOST: '127.0.0.1', PORT: String(port), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  child.stdout!.on('data', (chunk: Buffer) => (output = (output + chunk.toString('utf8')).slice(-20_000)));
  child.stderr!.on('data', (chunk: Buffer) => (output = (output + chunk.toString('utf8')).slice(-20_000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // Filled in once ready; `stop` needs it to leave the running set.
  let server: BenchServer = undefined as unknown as BenchServer;
  const stop = async () => {
    running.delete(server);
    if (child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(-child.pid!, 'SIGTERM');
      } catch {
        // already gone
      }
      const timer = setTimeout(() => {
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          // already gone
        }
      }, 3000);
      await exited;
      clearTimeout(timer);
    }
  };
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode} before it answered:\n${output}`);
    try {
      const res = await fetch(`${url}${probe.path}`, { headers: probe.headers ?? {} });
      await res.arrayBuffer();
      if (res.status === (probe.status ?? 200)) break;
    } catch {
      // not listening yet
    }
    if (performance.now() - started > timeoutMs) {
      await stop();
      throw new Error(`${name} did not answer ${probe.path} within ${timeoutMs} ms:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  const readyMs = performance.now() - started;
  server = { name, url, pid: child.pid!, child, readyMs, output: () => output, stop };
  running.add(server);
  return server;
}

/**
 * Launch-to-ready times of `runs` fresh starts (each stopped before the next).
 * @example const times = await startupTimes('emulator', process.execPath, [MAIN], { path: '/__emulator/health' }, 10)
 */
export async function startupTimes(
  name: string,
  command: string,
  args: string[] | ((port: number) => string[]),
  probe: Probe,
  runs: number,
  env: Record<string, string> = {},
): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const server = await startServer(name, command, args, probe, env);
    times.push(server.readyMs);
    await server.stop();
  }
  return times;
}

/** The median of some numbers. */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/**
 * How busy the machine is without us: the share of all cores busy over `ms` milliseconds, from
 * /proc/stat, taken while the bench itself is idle. Other work on a shared machine skews every
 * number; the report states this one.
 */
export async function backgroundBusy(ms = 2000): Promise<number> {
  const sample = () => {
    const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    const idle = cpu[3]! + (cpu[4] ?? 0);
    return { idle, total: cpu.reduce((a, b) => a + b, 0) };
  };
  const before = sample();
  await new Promise((resolve) => setTimeout(resolve, ms));
  const after = sample();
  const total = after.total - before.total;
  return total > 0 ? 1 - (after.idle - before.idle) / total : 0;
}
