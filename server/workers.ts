/**
 * `EMULATOR_WORKERS=N`: N worker processes serving one port (`node:cluster`; the primary
 * hands each connection to a worker in turn), sharing their state through Redis (config.ts
 * refuses more than one worker without it). The primary serves nothing itself: it prints the
 * one ready line once every worker listens, and on SIGTERM or SIGINT asks every worker to stop
 * as a single process does (answer what is in flight, server/http/drain.ts) and exits 0 once
 * they have; a second signal, or the bound passing, kills them. A worker that dies while serving
 * is replaced.
 */
import cluster, { type Worker } from 'node:cluster';
import type { AddressInfo } from 'node:net';
import { baseUrl } from './base-url.js';

/** Whether this process is one of the workers of {@link runPrimary}. */
export const isWorker = cluster.isWorker;

/** The message by which the primary asks a worker to stop. */
const STOP_MESSAGE = { 'nhn-ocr-emulator': 'stop' } as const;

/** What the primary needs: how many workers, and the ready line for the port they share. */
export interface PrimaryOptions {
  workers: number;
  host: string;
  /** How long the workers have to answer the requests in flight once asked to stop. */
  shutdownTimeoutMs: number;
  /** The ready line for a base URL (the same line a single process prints, plus the worker count). */
  readyLine(url: string): string;
  /** Where the primary's lines go (default: stdout and stderr). */
  out?: (line: string) => void;
  err?: (line: string) => void;
}

/** Restarts of dead workers allowed within {@link RESTART_WINDOW_MS}; one more stops them all. */
export const MAX_RESTARTS = 5;
const RESTART_WINDOW_MS = 60_000;
/** The wait before a restart: doubled for each restart already in the window, up to the cap. */
const FIRST_BACKOFF_MS = 100;
const MAX_BACKOFF_MS = 5_000;

/**
 * Forks the workers and prints the ready line once all of them listen. A worker that dies after
 * that (killed, out of memory) is replaced, after a back-off, so the port stays served; more than
 * {@link MAX_RESTARTS} restarts in a minute means something is wrong with every worker, and then
 * all stop (exit 1), as they do when one exits before the ready line (a worker that cannot start
 * reports why on stderr itself). On a signal, all are asked to stop and none is restarted (exit 0).
 * @example if (config.workers > 1 && !isWorker) return runPrimary({ workers: config.workers, host: config.host, shutdownTimeoutMs: 8000, readyLine })
 */
export function runPrimary(options: PrimaryOptions): void {
  const out = options.out ?? ((line: string) => console.log(line));
  const err = options.err ?? ((line: string) => console.error(line));
  const workers = new Set<Worker>(Array.from({ length: options.workers }, () => cluster.fork()));
  const listening = new WeakSet<Worker>();
  let ready = false;
  let stopping = false;
  const restarts: number[] = [];
  const pending = new Set<NodeJS.Timeout>();
  /** The line each replacement logs once it listens: the port is served as before. */
  const replacing = new Map<Worker, (pid: number | undefined) => string>();
  cluster.on('listening', (worker, address: AddressInfo | { port: number; address: string | null }) => {
    listening.add(worker);
    const replaced = replacing.get(worker);
    replacing.delete(worker);
    if (replaced) err(replaced(worker.process.pid));
    if (ready || ![...workers].every((w) => listening.has(w))) return;
    ready = true;
    out(`${options.readyLine(baseUrl(options.host, address.port))} with ${workers.size} worker processes`);
  });
  const live = () => [...workers].filter((worker) => !worker.isDead());
  const stopAll = (code: number) => {
    if (stopping) return;
    stopping = true;
    for (const timer of pending) clearTimeout(timer);
    pending.clear();
    // Asked rather than signalled: on Ctrl-C the workers get SIGINT from the terminal as well,
    // and a signal they could not tell from a second one must not cut their drain short. A worker
    // not yet listening has nothing to drain (and may not listen for the message yet).
    for (const worker of live()) {
      // A channel that closes meanwhile: the signal does it (the callback keeps the error from being thrown).
      if (listening.has(worker) && worker.isConnected()) worker.send(STOP_MESSAGE, undefined, (error: Error | null) => error && worker.process.kill('SIGTERM'));
      else worker.process.kill('SIGTERM');
    }
    // The workers bound their own drain; this is in case one of them hangs.
    const force = setTimeout(() => killAll(code), options.shutdownTimeoutMs + 3_000);
    force.unref();
    const exited = () => live().length === 0 && process.exit(code);
    cluster.on('exit', exited);
    exited();
  };
  const killAll = (code: number): void => {
    for (const worker of live()) worker.process.kill('SIGKILL');
    process.exit(code);
  };
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) return;
    workers.delete(worker);
    replacing.delete(worker);
    const how = signal ?? `code ${code}`;
    if (!ready) {
      err(`nhn-ocr-emulator: worker ${worker.process.pid} exited (${how}) before the emulator was ready; stopping the others`);
      stopAll(1);
      return;
    }
    const now = Date.now();
    while (restarts.length > 0 && restarts[0]! <= now - RESTART_WINDOW_MS) restarts.shift();
    if (restarts.length >= MAX_RESTARTS) {
      err(`nhn-ocr-emulator: worker ${worker.process.pid} exited (${how}) after ${MAX_RESTARTS} restarts within a minute; stopping the others`);
      stopAll(1);
      return;
    }
    const backoff = Math.min(FIRST_BACKOFF_MS * 2 ** restarts.length, MAX_BACKOFF_MS);
    restarts.push(now);
    const count = restarts.length;
    const timer = setTimeout(() => {
      pending.delete(timer);
      if (stopping) return;
      const replacement = cluster.fork();
      workers.add(replacement);
      replacing.set(
        replacement,
        (pid) =>
          `nhn-ocr-emulator: worker ${worker.process.pid} exited (${how}); worker ${pid} serves in its place, started after ${backoff} ms (restart ${count} of at most ${MAX_RESTARTS} a minute)`,
      );
    }, backoff);
    pending.add(timer);
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (stopping) {
        out(`nhn-ocr-emulator: ${signal} again, stopping now without waiting for the requests in flight`);
        killAll(0);
        return;
      }
      out(`nhn-ocr-emulator stopping (${signal}): answering the requests in flight, for at most ${options.shutdownTimeoutMs} ms`);
      stopAll(0);
    });
  }
}

/**
 * In a worker, calls `stop` when the primary asks it to stop; elsewhere does nothing.
 * @example onStopRequest(() => stop('asked by the primary'))
 */
export function onStopRequest(stop: () => void): void {
  if (!isWorker) return;
  process.on('message', (message: unknown) => {
    if (typeof message === 'object' && message !== null && (message as Record<string, unknown>)['nhn-ocr-emulator'] === STOP_MESSAGE['nhn-ocr-emulator'])
      stop();
  });
}
