/**
 * `EMULATOR_WORKERS=N`: N worker processes serving one port (`node:cluster`; the primary
 * hands each connection to a worker in turn), sharing their state through Redis (config.ts
 * refuses more than one worker without it). The primary serves nothing itself: it prints the
 * one ready line once every worker listens, and on SIGTERM or SIGINT stops them all.
 */
import cluster, { type Worker } from 'node:cluster';
import type { AddressInfo } from 'node:net';
import { baseUrl } from './base-url.js';

/** Whether this process is one of the workers of {@link runPrimary}. */
export const isWorker = cluster.isWorker;

/** What the primary needs: how many workers, and the ready line for the port they share. */
export interface PrimaryOptions {
  workers: number;
  host: string;
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
  const stopAll = (code: number) => {
    if (stopping) return;
    stopping = true;
    for (const worker of workers) if (!worker.isDead()) worker.process.kill('SIGTERM');
    const force = setTimeout(() => {
      for (const worker of workers) if (!worker.isDead()) worker.process.kill('SIGKILL');
      process.exit(code);
    }, 5000);
    force.unref();
    const exited = () => workers.every((w) => w.isDead()) && process.exit(code);
    cluster.on('exit', exited);
    exited();
  };
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) return;
    err(`nhn-ocr-emulator: worker ${worker.process.pid} exited (${signal ?? `code ${code}`}); stopping the others`);
    stopAll(1);
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      out(`nhn-ocr-emulator stopping (${signal})`);
      stopAll(0);
    });
  }
}
