/**
 * The emulator's state behind small async interfaces, one per kind of state: key pairs,
 * Request-Keys, resident-card locks, scenario state (queue, defaults, call counters), clock
 * offsets, tokens and the appKeys registered at run time. In memory by default (memory.ts, the
 * fastest); on Redis when several emulator processes share one state (redis.ts). The loaded
 * scenario definitions and the journal stay per process.
 *
 * Every piece of state belongs to an appKey, except tokens (they belong to a User Access Key)
 * and the queue entries without an appKey: that is what lets parallel test workers share one
 * emulator, each with its own appKey (docs/parallel-tests.md).
 */
import type { IdType } from '../id-card.js';
import type { Clock, IssuedKey, KeyRing, RequestKeyView, ServiceName } from '../model.js';
import type { Endpoint } from '../scenarios/schema.js';

/**
 * What one request knows of its appKey's state, read once when it starts (one round trip with
 * Redis) and used, unchanged, for the rest of the request.
 */
export interface AppContext {
  readonly appKey: string;
  /** Emulator time of this appKey for this request: wall clock + global offset + the appKey's own offset. */
  readonly now: number;
  /** The global offset alone (journal times are on the global clock). */
  readonly globalOffsetMs: number;
  /** Which generation of the appKey's state the request sees; a reset starts a new one (Redis; '' in memory). */
  readonly generation: string;
  /** The secret key, if the appKey was registered at run time (`POST /__emulator/appkeys`). */
  readonly registeredSecret: string | undefined;
  /** The appKey's default scenarios (`PUT /__emulator/defaults/{appKey}`). */
  readonly defaults: readonly string[];
  /** Whether any shot waits in the scenario queue (when not, selection does not ask). */
  readonly queued: boolean;
}

/** The part of a context a store needs to find an appKey's state. */
export type AppScope = Pick<AppContext, 'appKey' | 'generation' | 'now'>;

/** Clock offsets: one for every appKey, and one per appKey on top of it. */
export interface ClockStore {
  /** Offsets in milliseconds: the global one and, with an appKey, that appKey's own. */
  offsets(appKey?: string): Promise<{ globalMs: number; appMs: number }>;
  /** Moves the clock forward: of one appKey, or without one of every appKey. */
  advance(ms: number, appKey?: string): Promise<void>;
}

/** AppKeys registered at run time, beside the configured ones. */
export interface AppKeyRegistry {
  /** Registers an appKey: `created`, `unchanged` (same secret), `conflict` (another secret) or `full`. */
  register(appKey: string, secretKey: string): Promise<'created' | 'unchanged' | 'conflict' | 'full'>;
  /** Forgets an appKey; false if it was not registered. */
  remove(appKey: string): Promise<boolean>;
  /** The registered appKeys, in no particular order. */
  list(): Promise<string[]>;
  /** Most appKeys registered at once (past it `register` answers `full`). */
  readonly max: number;
}

/** RSA key pairs per appKey and service, each version with its revoked flag. */
export interface KeyPairStore {
  /** The current key, made on first use: one key even when asked at once (by several processes, with Redis). */
  current(app: AppScope, service: ServiceName): Promise<IssuedKey>;
  /** The current key without waiting, if the store holds it at hand (memory); never makes one. */
  currentNow?(app: AppScope, service: ServiceName): IssuedKey | undefined;
  /** A version as issued, its revoked flag as of now; `undefined` if never issued. */
  find(app: AppScope, service: ServiceName, version: string): Promise<IssuedKey | undefined>;
  /** Every version, oldest first. */
  list(app: AppScope, service: ServiceName): Promise<IssuedKey[]>;
  /** Issues a new current version; older ones keep working until revoked. */
  rotate(app: AppScope, service: ServiceName): Promise<IssuedKey>;
  /** Revokes a version; false if it was never issued. */
  revoke(app: AppScope, service: ServiceName, version: string): Promise<boolean>;
}

/** Where a key store keeps its rings between runs (server/keys-dir.ts). */
export interface KeyPersistence {
  /** Every ring saved before, read at start. */
  load(): { appKey: string; service: ServiceName; ring: KeyRing }[];
  /** Writes one ring after a change. */
  save(appKey: string, service: ServiceName, ring: KeyRing): void;
  /** Deletes the rings of one appKey, or of all. */
  remove(appKey?: string): void;
  /** Lets go of what it holds (a directory's lock) when the stores close. */
  close?(): void;
}

/** What an ID card's recognition leaves for its authenticity call. */
export interface Recognised {
  idType: IdType;
  /** Recognised plaintext values by key. */
  values: Readonly<Record<string, string>>;
  /** A scripted authenticity verdict; `undefined` compares the submitted values. */
  verdict?: boolean | undefined;
}

