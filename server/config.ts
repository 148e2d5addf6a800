/**
 * The emulator's settings: one table (SETTINGS) from which environment variables, command-line
 * flags, `startEmulator` options and `--help` are all read, with the embedded defaults that make
 * `npm start` work on a fresh clone. docs/configuration.md, "Every setting", lists the same
 * settings (a test keeps the two in step).
 *
 * Adding a setting is one row: its kind (server/setting-kinds.ts: integer, choice, toggle, text,
 * date, url, directories, userAccessKeys, optional(...)), default, environment variable,
 * optionally a flag, and a one-line description; the configuration type, the option type, the
 * checks and `--help` follow (docs/configuration.md's table is kept by hand; a test compares the
 * two, and README.md's short table with them).
 *
 * @example
 * // a row
 * tokenTtlSeconds: setting({ env: 'EMULATOR_TOKEN_TTL_SECONDS', kind: integer(60, 86400), default: 86400, description: 'how long an access token stays valid' }),
 */
import { redactUrl } from './core/stores/redact-url.js';
import { delimiter } from 'node:path';
import { behaviourOn, EARLIEST_API_DATE } from './core/api-date.js';
import { DEFAULT_RSA_WORKERS } from './core/rsa-pool.js';
import type { UserAccessKey } from './core/token-issuer.js';
import {
  choice,
  credentialPairs,
  credentials,
  date,
  directories,
  integer,
  isPlainObject,
  optional,
  Refusal,
  text,
  toggle,
  url,
  userAccessKeys,
  type Kind,
} from './setting-kinds.js';

/** One setting. `V` is its value in the configuration, `I` what `startEmulator` accepts for it. */
export interface Setting<V, I = V> {
  kind: Kind<V, I>;
  /** Typed by the kind alone, so `'off'` stays one of the kind's words. */
  default: NoInfer<V>;
  /** One line for `--help` and the README. */
  description: string;
  /** The environment variable, when it has one. */
  env?: string;
  /** The command-line flag (`--name VALUE`), when it has one; `repeatable` flags add up; a `switch` takes no value and turns a toggle on. */
  flag?: { name: string; value: string; repeatable?: boolean; switch?: boolean };
  /** The default as `--help` shows it, when the kind's own rendering is not enough. */
  shown?: string;
  /**
   * How a given value may appear in a message: `hidden` never (a secret), `url` without its
   * password. Unset: as given.
   */
  secret?: 'hidden' | 'url';
}

/** A setting read only from the environment into another one (the credentials). */
type EnvironmentOnly<V> = Setting<V> & { option: false; env: string };

function setting<V, I = V>(row: Setting<V, I>): Setting<V, I> {
  return row;
}

function environmentOnly<V>(row: Omit<EnvironmentOnly<V>, 'option'>): EnvironmentOnly<V> {
  return { ...row, option: false };
}

const DEFAULT_APP_KEY = 'emulator-appkey';
const DEFAULT_SECRET_KEY = 'emulator-secretkey';
const DEFAULT_ACCESS_KEY: UserAccessKey = { id: 'emulator-user-access-key', secret: 'emulator-secret-access-key' };
/** The live token issuer record mode forwards to (NHN Cloud public API "User Access Key token"). */
const LIVE_OAUTH_URL = 'https://oauth.api.nhncloudservice.com';

/**
 * Settings that no longer exist, with what replaced them: set, they stop the start with this
 * message rather than being ignored.
 */
const RETIRED: Readonly<Record<string, string>> = {
  EMULATOR_PASSPORT_AUTHENTICITY:
    'EMULATOR_PASSPORT_AUTHENTICITY is gone: passport authenticity follows EMULATOR_API_DATE (withdrawn on 2026-05-27, as the service did; EMULATOR_API_DATE=2026-05-26 or earlier brings it back)',
};

