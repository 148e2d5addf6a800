/**
 * The public, hand-written API of nhn-ocr-emulator for use in-process, e.g. from a test
 * runner's global setup:
 *
 * @example
 * import { startEmulator } from 'nhn-ocr-emulator';
 * const emulator = await startEmulator({ port: 0 });
 * process.env.OCR_BASE_URL = emulator.url;
 * // ... run tests ...
 * await emulator.close();
 */
import { readFileSync } from 'node:fs';
import type { IncomingMessage, RequestListener, Server } from 'node:http';
import { join } from 'node:path';
import { baseUrl, isLoopbackName } from './base-url.js';
import { checkOptions, checkSharedState, ConfigError, type EmulatorConfig, type OptionCheck, type SettingOptions } from './config.js';
import { OcrEngine } from './core/engine.js';
import { DEFAULT_JOURNAL_MAX_BYTES, Journal, type JournalEntry } from './core/journal.js';
import { DEFAULT_KEY_CACHE_ENTRIES } from './core/key-cache.js';
import { rsa2048Factory, type KeyFactory } from './core/key-store.js';
import { cryptoRandom, type RandomSource } from './core/random.js';
import { ScenarioBook } from './core/scenarios/book.js';
import { memoryStores } from './core/stores/memory.js';
import type { StateStores } from './core/stores/types.js';
import { isStoreUnavailable } from './core/stores/unavailable.js';
import { createApp as createHttpApp, type PipelineSteps } from './http/pipeline.js';
import type { UploadBudgetStats } from './http/upload-budget.js';
import { KeysDir } from './keys-dir.js';
import { createNodeServer, listen } from './node-server.js';
import { packageRoot } from './package-root.js';
import type { ScenarioProblem } from './scenario-files.js';
import { openScenarioLibrary } from './scenario-library.js';

export { loadConfig, DEFAULTS, ConfigError, SETTINGS, type EmulatorConfig, type SettingOptions } from './config.js';
export { OcrEngine, EmulatorControls, OcrService, type EngineOptions, type Reply } from './core/engine.js';
export { createEngine, type EngineInput } from './create-engine.js';
export { API_VERSIONS, type ApiVersion } from './core/auth.js';
export { DATED_CHANGES, EARLIEST_API_DATE, behaviourOn, type Behaviour } from './core/api-date.js';
export type { UserAccessKey } from './core/token-issuer.js';
export { ERROR_CATALOGUE, OcrError, failureBody, successBody, type ErrorKey } from './core/errors.js';
export { Journal, type JournalEntry } from './core/journal.js';
export { ScenarioBook } from './core/scenarios/book.js';
export { parseScenario, type Scenario, type ScenarioFile, type Outcome } from './core/scenarios/schema.js';
export type { ScenarioProblem } from './scenario-files.js';
export type { UploadBudgetStats } from './http/upload-budget.js';
export { BUILT_IN_SCENARIOS_DIR, loadScenarioDirs, loadScenarioDirsOffThread } from './scenario-files.js';

/**
 * Options of {@link startEmulator}; everything has a default. The settings (SETTINGS in
 * server/config.ts) are checked as their environment variables are, and an unknown key is
 * refused: either throws a one-line ConfigError.
 */
export interface StartOptions extends SettingOptions {
  /** Key-pair maker (tests pass fixed keys to skip RSA generation). */
  keyFactory?: KeyFactory;
  random?: RandomSource;
  /** Watch scenario files and reload on change (default true). */
  watchScenarios?: boolean;
  /** Where server-side faults are reported; defaults to stderr. */
  onFault?: (error: unknown) => void;
  /** Where log lines go (request lines with `log: 'requests'`, reload reports); defaults to stdout. */
  logger?: (line: string) => void;
  /** The journal's byte budget (default 64 MiB; see server/core/journal.ts). */
  journalMaxBytes?: number;
  /**
   * Make the key pairs of every configured appKey in the background once listening (default
   * true), so the first call does not wait for RSA key generation.
   */
  prepareKeys?: boolean;
}

