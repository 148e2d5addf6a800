/**
 * Every store in memory: the default, and the fastest (a request reads its context without
 * waiting for anything). State lives as long as the process, except key pairs with a keys dir
 * (server/keys-dir.ts). Each kind of state has its own module beside this one (memory-*.ts),
 * as the Redis stores have theirs (redis*.ts).
 */
import { systemClock, type Clock } from '../clock.js';
import { rsa2048Factory, type KeyFactory } from '../key-store.js';
import { cryptoRandom, type RandomSource } from '../random.js';
import { ClockOffsets, offsetClock } from './memory-clock.js';
import { KeyStore } from './memory-key-pairs.js';
import { MemoryLocks } from './memory-locks.js';
import { RequestKeyLedger } from './memory-request-keys.js';
import { MemoryScenarioState } from './memory-scenario-state.js';
import { MemoryTokenStore } from './memory-tokens.js';
import type { AppContext, AppKeyRegistry, KeyPersistence, StateStores } from './types.js';

/** The most appKeys that may be registered at run time (`POST /__emulator/appkeys`). */
export const MAX_REGISTERED_APPKEYS = 10_000;

/** Settings shared by the memory and Redis stores. */
export interface StoreOptions {
  keyFactory?: KeyFactory | undefined;
  random?: RandomSource | undefined;
  /** The wall clock the offsets apply to (tests pass a fixed one). */
  wall?: Clock | undefined;
  /** Request-Key validity in seconds. */
  requestKeyTtlSeconds: number;
  /** Most appKeys registered at run time (default {@link MAX_REGISTERED_APPKEYS}). */
  maxAppKeys?: number | undefined;
  /** Most Request-Keys held, the oldest dropped past it (default 100,000: DEFAULT_MAX_REQUEST_KEYS in request-key-ledger.ts). */
  maxRequestKeys?: number | undefined;
}

/** Settings of the memory stores. */
export interface MemoryStoreOptions extends StoreOptions {
  /** Where key pairs are kept between runs (EMULATOR_KEYS_DIR). */
  keyPersistence?: KeyPersistence | undefined;
  maxTokens?: number | undefined;
  /** The scenario state to use (a ScenarioBook's own), instead of a new one. */
  scenarioState?: MemoryScenarioState | undefined;
}

/**
 * AppKeys registered at run time, in memory.
 * @example const registry = new MemoryAppKeys(); await registry.register('worker-1', 'secret-1') // 'created'
 */
export class MemoryAppKeys implements AppKeyRegistry {
  #secrets = new Map<string, string>();

  constructor(readonly max = MAX_REGISTERED_APPKEYS) {}

  async register(appKey: string, secretKey: string): Promise<'created' | 'unchanged' | 'conflict' | 'full'> {
    const known = this.#secrets.get(appKey);
    if (known !== undefined) return known === secretKey ? 'unchanged' : 'conflict';
    if (this.#secrets.size >= this.max) return 'full';
    this.#secrets.set(appKey, secretKey);
    return 'created';
  }

  async remove(appKey: string): Promise<boolean> {
    return this.#secrets.delete(appKey);
  }

  async list(): Promise<string[]> {
    return [...this.#secrets.keys()];
  }

  /** A registered appKey's secret, read without waiting. */
  secretOf(appKey: string): string | undefined {
    return this.#secrets.get(appKey);
  }
}

/**
 * Every store in memory.
 * @example const stores = memoryStores({ requestKeyTtlSeconds: 3600 }); await stores.context('emulator-appkey')
 */
export function memoryStores(options: MemoryStoreOptions): StateStores & { readonly requestKeys: RequestKeyLedger } {
  const wall = options.wall ?? systemClock;
  const clock = new ClockOffsets();
  const global = offsetClock(wall, () => clock.globalMs);
  const appKeys = new MemoryAppKeys(options.maxAppKeys);
  const keys = new KeyStore(options.keyFactory ?? rsa2048Factory, { persistence: options.keyPersistence });
  const requestKeys = new RequestKeyLedger({
    clock: global,
    random: options.random ?? cryptoRandom,
    ttlSeconds: options.requestKeyTtlSeconds,
    ...(options.maxRequestKeys ? { maxEntries: options.maxRequestKeys } : {}),
  });
  const locks = new MemoryLocks();
  const scenarios = options.scenarioState ?? new MemoryScenarioState();
  const tokens = new MemoryTokenStore(options.maxTokens);
  const contextNow = (appKey: string): AppContext => ({
    appKey,
    now: global.now() + clock.appMs(appKey),
    globalOffsetMs: clock.globalMs,
    generation: '',
    registeredSecret: appKeys.secretOf(appKey),
    defaults: scenarios.defaultsOf(appKey),
    queued: scenarios.queued,
  });
  return {
    kind: 'memory',
    wall,
    clock,
    appKeys,
    keys,
    requestKeys,
    locks,
    scenarios,
    tokens,
    contextNow,
    async context(appKey: string): Promise<AppContext> {
      return contextNow(appKey);
    },
    async reset(appKey?: string): Promise<void> {
      keys.reset(appKey);
      requestKeys.reset(appKey);
      locks.reset(appKey);
      scenarios.reset(appKey);
      clock.reset(appKey);
      if (appKey === undefined) tokens.reset();
    },
    async close(): Promise<void> {
      options.keyPersistence?.close?.();
    },
  };
}
