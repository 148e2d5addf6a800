/**
 * The request journal: what each request was, what the emulator chose, and what the envelope
 * held once opened. Bounded twice, so memory stays bounded however long the emulator runs and
 * whatever clients send: at most `capacity` entries, and at most `maxBytes` of them (estimated),
 * the oldest dropped first.
 *
 * An entry carries texts that come from the client (the path, the app key, the key version, a
 * diagnosis quoting what was wrong, authenticity values), so each is stored as a copy of at most
 * JOURNAL_TEXT_LIMIT characters. A copy, not a `slice`: V8 keeps the whole original string alive
 * behind a slice of it (a "sliced string"), and behind a concatenation (a "cons string"), so a
 * 512-character slice of a 14,000-character app key held all 14,000, once per entry: a million
 * such entries took the process to 3.9 GB and killed it.
 */

import type { ApiVersion } from './auth.js';
import type { FileType } from './image-info.js';
import type { SelectionReason } from './scenarios/book.js';
import type { Endpoint } from './scenarios/schema.js';
import type { ForwardFacts } from './record/live-proxy.js';

/** What the envelope held after decryption (never the secret material itself). */
export interface EnvelopeFacts {
  keyVersion?: string;
  symmetricKeyBytes?: number;
  image?: { fileType: FileType; width: number; height: number; bytes: number; sha256: string };
  /** Authenticity fields: names always, values masked unless the operator opted in. */
  authenticity?: { idType: string; fields: Record<string, string> };
}

/**
 * One journal entry, as `GET /__emulator/requests` lists it: the admin API's `JournalEntry`
 * (server/admin-openapi.yaml), which the client kit's type is generated from;
 * contracts/client/admin-types.test.ts holds the two types equal.
 */
export interface JournalEntry {
  id: number;
  time: string;
  method: string;
  path: string;
  /** `v2.0` or `v2.1` for the OCR API; absent for the token issuer and unknown paths. */
  api?: ApiVersion | undefined;
  /** `public-key`, `credit-card`, ..., or `token/create`, `token/revoke`. */
  endpoint?: Endpoint | 'token/create' | 'token/revoke' | undefined;
  appKey?: string | undefined;
  scenario?: { name: string; reason: SelectionReason; call: number } | undefined;
  resultCode?: number | undefined;
  /** The HTTP status (200 for every OCR API answer; the token issuer's 400 and 401 differ). */
  status?: number | undefined;
  /** Why the request failed, in words a developer can act on. */
  diagnosis?: string | undefined;
  durationMs?: number | undefined;
  envelope?: EnvelopeFacts | undefined;
  /** `ref`: the Request-Key issued or sent, masked (request-key-ledger.ts, maskRequestKey). */
  requestKey?: { issued?: boolean; used?: boolean; ref?: string } | undefined;
  /** In record mode: where the call was forwarded, how long the target took, what it answered, what was recorded. */
  forwarded?: ForwardFacts | undefined;
}

/** The most characters of one client-derived text an entry keeps. */
export const JOURNAL_TEXT_LIMIT = 512;

/**
 * The journal's byte budget by default: 64 MiB, estimated as `entryBytes` does. The default
 * 1,000 entries never come near it (an entry is ~0.5 KiB, at most ~6 KiB with every text at the
 * limit); it binds only for large `EMULATOR_JOURNAL_SIZE` settings (~100,000 ordinary entries).
 */
export const DEFAULT_JOURNAL_MAX_BYTES = 64 * 1024 * 1024;

/** Objects and arrays deeper than this, or with more members, are cut (entries nest 3 deep). */
const MAX_DEPTH = 6;
const MAX_MEMBERS = 64;
/** A character V8 cannot store in one byte. */
const WIDE = /[^\u0000-\u00ff]/;

/**
 * A copy of a text that shares no memory with the original: appending one character makes a
 * cons string, and slicing that flattens it into a fresh string (V8 flattens a cons string
 * before taking a part of it); the slice then points into the fresh copy, never the original.
 * ~0.1 us for a short text, against ~0.6 us for a round trip through a Buffer.
 * @example ownCopy(hugeText.slice(0, 20)) // the same 20 characters, without hugeText behind them
 */
export function ownCopy(text: string): string {
  return `${text} `.slice(0, -1);
}

/**
 * A text clipped to the limit, noting how long it was, as a copy of its own (see `ownCopy`).
 * The note is ASCII ("...", not "…"): one character beyond Latin-1 would make V8 store the whole
 * text at two bytes a character.
 * @example clip('x'.repeat(600)).endsWith('...(600 chars)') // true
 */
export function clip(text: string, limit = JOURNAL_TEXT_LIMIT): string {
  // A text shorter than 13 characters is always copied by V8 (no sliced strings that short).
  if (text.length <= limit) return text.length < 13 ? text : ownCopy(text);
  return ownCopy(`${text.slice(0, limit)}...(${text.length} chars)`);
}

/**
 * A copy of an entry (or any plain value) with every text clipped and copied, and its estimated
 * size in bytes as V8 stores it on 64-bit: a text 32 bytes (the fresh string and the slice of it
 * that `ownCopy` returns) plus a byte a character (two when one is beyond Latin-1), an object or
 * array 32 bytes plus 8 a member, a fraction 16. Measured against V8's heap for 50,000 entries:
 * within 10% for ordinary entries and for entries with every text at the limit
 * (server/core/journal.test.ts holds it to within 1.5x).
 * @example boundedCopy({ path: 'x'.repeat(10_000) }).value.path.length // 527
 */