/** Every setting, in the order `--help` lists them. */
export const SETTINGS = {
  host: setting({
    env: 'HOST',
    flag: { name: 'host', value: 'H' },
    kind: text('an IP address or a host name of this machine'),
    default: '127.0.0.1',
    description: 'address to listen on',
  }),
  port: setting({
    env: 'PORT',
    flag: { name: 'port', value: 'N' },
    kind: integer(0, 65535),
    default: 8080,
    description: 'port; 0 picks a free one (the ready line says which)',
  }),
  appKey: environmentOnly({ env: 'EMULATOR_APPKEY', kind: text('an app key without blanks'), default: DEFAULT_APP_KEY, description: 'the accepted app key' }),
  secretKey: environmentOnly({
    env: 'EMULATOR_SECRETKEY',
    kind: text('a secret key without blanks'),
    default: DEFAULT_SECRET_KEY,
    description: 'its secret key (the Authorization header)',
  }),
  extraCredentials: environmentOnly({
    env: 'EMULATOR_EXTRA_CREDENTIALS',
    kind: credentialPairs(),
    default: [],
    description: 'more app keys, e.g. app-a:secret-a,app-b:secret-b',
  }),
  credentials: setting({
    kind: credentials(),
    default: new Map([[DEFAULT_APP_KEY, DEFAULT_SECRET_KEY]]),
    description: 'accepted app keys and their secret keys; the first is the one the ready line shows',
  }),
  userAccessKeyId: environmentOnly({
    env: 'EMULATOR_USER_ACCESS_KEY_ID',
    kind: text('a User Access Key ID without blanks'),
    default: DEFAULT_ACCESS_KEY.id,
    description: 'the v2.1 User Access Key ID (may use every app key)',
  }),
  secretAccessKey: environmentOnly({
    env: 'EMULATOR_SECRET_ACCESS_KEY',
    kind: text('a Secret Access Key without blanks'),
    default: DEFAULT_ACCESS_KEY.secret,
    description: 'its Secret Access Key',
  }),
  extraUserAccessKeys: environmentOnly({
    env: 'EMULATOR_EXTRA_USER_ACCESS_KEYS',
    kind: userAccessKeys(),
    default: [],
    description: 'more User Access Keys; one given with app keys (id:secret:app-a+app-b) may use only those, others answer 4010007',
  }),
  userAccessKeys: setting({
    kind: userAccessKeys(),
    default: [DEFAULT_ACCESS_KEY],
    description: "the token issuer's User Access Keys; the first is the one the ready line shows",
  }),
  tokenTtlSeconds: setting({
    env: 'EMULATOR_TOKEN_TTL_SECONDS',
    kind: integer(60, 86_400),
    default: 86_400,
    description: 'expires_in of issued tokens (60..86400, as the console allows)',
  }),
  maxUploadBytes: setting({
    env: 'EMULATOR_MAX_UPLOAD_BYTES',
    kind: optional(integer(1, 2 ** 31)),
    default: undefined,
    shown: '(the dated limit: 20971520, 5242880 before 2026-08-11)',
    description: 'largest request body in bytes; above it 4131000',
  }),
  maxInflightBytes: setting({
    env: 'EMULATOR_MAX_INFLIGHT_BYTES',
    kind: optional(integer(1, 2 ** 40)),
    default: undefined,
    shown: '(4 x the upload limit)',
    description: 'upload bytes held in memory at once, all requests together; past it further uploads wait',
  }),
  requestKeyTtlSeconds: setting({
    env: 'EMULATOR_REQUEST_KEY_TTL_SECONDS',
    kind: integer(1, 10 * 365 * 86400),
    default: 3600,
    description: 'how long a Request-Key stays valid (the guide: one hour)',
  }),
  scenarioDirs: setting({
    env: 'EMULATOR_SCENARIOS_DIR',
    flag: { name: 'scenarios', value: 'DIR', repeatable: true },
    kind: directories(delimiter),
    default: [],
    description: 'more scenario directories, loaded after the built-in one (a later one wins a name)',
  }),
  journalSize: setting({ env: 'EMULATOR_JOURNAL_SIZE', kind: integer(1, 1_000_000), default: 1000, description: 'requests kept in the journal' }),
  journalValues: setting({
    env: 'EMULATOR_JOURNAL_VALUES',
    kind: toggle('mask', 'show'),
    default: false,
    description: 'show keeps authenticity values in the journal instead of masking them',
  }),
  adminToken: setting({
    env: 'EMULATOR_ADMIN_TOKEN',
    kind: optional(text('a token without blanks')),
    secret: 'hidden',
    default: undefined,
    description: 'when set, the admin API needs Authorization: Bearer <token>; required to use it on a non-loopback HOST',
  }),
  log: setting({
    env: 'EMULATOR_LOG',
    kind: choice(['requests', 'off']),
    default: 'off',
    description: 'requests: one log line per API request (result code, duration, scenario, diagnosis)',
  }),
  diagnosisHeader: setting({
    env: 'EMULATOR_DIAGNOSIS_HEADER',
    kind: toggle('off', 'on'),
    default: true,
    description: 'off: no X-Emulator-Diagnosis on failed answers (for byte-for-byte comparisons)',
  }),
  rsaWorkers: setting({
    env: 'EMULATOR_RSA_WORKERS',
    kind: integer(0, 16),
    default: DEFAULT_RSA_WORKERS,
    description: 'worker threads for the RSA operation of each fresh Symmetric-Key; 0 runs it on the main thread',
  }),
  headersTimeoutMs: setting({
    env: 'EMULATOR_HEADERS_TIMEOUT_MS',
    kind: integer(0, 3_600_000),
    default: 20_000,
    description: 'time a client has to send the request line and headers; 0 turns the limit off',
  }),
  requestTimeoutMs: setting({
    env: 'EMULATOR_REQUEST_TIMEOUT_MS',
    kind: integer(0, 3_600_000),
    default: 120_000,
    description: 'time a client has to send the whole request, body included; 0 turns the limit off',
  }),
  keepAliveTimeoutMs: setting({
    env: 'EMULATOR_KEEP_ALIVE_TIMEOUT_MS',
    kind: integer(1, 3_600_000),
    default: 5_000,
    description: 'how long an idle keep-alive connection stays open',
  }),
  // Below the 10 s `docker stop` (and `podman stop`) give before SIGKILL, so that the emulator
  // ends by itself, exit code 0, having said what it cut.
  shutdownTimeoutMs: setting({
    env: 'EMULATOR_SHUTDOWN_TIMEOUT_MS',
    kind: integer(1, 3_600_000),
    default: 8_000,
    description: 'on SIGTERM or SIGINT, how long requests in flight have to be answered before their connections are closed',
  }),
  apiDate: setting({
    env: 'EMULATOR_API_DATE',
    flag: { name: 'api-date', value: 'D' },
    kind: optional(date(EARLIEST_API_DATE)),
    default: undefined,
    shown: '(today)',
    description: 'emulate the service as it behaved on that date (docs/what-it-emulates.md, "Dated behaviour")',
  }),
  keysDir: setting({
    env: 'EMULATOR_KEYS_DIR',
    flag: { name: 'keys-dir', value: 'DIR' },
    kind: optional(text('a directory name', /^[^\0]+$/)),
    default: undefined,
    shown: '(none: keys live in memory)',
    description: 'keep key pairs in this directory across restarts',
  }),
  redisUrl: setting({
    env: 'EMULATOR_REDIS_URL',
    flag: { name: 'redis-url', value: 'URL' },
    kind: optional(url(['redis:', 'rediss:'])),
    secret: 'url',
    default: undefined,
    shown: '(none: state in memory)',
    description: 'share the state with every emulator on this Redis (docs/shared-state.md)',
  }),
  redisSecret: setting({
    env: 'EMULATOR_REDIS_SECRET',
    kind: optional(text('16 or more characters (no control characters)', /^[^\p{Cc}]{16,}$/u)),
    secret: 'hidden',
    default: undefined,
    description: 'required with a Redis URL: private keys are encrypted in Redis with a key derived from it',
  }),
  redisPrefix: setting({
    env: 'EMULATOR_REDIS_PREFIX',
    kind: text('up to 100 characters without blanks or braces', /^[^\s{}\p{Cc}]{1,100}$/u),
    default: 'nhn-ocr-emulator:',
    description: 'prefix of every Redis key, so several teams share one Redis',
  }),
  recordTarget: setting({
    env: 'EMULATOR_RECORD_TARGET',
    flag: { name: 'record-target', value: 'URL' },
    kind: optional(url(['https:', 'http:'])),
    secret: 'url',
    default: undefined,
    shown: '(none: no record mode)',
    description: 'record mode: forward the API to this live base URL and write each answer as a scenario (docs/record-live-service.md)',
  }),
  recordDir: setting({
    env: 'EMULATOR_RECORD_DIR',
    flag: { name: 'record-dir', value: 'DIR' },
    kind: optional(text('a directory name', /^[^\0]+$/)),
    default: undefined,
    shown: '(recorded/ in the last scenarios directory, else ./scenarios/recorded)',
    description: 'where record mode writes its scenario files',
  }),
  recordKeepValues: setting({
    env: 'EMULATOR_RECORD_KEEP_VALUES',
    flag: { name: 'record-keep-values', value: '', switch: true },
    kind: toggle('off', 'on'),
    default: false,
    description: 'on: recordings keep the personal values read instead of synthetic ones of the same shape',
  }),
  recordMaxCalls: setting({
    env: 'EMULATOR_RECORD_MAX_CALLS',
    flag: { name: 'record-max-calls', value: 'N' },
    kind: integer(1, 1_000_000),
    default: 100,
    description: 'record mode sends at most this many (paid) calls to the target; past it 4000006',
  }),
  recordOauthUrl: setting({
    env: 'EMULATOR_RECORD_OAUTH_URL',
    flag: { name: 'record-oauth-url', value: 'URL' },
    kind: url(['https:', 'http:']),
    secret: 'url',
    default: LIVE_OAUTH_URL,
    description: 'record mode forwards /oauth2/token/... to this token issuer',
  }),
  recordTimeoutMs: setting({
    env: 'EMULATOR_RECORD_TIMEOUT_MS',
    kind: integer(100, 600_000),
    default: 30_000,
    description: 'record mode: how long the target has to answer a forwarded call; then 5000503',
  }),
  workers: setting({
    env: 'EMULATOR_WORKERS',
    flag: { name: 'workers', value: 'N' },
    kind: integer(1, 64),
    default: 1,
    description: 'worker processes serving one port (node:cluster); more than 1 needs a Redis URL',
  }),
};

