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
  /** Recognised plaintext values by key; emptied once the key is consumed (nothing reads them then). */
  values: Readonly<Record<string, string>>;
  /** A scripted authenticity verdict; `undefined` compares the submitted values. */
  verdict?: boolean | undefined;
  issuedAt: number;
  expiresAt: number;
  consumed: boolean;
}

/** What a listing shows of one key: never the key itself, never the recognised values. */
export interface RequestKeyView {
  /** The key masked but for its last four characters (see {@link maskRequestKey}). */
  requestKey: string;
  appKey: string;
  idType: IdType;
  /** `valid` until used or past `expiresAt` by the emulator clock. */
  state: 'valid' | 'expired' | 'consumed';
  issuedAt: number;
  expiresAt: number;
}

/**
 * A Request-Key as the journal and the admin API show it: enough to tell keys apart and to
 * recognise one's own (the last four characters), not enough to use it. Any text (a client
 * may send anything as `Request-Key`) comes out at most 36 characters long.
 * @example maskRequestKey('3f9c2b7e-5d41-4a8e-9c1f-6b2d8e7a0c53') // '********-****-****-****-********0c53'
 * @example maskRequestKey('short') // '*hort'
 */
export function maskRequestKey(requestKey: string): string {
  const chars = [...requestKey];
  if (chars.length > 36) return `…${chars.slice(-4).join('')}`;
  return chars.map((c, i) => (i >= chars.length - 4 || c === '-' ? c : '*')).join('');
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
  // A Map keeps insertion order, which is issue order: the oldest entries come first, and (the TTL
  // being one setting and the clock never going back) the first to expire.
  #entries = new Map<string, LedgerEntry>();
  #lastPurge = 0;
  #consumed = 0;
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
    while (this.#entries.size > this.maxEntries) this.#delete(this.#entries.values().next().value!);
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

  /**
   * Marks a key used: call only when the authenticity answer is a success. The entry stays, as a
   * tombstone without the recognised values, until it expires: a second call then hears that the
   * key was already used rather than that it was never issued, while the values, most of an
   * entry's weight, are freed at once.
   */
  consume(entry: LedgerEntry): void {
    if (entry.consumed) return;
    entry.consumed = true;
    entry.values = CONSUMED;
    entry.verdict = undefined;
    this.#consumed++;
  }

  /**
   * The newest `limit` keys held, oldest first, with their state by the emulator clock now. An
   * expired key stays listed (as `expired`) until the next issue purges it.
   */
  list(limit = 100): RequestKeyView[] {
    const now = this.options.clock.now();
    const entries = [...this.#entries.values()];
    return entries.slice(Math.max(0, entries.length - limit)).map((entry) => ({
      requestKey: maskRequestKey(entry.requestKey),
      appKey: entry.appKey,
      idType: entry.idType,
      state: entry.consumed ? 'consumed' : now >= entry.expiresAt ? 'expired' : 'valid',
      issuedAt: entry.issuedAt,
      expiresAt: entry.expiresAt,
    }));
  }

  /** Number of entries held. */
  get size(): number {
    return this.#entries.size;
  }

  /** How many of the entries held are consumed keys. */
  get consumedCount(): number {
    return this.#consumed;
  }

  /** Forgets every key. */
  reset(): void {
    this.#entries.clear();
    this.#consumed = 0;
  }

  #delete(entry: LedgerEntry): void {
    this.#entries.delete(entry.requestKey);
    if (entry.consumed) this.#consumed--;
  }

  /** Drops expired entries, at most once a second (cheap enough to call on every issue). */
  #purge(): void {
    const now = this.options.clock.now();
    if (now - this.#lastPurge < 1000) return;
    this.#lastPurge = now;
    // Oldest first: stop at the first entry still valid. A system clock stepped back can leave a
    // few expired entries behind it for a while; check() refuses those anyway.
    for (const entry of this.#entries.values()) {
      if (entry.expiresAt > now) break;
      this.#delete(entry);
    }
  }
}

/** The values of every consumed entry: one shared empty record. */
const CONSUMED: Readonly<Record<string, string>> = Object.freeze({});
