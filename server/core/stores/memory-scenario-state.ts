/**
 * Scenario selection state in memory: the admin queue, per-appKey defaults and per-appKey call
 * counters (types.ts, `ScenarioState`; the Redis one is `RedisScenarioState` in redis.ts).
 */
import { serves, type Endpoint } from '../scenarios/schema.js';
import type { AppScope, ScenarioState, StoredShot } from './types.js';

/**
 * The in-memory scenario state.
 * @example const state = new MemoryScenarioState(); await state.nextCall(app, 'errors/flaky') // 0, then 1, ...
 */
export class MemoryScenarioState implements ScenarioState {
  #queue: StoredShot[] = [];
  #defaults = new Map<string, string[]>();
  /** Per appKey: scenario name to calls so far. */
  #calls = new Map<string, Map<string, number>>();

  async enqueue(shot: StoredShot): Promise<void> {
    this.#queue.push({ ...shot });
  }

  async queue(): Promise<StoredShot[]> {
    return this.#queue.map((shot) => ({ ...shot }));
  }

  async clearQueue(): Promise<void> {
    this.#queue = [];
  }

  /** Whether a shot waits (read without waiting, for the request context). */
  get queued(): boolean {
    return this.#queue.length > 0;
  }

  async takeShot(appKey: string, endpoint: Endpoint): Promise<string | undefined> {
    const index = this.#queue.findIndex((q) => (q.appKey === undefined || q.appKey === appKey) && serves(q, endpoint));
    if (index < 0) return undefined;
    const shot = this.#queue[index]!;
    shot.remaining -= 1;
    if (shot.remaining <= 0) this.#queue.splice(index, 1);
    return shot.scenario;
  }

  async setDefaults(appKey: string, names: readonly string[]): Promise<void> {
    if (names.length === 0) this.#defaults.delete(appKey);
    else this.#defaults.set(appKey, [...names]);
  }

  async defaults(): Promise<Record<string, string[]>> {
    return Object.fromEntries(this.#defaults);
  }

  /** An appKey's defaults, read without waiting (for the request context). */
  defaultsOf(appKey: string): readonly string[] {
    return this.#defaults.get(appKey) ?? NONE;
  }

  async nextCall(app: AppScope, scenario: string): Promise<number> {
    let counters = this.#calls.get(app.appKey);
    if (!counters) this.#calls.set(app.appKey, (counters = new Map()));
    const call = counters.get(scenario) ?? 0;
    counters.set(scenario, call + 1);
    return call;
  }

  /** Forgets one appKey's queue entries, defaults and counters, or all of them. */
  reset(appKey?: string): void {
    if (appKey === undefined) {
      this.#queue = [];
      this.#defaults.clear();
      this.#calls.clear();
      return;
    }
    this.#queue = this.#queue.filter((q) => q.appKey !== appKey);
    this.#defaults.delete(appKey);
    this.#calls.delete(appKey);
  }
}

const NONE: readonly string[] = Object.freeze([]);
