/**
 * Command line and environment of `npm run contracts` (contracts/run.ts), turned into one
 * run configuration. Flags win over the environment.
 */
import { parseArgs } from 'node:util';
import { LIVE_OAUTH_BASE_URL, type ApiVersion } from '../client/index.js';

/**
 * The default call budget of a live run per API version (`--api both` adds them up): a full run
 * makes fewer calls, token calls included (see contracts/README.md, "Call budget").
 */
export const DEFAULT_LIVE_MAX_CALLS: Readonly<Record<ApiVersion, number>> = { 'v2.0': 80, 'v2.1': 100 };

/** A bad command line; run.ts prints it with the usage and exits 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Credentials of an app key; `secretKey` is what v2.0 needs (a v2.1-only run can do without). */
export interface Credentials {
  appKey: string;
  secretKey?: string | undefined;
}

/** A User Access Key (v2.1). */
export interface AccessKey {
  userAccessKeyId: string;
  secretAccessKey: string;
}

/** `--api`: which versions run, in that order. */
export type ApiChoice = ApiVersion | 'both';

/** Everything a run needs to know. */
export interface RunConfig {
  /** `emulator`: spawn one here; `live`: OCR_BASE_URL; `custom`: --target-url. */
  mode: 'emulator' | 'live' | 'custom';
  baseUrl?: string;
  credentials?: Credentials;
  second?: Credentials;
  /** The API versions to run, in order (`--api both`: v2.0 then v2.1). */
  apis: ApiVersion[];
  /** v2.1: the run's User Access Key (from the ready line when the emulator is spawned). */
  access?: AccessKey;
  /** v2.1: a User Access Key that may not use the run's app key. */
  restrictedAccess?: AccessKey;
  /** v2.1: the token issuer (the spawned emulator: its own base URL). */
  oauthUrl?: string;
  /** Call budget; undefined means no cap. */
  maxCalls?: number;
  filters: string[];
  /** Substrings of case ids to skip (reported as skipped). */
  skips: string[];
  junit?: string;
  /** Markdown summary (fit for $GITHUB_STEP_SUMMARY). */
  report?: string;
  record: boolean;
  /** Live runs: record the service's answers, divergences included, as live snapshots; divergences do not fail. */
  learn: boolean;
  /** `auto`: ask the target (`GET /__emulator/health`). */
  control: boolean | 'auto';
  lenient: boolean;
  parity: boolean;
  snapshotsDir?: string;
  fixturesDir?: string;
  list: boolean;
  help: boolean;
}

/** The usage text. */
export const USAGE = `usage: nhn-ocr-contracts [options]       (in the emulator's own repository: npm run contracts -- [options])

targets (default: start this package's emulator on a free port):
  OCR_BASE_URL=... OCR_APPKEY=... OCR_SECRETKEY=...   the live service (lenient, budget ${DEFAULT_LIVE_MAX_CALLS['v2.0']} calls, ${DEFAULT_LIVE_MAX_CALLS['v2.1']} on v2.1)
  --target-url URL --appkey K --secretkey S          any other server (strict)
  --appkey2 K --secretkey2 S (or OCR_APPKEY2, OCR_SECRETKEY2)   a second app key
  OCR_FIXTURES_DIR=dir (or --fixtures-dir dir)       real photos (see contracts/README.md)

API version (default v2.0):
  --api v2.0|v2.1|both (or OCR_API_VERSION)          both: every case under v2.0, then under v2.1 (ids end in @v2.1)
  --user-access-key-id ID --secret-access-key S (or OCR_USER_ACCESS_KEY_ID, OCR_SECRET_ACCESS_KEY)
                                                     v2.1's User Access Key (the spawned emulator's: from its ready line)
  --oauth-url URL (or OCR_OAUTH_URL)                 the token issuer (default: ${LIVE_OAUTH_BASE_URL} for
                                                     OCR_BASE_URL, the target itself for --target-url and the emulator)
  --user-access-key-id2 ID --secret-access-key2 S (or OCR_USER_ACCESS_KEY_ID2, OCR_SECRET_ACCESS_KEY2)
                                                     a User Access Key that may not use the app key (4010007)

options:
  --filter S        run cases whose id contains S (repeatable; ids of v2.1 runs end in @v2.1)
  --skip S          skip cases whose id contains S (repeatable; reported as skipped)
  --max-calls N     stop issuing calls (token calls included) after N; skip the remaining cases
  --junit FILE      write JUnit XML
  --report FILE     write a Markdown summary (e.g. "$GITHUB_STEP_SUMMARY")
  --record          write parity snapshots to ./contracts/snapshots/ under the working directory
  --snapshots DIR   read and write parity snapshots in DIR instead (default: ./contracts/snapshots/
                    once it exists, else the snapshots this package ships)
  --learn           live runs: record the service's answers, divergences included, as live
                    snapshots, list each divergence and exit 0 unless a case failed
  --no-control      skip cases that need emulator control
  --lenient | --strict   accept answers the docs allow besides the expected one (default: live only)
  --parity | --no-parity compare answers with snapshots (default: the spawned emulator only)
  --list            list the cases and exit

exit status: 0 the target agrees, 1 a case failed or the target diverged from a reading,
2 a bad command line or a target that cannot be started or reached`;

