/**
 * The Request-Key ledger, in memory (stores/types.ts, `RequestKeyStore`; the Redis one is
 * `RedisRequestKeys` in stores/redis.ts). The v2.0 guide (TOAST-DOCS/OCR
 * en/document-ocr-api-guide-v2.0.md, "ID Card Analysis API", Response Header): "If you use the
 * Request-Key to make a Authenticity API call and get a normal response, the Request-Key used
 * cannot be reused" and "Request-Key is valid for 1 hour after issuance". A key is bound to the
 * app key that got it and to what was recognised.
 *
 * Single use is a claim: an authenticity call claims the key (fresh -> in use) before it does
 * anything that may wait, then consumes it on success or releases it on failure. Of many
 * concurrent calls with one key exactly one holds it; a call that fails leaves it usable.
 */
import type { Clock } from './clock.js';
import { OcrError } from './errors.js';
import type { IdType } from './id-card.js';
import { randomUuid, type RandomSource } from './random.js';
import type { RequestKeyView } from './model.js';
import type { AppScope, ClaimedRequestKey, Recognised, RequestKeyStats, RequestKeyStore } from './stores/types.js';

export type { RequestKeyView } from './model.js';

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
  state: 'fresh' | 'claimed' | 'consumed';
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
  /** The clock without any appKey's own offset: what purging goes by (no appKey's clock is behind it). */
  clock: Clock;
  random: RandomSource;
  /** Validity in seconds; the guide says one hour. */
  ttlSeconds: number;
  /** Most entries kept; past it the oldest go first, so memory stays bounded under load. */
  maxEntries?: number;
}

/** The default bound of the ledger. */
export const DEFAULT_MAX_REQUEST_KEYS = 100_000;

/**
 * The diagnosis of a key that cannot be used, as both stores word it.
 * @example unusableRequestKey('consumed').diagnosis // 'Request-Key was already used by an authenticity call that succeeded'
 */
export function unusableRequestKey(why: 'unknown' | 'consumed' | 'claimed', detail?: string): OcrError {
  const text = {
    unknown: 'Request-Key was never issued (or was purged after expiry, dropped as the oldest of the keys held past their bound, or forgotten by a reset)',
    consumed: 'Request-Key was already used by an authenticity call that succeeded',
    claimed: 'Request-Key is held by another authenticity call right now (a key serves one call; it stays usable if that call fails)',
  }[why];
  return new OcrError('AUTHENTICITY_REQUEST_KEY_INVALID', detail ?? text);
}

/**
 * 4000122 for a key issued to another appKey.
 * @example foreignRequestKey('other-appkey')
 */
export function foreignRequestKey(owner: string): OcrError {
  return new OcrError('AUTHENTICITY_REQUEST_KEY_INVALID', `Request-Key was issued to another appKey ("${owner}")`);
}

/**
 * 4000122 for an expired key.
 * @example expiredRequestKey(now, entry.expiresAt, 3600)
 */
export function expiredRequestKey(now: number, expiresAt: number, ttlSeconds: number): OcrError {
  const ago = Math.round((now - expiresAt) / 1000);
  return new OcrError('AUTHENTICITY_REQUEST_KEY_INVALID', `Request-Key expired ${ago} s ago (valid ${ttlSeconds} s from issue)`);
}

/**
 * Issues, claims and consumes Request-Keys in memory.
 * @example
 * const ledger = new RequestKeyLedger({ clock, random: cryptoRandom, ttlSeconds: 3600 });
 * const app = { appKey: 'appkey', generation: '', now: clock.now() };
 * const key = await ledger.issue(app, { idType: 'resident', values: { name: '홍길동' } });
 * const claimed = await ledger.claim(app, key); // throws 4000122 when unusable
 * await ledger.consume(claimed);
 */
export class RequestKeyLedger implements RequestKeyStore {
  // A Map keeps insertion order, which is issue order: the oldest entries come first.
  #entries = new Map<string, LedgerEntry>();
  #lastPurge = 0;
  #consumed = 0;
  readonly maxEntries: number;

  constructor(private readonly options: LedgerOptions) {
    this.maxEntries = options.maxEntries ?? DEFAULT_MAX_REQUEST_KEYS;
  }

  get ttlSeconds(): number {
    return this.options.ttlSeconds;
  }