type Settings = typeof SETTINGS;
/** Names of the settings `startEmulator` takes (all but the environment-only ones). */
export type OptionKey = { [K in keyof Settings]: Settings[K] extends { option: false } ? never : K }[keyof Settings];
type ValueOf<S> = S extends Setting<infer V, infer _I> ? V : never;
type InputOf<S> = S extends Setting<infer _V, infer I> ? I : never;

/** The settings as given: an optional one may be unset. */
type GivenConfig = { [K in OptionKey]: ValueOf<Settings[K]> };

/**
 * The emulator's settings, every one given or defaulted, the derived ones worked out: the upload
 * limit is the emulated date's unless set, the in-flight bound 4x the upload limit unless set.
 * Settings still unset (apiDate, adminToken, keysDir, the Redis ones) mean what their
 * description says: today, no token, keys in memory, state in memory.
 */
export type EmulatorConfig = Omit<GivenConfig, 'maxUploadBytes' | 'maxInflightBytes'> & { maxUploadBytes: number; maxInflightBytes: number };

/** The settings as `startEmulator` options: any subset; credentials as a Map or a plain object. */
export type SettingOptions = { [K in OptionKey]?: InputOf<Settings[K]> };

/** The defaults of the most used settings (every default is in SETTINGS). */
export const DEFAULTS = {
  host: SETTINGS.host.default,
  port: SETTINGS.port.default,
  appKey: DEFAULT_APP_KEY,
  secretKey: DEFAULT_SECRET_KEY,
  userAccessKeyId: DEFAULT_ACCESS_KEY.id,
  secretAccessKey: DEFAULT_ACCESS_KEY.secret,
  tokenTtlSeconds: SETTINGS.tokenTtlSeconds.default,
  requestKeyTtlSeconds: SETTINGS.requestKeyTtlSeconds.default,
  journalSize: SETTINGS.journalSize.default,
  headersTimeoutMs: SETTINGS.headersTimeoutMs.default,
  requestTimeoutMs: SETTINGS.requestTimeoutMs.default,
  keepAliveTimeoutMs: SETTINGS.keepAliveTimeoutMs.default,
  shutdownTimeoutMs: SETTINGS.shutdownTimeoutMs.default,
} as const;

