/**
 * The emulator's own controls, for the admin API and the embedding program: the emulator clock,
 * resets, key versions, appKeys registered at run time, and the figures of the bounded stores.
 * Nothing here is part of the emulated API (service.ts); both work on one shared state
 * (core-state.ts).
 */
import type { CoreState } from './core-state.js';
import type { CacheStats } from './key-cache.js';
import { SERVICES, type IssuedKey, type ServiceName } from './key-store.js';
import type { RequestKeyView } from './request-key-ledger.js';
import type { RequestKeyStats, StateStores } from './stores/types.js';

/** The emulator clock as the admin API shows it. */
export interface ClockState {
  now: number;
  /** Total offset of `now` from the wall clock. */
  offsetMs: number;
  /** With an appKey: that appKey's own part of the offset. */
  appKeyOffsetMs?: number;
}

/** An appKey the emulator serves, and where it comes from. */
export interface AppKeyListing {
  appKey: string;
  source: 'configured' | 'registered';
}

/** What `stats()` reports of the state and the caches. */
export interface EngineStats {
  store: StateStores['kind'];
  /** Absent with Redis: shared keys are counted nowhere. */
  requestKeys: RequestKeyStats | undefined;
  keyCache: CacheStats;
}

/** What the controls need. */
export interface ControlsOptions {
  state: CoreState;
  /** Request-Key validity in seconds, as the admin API reports it. */
  requestKeyTtlSeconds: number;
}

/**
 * The emulator's controls.
 * @example
 * const { controls } = createEngine({});
 * await controls.advanceClock(3600); // every appKey's clock an hour ahead
 */
export class EmulatorControls {
  readonly #state: CoreState;
  readonly #requestKeyTtlSeconds: number;

  constructor(options: ControlsOptions) {
    this.#state = options.state;
    this.#requestKeyTtlSeconds = options.requestKeyTtlSeconds;
  }

  /** Which kind of store holds the state. */
  get storeKind(): StateStores['kind'] {
    return this.#state.stores.kind;
  }

  /** The configured appKeys and their secret keys. */
  get credentials(): ReadonlyMap<string, string> {
    return this.#state.credentials;
  }

  /**
   * The emulator time without any appKey's own offset, as last read (journal times).
   * @example controls.now() // Date.now() + the global offset
   */
  now(): number {
    return this.#state.now();
  }

  /** The emulator clock: global, or as one appKey sees it. */
  async clockState(appKey?: string): Promise<ClockState> {
    const { stores } = this.#state;
    const { globalMs, appMs } = await stores.clock.offsets(appKey);
    this.#state.globalOffsetMs = globalMs;
    const offsetMs = globalMs + appMs;
    return { now: stores.wall.now() + offsetMs, offsetMs, ...(appKey === undefined ? {} : { appKeyOffsetMs: appMs }) };
  }

  /**
   * Moves the clock of one appKey forward, or without one the clock of every appKey. A
   * {@link ClockLimitError} for a step past the year 9000: dates must stay printable
   * (toISOString throws past year 275760) and four-digit, and the journal, key listings and card
   * validity dates all derive from this clock.
   */
  async advanceClock(seconds: number, appKey?: string): Promise<ClockState> {
    if ((await this.clockState(appKey)).now + seconds * 1000 > LATEST_CLOCK_MS) throw new ClockLimitError('the emulator clock cannot go past the year 9000');
    await this.#state.stores.clock.advance(seconds * 1000, appKey);
    return this.clockState(appKey);
  }

  /**
   * Forgets one appKey's state (key pairs, Request-Keys, locks, its queue entries, defaults,
   * call counters, clock offset), or without one all state but registered appKeys, tokens
   * included. The journal is the adapter's to clear.
   */
  async reset(appKey?: string): Promise<void> {
    const state = this.#state;
    await state.stores.reset(appKey);
    if (appKey === undefined) {
      state.keyCache.clear();
      state.globalOffsetMs = 0;
      state.keysSinceOf.clear();
      state.keysSince = { at: state.now(), by: 'reset' };
    } else {
      state.keysSinceOf.set(appKey, { at: state.now(), by: 'reset' });
    }
  }