/**
 * Reads `--api` / OCR_API_VERSION.
 * @example apiVersions('both') // ['v2.0', 'v2.1']
 */
export function apiVersions(choice: string): ApiVersion[] {
  switch (choice) {
    case 'v2.0':
    case 'v2.1':
      return [choice];
    case 'both':
      return ['v2.0', 'v2.1'];
    default:
      throw new UsageError(`--api ${JSON.stringify(choice)} is none of v2.0, v2.1, both`);
  }
}

function checkUrl(what: string, url: string): string {
  try {
    new URL(url);
  } catch {
    throw new UsageError(`${what} ${JSON.stringify(url)} is not a URL`);
  }
  return url;
}

/** The flags, as `node:util` parseArgs reads them. */
const FLAGS = {
  'target-url': { type: 'string' },
  appkey: { type: 'string' },
  secretkey: { type: 'string' },
  appkey2: { type: 'string' },
  secretkey2: { type: 'string' },
  api: { type: 'string' },
  'user-access-key-id': { type: 'string' },
  'secret-access-key': { type: 'string' },
  'user-access-key-id2': { type: 'string' },
  'secret-access-key2': { type: 'string' },
  'oauth-url': { type: 'string' },
  'max-calls': { type: 'string' },
  filter: { type: 'string', multiple: true },
  skip: { type: 'string', multiple: true },
  junit: { type: 'string' },
  report: { type: 'string' },
  record: { type: 'boolean' },
  learn: { type: 'boolean' },
  'no-control': { type: 'boolean' },
  lenient: { type: 'boolean' },
  strict: { type: 'boolean' },
  parity: { type: 'boolean' },
  'no-parity': { type: 'boolean' },
  snapshots: { type: 'string' },
  'fixtures-dir': { type: 'string' },
  list: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Flags = ReturnType<typeof parseFlags>;
type Env = Readonly<Record<string, string | undefined>>;

function parseFlags(argv: readonly string[]) {
  try {
    return parseArgs({ args: [...argv], strict: true, allowPositionals: false, options: FLAGS }).values;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/**
 * Reads the command line and environment.
 * @example resolveConfig(['--filter', 'credit-card'], {}).mode // 'emulator'
 * @example resolveConfig([], { OCR_BASE_URL: 'https://api-ocr.nhncloudservice.com', OCR_APPKEY: 'a', OCR_SECRETKEY: 's' }).maxCalls // 80
 */
export function resolveConfig(argv: readonly string[], env: Env): RunConfig {
  const values = parseFlags(argv);
  const liveUrl = env['OCR_BASE_URL']?.trim() || undefined;
  const mode: RunConfig['mode'] = values['target-url'] ? 'custom' : liveUrl ? 'live' : 'emulator';
  const apis = apiVersions(values.api ?? (env['OCR_API_VERSION']?.trim() || 'v2.0'));
  const config = baseConfig(values, mode, apis);
  applySwitches(config, values);
  applyFiles(config, values, env);
  applyAccessKeys(config, values, env);
  if (mode !== 'emulator') applyTarget(config, values, env, values['target-url'] ?? liveUrl!);
  applyMaxCalls(config, values['max-calls']);
  return config;
}

/** What follows from the mode alone, and the plain flags. */
function baseConfig(values: Flags, mode: RunConfig['mode'], apis: ApiVersion[]): RunConfig {
  return {
    mode,
    apis,
    filters: values.filter ?? [],
    skips: values.skip ?? [],
    record: (values.record ?? false) || (values.learn ?? false),
    learn: values.learn ?? false,
    control: values['no-control'] ? false : mode === 'live' ? false : mode === 'emulator' ? true : 'auto',
    lenient: mode === 'live',
    parity: mode === 'emulator',
    list: values.list ?? false,
    help: values.help ?? false,
  };
}

/** --lenient/--strict and --parity/--no-parity over the mode's defaults; --learn needs live. */
function applySwitches(config: RunConfig, values: Flags): void {
  if (values.lenient && values.strict) throw new UsageError('--lenient and --strict exclude each other');
  if (values.lenient) config.lenient = true;
  if (values.strict) config.lenient = false;
  if (values.parity && values['no-parity']) throw new UsageError('--parity and --no-parity exclude each other');
  if (values.parity) config.parity = true;
  if (values['no-parity']) config.parity = false;
  if (config.learn && config.mode !== 'live') throw new UsageError('--learn records what the live service answers: it needs OCR_BASE_URL');
}

/** Where reports, snapshots and fixtures go or come from. */
function applyFiles(config: RunConfig, values: Flags, env: Env): void {
  if (values.junit) config.junit = values.junit;
  if (values.report) config.report = values.report;
  if (values.snapshots) config.snapshotsDir = values.snapshots;
  const fixturesDir = values['fixtures-dir'] ?? (env['OCR_FIXTURES_DIR'] || undefined);
  if (fixturesDir) config.fixturesDir = fixturesDir;
}

/** The User Access Keys (the second one restricted) and the token issuer's URL, when given. */
function applyAccessKeys(config: RunConfig, values: Flags, env: Env): void {
  const accessKey = (id: string | undefined, secret: string | undefined): AccessKey | undefined =>
    id && secret ? { userAccessKeyId: id, secretAccessKey: secret } : undefined;
  const access = accessKey(values['user-access-key-id'] ?? env['OCR_USER_ACCESS_KEY_ID'], values['secret-access-key'] ?? env['OCR_SECRET_ACCESS_KEY']);
  const restricted = accessKey(values['user-access-key-id2'] ?? env['OCR_USER_ACCESS_KEY_ID2'], values['secret-access-key2'] ?? env['OCR_SECRET_ACCESS_KEY2']);
  if (access) config.access = access;
  if (restricted) config.restrictedAccess = restricted;
  const oauthUrl = values['oauth-url'] ?? (env['OCR_OAUTH_URL']?.trim() || undefined);
  if (oauthUrl) config.oauthUrl = checkUrl(values['oauth-url'] ? '--oauth-url' : 'OCR_OAUTH_URL', oauthUrl);
}

/** A live or --target-url run: its URL and the credentials each API version needs there. */
function applyTarget(config: RunConfig, values: Flags, env: Env, url: string): void {
  const v20 = config.apis.includes('v2.0');
  const v21 = config.apis.includes('v2.1');
  const what = values['target-url'] ? '--target-url' : 'OCR_BASE_URL';
  config.baseUrl = checkUrl(what, url);
  const appKey = values.appkey ?? env['OCR_APPKEY'];
  const secretKey = values.secretkey ?? env['OCR_SECRETKEY'];
  if (!appKey || (v20 && !secretKey)) {
    throw new UsageError(
      `${what} needs an app key${v20 ? ' and secret key' : ''} (--appkey${v20 ? '/--secretkey' : ''} or OCR_APPKEY${v20 ? '/OCR_SECRETKEY' : ''})`,
    );
  }
  if (v21 && !config.access) {
    throw new UsageError(
      `${what} with --api ${values.api ?? env['OCR_API_VERSION']} needs a User Access Key (--user-access-key-id/--secret-access-key or OCR_USER_ACCESS_KEY_ID/OCR_SECRET_ACCESS_KEY)`,
    );
  }
  config.credentials = { appKey, ...(secretKey ? { secretKey } : {}) };
  const appKey2 = values.appkey2 ?? env['OCR_APPKEY2'];
  const secretKey2 = values.secretkey2 ?? env['OCR_SECRETKEY2'];
  if (appKey2 && (secretKey2 || !v20)) config.second = { appKey: appKey2, ...(secretKey2 ? { secretKey: secretKey2 } : {}) };
  if (v21 && !config.oauthUrl) config.oauthUrl = config.mode === 'live' ? LIVE_OAUTH_BASE_URL : config.baseUrl;
}

/** --max-calls, or the live service's default budget (the sum over the versions run). */
function applyMaxCalls(config: RunConfig, maxCalls: string | undefined): void {
  if (maxCalls !== undefined) {
    if (!/^\d+$/.test(maxCalls)) throw new UsageError(`--max-calls ${JSON.stringify(maxCalls)} is not a whole number`);
    config.maxCalls = Number(maxCalls);
  } else if (config.mode === 'live') {
    config.maxCalls = config.apis.reduce((sum, api) => sum + DEFAULT_LIVE_MAX_CALLS[api], 0);
  }
}