/**
 * Options of {@link createApp}. Written out here rather than taken from server/http/pipeline.ts so
 * that the package's types need nothing of express (test/package/declarations.test.ts checks
 * that the two stay the same).
 */
export interface AppOptions {
  /** Largest accepted request body in bytes (4131000 above it). */
  maxUploadBytes: number;
  journal: Journal;
  /** Told about server-side faults (answered -1). */
  onFault?: (error: unknown) => void;
  /** Told about every finished API request (for logging). */
  onRequest?: (entry: JournalEntry) => void;
  /** When set, every admin call needs `Authorization: Bearer <token>`. */
  adminToken?: string | undefined;
  /** When false, every admin path but health answers 403. */
  adminEnabled?: boolean;
  /** Re-reads the scenario files; resolves with problems (empty when the new set is in force). */
  reloadScenarios?: () => Promise<ScenarioProblem[]> | ScenarioProblem[];
  /** Problems of the last scenario load (the previous good set stays in force). */
  scenarioProblems?: () => ScenarioProblem[];
  /** The admin API's own OpenAPI description, served as is. */
  adminDescription?: () => string;
  /** The upload budget's figures, for GET /__emulator/stats. */
  uploads?: () => UploadBudgetStats;
  /** Upload bytes held in memory at once, past which uploads wait (default 4x maxUploadBytes). */
  maxInflightBytes?: number;
  /** `false` leaves out `X-Emulator-Diagnosis` (EMULATOR_DIAGNOSIS_HEADER=off); default true. */
  diagnosisHeader?: boolean;
}

/**
 * Builds the HTTP handler around an engine: a Node request listener, for `http.createServer`,
 * supertest, or mounting in an app of your own. It answers every request it is given; what
 * happens before a request exists is the server's, so the documented answers to `CONNECT`,
 * unparsable requests, an unknown `Expect`, header limits, a repeated `Host` and slow clients (docs/security.md)
 * come with {@link startEmulator}'s server only.
 * @example const server = http.createServer(createApp(createEngine(), { maxUploadBytes: 20 * 1024 * 1024, journal: new Journal() }))
 */
export const createApp: (engine: OcrEngine, options: AppOptions) => RequestListener = createHttpApp;

/** A running emulator. */
export interface RunningEmulator {
  /** Base URL, e.g. `http://127.0.0.1:8080`. */
  url: string;
  host: string;
  port: number;
  /** The emulated API (`engine.service`), the emulator's controls (`engine.controls`: clock, reset, keys, appKeys) and the scenario book (`engine.scenarios`). */
  engine: OcrEngine;
  journal: Journal;
  server: Server;
  /** Resolves once the background key generation started at listen time is done. */
  keysReady: Promise<void>;
  /**
   * Registers an appKey at run time, e.g. one per parallel test worker (the admin API's
   * `POST /__emulator/appkeys`); resolves `created` or `unchanged`, rejects on another secret.
   */
  registerAppKey(appKey: string, secretKey: string): Promise<'created' | 'unchanged'>;
  /** Removes a registered appKey and its state; false if it was not registered. */
  removeAppKey(appKey: string): Promise<boolean>;
  /**
   * Stops: refuses new connections and closes idle ones at once, answers the requests in flight
   * (each answer with `Connection: close`), closes what is still open after `shutdownTimeoutMs`,
   * then the shared state's connections; resolves when all is closed. Calling it again returns
   * the same promise.
   */
  close(): Promise<void>;
}

const ADMIN_DESCRIPTION = join(packageRoot(), 'server', 'admin-openapi.yaml');

/**
 * Starts the emulator on `host:port` (port 0 picks a free one) and resolves once it answers.
 * Built-in scenario files must load; an invalid one stops the start with a message naming it.
 * @example const { url, close } = await startEmulator({ port: 0 })
 */
