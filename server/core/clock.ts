/**
 * Time comes in through these interfaces so that Request-Key and token expiry and validity
 * dates are tested by moving a clock, never by waiting. The emulator clock of an appKey is the
 * wall clock plus a global offset plus the appKey's own offset; offsets only grow
 * (`POST /__emulator/clock`), and a reset sets them back to 0. The offsets are kept by the clock
 * stores (stores/types.ts, `ClockStore`: stores/memory-clock.ts, stores/redis.ts).
 */
import type { Clock } from './model.js';

export type { Clock } from './model.js';

/**
 * The system clock.
 * @example systemClock.now() // Date.now()
 */
export const systemClock: Clock = { now: () => Date.now() };

/**
 * Throws for a step the clock cannot take: negative (it never goes back) or not finite.
 * @example assertForward(-1) // throws RangeError
 */
export function assertForward(ms: number): void {
  if (!Number.isFinite(ms) || ms < 0) throw new RangeError('the clock only moves forward');
}
