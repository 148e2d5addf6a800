/**
 * Clock offsets in memory (types.ts, `ClockStore`; the Redis ones are `RedisClock` in redis.ts):
 * the emulator clock of an appKey is the wall clock plus the global offset plus its own.
 */
import { assertForward, type Clock } from '../clock.js';
import type { ClockStore } from './types.js';

/**
 * Clock offsets in memory: one global, one per appKey.
 * @example const offsets = new ClockOffsets(); await offsets.advance(3600_000, 'app'); (await offsets.offsets('app')).appMs // 3600000
 */
export class ClockOffsets implements ClockStore {
  #globalMs = 0;
  #apps = new Map<string, number>();

  /** The global offset, read without waiting (memory only). */
  get globalMs(): number {
    return this.#globalMs;
  }

  /** An appKey's own offset, read without waiting (memory only). */
  appMs(appKey: string): number {
    return this.#apps.get(appKey) ?? 0;
  }

  async offsets(appKey?: string): Promise<{ globalMs: number; appMs: number }> {
    return { globalMs: this.#globalMs, appMs: appKey === undefined ? 0 : this.appMs(appKey) };
  }

  async advance(ms: number, appKey?: string): Promise<void> {
    assertForward(ms);
    if (appKey === undefined) this.#globalMs += ms;
    else this.#apps.set(appKey, this.appMs(appKey) + ms);
  }

  /** Sets one appKey's offset, or every offset, back to 0. */
  reset(appKey?: string): void {
    if (appKey !== undefined) {
      this.#apps.delete(appKey);
      return;
    }
    this.#globalMs = 0;
    this.#apps.clear();
  }
}

/**
 * A clock that reads the wall clock and a global offset: what the memory stores purge by.
 * @example const clock = offsetClock(systemClock, () => offsets.globalMs)
 */
export function offsetClock(wall: Clock, offsetMs: () => number): Clock {
  return { now: () => wall.now() + offsetMs() };
}
