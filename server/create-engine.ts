/**
 * An engine from any subset of its options, the rest the settings' defaults (SETTINGS in
 * server/config.ts): the one place the core's options are completed, for `startEmulator` and for
 * a program or test that builds the request listener itself with `createApp`.
 */
import { DEFAULTS, SETTINGS } from './config.js';
import type { Clock } from './core/clock.js';
import { OcrEngine, type EngineOptions } from './core/engine.js';
import { DEFAULT_KEY_CACHE_ENTRIES } from './core/key-cache.js';
import type { KeyFactory } from './core/key-store.js';
import { cryptoRandom } from './core/random.js';
import { ScenarioBook } from './core/scenarios/book.js';
import { MemoryScenarioState } from './core/stores/memory-scenario-state.js';
import { memoryStores } from './core/stores/memory.js';

/** {@link createEngine}'s options: the engine's, each optional, and what in-memory stores are made with. */
export interface EngineInput extends Partial<EngineOptions> {
  /** Key-pair maker of the in-memory stores (tests pass fixed keys to skip RSA generation). */
  keyFactory?: KeyFactory;
  /** The wall clock the in-memory stores' emulator clock runs ahead of (tests pass a fixed one). */
  wall?: Clock;
}

/**
 * Builds an engine; without `stores`, in memory.
 * @example const engine = createEngine({ credentials: new Map([['emulator-appkey', 'emulator-secretkey']]) })
 */
export function createEngine(given: EngineInput = {}): OcrEngine {
  const requestKeyTtlSeconds = given.requestKeyTtlSeconds ?? DEFAULTS.requestKeyTtlSeconds;
  const random = given.random ?? cryptoRandom;
  const stores =
    given.stores ?? memoryStores({ keyFactory: given.keyFactory, random, wall: given.wall, requestKeyTtlSeconds, scenarioState: bookState(given.scenarios) });
  return new OcrEngine({
    credentials: given.credentials ?? new Map([[DEFAULTS.appKey, DEFAULTS.secretKey]]),
    stores,
    scenarios: given.scenarios ?? new ScenarioBook(stores.scenarios),
    random,
    requestKeyTtlSeconds,
    apiDate: given.apiDate ?? SETTINGS.apiDate.default,
    userAccessKeys: given.userAccessKeys ?? new Map(SETTINGS.userAccessKeys.default.map((key) => [key.id, key])),
    tokenTtlSeconds: given.tokenTtlSeconds ?? DEFAULTS.tokenTtlSeconds,
    journalValues: given.journalValues ?? SETTINGS.journalValues.default,
    rsaWorkers: given.rsaWorkers ?? SETTINGS.rsaWorkers.default,
    // Not a setting: the bound is sized for any load the emulator serves (key-cache.ts).
    keyCacheEntries: given.keyCacheEntries ?? DEFAULT_KEY_CACHE_ENTRIES,
  });
}

/** The memory state of a book handed in without stores (a book on Redis state needs the Redis stores). */
function bookState(book: ScenarioBook | undefined): MemoryScenarioState | undefined {
  if (!book) return undefined;
  if (book.state instanceof MemoryScenarioState) return book.state;
  throw new Error('a ScenarioBook whose state is not in memory needs the stores it lives in (EngineInput.stores)');
}