/**
 * A setting that cannot be used as given. The message is one line: the setting as it was given
 * (`PORT="0x1F91"`, `--port "x"`, `startEmulator option port=-1`) and what it accepts.
 * @example new ConfigError('PORT="x" must be a whole number from 0 to 65535', 'port', 'must be a whole number from 0 to 65535')
 */
export class ConfigError extends Error {
  override name = 'ConfigError';

  /**
   * @param setting the SETTINGS key, when one setting is at fault
   * @param problem the message without the setting's name, to name it another way
   */
  constructor(
    message: string,
    readonly setting?: string,
    readonly problem?: string,
  ) {
    super(message);
  }
}

/** Setting values as read from one source, and how each was written there (for messages). */
export interface ReadSettings {
  values: Partial<GivenConfig>;
  /** E.g. `{ port: 'PORT="9999"' }`: names a value the way the user gave it. */
  labels: Partial<Record<OptionKey, string>>;
}

const optionKeys = (Object.keys(SETTINGS) as (keyof Settings)[]).filter((key): key is OptionKey => !('option' in SETTINGS[key]));

/**
 * Reads the settings from environment variables and fills in the defaults. An empty variable
 * counts as unset.
 * @example loadConfig({ PORT: '0', EMULATOR_APPKEY: 'ci' }).port // 0
 */
