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
import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerOptions } from 'node:http';
import type { AddressInfo } from 'node:net';
import { delimiter, join } from 'node:path';
import type { Duplex } from 'node:stream';
import { checkOptions, checkSharedState, ConfigError, DEFAULTS, SETTINGS, type EmulatorConfig, type OptionCheck, type SettingOptions } from './config.js';
import type { OcrEngine } from './core/engine.js';
import { createEngine } from './create-engine.js';
import { Journal, type JournalEntry } from './core/journal.js';
import type { KeyFactory } from './core/key-store.js';
import type { RandomSource } from './core/random.js';
import { memoryStores } from './core/stores/memory.js';
import type { StateStores } from './core/stores/types.js';
import { isStoreUnavailable } from './core/stores/unavailable.js';
import { ScenarioBook } from './core/scenarios/book.js';
import { createApp as createHttpApp } from './http/pipeline.js';
import { answerClientError, answerClientErrorWithDiagnosis, answerConnect } from './http/client-error.js';
import { drainableListener } from './http/drain.js';
import { applyHeaderLimits, limitHeaderLines, MAX_HEADER_BYTES, refuseRepeatedHost } from './http/header-limits.js';
import { KeysDir } from './keys-dir.js';
import type { UploadBudgetStats } from './http/upload-budget.js';
import { packageRoot } from './package-root.js';
import {
  BUILT_IN_SCENARIOS_DIR,
  formatScenarioErrors,
  loadScenarioDirs,
  loadScenarioDirsOffThread,
  watchScenarioDirs,
  type LoadResult,
  type ScenarioProblem,
} from './scenario-files.js';
import { baseUrl, isLoopbackName } from './base-url.js';

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
 * unparsable requests, an unknown `Expect`, header limits, a repeated `Host` and slow clients (README, "Security")
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
  // Every given setting, checked and normalised (credentials as a Map), and the other options.
  const options = { ...given, ...checkOptions(given, OTHER_OPTIONS) } as CheckedOptions;
  // Worker processes are the command's to start (they fork this program); in process, one
  // emulator serves.
  if ((options.workers ?? 1) > 1)
    throw new ConfigError(
      `startEmulator option workers=${options.workers}: worker processes are started by the command (nhn-ocr-emulator --workers N); in process one emulator serves`,
      'workers',
      "is the command's",
    );
  checkSharedState({ keysDir: options.keysDir, redisUrl: options.redisUrl, redisSecret: options.redisSecret, workers: 1 });
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
async function serve(options: CheckedOptions, given: StartOptions, stores: StateStores, life: { closing: boolean }): Promise<RunningEmulator> {
  const host = options.host ?? DEFAULTS.host;
  const log = options.logger ?? ((line: string) => console.log(line));
  const scenarioDirs = [BUILT_IN_SCENARIOS_DIR, ...(options.scenarioDirs ?? [])];
  const book = new ScenarioBook(stores.scenarios);
  let problems: ScenarioProblem[] = [];
  const apply = (loaded: LoadResult): ScenarioProblem[] => {
    if (loaded.ok) {
      book.replaceAll(loaded.scenarios);
      problems = [];
    } else {
      problems = loaded.errors;
    }
    return problems;
  };
  // The first load in line: nothing is served yet, and starting a parser thread would cost start-up time.
  const initial = apply(loadScenarioDirs(scenarioDirs));
  if (initial.length) throw new ConfigError(`scenario files are invalid:\n${formatScenarioErrors(initial)}`);
  // Reloads while serving parse off the main thread (server/scenario-files.ts), one at a time.
  let reloading: Promise<ScenarioProblem[]> = Promise.resolve([]);
  const reload = (): Promise<ScenarioProblem[]> =>
    (reloading = reloading.then(async () => {
      try {
        return apply(await loadScenarioDirsOffThread(scenarioDirs));
      } catch (error) {
        return (problems = [{ file: scenarioDirs.join(delimiter), problems: [`reload failed: ${(error as Error).message}`] }]);
      }
    }));

  // What is not given takes the settings' defaults (createEngine).
  const engine = createEngine({
    credentials: options.credentials,
    requestKeyTtlSeconds: options.requestKeyTtlSeconds,
    apiDate: options.apiDate,
    userAccessKeys: options.userAccessKeys && new Map(options.userAccessKeys.map((key) => [key.id, key])),
    tokenTtlSeconds: options.tokenTtlSeconds,
    journalValues: options.journalValues,
    stores,
    scenarios: book,
    rsaWorkers: options.rsaWorkers,
    random: options.random,
  });
  const journal = new Journal(options.journalSize ?? DEFAULTS.journalSize, options.journalMaxBytes);
  const onFault = options.onFault ?? ((error: unknown) => console.error('nhn-ocr-emulator: internal fault:', error));
  // EMULATOR_MAX_UPLOAD_BYTES wins over the emulated date's limit.
  const maxUploadBytes = options.maxUploadBytes ?? engine.behaviour.maxUploadBytes;
  /** A request refused before the app saw it, journaled as the app journals its own refusals (not an admin call: those are not journaled). */
  const journalRefusal = (req: IncomingMessage, diagnosis: string) => {
    const path = (req.url ?? '').split('?')[0]!;
    if (path === '/__emulator' || path.startsWith('/__emulator/')) return;
    const entry = journal.add({ time: new Date(engine.controls.now()).toISOString(), method: req.method ?? '', path, status: 400, diagnosis, durationMs: 0 });
    if (options.log === 'requests') log(requestLine(entry));
  };
  const app = createHttpApp(engine, {
    maxUploadBytes,
    maxInflightBytes: options.maxInflightBytes,
    journal,
    onFault,
    adminToken: options.adminToken,
    // Open on loopback; elsewhere only with a token (README, "Admin API").
    adminEnabled: isLoopbackName(host) || Boolean(options.adminToken),
    reloadScenarios: reload,
    scenarioProblems: () => problems,
    adminDescription: () => readFileSync(ADMIN_DESCRIPTION, 'utf8'),
    diagnosisHeader: options.diagnosisHeader,
    ...(options.log === 'requests' ? { onRequest: (entry: JournalEntry) => log(requestLine(entry)) } : {}),
  });
  // One listener for every way a request arrives, so each passes the header-line limit and is
  // waited for when the emulator stops.
  const drainable = drainableListener(
    limitHeaderLines(refuseRepeatedHost(app, (req) => journalRefusal(req, 'HTTP 400: more than one Host header (RFC 9112 section 3.2)'))),
  );
  const listener = drainable.listener;
  const server = applyHeaderLimits(createServer({ ...serverTimeouts(options), maxHeaderSize: MAX_HEADER_BYTES }, listener));
  const withDiagnosis = options.diagnosisHeader !== false;
  server.on('clientError', withDiagnosis ? answerClientErrorWithDiagnosis : answerClientError);
  server.on('connect', (req: IncomingMessage, socket: Duplex) => answerConnect(req, socket, withDiagnosis));
  // An Expect other than 100-continue: Node would answer a bare 417 before the app sees the
  // request. RFC 9110 section 10.1.1 lets a server ignore an expectation it does not know (417
  // is a MAY), and a request to an API path deserves its own answer on HTTP 200 (README,
  // "Security"), so it goes to the app as if the header were not there.
  server.on('checkExpectation', listener);
  const port = options.port ?? DEFAULTS.port;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  }).catch((error: unknown) => {
    throw listenError(error as NodeJS.ErrnoException, host, port, given);
  });
  const stopWatching =
    options.watchScenarios === false
      ? () => {}
      : watchScenarioDirs(scenarioDirs, () => {
          void reload().then((now) =>
            log(
              now.length
                ? `nhn-ocr-emulator: scenario reload failed, previous set stays in force:\n${formatScenarioErrors(now)}`
                : `nhn-ocr-emulator: scenarios reloaded (${book.list().length})`,
            ),
          );
        });
  // Right after listening (the command prints its ready line now), the key pairs the first calls
  // will ask for, made or loaded on libuv's threads: RSA key generation is most of a first
  // call's time otherwise. Nothing waits for it; a call that comes early shares the generation
  // under way. (Started before listening, it slowed the start-up itself on two cores.)
  // Keys not made because Redis is away are made on first use, once it is back: no fault.
  const keysReady =
    options.prepareKeys === false
      ? Promise.resolve()
      : engine.controls.prepareKeys().catch((error: unknown) => (life.closing || isStoreUnavailable(error) ? undefined : onFault(error)));
  const { port: boundPort } = server.address() as AddressInfo;
  let closed: Promise<void> | undefined;
  return {
    url: baseUrl(host, boundPort),
    host,
    port: boundPort,
    engine,
    journal,
    server,
    keysReady,
    registerAppKey: async (appKey, secretKey) => (await engine.controls.registerAppKey(appKey, secretKey)).outcome,
    removeAppKey: async (appKey) => (await engine.controls.removeAppKey(appKey)) === 'removed',
    close: () =>
      (closed ??= (async () => {
        life.closing = true;
        stopWatching();
        const boundMs = options.shutdownTimeoutMs ?? DEFAULTS.shutdownTimeoutMs;
        const cut = await drainable.drain(server, boundMs);
        if (cut > 0)
          log(
            `nhn-ocr-emulator: ${cut} request${cut === 1 ? '' : 's'} still unanswered after ${boundMs} ms (EMULATOR_SHUTDOWN_TIMEOUT_MS); closed without an answer`,
          );
        // The shared state last: the answers given while draining may still need it.
        await engine.controls.close();
      })()),
  };
}

