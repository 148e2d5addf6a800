/**
 * Resident-card locks in memory (types.ts, `LockStore`; the Redis one is `RedisLocks` in
 * redis.ts), counting as authenticity.ts rules: a wrong issue date alone counts up, a right
 * answer clears, five in a row lock the card.
 */
import { lockEffect, RESIDENT_LOCK_THRESHOLD, residentCardLocked } from '../authenticity.js';
import type { AppScope, LockStore } from './types.js';

/**
 * Counts wrong issue dates in a row per resident card; five lock it (4000123, release notes
 * 2024-08-13). A right answer resets the count.
 * @example const lock = new ResidentLock(); lock.assertOpen(key); lock.record(key, ['issueDate'])
 */
export class ResidentLock {
  #wrong = new Map<string, number>();

  constructor(
    readonly threshold = RESIDENT_LOCK_THRESHOLD,
    private readonly maxCards = 100_000,
  ) {}

  /** 4000123 when the card is locked. */
  assertOpen(card: string): void {
    if ((this.#wrong.get(card) ?? 0) >= this.threshold) throw residentCardLocked(this.threshold);
  }

  /** Records a verdict's mismatches for a card. */
  record(card: string, mismatches: readonly string[]): void {
    const effect = lockEffect(mismatches);
    if (effect === 'count') {
      const count = (this.#wrong.get(card) ?? 0) + 1;
      this.#wrong.delete(card); // re-insert: Map order doubles as recency for the bound below
      this.#wrong.set(card, count);
      if (this.#wrong.size > this.maxCards) this.#wrong.delete(this.#wrong.keys().next().value!);
    } else if (effect === 'clear') {
      this.#wrong.delete(card);
    }
  }

  /** Forgets every card, or those whose key starts with `prefix` (one appKey's). */
  reset(prefix?: string): void {
    if (prefix === undefined) this.#wrong.clear();
    else for (const card of this.#wrong.keys()) if (card.startsWith(prefix)) this.#wrong.delete(card);
  }
}

/**
 * Resident-card locks in memory: one bounded map, cards keyed by appKey and number.
 * @example await new MemoryLocks().assertOpen(app, '9001011234567')
 */
export class MemoryLocks implements LockStore {
  readonly #lock = new ResidentLock();

  async assertOpen(app: AppScope, card: string): Promise<void> {
    this.#lock.assertOpen(cardKey(app.appKey, card));
  }

  async record(app: AppScope, card: string, mismatches: readonly string[]): Promise<void> {
    this.#lock.record(cardKey(app.appKey, card), mismatches);
  }

  reset(appKey?: string): void {
    this.#lock.reset(appKey === undefined ? undefined : cardKey(appKey, ''));
  }
}

function cardKey(appKey: string, card: string): string {
  return `${appKey}\u0000${card}`;
}
