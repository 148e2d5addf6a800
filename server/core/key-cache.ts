/**
 * A bounded LRU cache of unwrapped symmetric keys, so a client that reuses one symmetric key
 * (and so one `Symmetric-Key` header) pays for the RSA private operation once, not per request.
 *
 * Entries are keyed by app key, service, key version and the exact header text, and remember
 * which issued key pair unwrapped them: after a reset or a regeneration that reuses a version
 * string, the pair differs and the entry is ignored. Only successful unwraps are stored, and the
 * engine checks the key version (issued? revoked?) before it asks the cache, so no answer of the
 * emulator depends on whether a key was cached: unwrapping is deterministic, the cache only
 * skips repeating it.
 */

/** One cached unwrap. */
interface Entry {
  /** The issued key pair that unwrapped it (compared by identity). */
  owner: object;
  symmetricKey: Buffer;
}

/** Hit and miss counts since the cache was made or cleared. */
export interface CacheStats {
  hits: number;
  misses: number;
  size: number;
  maxEntries: number;
}

/** Default bound: 10,000 entries, about 5 MB (a 2048-bit header is 344 characters). */
export const DEFAULT_KEY_CACHE_ENTRIES = 10_000;

/**
 * The cache. A `Map` keeps insertion order; a hit re-inserts its entry, so the first key is
 * always the least recently used one and is the one dropped past the bound.
 * @example
 * const cache = new SymmetricKeyCache(10_000);
 * const scope = SymmetricKeyCache.scope('emulator-appkey', 'credit-card', '0');
 * cache.get(scope, header, issuedKey) ?? cache.set(scope, header, issuedKey, unwrap(header));
 */
export class SymmetricKeyCache {
  #entries = new Map<string, Entry>();
  #hits = 0;
  #misses = 0;

  /** `maxEntries` 0 disables the cache (every lookup misses, nothing is stored). */
  constructor(readonly maxEntries: number = DEFAULT_KEY_CACHE_ENTRIES) {
    if (!Number.isInteger(maxEntries) || maxEntries < 0) throw new RangeError(`maxEntries must be a whole number >= 0, got ${maxEntries}`);
  }

  /**
   * The part of the cache key that names one issued key version.
   * @example SymmetricKeyCache.scope('app', 'credit-card', '0') // 'app\u0000credit-card\u00000'
   */
  static scope(appKey: string, service: string, version: string): string {
    return `${appKey}\u0000${service}\u0000${version}`;
  }

  /** The symmetric key this header unwrapped to under `owner`, if cached; counts a hit or a miss. */
  get(scope: string, header: string, owner: object): Buffer | undefined {
    const id = `${scope}\u0000${header}`;
    const entry = this.#entries.get(id);
    if (!entry || entry.owner !== owner) {
      this.#misses++;
      return undefined;
    }
    this.#hits++;
    this.#entries.delete(id);
    this.#entries.set(id, entry);
    return entry.symmetricKey;
  }

  /** Remembers a successful unwrap, dropping the least recently used entry past the bound; returns `symmetricKey`. */
  set(scope: string, header: string, owner: object, symmetricKey: Buffer): Buffer {
    if (this.maxEntries === 0) return symmetricKey;
    const id = `${scope}\u0000${header}`;
    this.#entries.delete(id);
    this.#entries.set(id, { owner, symmetricKey });
    if (this.#entries.size > this.maxEntries) this.#entries.delete(this.#entries.keys().next().value!);
    return symmetricKey;
  }

  get stats(): CacheStats {
    return { hits: this.#hits, misses: this.#misses, size: this.#entries.size, maxEntries: this.maxEntries };
  }

  /** Forgets every entry and resets the counts. */
  clear(): void {
    this.#entries.clear();
    this.#hits = 0;
    this.#misses = 0;
  }
}
