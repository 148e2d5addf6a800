/**
 * A bounded cache of unwrapped symmetric keys, so a client that reuses one symmetric key (and so
 * one `Symmetric-Key` header) pays for the RSA private operation once, not per request.
 *
 * Entries are keyed by the SHA-256 of the exact header text and remember which issued key pair
 * (app key, service, version and key material: one `IssuedKey` object) unwrapped them; a lookup
 * under any other pair misses, so after a reset or a regeneration that reuses a version string the
 * entry is ignored. Only successful unwraps are stored, and the engine checks the key version
 * (issued? revoked?) before it asks the cache, so no answer of the emulator depends on whether a
 * key was cached: unwrapping is deterministic, the cache only skips repeating it.
 *
 * Two tiers, because under fresh-key traffic (the guide's recommendation) every request brings a
 * header that will never come again:
 * - first sightings go to a fixed, direct-mapped table in typed arrays allocated up front
 *   (digest, key and owner per slot; a newcomer overwrites its slot), so one-shot keys allocate
 *   nothing that outlives the request;
 * - a header seen again is served from that table (no RSA operation) and promoted to an LRU map
 *   bounded at `maxEntries`, whose key bytes live in one slab too.
 * Measured with a plain 10,000-entry LRU instead: 10-20 MB more resident memory under fresh-key
 * load, from a long-lived map entry per request (and, with a pooled 32-byte `Buffer` per key,
 * another ~12 MB of pinned 8 KB pool slabs).
 */
import { createHash } from 'node:crypto';

/** Hit and miss counts since the cache was made or cleared. */
export interface CacheStats {
  hits: number;
  misses: number;
  /** Keys in the LRU tier (seen at least twice). */
  size: number;
  maxEntries: number;
  /** Slots of the first-sighting table. */
  firstSightingSlots: number;
}

/** Default bound of the LRU tier: 10,000 entries, about 1.5 MB. */
export const DEFAULT_KEY_CACHE_ENTRIES = 10_000;
/** Slots of the first-sighting table: 4,096 (about 270 KB). */
export const DEFAULT_FIRST_SIGHTING_SLOTS = 4096;

const KEY_BYTES = 32;
const DIGEST_BYTES = 32;

/** One entry of the LRU tier. */
interface Entry {
  /** The issued key pair that unwrapped it (compared by identity). */
  owner: object;
  /** Its key's offset in the LRU slab. */
  offset: number;
}

/**
 * The cache.
 * @example
 * const cache = new SymmetricKeyCache(10_000);
 * const key = cache.get(header, issuedKey) ?? cache.set(header, issuedKey, unwrap(header));
 */
export class SymmetricKeyCache {
  /** LRU tier: a `Map` keeps insertion order and a hit re-inserts, so the first entry is the least recently used. */
  #entries = new Map<string, Entry>();
  #slab: Buffer;
  #free: number[] = [];
  #used = 0;
  /** First-sighting tier: per slot the header's digest, its key, and its owner's number (0 = empty). */
  readonly #slots: number;
  #seenDigests: Buffer;
  #seenKeys: Buffer;
  #seenOwners: Uint32Array;
  #ownerIds = new WeakMap<object, number>();
  #nextOwnerId = 1;
  #hits = 0;
  #misses = 0;

  /** `maxEntries` 0 disables the cache (every lookup misses, nothing is stored). `firstSightingSlots` is a power of two. */
  constructor(
    readonly maxEntries: number = DEFAULT_KEY_CACHE_ENTRIES,
    firstSightingSlots: number = DEFAULT_FIRST_SIGHTING_SLOTS,
  ) {
    if (!Number.isInteger(maxEntries) || maxEntries < 0) throw new RangeError(`maxEntries must be a whole number >= 0, got ${maxEntries}`);
    if (!Number.isInteger(firstSightingSlots) || firstSightingSlots < 1 || (firstSightingSlots & (firstSightingSlots - 1)) !== 0) {
      throw new RangeError(`firstSightingSlots must be a power of two, got ${firstSightingSlots}`);
    }
    this.#slots = maxEntries === 0 ? 0 : firstSightingSlots;
    this.#slab = Buffer.alloc(maxEntries * KEY_BYTES);
    this.#seenDigests = Buffer.alloc(this.#slots * DIGEST_BYTES);
    this.#seenKeys = Buffer.alloc(this.#slots * KEY_BYTES);
    this.#seenOwners = new Uint32Array(this.#slots);
  }

