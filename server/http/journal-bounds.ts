/**
 * Keeps each journal entry small. The journal holds a fixed number of entries, but an entry
 * carries text that comes from the client: the path, the app key, the key version, a diagnosis
 * quoting what was wrong, and the authenticity fields (masked to their length, or shown when
 * the operator opted in). A 15 MB authenticity value would otherwise be kept as 15 MB of `*`
 * in each of 1,000 entries. Long texts are clipped with their length noted, which is the clue
 * a masked value gives anyway.
 */
import type { JournalEntry } from '../core/journal.js';

/** The most characters of one client-derived text an entry keeps. */
export const JOURNAL_TEXT_LIMIT = 512;

/**
 * Clips a text to the limit, noting how long it was.
 * @example clip('x'.repeat(600)).endsWith('…(600 chars)') // true
 */
export function clip(text: string, limit = JOURNAL_TEXT_LIMIT): string {
  return text.length <= limit ? text : `${text.slice(0, limit)}…(${text.length} chars)`;
}

/**
 * An entry with every client-derived text clipped.
 * @example journal.add(boundedEntry({ time, method, path, ...trace }))
 */
export function boundedEntry<T extends Omit<JournalEntry, 'id'>>(entry: T): T {
  const bounded: T = { ...entry, path: clip(entry.path) };
  if (entry.appKey !== undefined) bounded.appKey = clip(entry.appKey);
  if (entry.diagnosis !== undefined) bounded.diagnosis = clip(entry.diagnosis);
  if (entry.scenario) bounded.scenario = { ...entry.scenario, name: clip(entry.scenario.name) };
  const envelope = entry.envelope;
  if (envelope) {
    bounded.envelope = { ...envelope, ...(envelope.keyVersion !== undefined ? { keyVersion: clip(envelope.keyVersion) } : {}) };
    if (envelope.authenticity) {
      const fields = Object.fromEntries(Object.entries(envelope.authenticity.fields).map(([name, value]) => [clip(name), clip(value)]));
      bounded.envelope.authenticity = { ...envelope.authenticity, fields };
    }
  }
  return bounded;
}
