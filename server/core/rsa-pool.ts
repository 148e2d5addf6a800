/**
 * Runs the one RSA private operation of a request (the raw `privateDecrypt` of the
 * `Symmetric-Key` block) on worker threads, so a second core can do it while the main thread
 * parses uploads, decrypts images and answers. Only that operation moves: base64 and length
 * checks before it and the padding checks after it (with every 4000302 diagnosis) stay on the
 * main thread in envelope.ts, as do all state, the key store and the Request-Key ledger. A
 * worker gets a key pair once (KeyObjects travel to threads without re-parsing) and then only
 * 256-byte blocks.
 *
 * Workers start on first use, never at start-up; until one is online, and if one dies, the
 * operation runs inline. Jobs made during one turn of the event loop go to a worker as one
 * message (one wake-up for several requests). Size 0 means inline always. docs/configuration.md,
 * "Every setting": `EMULATOR_RSA_WORKERS`.
 */
import type { KeyObject } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { rsaRawDecrypt } from './envelope.js';

/**
 * Workers by default: none. Measured with `npm run bench` on the 2-core machine this project is
 * developed on (test/bench/README.md): with a worker, fresh-key throughput was lower, not higher,
 * and each request cost ~0.3 ms more CPU in thread hand-offs than the 0.25 ms RSA operation it
 * moved; the second core is already busy with the load generator (and any other work), and a
 * worker adds ~10 MB of resident memory. Set EMULATOR_RSA_WORKERS on a machine with idle cores.
 */
export const DEFAULT_RSA_WORKERS = 0;

/** Most key pairs a worker holds; past it the worker forgets them all and is sent them again. */
const KEYS_PER_WORKER = 32;