export function loadConfig(env: Readonly<Record<string, string | undefined>>): EmulatorConfig {
  const read = readEnvironment(env);
  const config = withDefaults(read.values);
  checkSharedState(config, read.labels);
  return config;
}

/**
 * Reads the settings that are set in the environment (no defaults).
 * @example readEnvironment({ PORT: '9999' }) // { values: { port: 9999 }, labels: { port: 'PORT="9999"' } }
 */
export function readEnvironment(env: Readonly<Record<string, string | undefined>>): ReadSettings {
  const read: ReadSettings = { values: {}, labels: {} };
  for (const [name, message] of Object.entries(RETIRED)) if (env[name]) throw new ConfigError(message, name, 'is gone');
  const given = new Map<keyof Settings, unknown>();
  for (const key of Object.keys(SETTINGS) as (keyof Settings)[]) {
    const row: Setting<unknown> = SETTINGS[key];
    const raw = row.env === undefined ? undefined : env[row.env];
    if (raw === undefined || raw === '') continue;
    const label = `${row.env}=${shownValue(row, raw)}`;
    given.set(
      key,
      parse(key, label, () => row.kind.fromText(raw)),
    );
    if (!('option' in row)) assign(read, key as OptionKey, given.get(key), label);
  }
  // The three credential variables make one setting.
  if (given.has('appKey') || given.has('secretKey') || given.has('extraCredentials')) {
    const first: [string, string] = [(given.get('appKey') as string) ?? DEFAULT_APP_KEY, (given.get('secretKey') as string) ?? DEFAULT_SECRET_KEY];
    const names = [SETTINGS.appKey, SETTINGS.secretKey, SETTINGS.extraCredentials].map((row) => row.env).filter((name) => env[name]);
    assign(read, 'credentials', new Map([first, ...((given.get('extraCredentials') as [string, string][]) ?? [])]), names.join(', '));
  }
  // And the three User Access Key variables make one.
  if (given.has('userAccessKeyId') || given.has('secretAccessKey') || given.has('extraUserAccessKeys')) {
    const first: UserAccessKey = {
      id: (given.get('userAccessKeyId') as string) ?? DEFAULT_ACCESS_KEY.id,
      secret: (given.get('secretAccessKey') as string) ?? DEFAULT_ACCESS_KEY.secret,
    };
    const names = [SETTINGS.userAccessKeyId, SETTINGS.secretAccessKey, SETTINGS.extraUserAccessKeys].map((row) => row.env).filter((name) => env[name]);
    assign(read, 'userAccessKeys', [first, ...((given.get('extraUserAccessKeys') as UserAccessKey[]) ?? [])], names.join(', '));
  }
  return read;
}