/**
 * The stores the options ask for: in memory (key pairs in `keysDir` when set), or on Redis.
 * @example const stores = await stateStores({ keysDir: '/tmp/keys' })
 */
async function stateStores(options: CheckedOptions): Promise<StateStores> {
  const shared = {
    keyFactory: options.keyFactory,
    random: options.random,
    requestKeyTtlSeconds: options.requestKeyTtlSeconds ?? DEFAULTS.requestKeyTtlSeconds,
  };
  if (!options.redisUrl) return memoryStores({ ...shared, keyPersistence: options.keysDir ? new KeysDir(options.keysDir, options.logger) : undefined });
  // Loaded only when used: the Redis client (redis-link.ts imports it when connecting) costs
  // start-up time an in-memory emulator need not pay.
  const { redisStores } = await import('./core/stores/redis.js');
  const { RedisConnectError, RedisSecretMismatchError } = await import('./core/stores/redis-link.js');
  try {
    return await redisStores({ ...shared, url: options.redisUrl, secret: options.redisSecret!, prefix: options.redisPrefix ?? SETTINGS.redisPrefix.default });
  } catch (error) {
    if (error instanceof RedisConnectError) throw new ConfigError(`EMULATOR_REDIS_URL: ${error.message}`, 'redisUrl', error.message);
    if (error instanceof RedisSecretMismatchError) throw new ConfigError(`EMULATOR_REDIS_SECRET ${error.message}`, 'redisSecret', error.message);
    throw error;
  }
}

