/**
 * The ceiling no envelope server can pass on this machine: RSA-2048 private operations per
 * second (`privateDecrypt` with `RSA_NO_PADDING`, what the emulator does once per fresh key) in
 * a tight loop, on one thread and on one thread per core at once.
 */
import { constants, createPrivateKey, createPublicKey, privateDecrypt, publicEncrypt, randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { fixture } from '../support/fixtures.js';

/** Operations per second. */
export interface RsaCeiling {
  /** One thread. */
  perCore: number;
  /** `threads` threads at once, all together. */
  allCores: number;
  threads: number;
  /** Milliseconds per operation on one thread. */
  msPerOp: number;
}

const LOOP = `
const { constants, privateDecrypt } = require('node:crypto');
const { workerData, parentPort } = require('node:worker_threads');
const { key, wrapped, ms } = workerData;
const started = performance.now();
let n = 0;
while (performance.now() - started < ms) {
  privateDecrypt({ key, padding: constants.RSA_NO_PADDING }, wrapped);
  n++;
}
parentPort.postMessage(n / ((performance.now() - started) / 1000));
`;

/**
 * Measures for `ms` milliseconds per phase.
 * @example const { perCore, allCores } = await rsaCeiling(2000)
 */
export async function rsaCeiling(ms: number): Promise<RsaCeiling> {
  const key = createPrivateKey(fixture('rsa-2048-a.pem').toString('utf8'));
  const wrapped = publicEncrypt({ key: createPublicKey(key), padding: constants.RSA_PKCS1_PADDING }, randomBytes(32));
  // Warm up, then one thread (this one).
  for (let i = 0; i < 200; i++) privateDecrypt({ key, padding: constants.RSA_NO_PADDING }, wrapped);
  const started = performance.now();
  let n = 0;
  while (performance.now() - started < ms) {
    privateDecrypt({ key, padding: constants.RSA_NO_PADDING }, wrapped);
    n++;
  }
  const perCore = n / ((performance.now() - started) / 1000);
  const threads = availableParallelism();
  const rates = await Promise.all(
    Array.from({ length: threads }, () => {
      const worker = new Worker(LOOP, { eval: true, workerData: { key, wrapped, ms } });
      return new Promise<number>((resolve, reject) => {
        worker.once('message', (rate: number) => {
          resolve(rate);
          void worker.terminate();
        });
        worker.once('error', reject);
      });
    }),
  );
  return { perCore, allCores: rates.reduce((a, b) => a + b, 0), threads, msPerOp: 1000 / perCore };
}