/**
 * Reads command-line flag values (as node:util parseArgs gives them) for the settings that have
 * a flag.
 * @example readFlags({ port: '9999', scenarios: ['./a', './b'] }).values // { port: 9999, scenarioDirs: ['./a', './b'] }
 */
export function readFlags(flags: Readonly<Record<string, string | readonly string[] | boolean | undefined>>): ReadSettings {
  const read: ReadSettings = { values: {}, labels: {} };
  for (const key of optionKeys) {
    const row: Setting<unknown> = SETTINGS[key];
    const raw = row.flag ? flags[row.flag.name] : undefined;
    if (raw === true && row.flag?.switch) assign(read, key, row.kind.fromOption(true), `--${row.flag.name}`);
    if (raw === undefined || typeof raw === 'boolean') continue;
    const name = `--${row.flag!.name}`;
    if (typeof raw === 'string') {
      const label = `${name} ${shownValue(row, raw)}`;
      assign(
        read,
        key,
        parse(key, label, () => row.kind.fromText(raw)),
        label,
      );
    } else {
      // A repeatable flag: each use is one item.
      const label = raw.map((item) => `${name} ${shownValue(row, item)}`).join(' ');
      const fromTexts = row.kind.fromTexts ?? ((texts: readonly string[]) => row.kind.fromText(texts.at(-1)!));
      assign(
        read,
        key,
        parse(key, label, () => fromTexts(raw)),
        label,
      );
    }
  }
  return read;
}

/** What an option other than a setting must be. */
export interface OptionCheck {
  accepts: string;
  test(value: unknown): boolean;
}

/**
 * Checks `startEmulator` options: every key must be a setting (or one of `others`), every
 * setting's value what its kind accepts. Undefined values count as not given. Returns the
 * complete configuration: the settings given (credentials as a Map), the defaults for the rest
 * ({@link withDefaults}).
 * @example checkOptions({ port: 0, credentials: { ci: 'secret' } }, {}).credentials // Map { 'ci' => 'secret' }
 * @example checkOptions({ apiDate: '2026-01-01' }, {}).maxUploadBytes // 5242880
 */
