/**
 * `EMULATOR_WORKERS=N`: N worker processes serving one port (`node:cluster`; the primary
 * hands each connection to a worker in turn), sharing their state through Redis (config.ts
 * refuses more than one worker without it). The primary serves nothing itself: it prints the
 * one ready line once every worker listens, and on SIGTERM or SIGINT asks every worker to stop
 * as a single process does (answer what is in flight, server/http/drain.ts) and exits 0 once
 * they have; a second signal, or the bound passing, kills them.
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

/**
 * Forks the workers, prints the ready line once all of them listen, and stops them all on a
 * signal (exit 0) or when one of them exits on its own (exit 1: a worker that cannot start
 * reports why on stderr itself).
 * @example if (config.workers > 1 && !isWorker) return runPrimary({ workers: config.workers, host: config.host, readyLine })
 */
export function runPrimary(options: PrimaryOptions): void {
  const out = options.out ?? ((line: string) => console.log(line));
  const err = options.err ?? ((line: string) => console.error(line));
  const workers: Worker[] = Array.from({ length: options.workers }, () => cluster.fork());
  let listening = 0;
  let stopping = false;
  cluster.on('listening', (_worker, address: AddressInfo | { port: number; address: string | null }) => {
    if (++listening !== workers.length) return;
    out(`${options.readyLine(baseUrl(options.host, address.port))} with ${workers.length} worker processes`);
  });
  const live = () => workers.filter((worker) => !worker.isDead());
  const stopAll = (code: number) => {
    if (stopping) return;
    stopping = true;
    // Asked rather than signalled: on Ctrl-C the workers get SIGINT from the terminal as well,
    // and a signal they could not tell from a second one must not cut their drain short.
    for (const worker of live()) {
      if (worker.isConnected()) worker.send(STOP_MESSAGE);
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
    err(`nhn-ocr-emulator: worker ${worker.process.pid} exited (${signal ?? `code ${code}`}); stopping the others`);
    stopAll(1);
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
    if (typeof message === 'object' && message !== null && (message as Record<string, unknown>)['nhn-ocr-emulator'] === STOP_MESSAGE['nhn-ocr-emulator']) stop();
  });
}