  /**
   * The newest `limit` Request-Keys held, masked, each with its state by its appKey's clock,
   * and the store's figures (none on Redis, which does not count them).
   */
  async requestKeys(limit: number): Promise<{ views: RequestKeyView[]; stats: RequestKeyStats | undefined; ttlSeconds: number }> {
    const { stores } = this.#state;
    const views = await stores.requestKeys.list(limit, (appKey) => stores.context(appKey));
    return { views, stats: await stores.requestKeys.stats(), ttlSeconds: this.#requestKeyTtlSeconds };
  }

  /** The current key of a service, made now if there is none yet. */
  async currentKey(appKey: string, service: ServiceName): Promise<IssuedKey> {
    return this.#state.stores.keys.current(await this.#state.context(appKey), service);
  }

  /** Every issued version of a service, oldest first. */
  async keyVersions(appKey: string, service: ServiceName): Promise<IssuedKey[]> {
    return this.#state.stores.keys.list(await this.#state.context(appKey), service);
  }

  /** Issues a new current version; older ones keep working until revoked. */
  async rotateKey(appKey: string, service: ServiceName): Promise<IssuedKey> {
    return this.#state.stores.keys.rotate(await this.#state.context(appKey), service);
  }

  /**
   * Revokes a version (false if it was never issued). Revoking the current version issues a new
   * one first: otherwise the public-key call would keep handing out a revoked key and no client
   * could recover by fetching it again. Resolves with the current version after it.
   */
  async revokeKey(appKey: string, service: ServiceName, version: string): Promise<IssuedKey | undefined> {
    const { keys } = this.#state.stores;
    const app = await this.#state.context(appKey);
    const issued = await keys.list(app, service);
    if (!issued.some((k) => k.version === version)) return undefined;
    let current = await keys.current(app, service);
    if (current.version === version) current = await keys.rotate(app, service);
    await keys.revoke(app, service, version);
    return current;
  }

  /**
   * Makes (or, kept in a keys dir or Redis, loads) the key pairs of both services for the given
   * appKeys, one after another, the first appKey's credit-card key first: started right after
   * the ready line, so the first call finds its key made or under way. A call that comes
   * earlier waits for the generation under way for its key, or starts its own at once if its
   * key's turn has not come (one at a time: two at once on two cores made the first
   * credit-card call slower, each generation taking the other's core).
   */
  async prepareKeys(appKeys: readonly string[] = [...this.#state.credentials.keys()]): Promise<void> {
    for (const appKey of appKeys) for (const service of SERVICES) await this.currentKey(appKey, service);
  }

  /** Whether the emulator serves an appKey (configured or registered). */
  async isKnownAppKey(appKey: string): Promise<boolean> {
    if (this.#state.credentials.has(appKey)) return true;
    return (await this.#state.context(appKey)).registeredSecret !== undefined;
  }

  /** Every appKey served: the configured ones first. */
  async appKeys(): Promise<AppKeyListing[]> {
    const { credentials, stores } = this.#state;
    const registered = (await stores.appKeys.list()).filter((k) => !credentials.has(k)).sort();
    return [
      ...[...credentials.keys()].map((appKey) => ({ appKey, source: 'configured' as const })),
      ...registered.map((appKey) => ({ appKey, source: 'registered' as const })),
    ];
  }

  /**
   * Registers an appKey at run time (a test worker's own): `created`, or `unchanged` when it
   * exists with this secret (configured or registered before). A {@link RegistrationError} when
   * it cannot be: `invalid` (see {@link registrationProblem}), `conflict` (another secret),
   * `full` (past the bound).
   */
  async registerAppKey(appKey: string, secretKey: string): Promise<{ outcome: 'created' | 'unchanged'; source: AppKeyListing['source'] }> {
    const problem = registrationProblem(appKey, secretKey);
    if (problem) throw new RegistrationError('invalid', problem);
    const configured = this.#state.credentials.get(appKey);
    const outcome =
      configured !== undefined ? (configured === secretKey ? 'unchanged' : 'conflict') : await this.#state.stores.appKeys.register(appKey, secretKey);
    if (outcome === 'conflict') throw new RegistrationError('conflict', `appKey "${appKey}" exists with another secret key`);
    if (outcome === 'full')
      throw new RegistrationError('full', `${this.maxRegisteredAppKeys} appKeys are registered already: remove the ones you are done with`);
    return { outcome, source: configured !== undefined ? 'configured' : 'registered' };
  }

  /** Most appKeys registered at run time at once. */
  get maxRegisteredAppKeys(): number {
    return this.#state.stores.appKeys.max;
  }

  /** The appKey the admin API and the dashboard default to: the first configured one. */
  get defaultAppKey(): string {
    return this.#state.credentials.keys().next().value!;
  }

  /** Removes a registered appKey and its state: `removed`, `configured` (refused) or `unknown`. */
  async removeAppKey(appKey: string): Promise<'removed' | 'configured' | 'unknown'> {
    const { credentials, stores } = this.#state;
    if (credentials.has(appKey)) return 'configured';
    if (!(await stores.appKeys.remove(appKey))) return 'unknown';
    await stores.reset(appKey);
    return 'removed';
  }

  /** How full the bounded stores are. */
  async stats(): Promise<EngineStats> {
    const { stores, keyCache } = this.#state;
    return { store: stores.kind, requestKeys: await stores.requestKeys.stats(), keyCache: keyCache.stats };
  }

  /** Releases the state's connections (Redis) and timers. */
  close(): Promise<void> {
    return this.#state.stores.close();
  }
}

/** How far the emulator clock may go (see {@link EmulatorControls.advanceClock}). */
const LATEST_CLOCK_MS = Date.UTC(9000, 0, 1);

/**
 * A clock step the emulator cannot take (past the year 9000).
 * @example await controls.advanceClock(1e12).catch((e) => e instanceof ClockLimitError) // true
 */
export class ClockLimitError extends RangeError {
  override name = 'ClockLimitError';
}

/**
 * Why an appKey cannot be registered, and what to do.
 * @example new RegistrationError('conflict', 'appKey "w1" exists with another secret key')
 */
export class RegistrationError extends Error {
  override name = 'RegistrationError';
  constructor(
    readonly kind: 'invalid' | 'conflict' | 'full',
    message: string,
  ) {
    super(message);
  }
}

/** A registered appKey goes in URL paths: unreserved characters only (RFC 3986 section 2.3). */
const APPKEY_PATTERN = /^[A-Za-z0-9._~-]{1,128}$/;
/** A registered secret key goes in the `Authorization` header: visible ASCII, no spaces. */
const SECRET_PATTERN = /^[\x21-\x7e]{1,256}$/;

/**
 * Why an appKey and secret key cannot be registered, or `undefined` when they can.
 * @example registrationProblem('worker 1', 's') // 'appKey must be 1 to 128 characters of ...'
 */
export function registrationProblem(appKey: unknown, secretKey: unknown): string | undefined {
  if (typeof appKey !== 'string' || !APPKEY_PATTERN.test(appKey)) return 'appKey must be 1 to 128 characters of A-Z a-z 0-9 . _ ~ - (it goes in URL paths)';
  if (typeof secretKey !== 'string' || !SECRET_PATTERN.test(secretKey))
    return 'secretKey must be 1 to 256 visible ASCII characters, no spaces (it goes in a header)';
  return undefined;
}
