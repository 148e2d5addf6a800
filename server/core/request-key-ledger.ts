/**
 * The Request-Key ledger. The v2.0 guide (TOAST-DOCS/OCR en/document-ocr-api-guide-v2.0.md,
 * "ID Card Analysis API", Response Header): "If you use the Request-Key to make a Authenticity
 * API call and get a normal response, the Request-Key used cannot be reused" and "Request-Key is
 * valid for 1 hour after issuance". A key is bound to the app key that got it and to what was
 * recognised. Node runs this synchronously, so `take` is atomic: of many concurrent calls with
 * one key, exactly one can consume it.
 */
import type { Clock } from './clock.js';
import { OcrError } from './errors.js';
import type { IdType } from './id-card.js';
import { randomUuid, type RandomSource } from './random.js';

/** What the ledger remembers of one issued key. */
export interface LedgerEntry {
  requestKey: string;
  appKey: string;
  idType: IdType;
  /** Recognised plaintext values by key. */
  values: Record<string, string>;
  /** A scripted authenticity verdict; `undefined` compares the submitted values. */
  verdict?: boolean | undefined;
  issuedAt: number;
  expiresAt: number;
  consumed: boolean;
}

/** Ledger settings. */
export interface LedgerOptions {
  clock: Clock;
  random: RandomSource;
  /** Validity in seconds; the guide says one hour. */
  ttlSeconds: number;
  /** Most entries kept; past it the oldest go first, so memory stays bounded under load. */
  maxEntries?: number;
}

/**
 * Issues, checks and consumes Request-Keys.
 * @example
 * const ledger = new RequestKeyLedger({ clock, random: cryptoRandom, ttlSeconds: 3600 });
 * const key = ledger.issue('appkey', 'resident', { name: '홍길동' });
 * const entry = ledger.check(key, 'appkey'); // throws 4000122 when unusable
 * ledger.consume(entry);
 */
export class RequestKeyLedger {
  // A Map keeps insertion order, which is issue order: the oldest entries come first.
  #entries = new Map<string, LedgerEntry>();
  #lastPurge = 0;
  readonly maxEntries: number;

  constructor(private readonly options: LedgerOptions) {
    this.maxEntries = options.maxEntries ?? 100_000;
  }

  get ttlSeconds(): number {
    return this.options.ttlSeconds;
  }

  /** Issues a key for a recognised card. */
  issue(appKey: string, idType: IdType, values: Record<string, string>, verdict?: boolean): string {
    this.#purge();
    const now = this.options.clock.now();
    const requestKey = randomUuid(this.options.random);
    this.#entries.set(requestKey, {
      requestKey, appKey, idType, values, verdict, issuedAt: now, expiresAt: now + this.options.ttlSeconds * 1000, consumed: false,
    });
    while (this.#entries.size > this.maxEntries) this.#entries.delete(this.#entries.keys().next().value!);
    return requestKey;
  }

  /** The entry for a usable key; 4000122 for unknown, expired, consumed or foreign keys. */
  check(requestKey: string, appKey: string): LedgerEntry {
    const entry = this.#entries.get(requestKey);
    if (!entry) throw new OcrError('AUTHENTICITY_REQUEST_KEY_INVALID', 'Request-Key was never issued (or was purged after expiry)');
    if (entry.appKey !== appKey) {
      throw new OcrError('AUTHENTICITY_REQUEST_KEY_INVALID', `Request-Key was issued to another appKey ("${entry.appKey}")`);
    }
    if (entry.consumed) {
      throw new OcrError('AUTHENTICITY_REQUEST_KEY_INVALID', 'Request-Key was already used by an authenticity call that succeeded');
    }
    const now = this.options.clock.now();
    if (now >= entry.expiresAt) {
      const ago = Math.round((now - entry.expiresAt) / 1000);
      throw new OcrError('AUTHENTICITY_REQUEST_KEY_INVALID', `Request-Key expired ${ago} s ago (valid ${this.options.ttlSeconds} s from issue)`);
    }
    return entry;
  }

  /** Marks a key used: call only when the authenticity answer is a success. */
  consume(entry: LedgerEntry): void {
    entry.consumed = true;
  }

  /** Number of entries held. */
  get size(): number {
    return this.#entries.size;
  }

  /** Forgets every key. */
  reset(): void {
    this.#entries.clear();
  }

  /** Drops expired entries, at most once a second (cheap enough to call on every issue). */
  #purge(): void {
    const now = this.options.clock.now();
    if (now - this.#lastPurge < 1000) return;
    this.#lastPurge = now;
    for (const [key, entry] of this.#entries) {
      if (entry.expiresAt <= now) this.#entries.delete(key);
    }
  }
}