export async function startEmulator(given: StartOptions = {}): Promise<RunningEmulator> {
  // Every setting, given (checked and normalised: credentials as a Map) or defaulted, and the other options.
  const options = startOptions(given);
  // Worker processes are the command's to start (they fork this program); in process, one
  // emulator serves.
  if (options.workers > 1)
    throw new ConfigError(
      `startEmulator option workers=${options.workers}: worker processes are started by the command (nhn-ocr-emulator --workers N); in process one emulator serves`,
      'workers',
      "is the command's",
    );
  checkSharedState(options);
  const stores = await stateStores(options);
  const life = { closing: false };
  try {
    return await serve(options, given, stores, life);
  } catch (error) {
    life.closing = true;
    await stores.close(); // a Redis connection would keep the process alive
    throw error;
  }
}

/** The rest of {@link startEmulator}, once the stores are open. */
async function serve(options: ResolvedOptions, given: StartOptions, stores: StateStores, life: { closing: boolean }): Promise<RunningEmulator> {
  const { host, logger: log, onFault } = options;
  const book = new ScenarioBook(stores.scenarios);
  const scenarios = openScenarioLibrary(book, options.scenarioDirs);
  const engine = new OcrEngine({
    credentials: options.credentials,
    requestKeyTtlSeconds: options.requestKeyTtlSeconds,
    apiDate: options.apiDate,
    userAccessKeys: new Map(options.userAccessKeys.map((key) => [key.id, key])),
    tokenTtlSeconds: options.tokenTtlSeconds,
    journalValues: options.journalValues,
    stores,
    scenarios: book,
    rsaWorkers: options.rsaWorkers,
    random: options.random,
    keyCacheEntries: DEFAULT_KEY_CACHE_ENTRIES,
  });
  const journal = new Journal(options.journalSize, options.journalMaxBytes);
  const onRequest = options.log === 'requests' ? (entry: JournalEntry) => log(requestLine(entry)) : undefined;
  // Record mode's step: the pipeline offers it every request first (docs/record-live-service.md).
  const forward = options.recordTarget ? await recordMode(options, { engine, log }) : undefined;
  const app = createHttpApp(
    engine,
    {
      maxUploadBytes: options.maxUploadBytes,
      maxInflightBytes: options.maxInflightBytes,
      journal,
      onFault,
      adminToken: options.adminToken,
      // Open on loopback; elsewhere only with a token (docs/admin-api.md, "Who may use it").
      adminEnabled: isLoopbackName(host) || Boolean(options.adminToken),
      reloadScenarios: scenarios.reload,
      scenarioProblems: scenarios.problems,
      adminDescription: () => readFileSync(ADMIN_DESCRIPTION, 'utf8'),
      diagnosisHeader: options.diagnosisHeader,
      ...(onRequest ? { onRequest } : {}),
    },
    { forward },
  );
  const { server, drain } = createNodeServer(
    app,
    options,
    journalRefusal(journal, engine, 'HTTP 400: more than one Host header (RFC 9112 section 3.2)', onRequest),
  );
  const port = await listen(server, host, options.port, given);
  const stopWatching = options.watchScenarios ? scenarios.watch(log) : () => {};
  // Right after listening (the command prints its ready line now), the key pairs the first calls
  // will ask for, made or loaded on libuv's threads: RSA key generation is most of a first
  // call's time otherwise. Nothing waits for it; a call that comes early shares the generation
  // under way. (Started before listening, it slowed the start-up itself on two cores.)
  // Keys not made because Redis is away are made on first use, once it is back: no fault.
  const keysReady = options.prepareKeys
    ? engine.controls.prepareKeys().catch((error: unknown) => (life.closing || isStoreUnavailable(error) ? undefined : onFault(error)))
    : Promise.resolve();
  let closed: Promise<void> | undefined;
  const close = async () => {
    life.closing = true;
    stopWatching();
    const cut = await drain(options.shutdownTimeoutMs);
    if (cut > 0)
      log(
        `nhn-ocr-emulator: ${cut} request${cut === 1 ? '' : 's'} still unanswered after ${options.shutdownTimeoutMs} ms (EMULATOR_SHUTDOWN_TIMEOUT_MS); closed without an answer`,
      );
    // The shared state last: the answers given while draining may still need it.
    await engine.controls.close();
  };
  return {
    url: baseUrl(host, port),
    host,
    port,
    engine,
    journal,
    server,
    keysReady,
    registerAppKey: async (appKey, secretKey) => (await engine.controls.registerAppKey(appKey, secretKey)).outcome,
    removeAppKey: async (appKey) => (await engine.controls.removeAppKey(appKey)) === 'removed',
    close: () => (closed ??= close()),
  };
}

