/**
 * Command line and environment of `npm run contracts` (contracts/run.ts), turned into one
 * run configuration. Flags win over the environment.
 */
import { parseArgs } from 'node:util';

/** The default call budget of a live run: a full run makes fewer calls (see contracts/README.md). */
export const DEFAULT_LIVE_MAX_CALLS = 80;

/** A bad command line; run.ts prints it with the usage and exits 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Credentials of an app key. */
export interface Credentials {
  appKey: string;
  secretKey: string;
}

/** Everything a run needs to know. */
export interface RunConfig {
  /** `emulator`: spawn one here; `live`: OCR_BASE_URL; `custom`: --target-url. */
  mode: 'emulator' | 'live' | 'custom';
  baseUrl?: string;
  credentials?: Credentials;
  second?: Credentials;
  /** Call budget; undefined means no cap. */
  maxCalls?: number;
  filters: string[];
  /** Substrings of case ids to skip (reported as skipped). */
  skips: string[];
  junit?: string;
  record: boolean;
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
export const USAGE = `usage: npm run contracts -- [options]

targets (default: start the emulator from dist/ on a free port):
  OCR_BASE_URL=... OCR_APPKEY=... OCR_SECRETKEY=...   the live service (lenient, budget ${DEFAULT_LIVE_MAX_CALLS} calls)
  --target-url URL --appkey K --secretkey S          any other server (strict)
  --appkey2 K --secretkey2 S (or OCR_APPKEY2, OCR_SECRETKEY2)   a second app key
  OCR_FIXTURES_DIR=dir (or --fixtures-dir dir)       real photos (see contracts/README.md)

options:
  --filter S        run cases whose id contains S (repeatable)
  --skip S          skip cases whose id contains S (repeatable; reported as skipped)
  --max-calls N     stop issuing API calls after N; skip the remaining cases
  --junit FILE      write JUnit XML
  --record          write parity snapshots to contracts/snapshots/ (or --snapshots DIR)
  --no-control      skip cases that need emulator control
  --lenient | --strict   accept answers the docs allow besides the expected one (default: live only)
  --parity | --no-parity compare answers with snapshots (default: the spawned emulator only)
  --list            list the cases and exit`;

/**
 * Reads the command line and environment.
 * @example resolveConfig(['--filter', 'credit-card'], {}).mode // 'emulator'
 * @example resolveConfig([], { OCR_BASE_URL: 'https://ocr.api.nhncloudservice.com', OCR_APPKEY: 'a', OCR_SECRETKEY: 's' }).maxCalls // 80
 */
export function resolveConfig(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): RunConfig {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        'target-url': { type: 'string' },
        appkey: { type: 'string' },
        secretkey: { type: 'string' },
        appkey2: { type: 'string' },
        secretkey2: { type: 'string' },
        'max-calls': { type: 'string' },
        filter: { type: 'string', multiple: true },
        skip: { type: 'string', multiple: true },
        junit: { type: 'string' },
        record: { type: 'boolean' },
        'no-control': { type: 'boolean' },
        lenient: { type: 'boolean' },
        strict: { type: 'boolean' },
        parity: { type: 'boolean' },
        'no-parity': { type: 'boolean' },
        snapshots: { type: 'string' },
        'fixtures-dir': { type: 'string' },
        list: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }

  const targetUrl = values['target-url'];
  const liveUrl = env['OCR_BASE_URL']?.trim() || undefined;
  const mode: RunConfig['mode'] = targetUrl ? 'custom' : liveUrl ? 'live' : 'emulator';
  const config: RunConfig = {
    mode,
    filters: values.filter ?? [],
    skips: values.skip ?? [],
    record: values.record ?? false,
    control: values['no-control'] ? false : mode === 'live' ? false : mode === 'emulator' ? true : 'auto',
    lenient: mode === 'live',
    parity: mode === 'emulator',
    list: values.list ?? false,
    help: values.help ?? false,
  };
  if (values.lenient && values.strict) throw new UsageError('--lenient and --strict exclude each other');
  if (values.lenient) config.lenient = true;
  if (values.strict) config.lenient = false;
  if (values.parity && values['no-parity']) throw new UsageError('--parity and --no-parity exclude each other');
  if (values.parity) config.parity = true;
  if (values['no-parity']) config.parity = false;
  if (values.junit) config.junit = values.junit;
  if (values.snapshots) config.snapshotsDir = values.snapshots;
  const fixturesDir = values['fixtures-dir'] ?? (env['OCR_FIXTURES_DIR'] || undefined);
  if (fixturesDir) config.fixturesDir = fixturesDir;

  if (mode !== 'emulator') {
    config.baseUrl = (targetUrl ?? liveUrl)!;
    try {
      new URL(config.baseUrl);
    } catch {
      throw new UsageError(`${targetUrl ? '--target-url' : 'OCR_BASE_URL'} ${JSON.stringify(config.baseUrl)} is not a URL`);
    }
    const appKey = values.appkey ?? env['OCR_APPKEY'];
    const secretKey = values.secretkey ?? env['OCR_SECRETKEY'];
    if (!appKey || !secretKey) {
      throw new UsageError(`${targetUrl ? '--target-url' : 'OCR_BASE_URL'} needs an app key and secret key (--appkey/--secretkey or OCR_APPKEY/OCR_SECRETKEY)`);
    }
    config.credentials = { appKey, secretKey };
    const appKey2 = values.appkey2 ?? env['OCR_APPKEY2'];
    const secretKey2 = values.secretkey2 ?? env['OCR_SECRETKEY2'];
    if (appKey2 && secretKey2) config.second = { appKey: appKey2, secretKey: secretKey2 };
  }

  const maxCalls = values['max-calls'];
  if (maxCalls !== undefined) {
    if (!/^\d+$/.test(maxCalls)) throw new UsageError(`--max-calls ${JSON.stringify(maxCalls)} is not a whole number`);
    config.maxCalls = Number(maxCalls);
  } else if (mode === 'live') {
    config.maxCalls = DEFAULT_LIVE_MAX_CALLS;
  }
  return config;
}
