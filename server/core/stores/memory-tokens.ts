/**
 * v2.1 tokens in memory (types.ts, `TokenStore`; the Redis one is `RedisTokens` in redis.ts).
 */
import type { TokenRecord, TokenStore } from './types.js';

/** The default bound of the in-memory token store. */
export const DEFAULT_MAX_TOKENS = 100_000;

/**
 * Tokens in memory, bounded: past `maxTokens` the oldest are forgotten (and then answer 4010006).
 * @example const store = new MemoryTokenStore(); await store.put(token, { keyId, expiresAt, revoked: false }, Date.now())
 */
export class MemoryTokenStore implements TokenStore {
  #tokens = new Map<string, TokenRecord>();
  #lastPurge = 0;

  constructor(readonly maxTokens = DEFAULT_MAX_TOKENS) {}

  async put(token: string, record: TokenRecord, now: number): Promise<void> {
    this.#purge(now);
    this.#tokens.set(token, record);
    while (this.#tokens.size > this.maxTokens) this.#tokens.delete(this.#tokens.keys().next().value!);
  }

  async get(token: string): Promise<TokenRecord | undefined> {
    return this.#tokens.get(token);
  }

  async revoke(token: string, keyId: string): Promise<void> {
    const record = this.#tokens.get(token);
    if (record && record.keyId === keyId) record.revoked = true;
  }

  async size(): Promise<number> {
    return this.#tokens.size;
  }

  /** Forgets every token. */
  reset(): void {
    this.#tokens.clear();
  }

  /** Drops expired tokens, oldest first, at most once a second. */
  #purge(now: number): void {
    if (now - this.#lastPurge < 1000) return;
    this.#lastPurge = now;
    for (const [token, record] of this.#tokens) {
      if (record.expiresAt > now) break;
      this.#tokens.delete(token);
    }
  }
}