/** The options once checked: settings as the configuration holds them. */
type CheckedOptions = Partial<EmulatorConfig> & Omit<StartOptions, keyof SettingOptions>;

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
 * A listen failure as one line naming the setting at fault (the command renames it after the
 * environment variable or flag it came from).
 */
function listenError(error: NodeJS.ErrnoException, host: string, port: number, given: StartOptions): unknown {
  const named = (key: 'host' | 'port', value: string | number) =>
    given[key] !== undefined ? `startEmulator option ${key}=${JSON.stringify(value)}` : `${key} ${JSON.stringify(value)} (the default)`;
  const fail = (key: 'host' | 'port', value: string | number, problem: string) => new ConfigError(`${named(key, value)} ${problem}`, key, problem);
  switch (error.code) {
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_FAIL':
    case 'EAI_NONAME':
      return fail('host', host, `cannot be resolved (${error.code}); give an IP address or a host name of this machine`);
    case 'EADDRNOTAVAIL':
      return fail('host', host, 'is no address of this machine (EADDRNOTAVAIL)');
    case 'EADDRINUSE':
      return fail('port', port, 'is in use (EADDRINUSE); give another port (0 picks a free one)');
    case 'EACCES':
      return fail('port', port, 'needs privileges this process lacks (EACCES); give a port from 1024 up (0 picks a free one)');
    default:
      return error;
  }
}
/**
 * Node's slow-client limits: a client that trickles its headers (slowloris) or its body is cut
 * off with 408. Node checks the deadlines every `connectionsCheckingInterval` (30 s by default),
 * so that interval follows the smallest deadline.
 */
function serverTimeouts(options: CheckedOptions): ServerOptions {
  const requestTimeout = options.requestTimeoutMs ?? DEFAULTS.requestTimeoutMs;
  // Node refuses a headers deadline later than the request deadline.
  const headersTimeout = Math.min(options.headersTimeoutMs ?? DEFAULTS.headersTimeoutMs, requestTimeout || Infinity);
  const smallest = Math.min(headersTimeout, requestTimeout || headersTimeout);
  return {
    headersTimeout,
    requestTimeout,
    keepAliveTimeout: options.keepAliveTimeoutMs ?? DEFAULTS.keepAliveTimeoutMs,
    // Both deadlines off (0): Node's own interval.
    connectionsCheckingInterval: smallest > 0 ? Math.max(10, Math.min(1_000, Math.floor(smallest / 4))) : 30_000,
  };
}

/** One log line per request: never secrets or values, only what happened. */
function requestLine(entry: JournalEntry): string {
  const scenario = entry.scenario ? ` scenario=${entry.scenario.name}(${entry.scenario.reason})` : '';
  const diagnosis = entry.resultCode !== 0 && entry.diagnosis ? ` — ${entry.diagnosis}` : '';
  // Requests the emulator itself refused (an unknown X-Emulator-Scenario) have no result code.
  const outcome = entry.resultCode ?? 'refused by the emulator';
  return `${entry.method} ${entry.path} -> ${outcome} ${entry.durationMs}ms${scenario}${diagnosis}`;
}