  /** Issues a key for a recognised card. */
  async issue(app: AppScope, recognised: Recognised): Promise<string> {
    this.#purge();
    const requestKey = randomUuid(this.options.random);
    const { idType, values, verdict } = recognised;
    this.#entries.set(requestKey, {
      requestKey,
      appKey: app.appKey,
      idType,
      values,
      verdict,
      issuedAt: app.now,
      expiresAt: app.now + this.options.ttlSeconds * 1000,
      state: 'fresh',
    });
    while (this.#entries.size > this.maxEntries) this.#delete(this.#entries.values().next().value!);
    return requestKey;
  }

  /** Holds a usable key for the caller; 4000122 for unknown, foreign, consumed, held or expired keys. */
  async claim(app: AppScope, requestKey: string): Promise<ClaimedRequestKey> {
    const entry = this.#entries.get(requestKey);
    if (!entry) throw unusableRequestKey('unknown');
    if (entry.appKey !== app.appKey) throw foreignRequestKey(entry.appKey);
    if (entry.state !== 'fresh') throw unusableRequestKey(entry.state);
    if (app.now >= entry.expiresAt) throw expiredRequestKey(app.now, entry.expiresAt, this.options.ttlSeconds);
    entry.state = 'claimed';
    return { requestKey, appKey: entry.appKey, idType: entry.idType, values: entry.values, verdict: entry.verdict };
  }

  /**
   * Marks a held key used. The entry stays, as a tombstone without the recognised values, until
   * it expires: a second call then hears that the key was already used rather than that it was
   * never issued, while the values, most of an entry's weight, are freed at once.
   */
  async consume(claimed: ClaimedRequestKey): Promise<void> {
    const entry = this.#entries.get(claimed.requestKey);
    if (entry?.state !== 'claimed') return;
    entry.state = 'consumed';
    entry.values = CONSUMED;
    entry.verdict = undefined;
    this.#consumed++;
  }

  /** Hands a held key back: the call failed, the key stays usable. */
  async release(claimed: ClaimedRequestKey): Promise<void> {
    const entry = this.#entries.get(claimed.requestKey);
    if (entry?.state === 'claimed') entry.state = 'fresh';
  }

  async stats(): Promise<RequestKeyStats> {
    return { held: this.#entries.size, consumed: this.#consumed, max: this.maxEntries };
  }

  /**
   * The newest `limit` keys held, oldest first, with their state by the clock of each one's
   * appKey now (`contextOf`). An expired key stays listed (as `expired`) until the next issue
   * purges it; one held by a call under way counts as `valid`.
   */
  async list(limit: number, contextOf: (appKey: string) => Promise<{ now: number }>): Promise<RequestKeyView[]> {
    const entries = [...this.#entries.values()];
    const contextFor = onePerAppKey(contextOf);
    const views: RequestKeyView[] = [];
    for (const entry of entries.slice(Math.max(0, entries.length - limit))) {
      const state = entry.state === 'consumed' ? 'consumed' : (await contextFor(entry.appKey)).now >= entry.expiresAt ? 'expired' : 'valid';
      views.push({
        requestKey: maskRequestKey(entry.requestKey),
        appKey: entry.appKey,
        idType: entry.idType,
        state,
        issuedAt: entry.issuedAt,
        expiresAt: entry.expiresAt,
      });
    }
    return views;
  }

  /** Number of entries held. */
  get size(): number {
    return this.#entries.size;
  }

  /** How many of the entries held are consumed keys. */
  get consumedCount(): number {
    return this.#consumed;
  }

  /** Forgets the keys of one appKey, or every key. */
  reset(appKey?: string): void {
    if (appKey === undefined) {
      this.#entries.clear();
      this.#consumed = 0;
      return;
    }
    for (const entry of this.#entries.values()) if (entry.appKey === appKey) this.#delete(entry);
  }

  #delete(entry: LedgerEntry): void {
    this.#entries.delete(entry.requestKey);
    if (entry.state === 'consumed') this.#consumed--;
  }

  /** Drops expired entries, at most once a second (cheap enough to call on every issue). */
  #purge(): void {
    const now = this.options.clock.now();
    if (now - this.#lastPurge < 1000) return;
    this.#lastPurge = now;
    // Oldest first: stop at the first entry still valid. An entry issued on an appKey's clock
    // that runs ahead expires later here than for its calls (they refuse it anyway); a system
    // clock stepped back can leave a few expired entries behind for a while.
    for (const entry of this.#entries.values()) {
      if (entry.expiresAt > now) break;
      this.#delete(entry);
    }
  }
}

/** The values of every consumed entry: one shared empty record. */
const CONSUMED: Readonly<Record<string, string>> = Object.freeze({});

/**
 * `contextOf`, read once per appKey (for one listing: many keys, few appKeys).
 * @example const contextOf = onePerAppKey((appKey) => stores.context(appKey)); await contextOf('a')
 */
export function onePerAppKey<T>(contextOf: (appKey: string) => Promise<T>): (appKey: string) => Promise<T> {
  const seen = new Map<string, Promise<T>>();
  return (appKey) => {
    let context = seen.get(appKey);
    if (!context) seen.set(appKey, (context = contextOf(appKey)));
    return context;
  };
}
