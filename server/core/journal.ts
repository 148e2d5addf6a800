/**
 * The request journal: what each request was, what the emulator chose, and what the envelope
 * held once opened. A ring buffer, so memory stays bounded however long the emulator runs.
 */

/** What the envelope held after decryption (never the secret material itself). */
export interface EnvelopeFacts {
  keyVersion?: string;
  symmetricKeyBytes?: number;
  image?: { fileType: string; width: number; height: number; bytes: number; sha256: string };
  /** Authenticity fields: names always, values masked unless the operator opted in. */
  authenticity?: { idType: string; fields: Record<string, string> };
}

/** One journal entry. */
export interface JournalEntry {
  id: number;
  time: string;
  method: string;
  path: string;
  /** `v2.0` or `v2.1` for the OCR API; absent for the token issuer and unknown paths. */
  api?: string | undefined;
  /** `public-key`, `credit-card`, ..., or `token/create`, `token/revoke`. */
  endpoint?: string | undefined;
  appKey?: string | undefined;
  scenario?: { name: string; reason: string; call: number } | undefined;
  resultCode?: number | undefined;
  /** The HTTP status (200 for every OCR API answer; the token issuer's 400 and 401 differ). */
  status?: number | undefined;
  /** Why the request failed, in words a developer can act on. */
  diagnosis?: string | undefined;
  durationMs?: number | undefined;
  envelope?: EnvelopeFacts | undefined;
  /** `ref`: the Request-Key issued or sent, masked (request-key-ledger.ts, maskRequestKey). */
  requestKey?: { issued?: boolean; used?: boolean; ref?: string } | undefined;
}

/**
 * A bounded journal.
 * @example const journal = new Journal(1000); journal.add({ ... }); journal.list({ limit: 10 })
 */
export class Journal {
  #entries: JournalEntry[] = [];
  #next = 1;

  constructor(readonly capacity = 1000) {}

  /** Stores an entry, dropping the oldest past capacity, and returns it with its id. */
  add(entry: Omit<JournalEntry, 'id'>): JournalEntry {
    const stored = { id: this.#next++, ...entry };
    this.#entries.push(stored);
    if (this.#entries.length > this.capacity) this.#entries.splice(0, this.#entries.length - this.capacity);
    return stored;
  }

  /**
   * Entries oldest first, optionally filtered; `limit` keeps the newest, `since` only those with
   * a greater id (what a live view has not seen yet).
   */
  list(filter: { limit?: number; endpoint?: string; appKey?: string; failedOnly?: boolean; since?: number; resultCode?: number } = {}): JournalEntry[] {
    // Ids only grow: the entries after `since` are a tail, found without scanning the rest.
    let start = 0;
    if (filter.since !== undefined) {
      start = this.#entries.length;
      while (start > 0 && this.#entries[start - 1]!.id > filter.since) start--;
    }
    let entries = this.#entries.slice(start).filter(
      (e) =>
        (!filter.endpoint || e.endpoint === filter.endpoint) &&
        (!filter.appKey || e.appKey === filter.appKey) &&
        (!filter.failedOnly || (e.resultCode !== undefined && e.resultCode !== 0)) &&
        (filter.resultCode === undefined || e.resultCode === filter.resultCode),
    );
    // Not slice(-limit): slice(-0) is the whole list, and limit=0 asks for none.
    if (filter.limit !== undefined) entries = entries.slice(Math.max(0, entries.length - filter.limit));
    return entries;
  }

  get size(): number {
    return this.#entries.length;
  }

  /** The id of the last entry added (0 before the first); ids are never reused, not even after reset. */
  get lastId(): number {
    return this.#next - 1;
  }

  reset(): void {
    this.#entries = [];
  }
}
