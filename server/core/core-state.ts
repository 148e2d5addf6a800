/**
 * What the API service (service.ts) and the emulator's controls (controls.ts) share: the stores,
 * the configured appKeys, the emulated date's behaviour, the caches of unwrapped keys, and the
 * clock offset and key history both read. One instance per engine (engine.ts); not exported
 * from the package.
 */
import type { Behaviour } from './api-date.js';
import type { KeysSince } from './diagnosis.js';
import type { SymmetricKeyCache } from './key-cache.js';
import type { RsaPool } from './rsa-pool.js';
import type { AppContext, StateStores } from './stores/types.js';

/**
 * The shared state of one engine.
 * @example const state = new CoreState({ credentials, stores, behaviour, keyCache, rsa }); state.now()
 */
export class CoreState {
  readonly credentials: ReadonlyMap<string, string>;
  readonly stores: StateStores;
  /** What the service does on the emulated date (api-date.ts). */
  readonly behaviour: Behaviour;
  /** Unwrapped symmetric keys by header: a reused key costs no RSA operation. */
  readonly keyCache: SymmetricKeyCache;
  /** Where the RSA private operations run (shared by the engines of a process). */
  readonly rsa: RsaPool;
  /** The global clock offset as last read: journal times go by it without a round trip. */
  globalOffsetMs = 0;
  /** When the key store was last emptied (start or full reset): a diagnosis of unknown key versions names it. */
  keysSince: KeysSince;
  /** The same for appKeys reset on their own since. */
  readonly keysSinceOf = new Map<string, KeysSince>();

  constructor(parts: Pick<CoreState, 'credentials' | 'stores' | 'behaviour' | 'keyCache' | 'rsa'>) {
    this.credentials = parts.credentials;
    this.stores = parts.stores;
    this.behaviour = parts.behaviour;
    this.keyCache = parts.keyCache;
    this.rsa = parts.rsa;
    this.keysSince = { at: this.now(), by: 'start' };
  }

  /**
   * The emulator time without any appKey's own offset, as last read (journal times).
   * @example state.now() // Date.now() + the global offset
   */
  now(): number {
    return this.stores.wall.now() + this.globalOffsetMs;
  }

  /**
   * An appKey's context, read from the stores (the global offset noted on the way).
   * @example const app = await state.context('emulator-appkey')
   */
  async context(appKey: string): Promise<AppContext> {
    const app = await this.stores.context(appKey);
    this.globalOffsetMs = app.globalOffsetMs;
    return app;
  }
}
