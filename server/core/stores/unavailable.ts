/**
 * The shared state cannot serve a call: Redis is gone, slower than the bound on each call, or
 * refuses the call for a state of its own (out of memory, a read-only replica, loading its data).
 * An API call then answers `-1` ("Unknown error.", the service's answer to a fault of its own)
 * with a diagnosis saying why, the token issuer HTTP 503 `temporarily_unavailable` and the admin
 * API 503; nothing waits for Redis to come back, and the next call after it is back works again.
 */
import { OcrError } from '../errors.js';

/** Why the shared state did not serve: out of reach, or there but refusing. */
export type UnavailableKind = 'unreachable' | 'refused';

/**
 * A store call that failed because the shared state cannot serve it. `detail` must already be
 * free of key names and values (redis-link.ts makes it so).
 * @example throw new StoreUnavailableError('unreachable', 'Connection is closed.')
 */
export class StoreUnavailableError extends OcrError {
  constructor(
    readonly kind: UnavailableKind,
    /** What Redis (or the client) said, without key names. */
    readonly detail: string,
  ) {
    super(
      'FAIL',
      kind === 'unreachable'
        ? `the shared state (Redis) does not answer: ${clip(detail)}; the emulator answers again as soon as it is back`
        : `the shared state (Redis) refuses the call: ${clip(detail)}; the emulator answers again as soon as Redis accepts it`,
    );
  }
}

/**
 * Whether an error is {@link StoreUnavailableError}.
 * @example isStoreUnavailable(new StoreUnavailableError('unreachable', 'Connection is closed.')) // true
 */
export function isStoreUnavailable(error: unknown): error is StoreUnavailableError {
  return error instanceof StoreUnavailableError;
}

function clip(message: string): string {
  return message.length > 120 ? `${message.slice(0, 120)}...` : message;
}
