/**
 * Request-Key rules both Request-Key stores keep (stores/types.ts, `RequestKeyStore`; in memory
 * stores/memory-request-keys.ts, on Redis `RedisRequestKeys` in stores/redis.ts). The v2.0 guide
 * (TOAST-DOCS/OCR en/document-ocr-api-guide-v2.0.md, "ID Card Analysis API", Response Header):
 * "If you use the Request-Key to make a Authenticity API call and get a normal response, the
 * Request-Key used cannot be reused" and "Request-Key is valid for 1 hour after issuance". A key
 * is bound to the app key that got it and to what was recognised.
 *
 * Single use is a claim: an authenticity call claims the key (fresh -> in use) before it does
 * anything that may wait, then consumes it on success or releases it on failure. Of many
 * concurrent calls with one key exactly one holds it; a call that fails leaves it usable.
 */
import { OcrError } from './errors.js';

export type { RequestKeyView } from './model.js';

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

/** The most Request-Keys a store holds unless told otherwise; past it the oldest go first. */
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