export function checkOptions(options: unknown, others: Readonly<Record<string, OptionCheck>>): EmulatorConfig {
  if (options === undefined) return withDefaults({});
  if (!isPlainObject(options)) throw new ConfigError(`startEmulator options must be a plain object, not ${describe(options)}`);
  const read: ReadSettings = { values: {}, labels: {} };
  for (const [key, value] of Object.entries(options)) {
    if (value === undefined) continue;
    if ((optionKeys as string[]).includes(key)) {
      const row: Setting<unknown> = SETTINGS[key as OptionKey];
      const label = `startEmulator option ${key}=${typeof value === 'string' ? shownValue(row, value) : describe(value)}`;
      assign(
        read,
        key as OptionKey,
        parse(key, label, () => row.kind.fromOption(value)),
        label,
      );
    } else if (Object.hasOwn(others, key)) {
      const label = `startEmulator option ${key}=${describe(value)}`;
      if (!others[key]!.test(value)) throw new ConfigError(`${label} must be ${others[key]!.accepts}`, key, `must be ${others[key]!.accepts}`);
    } else {
      const known = [...optionKeys, ...Object.keys(others)];
      const near = known.find((name) => name.toLowerCase() === key.toLowerCase() || name.toLowerCase().startsWith(key.toLowerCase().slice(0, 6)));
      throw new ConfigError(
        `unknown startEmulator option "${key}"${near ? ` (did you mean ${near}?)` : ''}; it takes ${known.join(', ')}`,
        key,
        'is not an option',
      );
    }
  }
  return withDefaults(read.values);
}

/**
 * The settings given, with the defaults for the rest and the derived settings worked out: the
 * one place a default is applied.
 * @example withDefaults({ port: 0 }).host // '127.0.0.1'
 * @example withDefaults({ maxUploadBytes: 1024 }).maxInflightBytes // 4096
 */
export function withDefaults(values: Partial<GivenConfig>): EmulatorConfig {
  const config: Record<string, unknown> = {};
  for (const key of optionKeys) {
    const value = values[key] !== undefined ? values[key] : SETTINGS[key].default;
    // Never hand out the table's own Map or array.
    config[key] = value instanceof Map ? new Map(value) : Array.isArray(value) ? [...(value as unknown[])] : value;
  }
  const given = config as GivenConfig;
  // EMULATOR_MAX_UPLOAD_BYTES wins over the emulated date's limit.
  const maxUploadBytes = given.maxUploadBytes ?? behaviourOn(given.apiDate).maxUploadBytes;
  // Four uploads of the largest size at once before a fifth waits (server/http/upload-budget.ts).
  return { ...given, maxUploadBytes, maxInflightBytes: given.maxInflightBytes ?? defaultInflightBytes(maxUploadBytes) };
}

/** Largest uploads held in memory at once when EMULATOR_MAX_INFLIGHT_BYTES is unset. */
const INFLIGHT_UPLOADS = 4;

/**
 * EMULATOR_MAX_INFLIGHT_BYTES when unset: room for four of the largest uploads at once.
 * @example defaultInflightBytes(20 * 1024 * 1024) // 83886080
 */
export function defaultInflightBytes(maxUploadBytes: number): number {
  return INFLIGHT_UPLOADS * maxUploadBytes;
}

/**
 * The settings of where the state lives, checked together: a Redis URL needs its secret, a
 * keys dir and Redis exclude each other, more than one worker needs Redis and
 * cannot record. One line each,
 * naming the settings as they were given (`labels`) where known.
 * @example checkSharedState(loadConfig({ EMULATOR_WORKERS: '2' })) // throws ConfigError: EMULATOR_WORKERS=2 needs EMULATOR_REDIS_URL ...
 */