/** A Request-Key an authenticity call holds: nobody else can use it until consumed or released. */
export interface ClaimedRequestKey extends Recognised {
  requestKey: string;
  appKey: string;
  /** Which claim this is, where the store tells claims apart (Redis: a lapsed claim may be taken again). */
  claim?: string | undefined;
}

/** Figures of the Request-Key store, where it can count them (not on Redis: it would mean a scan of a shared server). */
export interface RequestKeyStats {
  held: number;
  consumed: number;
  max: number;
}

/**
 * Request-Keys. Single use is a claim: `claim` turns a fresh key into one in use, atomically,
 * so of concurrent calls with one key exactly one holds it (the rest answer 4000122); the holder
 * then consumes it (the call succeeded) or releases it (the call failed: the key stays usable,
 * as the guide has it).
 */
export interface RequestKeyStore {
  issue(app: AppScope, recognised: Recognised): Promise<string>;
  /** The key, now held by the caller; 4000122 when unknown, another appKey's, used, in use or expired. */
  claim(app: AppScope, requestKey: string): Promise<ClaimedRequestKey>;
  consume(claimed: ClaimedRequestKey): Promise<void>;
  release(claimed: ClaimedRequestKey): Promise<void>;
  stats(): Promise<RequestKeyStats | undefined>;
  /**
   * The newest `limit` keys held, oldest first, masked, each with its state by the clock of its
   * appKey (`contextOf` reads it: its emulator time, and on Redis the generation a reset moves on).
   */
  list(limit: number, contextOf: (appKey: string) => Promise<Pick<AppContext, 'now' | 'generation'>>): Promise<RequestKeyView[]>;
}

/** Wrong resident issue dates in a row per card (4000123 at five). */
export interface LockStore {
  /** 4000123 when the card is locked. */
  assertOpen(app: AppScope, card: string): Promise<void>;
  /** Records a verdict's mismatches: a wrong issue date alone counts up, a right answer clears. */
  record(app: AppScope, card: string, mismatches: readonly string[]): Promise<void>;
}

/** A queued shot as the store holds it. */
export interface StoredShot {
  scenario: string;
  remaining: number;
  appKey?: string | undefined;
  /** The endpoints the scenario serves, `*` for all (the definitions stay per process). */
  endpoints: readonly (Endpoint | '*')[];
}

/** Queue, per-appKey defaults and per-appKey scenario call counters. */
export interface ScenarioState {
  enqueue(shot: StoredShot): Promise<void>;
  queue(): Promise<StoredShot[]>;
  clearQueue(): Promise<void>;
  /** Takes one shot of the first entry for this appKey (or for any) that serves the endpoint. */
  takeShot(appKey: string, endpoint: Endpoint): Promise<string | undefined>;
  setDefaults(appKey: string, names: readonly string[]): Promise<void>;
  defaults(): Promise<Record<string, string[]>>;
  /** The 0-based call number of a scenario for an appKey, counting this call. */
  nextCall(app: AppScope, scenario: string): Promise<number>;
}

/** An issued token. */
export interface TokenRecord {
  keyId: string;
  expiresAt: number;
  revoked: boolean;
}

/** v2.1 tokens, by token. */
export interface TokenStore {
  put(token: string, record: TokenRecord, now: number): Promise<void>;
  get(token: string): Promise<TokenRecord | undefined>;
  /** Revokes a token if it is `keyId`'s. */
  revoke(token: string, keyId: string): Promise<void>;
  /** Tokens held, where the store can count them. */
  size(): Promise<number | undefined>;
}

/** Every store, as chosen at start. */
export interface StateStores {
  readonly kind: 'memory' | 'redis';
  /** The wall clock the offsets apply to. */
  readonly wall: Clock;
  readonly clock: ClockStore;
  readonly appKeys: AppKeyRegistry;
  readonly keys: KeyPairStore;
  readonly requestKeys: RequestKeyStore;
  readonly locks: LockStore;
  readonly scenarios: ScenarioState;
  readonly tokens: TokenStore;
  /** The context a request to `appKey` starts with. */
  context(appKey: string): Promise<AppContext>;
  /** The same without waiting, where the store can (memory): the hot paths skip an await. */
  contextNow?(appKey: string): AppContext;
  /**
   * Forgets one appKey's state (key pairs, Request-Keys, locks, its queue entries, defaults,
   * call counters, clock offset), or without one everything but registrations: tokens and the
   * global clock offset too.
   */
  reset(appKey?: string): Promise<void>;
  /** Releases connections and timers. */
  close(): Promise<void>;
}
