/**
 * Configuration from the environment, with the embedded defaults that make `npm start` work on
 * a fresh clone. Every setting is documented in README.md, "Configuration".
 */
import { delimiter } from 'node:path';
import { ApiDateError, parseApiDate } from './core/api-date.js';
import { DEFAULT_RSA_WORKERS } from './core/rsa-pool.js';
import type { UserAccessKey } from './core/token-issuer.js';

/** The emulator's settings. */
export interface EmulatorConfig {
  host: string;
  port: number;
  /** Accepted app keys and their secret keys; the first is the one the ready line shows. */
  credentials: Map<string, string>;
  /** Largest request body in bytes (4131000 above it); unset: the emulated date's (20 MB since 2026-08-11, 5 MB before). */
  maxUploadBytes: number | undefined;
  /** Upload bytes held in memory at once, all requests together; past it uploads wait (README, "Security"). Unset: 4x the upload limit. */
  maxInflightBytes: number | undefined;
  /** Request-Key validity; the guide says one hour. */
  requestKeyTtlSeconds: number;
  /** The service as of this date, `YYYY-MM-DD`; unset: today's service. */
  apiDate: string | undefined;
  /** v2.1 User Access Keys by ID; the first is the one the ready line shows. */
  userAccessKeys: Map<string, UserAccessKey>;
  /** Validity of tokens the issuer makes (60..86,400 s, as the console allows). */
  tokenTtlSeconds: number;
  /** Scenario directories loaded after the built-in one (later ones win by name). */
  scenarioDirs: string[];
  journalSize: number;
  /** Keep authenticity values in the journal instead of masking them. */
  journalValues: boolean;
  adminToken: string | undefined;
  /** `requests`: one log line per API request; `off`: only the ready line and faults. */
  log: 'requests' | 'off';
  /** Send `X-Emulator-Diagnosis` on failed API answers (`off` for byte-for-byte comparisons). */
  diagnosisHeader: boolean;
  /** Worker threads for the RSA private operation; 0 runs it on the main thread. */
  rsaWorkers: number;
  /** Time a client has to send the request line and headers; 0 turns the limit off (README, "Security"). */
  headersTimeoutMs: number;
  /** Time a client has to send the whole request, body included; 0 turns the limit off. */
  requestTimeoutMs: number;
  /** How long an idle keep-alive connection stays open. */
  keepAliveTimeoutMs: number;
}

/** Defaults: loopback, port 8080, one app key, 20 MiB uploads. */
export const DEFAULTS = {
  host: '127.0.0.1',
  port: 8080,
  appKey: 'emulator-appkey',
  secretKey: 'emulator-secretkey',
  userAccessKeyId: 'emulator-user-access-key',
  secretAccessKey: 'emulator-secret-access-key',
  tokenTtlSeconds: 86_400,
  maxUploadBytes: 20 * 1024 * 1024,
  requestKeyTtlSeconds: 3600,
  journalSize: 1000,
  headersTimeoutMs: 20_000,
  requestTimeoutMs: 120_000,
  keepAliveTimeoutMs: 5_000,
} as const;

/** A setting that cannot be used as given. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * Reads the configuration from environment variables.
 * @example loadConfig({ PORT: '0', EMULATOR_APPKEY: 'ci' }).port // 0
 */
