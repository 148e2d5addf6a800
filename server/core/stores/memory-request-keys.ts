/**
 * Request-Keys in memory (types.ts, `RequestKeyStore`; the Redis one is `RedisRequestKeys` in
 * redis.ts), keeping the rules of request-key-ledger.ts: issued for one appKey, valid for the
 * TTL, claimed by one authenticity call at a time, used up by one that succeeds.
 */
import type { Clock } from '../clock.js';
import type { IdType } from '../id-card.js';
import type { RequestKeyView } from '../model.js';
import { randomUuid, type RandomSource } from '../random.js';
import { DEFAULT_MAX_REQUEST_KEYS, expiredRequestKey, foreignRequestKey, maskRequestKey, onePerAppKey, unusableRequestKey } from '../request-key-ledger.js';
import type { AppScope, ClaimedRequestKey, Recognised, RequestKeyStats, RequestKeyStore } from './types.js';

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