export function boundedCopy<T>(value: T): { value: T; bytes: number } {
  let bytes = 0;
  const copy = (item: unknown, depth: number): unknown => {
    if (typeof item === 'string') {
      const text = clip(item);
      bytes += 32 + (WIDE.test(text) ? 2 * text.length : text.length);
      return text;
    }
    if (typeof item !== 'object' || item === null) {
      if (typeof item === 'number' && !Number.isInteger(item)) bytes += 16;
      return item;
    }
    if (depth >= MAX_DEPTH) return undefined;
    bytes += 32;
    if (Array.isArray(item)) return item.slice(0, MAX_MEMBERS).map((member) => copy(member, depth + 1));
    const out: Record<string, unknown> = {};
    let members = 0;
    for (const key in item) {
      if (!Object.hasOwn(item, key)) continue;
      const member = (item as Record<string, unknown>)[key];
      if (member === undefined) continue;
      if (++members > MAX_MEMBERS) break;
      bytes += 8;
      const name = clip(key);
      // A key "__proto__" must stay an own member: assigning it would set the prototype.
      if (name === '__proto__') Object.defineProperty(out, name, { value: copy(member, depth + 1), enumerable: true, writable: true, configurable: true });
      else out[name] = copy(member, depth + 1);
    }
    return out;
  };
  return { value: copy(value, 0) as T, bytes };
}

/**
 * A bounded journal: a ring of entries, so that storing one costs the same at 1,000 entries as
 * at a million (an array's shift() or splice(0, 1) moves every element once it is large:
 * measured 0.4 ms a call at a million entries).
 * @example const journal = new Journal(1000); journal.add({ ... }); journal.list({ limit: 10 })
 */
export class Journal {
  /** Slots, filled up to `capacity`; the entries are `#count` slots from `#start`, wrapping. */
  #slots: (JournalEntry | undefined)[] = [];
  #sizes: number[] = [];
  #start = 0;
  #count = 0;
  #bytes = 0;
  #next = 1;

  constructor(
    readonly capacity = 1000,
    readonly maxBytes = DEFAULT_JOURNAL_MAX_BYTES,
  ) {}

  /**
   * Stores a bounded copy of an entry (`boundedCopy`), dropping the oldest past capacity or
   * past the byte budget, and returns the copy with its id.
   */
  add(entry: Omit<JournalEntry, 'id'>): JournalEntry {
    const { value, bytes } = boundedCopy({ id: this.#next++, ...entry });
    if (this.#count === this.capacity) this.#dropOldest();
    const at = this.#start + this.#count;
    const slot = at < this.capacity ? at : at - this.capacity;
    this.#slots[slot] = value;
    this.#sizes[slot] = bytes;
    this.#count++;
    this.#bytes += bytes;
    while (this.#bytes > this.maxBytes && this.#count > 1) this.#dropOldest();
    return value;
  }

  #dropOldest(): void {
    this.#bytes -= this.#sizes[this.#start]!;
    this.#slots[this.#start] = undefined;
    this.#start = this.#start + 1 === this.capacity ? 0 : this.#start + 1;
    this.#count--;
  }

  /**
   * Entries oldest first, optionally filtered; `limit` keeps the newest, `since` only those with
   * a greater id (what a live view has not seen yet).
   */
  list(filter: { limit?: number; endpoint?: string; appKey?: string; failedOnly?: boolean; since?: number; resultCode?: number } = {}): JournalEntry[] {
    // Ids only grow along the ring: the entries after `since` are a tail, found without scanning the rest.
    let first = 0;
    if (filter.since !== undefined) {
      first = this.#count;
      while (first > 0 && this.#slots[(this.#start + first - 1) % this.capacity]!.id > filter.since) first--;
    }
    let entries: JournalEntry[] = [];
    for (let i = first; i < this.#count; i++) {
      const e = this.#slots[(this.#start + i) % this.capacity]!;
      if (
        (!filter.endpoint || e.endpoint === filter.endpoint) &&
        (!filter.appKey || e.appKey === filter.appKey) &&
        (!filter.failedOnly || (e.resultCode !== undefined && e.resultCode !== 0)) &&
        (filter.resultCode === undefined || e.resultCode === filter.resultCode)
      ) {
        entries.push(e);
      }
    }
    // Not slice(-limit): slice(-0) is the whole list, and limit=0 asks for none.
    if (filter.limit !== undefined) entries = entries.slice(Math.max(0, entries.length - filter.limit));
    return entries;
  }

  get size(): number {
    return this.#count;
  }

  /** The held entries' estimated size in bytes (see `boundedCopy`). */
  get bytes(): number {
    return this.#bytes;
  }

  /** The id of the last entry added (0 before the first); ids are never reused, not even after reset. */
  get lastId(): number {
    return this.#next - 1;
  }

  /** Empties the journal, or drops the entries of one appKey (the rest keep their order). */
  reset(appKey?: string): void {
    const kept: { entry: JournalEntry; bytes: number }[] = [];
    if (appKey !== undefined) {
      for (let i = 0; i < this.#count; i++) {
        const slot = (this.#start + i) % this.capacity;
        if (this.#slots[slot]!.appKey !== appKey) kept.push({ entry: this.#slots[slot]!, bytes: this.#sizes[slot]! });
      }
    }
    this.#slots = kept.map((k) => k.entry);
    this.#sizes = kept.map((k) => k.bytes);
    this.#start = 0;
    this.#count = kept.length;
    this.#bytes = kept.reduce((sum, k) => sum + k.bytes, 0);
  }
}