export function loadConfig(env: Record<string, string | undefined>): EmulatorConfig {
  const credentials = new Map<string, string>([
    [env['EMULATOR_APPKEY'] || DEFAULTS.appKey, env['EMULATOR_SECRETKEY'] || DEFAULTS.secretKey],
  ]);
  for (const pair of (env['EMULATOR_EXTRA_CREDENTIALS'] ?? '').split(',').filter(Boolean)) {
    const at = pair.indexOf(':');
    if (at <= 0 || at === pair.length - 1) {
      throw new ConfigError(`EMULATOR_EXTRA_CREDENTIALS: "${pair}" is not appKey:secretKey`);
    }
    credentials.set(pair.slice(0, at).trim(), pair.slice(at + 1).trim());
  }
  if (env['EMULATOR_PASSPORT_AUTHENTICITY']) {
    throw new ConfigError(
      'EMULATOR_PASSPORT_AUTHENTICITY is gone: passport authenticity follows EMULATOR_API_DATE (withdrawn on 2026-05-27, as the service did; EMULATOR_API_DATE=2026-05-26 or earlier brings it back)',
    );
  }
  return {
    host: env['HOST'] || DEFAULTS.host,
    port: integer(env, 'PORT', DEFAULTS.port, 0, 65535),
    credentials,
    maxUploadBytes: env['EMULATOR_MAX_UPLOAD_BYTES'] ? integer(env, 'EMULATOR_MAX_UPLOAD_BYTES', 0, 1, 2 ** 31) : undefined,
    // Unset: four uploads at the limit (startEmulator), enough for parallel clients, bounded for the machine.
    maxInflightBytes: env['EMULATOR_MAX_INFLIGHT_BYTES'] ? integer(env, 'EMULATOR_MAX_INFLIGHT_BYTES', 0, 1, 2 ** 40) : undefined,
    requestKeyTtlSeconds: integer(env, 'EMULATOR_REQUEST_KEY_TTL_SECONDS', DEFAULTS.requestKeyTtlSeconds, 1, 10 * 365 * 86400),
    apiDate: apiDate(env),
    userAccessKeys: userAccessKeys(env),
    tokenTtlSeconds: integer(env, 'EMULATOR_TOKEN_TTL_SECONDS', DEFAULTS.tokenTtlSeconds, 60, 86_400),
    scenarioDirs: (env['EMULATOR_SCENARIOS_DIR'] ?? '').split(delimiter).filter(Boolean),
    journalSize: integer(env, 'EMULATOR_JOURNAL_SIZE', DEFAULTS.journalSize, 1, 1_000_000),
    journalValues: choice(env, 'EMULATOR_JOURNAL_VALUES', ['mask', 'show'], 'mask') === 'show',
    adminToken: env['EMULATOR_ADMIN_TOKEN'] || undefined,
    log: choice(env, 'EMULATOR_LOG', ['requests', 'off'], 'off'),
    diagnosisHeader: choice(env, 'EMULATOR_DIAGNOSIS_HEADER', ['on', 'off'], 'on') === 'on',
    rsaWorkers: integer(env, 'EMULATOR_RSA_WORKERS', DEFAULT_RSA_WORKERS, 0, 16),
    headersTimeoutMs: integer(env, 'EMULATOR_HEADERS_TIMEOUT_MS', DEFAULTS.headersTimeoutMs, 0, 3_600_000),
    requestTimeoutMs: integer(env, 'EMULATOR_REQUEST_TIMEOUT_MS', DEFAULTS.requestTimeoutMs, 0, 3_600_000),
    keepAliveTimeoutMs: integer(env, 'EMULATOR_KEEP_ALIVE_TIMEOUT_MS', DEFAULTS.keepAliveTimeoutMs, 1, 3_600_000),
  };
}

function apiDate(env: Record<string, string | undefined>): string | undefined {
  const raw = env['EMULATOR_API_DATE'];
  if (!raw) return undefined;
  try {
    return parseApiDate(raw);
  } catch (error) {
    if (error instanceof ApiDateError) throw new ConfigError(`EMULATOR_API_DATE: ${error.message}`);
    throw error;
  }
}

/**
 * The User Access Keys: the default pair (every appKey), then `EMULATOR_EXTRA_USER_ACCESS_KEYS`,
 * `id:secret` (every appKey) or `id:secret:appKey1+appKey2` (only those), comma-separated.
 */
function userAccessKeys(env: Record<string, string | undefined>): Map<string, UserAccessKey> {
  const id = env['EMULATOR_USER_ACCESS_KEY_ID'] || DEFAULTS.userAccessKeyId;
  const keys = new Map<string, UserAccessKey>([[id, { id, secret: env['EMULATOR_SECRET_ACCESS_KEY'] || DEFAULTS.secretAccessKey }]]);
  for (const entry of (env['EMULATOR_EXTRA_USER_ACCESS_KEYS'] ?? '').split(',').map((e) => e.trim()).filter(Boolean)) {
    const [keyId, secret, appKeys, ...rest] = entry.split(':');
    if (!keyId || !secret || rest.length > 0 || appKeys === '') {
      throw new ConfigError(`EMULATOR_EXTRA_USER_ACCESS_KEYS: "${entry}" is not id:secret or id:secret:appKey1+appKey2`);
    }
    keys.set(keyId, { id: keyId, secret, ...(appKeys ? { appKeys: new Set(appKeys.split('+').filter(Boolean)) } : {}) });
  }
  return keys;
}

function integer(env: Record<string, string | undefined>, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name}="${raw}" must be a whole number from ${min} to ${max}`);
  }
  return value;
}

function choice<T extends string>(env: Record<string, string | undefined>, name: string, allowed: readonly T[], fallback: T): T {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!(allowed as readonly string[]).includes(raw)) throw new ConfigError(`${name}="${raw}" must be one of ${allowed.join(', ')}`);
  return raw as T;
}
