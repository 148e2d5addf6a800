/**
 * The engine: the emulated API ({@link OcrService}, service.ts) and the emulator's controls
 * ({@link EmulatorControls}, controls.ts) over one state, with the scenario book both consult.
 * Every option is required: the defaults are the settings' (server/config.ts), applied by
 * `createEngine` (server/create-engine.ts).
 */
import { behaviourOn } from './api-date.js';
import { EmulatorControls } from './controls.js';
import { CoreState } from './core-state.js';
import { SymmetricKeyCache } from './key-cache.js';
import type { RandomSource } from './random.js';
import { sharedRsaPool } from './rsa-pool.js';
import type { ScenarioBook } from './scenarios/book.js';
import { OcrService } from './service.js';
import type { StateStores } from './stores/types.js';
import { TokenIssuer, type UserAccessKey } from './token-issuer.js';

export type { ApiCall, Envelope, EnvelopeHeaders, Learned, PublicKeyResult, Reply, Upload } from './service.js';
export { CallFailed, OcrService } from './service.js';
export {
  ClockLimitError,
  EmulatorControls,
  RegistrationError,
  registrationProblem,
  type AppKeyListing,
  type ClockState,
  type EngineStats,
} from './controls.js';

/** What the engine is made of. */
export interface EngineOptions {
  /** Configured app keys and their secret keys (more may be registered at run time). */
  credentials: ReadonlyMap<string, string>;
  /** Where the state lives. */
  stores: StateStores;
  /** The loaded scenarios; its state store must be `stores.scenarios`. */
  scenarios: ScenarioBook;
  random: RandomSource;
  /** Request-Key validity in seconds (the guide: one hour); the stores hold it, the admin API reports it. */
  requestKeyTtlSeconds: number;
  /** The service as of this date, `YYYY-MM-DD`, or today's service (api-date.ts). */
  apiDate: string | undefined;
  /** User Access Keys of the v2.1 token issuer, by ID. */
  userAccessKeys: ReadonlyMap<string, UserAccessKey>;
  /** Validity of issued tokens in seconds. */
  tokenTtlSeconds: number;
  /** Keep authenticity values in the journal instead of masking them. */
  journalValues: boolean;
  /** Worker threads for the RSA private operation; 0 runs it inline (EMULATOR_RSA_WORKERS). */
  rsaWorkers: number;
  /** Bound of the unwrapped-symmetric-key cache; 0 disables it. */
  keyCacheEntries: number;
}

/**
 * The emulated service and its controls over one state.
 * @example
 * const engine = createEngine({ credentials: new Map([['emulator-appkey', 'emulator-secretkey']]) });
 * await engine.service.publicKey({ api: 'v2.0', appKey: 'emulator-appkey', headers: { authorization: 'emulator-secretkey' } }, 'credit-card');
 * await engine.controls.advanceClock(60);
 */
export class OcrEngine {
  /** The emulated API: what a client's calls reach. */
  readonly service: OcrService;
  /** The emulator's controls: clock, reset, keys, appKeys, figures. */
  readonly controls: EmulatorControls;
  /** The loaded scenarios, their queue and per-appKey defaults. */
  readonly scenarios: ScenarioBook;
  /** The shared state, for the adapters of this package (journal times, the emulated date). */
  readonly state: CoreState;

  constructor(options: EngineOptions) {
    if (options.scenarios.state !== options.stores.scenarios) {
      throw new Error("the ScenarioBook must keep its state in the engine's stores: new ScenarioBook(stores.scenarios)");
    }
    this.state = new CoreState({
      credentials: options.credentials,
      stores: options.stores,
      behaviour: behaviourOn(options.apiDate),
      keyCache: new SymmetricKeyCache(options.keyCacheEntries),
      rsa: sharedRsaPool(options.rsaWorkers),
    });
    this.scenarios = options.scenarios;
    const tokens = new TokenIssuer({ keys: options.userAccessKeys, store: options.stores.tokens, random: options.random, ttlSeconds: options.tokenTtlSeconds });
    this.service = new OcrService({ state: this.state, scenarios: options.scenarios, tokens, journalValues: options.journalValues });
    this.controls = new EmulatorControls({ state: this.state, requestKeyTtlSeconds: options.requestKeyTtlSeconds });
  }

  /** What the service does on the emulated date (api-date.ts). */
  get behaviour() {
    return this.state.behaviour;
  }
}