/**
 * The worker: CommonJS evaluated from a string, so it runs the same from the TypeScript sources
 * (tests) as from dist/. It does what `rsaRawDecrypt` in envelope.ts does; `null` = refused.
 */
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { constants, privateDecrypt } = require('node:crypto');
const keys = new Map();
parentPort.on('message', (jobs) => {
  const results = [];
  const transfer = [];
  for (const { id, keyId, key, wrapped } of jobs) {
    if (key) {
      if (keys.size >= ${KEYS_PER_WORKER}) keys.clear();
      keys.set(keyId, key);
    }
    let block = null;
    try {
      block = new Uint8Array(privateDecrypt({ key: keys.get(keyId), padding: constants.RSA_NO_PADDING }, wrapped));
      transfer.push(block.buffer);
    } catch {}
    results.push({ id, block });
  }
  parentPort.postMessage(results, transfer);
});
`;

interface Slot {
  worker: Worker;
  online: boolean;
  pending: number;
  /** Jobs gathered during this turn of the event loop, posted together. */
  outbox: { id: number; keyId: number; key: KeyObject | undefined; wrapped: Uint8Array }[];
  /** Key ids this worker holds; cleared exactly when the worker clears its own map. */
  known: Set<number>;
}

interface Job {
  slot: Slot;
  wrapped: Uint8Array;
  privateKey: KeyObject;
  resolve: (block: Uint8Array | undefined) => void;
}

/** How many operations ran where. */
export interface RsaPoolStats {
  size: number;
  online: number;
  pooled: number;
  inline: number;
  restarts: number;
}

/**
 * A pool of RSA worker threads.
 * @example
 * const pool = new RsaPool(1);
 * const block = await pool.decrypt(decodeWrappedKey(header, 256), key.privateKey);
 * const symmetricKey = symmetricKeyFromBlock(block); // 4000302 diagnoses as inline
 */
export class RsaPool {
  #slots: Slot[] = [];
  #jobs = new Map<number, Job>();
  #nextJob = 1;
  #keyIds = new WeakMap<KeyObject, number>();
  #nextKeyId = 1;
  #pooled = 0;
  #inline = 0;
  #restarts = 0;
  #closed = false;
  #flushing = false;

  constructor(readonly size: number) {
    if (!Number.isInteger(size) || size < 0) throw new RangeError(`RSA pool size must be a whole number >= 0, got ${size}`);
  }

  /** The raw RSA block, or `undefined` when RSA refuses the input (as {@link rsaRawDecrypt}). */
  decrypt(wrapped: Uint8Array, privateKey: KeyObject): Promise<Uint8Array | undefined> {
    const slot = this.#pick();
    if (!slot) {
      this.#inline++;
      return Promise.resolve(rsaRawDecrypt(wrapped, privateKey));
    }
    this.#pooled++;
    const id = this.#nextJob++;
    let keyId = this.#keyIds.get(privateKey);
    if (keyId === undefined) {
      keyId = this.#nextKeyId++;
      this.#keyIds.set(privateKey, keyId);
    }
    let key: KeyObject | undefined;
    if (!slot.known.has(keyId)) {
      if (slot.known.size >= KEYS_PER_WORKER) slot.known.clear();
      slot.known.add(keyId);
      key = privateKey;
    }
    // A copy of its own: a pooled Buffer's whole 8 KB backing store would be cloned otherwise.
    const copy = new Uint8Array(wrapped);
    if (slot.pending++ === 0) slot.worker.ref();
    return new Promise((resolve) => {
      this.#jobs.set(id, { slot, wrapped: copy, privateKey, resolve });
      slot.outbox.push({ id, keyId, key, wrapped: copy });
      if (!this.#flushing) {
        this.#flushing = true;
        setImmediate(this.#flush);
      }
    });
  }

  /** Posts each worker's gathered jobs as one message: one wake-up per worker per loop turn. */
  #flush = (): void => {
    this.#flushing = false;
    for (const slot of this.#slots) {
      if (!slot.outbox.length) continue;
      slot.worker.postMessage(slot.outbox);
      slot.outbox = [];
    }
  };

  get stats(): RsaPoolStats {
    return { size: this.size, online: this.#slots.filter((s) => s.online).length, pooled: this.#pooled, inline: this.#inline, restarts: this.#restarts };
  }

  /** Starts the workers (if not yet) and resolves once all are online; later operations go to them. */
  async ready(): Promise<void> {
    this.#pick();
    await Promise.all(this.#slots.map((slot) => (slot.online ? undefined : new Promise((resolve) => slot.worker.once('online', resolve)))));
  }

  /** Stops the workers; what they still owed and later operations run inline. */
  async close(): Promise<void> {
    this.#closed = true;
    const slots = this.#slots;
    await Promise.all(slots.map((slot) => slot.worker.terminate()));
  }

  /** The online worker with the fewest pending jobs; starts workers on first use. */
  #pick(): Slot | undefined {
    if (this.size === 0 || this.#closed) return undefined;
    // A worker that keeps dying is given up on: inline from then on.
    if (this.#slots.length < this.size && this.#restarts < 3 * this.size) {
      while (this.#slots.length < this.size) this.#slots.push(this.#start());
    }
    let best: Slot | undefined;
    for (const slot of this.#slots) if (slot.online && (!best || slot.pending < best.pending)) best = slot;
    return best;
  }

  #start(): Slot {
    const worker = new Worker(WORKER_SOURCE, { eval: true, name: 'nhn-ocr-emulator rsa' });
    const slot: Slot = { worker, online: false, pending: 0, outbox: [], known: new Set() };
    worker.unref();
    worker.once('online', () => (slot.online = true));
    worker.on('message', (results: { id: number; block: Uint8Array | null }[]) => {
      for (const { id, block } of results) {
        const job = this.#jobs.get(id);
        if (!job) continue;
        this.#jobs.delete(id);
        if (--slot.pending === 0) slot.worker.unref();
        job.resolve(block ?? undefined);
      }
    });
    const lost = () => {
      if (!this.#slots.includes(slot)) return;
      this.#slots = this.#slots.filter((s) => s !== slot);
      slot.online = false;
      if (!this.#closed) this.#restarts++;
      // Whatever the worker still owed is done here, with the same function.
      for (const [id, job] of this.#jobs) {
        if (job.slot !== slot) continue;
        this.#jobs.delete(id);
        this.#inline++;
        job.resolve(rsaRawDecrypt(job.wrapped, job.privateKey));
      }
    };
    worker.on('error', lost);
    worker.on('exit', lost);
    return slot;
  }
}

const shared = new Map<number, RsaPool>();

/**
 * One pool per size per process, shared by every engine in it (a test run makes many engines;
 * the work is stateless, so they can share threads).
 * @example const pool = sharedRsaPool(DEFAULT_RSA_WORKERS)
 */
export function sharedRsaPool(size: number): RsaPool {
  let pool = shared.get(size);
  if (!pool) {
    pool = new RsaPool(size);
    shared.set(size, pool);
  }
  return pool;
}