/**
 * Journals a request refused before the app saw it, as the app journals its own refusals (not
 * an admin call: those are not journaled), and tells `onRequest` as the app would.
 */
function journalRefusal(journal: Journal, engine: OcrEngine, diagnosis: string, onRequest?: (entry: JournalEntry) => void): (req: IncomingMessage) => void {
  return (req) => {
    const path = (req.url ?? '').split('?')[0]!;
    if (path === '/__emulator' || path.startsWith('/__emulator/')) return;
    const entry = journal.add({ time: new Date(engine.controls.now()).toISOString(), method: req.method ?? '', path, status: 400, diagnosis, durationMs: 0 });
    onRequest?.(entry);
  };
}

/**
 * The stores the options ask for: in memory (key pairs in `keysDir` when set), or on Redis.
 * @example const stores = await stateStores(startOptions({ keysDir: '/tmp/keys' }))
 */
async function stateStores(options: ResolvedOptions): Promise<StateStores> {
  const shared = { keyFactory: options.keyFactory, random: options.random, requestKeyTtlSeconds: options.requestKeyTtlSeconds };
  if (!options.redisUrl) return memoryStores({ ...shared, keyPersistence: options.keysDir ? new KeysDir(options.keysDir, options.logger) : undefined });
  // Loaded only when used: the Redis client (redis-link.ts imports it when connecting) costs
  // start-up time an in-memory emulator need not pay.
  const { redisStores } = await import('./core/stores/redis.js');
  const { RedisConnectError, RedisSecretMismatchError } = await import('./core/stores/redis-link.js');
  try {
    return await redisStores({ ...shared, url: options.redisUrl, secret: options.redisSecret!, prefix: options.redisPrefix });
  } catch (error) {
    if (error instanceof RedisConnectError) throw new ConfigError(`EMULATOR_REDIS_URL: ${error.message}`, 'redisUrl', error.message);
    if (error instanceof RedisSecretMismatchError) throw new ConfigError(`EMULATOR_REDIS_SECRET ${error.message}`, 'redisSecret', error.message);
    throw error;
  }
}

/** The options of {@link startEmulator} with nothing left unset but what unset means something. */
type ResolvedOptions = EmulatorConfig & Required<Omit<StartOptions, keyof SettingOptions>>;

/**
 * The settings checked and complete (server/config.ts) and the other options with their
 * defaults: the one place `startEmulator` fills in what was not given.
 */
function startOptions(given: StartOptions): ResolvedOptions {
  const config = checkOptions(given, OTHER_OPTIONS);
  return {
    ...config,
    keyFactory: given.keyFactory ?? rsa2048Factory,
    random: given.random ?? cryptoRandom,
    watchScenarios: given.watchScenarios ?? true,
    onFault: given.onFault ?? ((error: unknown) => console.error('nhn-ocr-emulator: internal fault:', error)),
    logger: given.logger ?? ((line: string) => console.log(line)),
    journalMaxBytes: given.journalMaxBytes ?? DEFAULT_JOURNAL_MAX_BYTES,
    prepareKeys: given.prepareKeys ?? true,
  };
}