export function checkSharedState(
  config: Pick<EmulatorConfig, 'keysDir' | 'redisUrl' | 'redisSecret' | 'workers'> & Partial<Pick<EmulatorConfig, 'recordTarget'>>,
  labels: Partial<Record<OptionKey, string>> = {},
): void {
  const name = (key: OptionKey, fallback: string) => labels[key]?.replace(/[= ].*$/, '') ?? fallback;
  const redis = name('redisUrl', 'EMULATOR_REDIS_URL');
  if (config.redisUrl && !config.redisSecret) {
    throw new ConfigError(
      `${name('redisSecret', 'EMULATOR_REDIS_SECRET')} must be set with ${redis}: private keys are encrypted with it in Redis`,
      'redisSecret',
      'must be set with a Redis URL',
    );
  }
  if (config.redisUrl && config.keysDir)
    throw new ConfigError(
      `${name('keysDir', 'EMULATOR_KEYS_DIR')} and ${redis}: key pairs live in Redis then; set only one of them`,
      'keysDir',
      'cannot go with a Redis URL',
    );
  if (config.workers > 1 && !config.redisUrl) {
    throw new ConfigError(
      `${labels.workers ?? `EMULATOR_WORKERS=${config.workers}`} needs ${redis}: worker processes share their state through Redis`,
      'workers',
      'needs a Redis URL',
    );
  }
  // Record mode's call budget and its Request-Keys of the live service live in one process
  // (docs/record-live-service.md, "What it costs"): N workers would spend N budgets.
  if (config.workers > 1 && config.recordTarget)
    throw new ConfigError(
      `${labels.workers ?? `EMULATOR_WORKERS=${config.workers}`} cannot go with ${name('recordTarget', 'EMULATOR_RECORD_TARGET')}: record mode runs in one process, so that its call budget holds`,
      'workers',
      'cannot go with record mode',
    );
}

/**
 * `EMULATOR_*` variables in the environment that are no setting (a typo, or a setting of another
 * version); the command warns about them.
 * @example unknownVariables({ EMULATOR_APP_KEY: 'x' }) // ['EMULATOR_APP_KEY']
 */
export function unknownVariables(env: Readonly<Record<string, string | undefined>>): string[] {
  const known = new Set(Object.values(SETTINGS).map((row: Setting<unknown>) => row.env));
  return Object.keys(env).filter((name) => name.startsWith('EMULATOR_') && !known.has(name));
}

/**
 * The settings as `--help` lists them: environment variable, default, description, and what
 * the value may be.
 * @example settingsList()[0] // { env: 'HOST', flag: '--host H', shown: '127.0.0.1', ... }
 */
export function settingsList(): { key: string; env?: string; flag?: string; shown: string; description: string; accepts: string }[] {
  return (Object.keys(SETTINGS) as (keyof Settings)[]).map((key) => {
    const row: Setting<unknown> = SETTINGS[key];
    return {
      key,
      ...(row.env ? { env: row.env } : {}),
      ...(row.flag ? { flag: row.flag.switch ? `--${row.flag.name}` : `--${row.flag.name} ${row.flag.value}` } : {}),
      shown: row.shown ?? row.kind.show(row.default),
      description: row.description,
      accepts: row.kind.accepts,
    };
  });
}

function parse<V>(key: string, label: string, read: () => V): V {
  try {
    return read();
  } catch (error) {
    if (!(error instanceof Refusal)) throw error;
    throw new ConfigError(`${label} must be ${error.message}`, key, `must be ${error.message}`);
  }
}

function assign(read: ReadSettings, key: OptionKey, value: unknown, label: string): void {
  (read.values as Record<string, unknown>)[key] = value;
  read.labels[key] = label;
}

/** A value for a one-line message: short, and never a whole object. */
/**
 * A given value as a message may show it: quoted, a URL without its password, a secret not at
 * all (a refused EMULATOR_REDIS_SECRET or admin token must not reach a CI log).
 * @example shownValue(SETTINGS.redisSecret, 'short') // '(hidden)'
 */
function shownValue(row: Setting<unknown>, raw: string): string {
  if (row.secret === 'hidden') return '(hidden)';
  return JSON.stringify(row.secret === 'url' ? redactUrl(raw) : raw);
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint' || value === null) return String(value);
  if (typeof value === 'function') return 'a function';
  if (value instanceof Map) return `a Map of ${value.size}`;
  if (Array.isArray(value)) return `an array of ${value.length}`;
  return isPlainObject(value) ? `an object with ${Object.keys(value).length} keys` : `a ${(value as object).constructor?.name ?? 'value'}`;
}
