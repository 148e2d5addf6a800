/**
 * Journal bounds as the HTTP adapter knew them; the bounding itself now happens where entries
 * are stored (server/core/journal.ts, `Journal.add`), so no caller can forget it.
 */
import { boundedCopy, type JournalEntry } from '../core/journal.js';

export { clip, JOURNAL_TEXT_LIMIT } from '../core/journal.js';

/**
 * An entry with every client-derived text clipped and copied (what `Journal.add` stores).
 * @example const shown = boundedEntry({ time, method, path, ...trace })
 */
export function boundedEntry<T extends Omit<JournalEntry, 'id'>>(entry: T): T {
  return boundedCopy(entry).value;
}