  /** A copy of the 32-byte key this header unwrapped to under `owner`, if cached; counts a hit or a miss. */
  get(header: string, owner: object): Buffer | undefined {
    const ownerId = this.#ownerIds.get(owner);
    if (this.maxEntries === 0 || ownerId === undefined) return this.#miss();
    const digest = digestOf(header);
    const id = digest.toString('latin1');
    const entry = this.#entries.get(id);
    if (entry && entry.owner === owner) {
      this.#hits++;
      this.#entries.delete(id);
      this.#entries.set(id, entry);
      return Buffer.from(this.#slab.subarray(entry.offset, entry.offset + KEY_BYTES));
    }
    const slot = this.#slotOf(digest);
    if (this.#seenOwners[slot] !== ownerId || !this.#seenDigests.subarray(slot * DIGEST_BYTES, (slot + 1) * DIGEST_BYTES).equals(digest)) {
      return this.#miss();
    }
    // Seen before: promote to the LRU tier.
    this.#hits++;
    this.#seenOwners[slot] = 0;
    const key = Buffer.from(this.#seenKeys.subarray(slot * KEY_BYTES, (slot + 1) * KEY_BYTES));
    this.#remember(id, owner, key);
    return key;
  }

  /**
   * Remembers a successful unwrap (a 32-byte key) as a first sighting; returns `symmetricKey`.
   * Keys of another length are not cached.
   */
  set(header: string, owner: object, symmetricKey: Buffer): Buffer {
    if (this.maxEntries === 0 || symmetricKey.length !== KEY_BYTES) return symmetricKey;
    let ownerId = this.#ownerIds.get(owner);
    if (ownerId === undefined) {
      ownerId = this.#nextOwnerId++;
      this.#ownerIds.set(owner, ownerId);
    }
    const digest = digestOf(header);
    const slot = this.#slotOf(digest);
    digest.copy(this.#seenDigests, slot * DIGEST_BYTES);
    symmetricKey.copy(this.#seenKeys, slot * KEY_BYTES);
    this.#seenOwners[slot] = ownerId;
    return symmetricKey;
  }

  get stats(): CacheStats {
    return { hits: this.#hits, misses: this.#misses, size: this.#entries.size, maxEntries: this.maxEntries, firstSightingSlots: this.#slots };
  }

  /** Forgets every entry and resets the counts. */
  clear(): void {
    this.#entries.clear();
    this.#free = [];
    this.#used = 0;
    this.#slab.fill(0);
    this.#seenOwners.fill(0);
    this.#seenDigests.fill(0);
    this.#seenKeys.fill(0);
    this.#hits = 0;
    this.#misses = 0;
  }

  #miss(): undefined {
    this.#misses++;
    return undefined;
  }

  #slotOf(digest: Buffer): number {
    return digest.readUInt32LE(0) & (this.#slots - 1);
  }

  #remember(id: string, owner: object, key: Buffer): void {
    let entry = this.#entries.get(id);
    if (entry) {
      this.#entries.delete(id);
      entry.owner = owner;
    } else {
      if (this.#entries.size >= this.maxEntries) {
        const [oldest, evicted] = this.#entries.entries().next().value!;
        this.#entries.delete(oldest);
        this.#free.push(evicted.offset);
      }
      entry = { owner, offset: this.#free.pop() ?? this.#used++ * KEY_BYTES };
    }
    key.copy(this.#slab, entry.offset);
    this.#entries.set(id, entry);
  }
}

/** The last header digested, and its digest: a reused key brings the same header call after call. */
let lastHeader: string | undefined;
let lastDigest: Buffer | undefined;

/**
 * SHA-256 of a header: collision-resistant, so a lookup never returns another header's key. The
 * last one is kept (a reused key's header comes again and again, and `set` follows `get` with the
 * same header); callers only read it.
 */
function digestOf(header: string): Buffer {
  if (header !== lastHeader) {
    lastDigest = createHash('sha256').update(header).digest();
    lastHeader = header;
  }
  return lastDigest!;
}
