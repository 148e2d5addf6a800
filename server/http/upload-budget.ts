/**
 * A bound on upload bytes held in memory at once, across all requests (EMULATOR_MAX_INFLIGHT_BYTES).
 * Each request may buffer up to the upload limit, and nothing bounded how many do so at a time:
 * 32 parallel 20 MB uploads took the process to 698 MB. Past the bound, requests that bring more
 * bytes are paused (their sockets stop being read: TCP back-pressure on the client) and resumed,
 * oldest first, as other requests give their bytes back: once the engine is done with the upload
 * (server/http/multipart.ts), not when the answer is sent, so a request waiting out a scenario's
 * `delayMs` holds none of the budget and never keeps another upload waiting.
 *
 * Never stuck: when every request holding bytes is paused, or has brought nothing for a while
 * (its client stopped sending mid-body: a client stalled until the request timeout kept every
 * other upload waiting as long), the oldest waiting one goes on past the bound, alone, so an
 * upload larger than the whole budget (or than what is left of it) still proceeds. Memory is
 * therefore bounded by the budget plus one upload (plus a socket read per request, the bytes
 * already on their way when it was paused).
 *
 * Never starved: a request that arrives while others wait queues behind them, however much of the
 * budget is free when its first bytes come in.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** About what one socket read brings; resuming a waiter reserves this much headroom. */
const READ_BYTES = 64 * 1024;

/** A holder that brought no bytes for this long counts as stalled: it no longer keeps waiters waiting. */
const STALL_MS = 1000;

/** What GET /__emulator/stats shows under `uploads`. */
export interface UploadBudgetStats {
  /** Upload bytes held now, by requests not yet answered. */
  heldBytes: number;
  /** The most ever held at once. */
  peakBytes: number;
  /** The bound (EMULATOR_MAX_INFLIGHT_BYTES). */
  maxBytes: number;
  /** Requests paused now, waiting for the budget. */
  waiting: number;
  /** How many times a request was paused so far. */
  pauses: number;
}

/** One request's share of the budget. */
export interface UploadTicket {
  /** Counts bytes now held for the request; pauses it when the budget is spent. */
  add(bytes: number): void;
  /** Gives back everything counted (the bytes were dropped, or the request was answered). */
  close(): void;
}

interface Holder {
  req: IncomingMessage;
  bytes: number;
  waiting: boolean;
  closed: boolean;
  /** When it last brought bytes (the budget's clock). */
  lastBytesAt: number;
}

/**
 * Settings of a budget besides its size; a test sets them.
 * @example new UploadBudget(512 * 1024, { stallMs: 200 })
 */
export interface UploadBudgetOptions {
  /** How long a holder may bring nothing before it counts as stalled (1000 ms). */
  stallMs?: number;
  /** The clock, in milliseconds. */
  now?: () => number;
}

/**
 * The budget, shared by every upload of an app.
 * @example const budget = new UploadBudget(80 * 1024 * 1024); const ticket = budget.open(req, res); req.on('data', (c) => ticket.add(c.length))
 */
export class UploadBudget {
  #held = 0;
  #peak = 0;
  #pauses = 0;
  /** Holders with bytes or waiting; the waiting ones also in `#queue`, oldest first. */
  #holders = new Set<Holder>();
  #queue: Holder[] = [];
  /** The one holder allowed past the bound, when nothing else could make progress. */
  #alone: Holder | undefined;
  /** Looks again for stalled holders while requests wait: a stalled one brings no event. */
  #stallCheck: NodeJS.Timeout | undefined;
  readonly #stallMs: number;
  readonly #now: () => number;

  constructor(
    readonly maxBytes: number,
    options: UploadBudgetOptions = {},
  ) {
    this.#stallMs = options.stallMs ?? STALL_MS;
    this.#now = options.now ?? (() => performance.now());
  }

  /**
   * A ticket for a request, given back when its answer is done (`res` closes) at the latest.
   * @example const ticket = budget.open(req, res)
   */
  open(req: IncomingMessage, res?: ServerResponse): UploadTicket {
    const holder: Holder = { req, bytes: 0, waiting: false, closed: false, lastBytesAt: this.#now() };
    const ticket = { add: (bytes: number) => this.#add(holder, bytes), close: () => this.#close(holder) };
    res?.once('close', ticket.close);
    return ticket;
  }

  get stats(): UploadBudgetStats {
    return { heldBytes: this.#held, peakBytes: this.#peak, maxBytes: this.maxBytes, waiting: this.#queue.length, pauses: this.#pauses };
  }

  #add(holder: Holder, bytes: number): void {
    if (holder.closed) return;
    holder.bytes += bytes;
    holder.lastBytesAt = this.#now();
    this.#held += bytes;
    this.#peak = Math.max(this.#peak, this.#held);
    this.#holders.add(holder);
    if (holder === this.#alone) return;
    if (holder.waiting) {
      holder.req.pause(); // resumed meanwhile by someone else (a pipe's 'drain'): hold it again
      return;
    }
    // Over the bound, or others already queued (first come, first served): wait in line.
    if (this.#held > this.maxBytes || this.#queue.length > 0) {
      holder.waiting = true;
      holder.req.pause();
      this.#queue.push(holder);
      this.#pauses++;
      this.#pump();
    }
  }

  #close(holder: Holder): void {
    if (holder.closed) return;
    holder.closed = true;
    this.#held -= holder.bytes;
    holder.bytes = 0;
    this.#holders.delete(holder);
    if (holder.waiting) this.#queue.splice(this.#queue.indexOf(holder), 1);
    if (holder === this.#alone) this.#alone = undefined;
    this.#pump();
  }

  /** Resumes waiters, oldest first, as far as the budget allows; or one alone if nothing else moves. */
  #pump(): void {
    let headroom = this.maxBytes - this.#held;
    while (this.#queue.length > 0 && headroom >= READ_BYTES) {
      this.#resume(this.#queue.shift()!);
      headroom -= READ_BYTES;
    }
    if (this.#queue.length > 0 && this.#alone === undefined) {
      const now = this.#now();
      if ([...this.#holders].every((h) => h.waiting || now - h.lastBytesAt >= this.#stallMs)) {
        this.#alone = this.#queue.shift()!;
        this.#resume(this.#alone);
      }
    }
    this.#watchStalls();
  }

  /** While requests wait and none goes alone, looks again once a holder could have stalled. */
  #watchStalls(): void {
    if (this.#queue.length === 0 || this.#alone !== undefined) {
      clearTimeout(this.#stallCheck);
      this.#stallCheck = undefined;
    } else if (this.#stallCheck === undefined) {
      this.#stallCheck = setTimeout(() => {
        this.#stallCheck = undefined;
        this.#pump();
      }, this.#stallMs).unref();
    }
  }

  #resume(holder: Holder): void {
    holder.waiting = false;
    holder.req.resume();
  }
}