/** What the options that are no setting must be. */
const OTHER_OPTIONS: Record<string, OptionCheck> = {
  keyFactory: { accepts: 'a function resolving to a key pair', test: (value) => typeof value === 'function' },
  random: { accepts: 'a RandomSource object', test: (value) => typeof value === 'object' && value !== null },
  watchScenarios: { accepts: 'true or false', test: (value) => typeof value === 'boolean' },
  onFault: { accepts: 'a function', test: (value) => typeof value === 'function' },
  logger: { accepts: 'a function', test: (value) => typeof value === 'function' },
  journalMaxBytes: { accepts: 'a whole number of bytes, 1 or more', test: (value) => Number.isInteger(value) && (value as number) >= 1 },
  prepareKeys: { accepts: 'true or false', test: (value) => typeof value === 'boolean' },
} satisfies Record<Exclude<keyof StartOptions, keyof SettingOptions>, OptionCheck>;

/**
 * Record mode (docs/record-live-service.md): the record directory and its salt, the proxy to the
 * target, and the step in front of the emulator. Says so in one log line, hosts only.
 */
async function recordMode(options: ResolvedOptions, parts: { engine: OcrEngine; log: (line: string) => void }): Promise<NonNullable<PipelineSteps['forward']>> {
  const { LiveProxy } = await import('./core/record/live-proxy.js');
  const { Redactor } = await import('./core/record/redact.js');
  const { recordStep, targetFetch } = await import('./http/record-step.js');
  const { RecordDir, defaultRecordDir } = await import('./record-dir.js');
  const dir = new RecordDir(options.recordDir ?? defaultRecordDir(options.scenarioDirs, process.cwd()), options.random);
  let salt: Buffer;
  try {
    dir.prepare();
    salt = dir.salt();
  } catch (error) {
    throw new ConfigError(
      `EMULATOR_RECORD_DIR ${dir.path} cannot be used: ${(error as Error).message}`,
      'recordDir',
      `cannot be used: ${(error as Error).message}`,
    );
  }
  const keepValues = options.recordKeepValues;
  const maxCalls = options.recordMaxCalls;
  const proxy = new LiveProxy({
    target: options.recordTarget!.replace(/\/+$/, ''),
    oauth: options.recordOauthUrl.replace(/\/+$/, ''),
    fetch: targetFetch(options.recordTimeoutMs),
    ownKey: (appKey, service) => parts.engine.controls.currentKey(appKey, service),
    redactor: keepValues ? undefined : new Redactor(salt),
    sink: dir,
    maxCalls,
    now: () => parts.engine.controls.now(),
  });
  parts.log(
    `nhn-ocr-emulator: record mode on: the API is forwarded to ${proxy.host} and tokens to ${proxy.oauthHost}, at most ${maxCalls} calls; recordings go to ${dir.path} (personal values ${keepValues ? 'KEPT' : 'replaced by synthetic ones'})`,
  );
  return recordStep({ proxy, maxUploadBytes: options.maxUploadBytes });
}

/** One log line per request: never secrets or values, only what happened. */
function requestLine(entry: JournalEntry): string {
  const scenario = entry.scenario ? ` scenario=${entry.scenario.name}(${entry.scenario.reason})` : '';
  const diagnosis = entry.resultCode !== 0 && entry.diagnosis ? ` — ${entry.diagnosis}` : '';
  // Requests the emulator itself refused (an unknown X-Emulator-Scenario) have no result code.
  const outcome = entry.resultCode ?? (entry.forwarded ? `HTTP ${entry.status}` : 'refused by the emulator');
  const forwarded = entry.forwarded
    ? ` forwarded=${entry.forwarded.host}(${entry.forwarded.latencyMs}ms)${entry.forwarded.recorded ? ` recorded=${entry.forwarded.recorded}` : ''}`
    : '';
  return `${entry.method} ${entry.path} -> ${outcome} ${entry.durationMs}ms${scenario}${forwarded}${diagnosis}`;
}
