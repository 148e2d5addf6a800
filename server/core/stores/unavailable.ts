/**
 * The shared state does not answer (Redis gone, or slower than the bound on each call). An API
 * call then answers `-1` ("Unknown error.", the service's answer to a fault of its own) with a
 * diagnosis saying why, and the admin API answers 503; nothing waits for Redis to come back,
 * and the next call after it is back works again.
 */
import { OcrError } from '../errors.js';

/**
 * A store call that failed because the shared state is out of reach.
 * @example throw new StoreUnavailableError(new Error('Connection is closed.'))
 */
export class StoreUnavailableError extends OcrError {
  constructor(cause: unknown) {
    super('FAIL', `the shared state (Redis) does not answer: ${describe(cause)}; the emulator answers again as soon as it is back`);
  }
}

/**
 * Whether an error is {@link StoreUnavailableError}.
 * @example isStoreUnavailable(new StoreUnavailableError(new Error('Connection is closed.'))) // true
 */
export function isStoreUnavailable(error: unknown): error is StoreUnavailableError {
  return error instanceof StoreUnavailableError;
}

function describe(cause: unknown): string {
  const message = cause instanceof Error ? cause.message : String(cause);
  return message.length > 120 ? `${message.slice(0, 120)}...` : message;
}
