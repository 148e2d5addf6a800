/**
 * Time comes in through this interface so that Request-Key expiry and validity dates are tested
 * by moving a clock, never by waiting.
 */

/** A source of the current time in epoch milliseconds. */
export interface Clock {
  now(): number;
}

/**
 * The wall clock plus an offset that only grows; `POST /__emulator/clock` advances it.
 * @example const clock = new AdjustableClock(); clock.advance(3600_000); clock.now() // an hour ahead
 */
export class AdjustableClock implements Clock {
  #offsetMs = 0;

  constructor(private readonly base: () => number = Date.now) {}

  now(): number {
    return this.base() + this.#offsetMs;
  }

  /** Moves time forward (never back: expiry must not be undone). */
  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError('the clock only moves forward');
    this.#offsetMs += ms;
  }

  /** How far ahead of the base clock this one runs. */
  get offsetMs(): number {
    return this.#offsetMs;
  }

  reset(): void {
    this.#offsetMs = 0;
  }
}
