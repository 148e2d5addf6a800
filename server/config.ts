/**
 * Configuration from the environment, with the embedded defaults that make `npm start` work on
 * a fresh clone. Every setting is documented in README.md, "Configuration".
 */
import { delimiter } from 'node:path';
import type { PassportAuthenticity } from './core/engine.js';
import { DEFAULT_RSA_WORKERS } from './core/rsa-pool.js';

/** The emulator's settings. */
export interface EmulatorConfig {
  host: string;
  port: number;
  /** Accepted app keys and their secret keys; the first is the one the ready line shows. */
  credentials: Map<string, string>;
  /** Largest request body in bytes (4131000 above it). 20 MB since 2026-08-11. */
  maxUploadBytes: number;
  /** Upload bytes held in memory at once, all requests together; past it uploads wait (README, "Security"). */
  maxInflightBytes: number;
  /** Request-Key validity; the guide says one hour. */
  requestKeyTtlSeconds: number;
  passportAuthenticity: PassportAuthenticity;
  /** Scenario directories loaded after the built-in one (later ones win by name). */
  scenarioDirs: string[];
  journalSize: number;
  /** Keep authenticity values in the journal instead of masking them. */
  journalValues: boolean;
  adminToken: string | undefined;
  /** `requests`: one log line per API request; `off`: only the ready line and faults. */
  log: 'requests' | 'off';
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
  const maxUploadBytes = integer(env, 'EMULATOR_MAX_UPLOAD_BYTES', DEFAULTS.maxUploadBytes, 1, 2 ** 31);
  return {
    host: env['HOST'] || DEFAULTS.host,
    port: integer(env, 'PORT', DEFAULTS.port, 0, 65535),
    credentials,
    maxUploadBytes,
    // Four uploads at the limit by default: enough for parallel clients, bounded for the machine.
    maxInflightBytes: integer(env, 'EMULATOR_MAX_INFLIGHT_BYTES', 4 * maxUploadBytes, 1, 2 ** 40),
    requestKeyTtlSeconds: integer(env, 'EMULATOR_REQUEST_KEY_TTL_SECONDS', DEFAULTS.requestKeyTtlSeconds, 1, 10 * 365 * 86400),
    passportAuthenticity: choice(env, 'EMULATOR_PASSPORT_AUTHENTICITY', ['guide', 'withdrawn'], 'guide'),
    scenarioDirs: (env['EMULATOR_SCENARIOS_DIR'] ?? '').split(delimiter).filter(Boolean),
    journalSize: integer(env, 'EMULATOR_JOURNAL_SIZE', DEFAULTS.journalSize, 1, 1_000_000),
    journalValues: choice(env, 'EMULATOR_JOURNAL_VALUES', ['mask', 'show'], 'mask') === 'show',
    adminToken: env['EMULATOR_ADMIN_TOKEN'] || undefined,
    log: choice(env, 'EMULATOR_LOG', ['requests', 'off'], 'off'),
    rsaWorkers: integer(env, 'EMULATOR_RSA_WORKERS', DEFAULT_RSA_WORKERS, 0, 16),
    headersTimeoutMs: integer(env, 'EMULATOR_HEADERS_TIMEOUT_MS', DEFAULTS.headersTimeoutMs, 0, 3_600_000),
    requestTimeoutMs: integer(env, 'EMULATOR_REQUEST_TIMEOUT_MS', DEFAULTS.requestTimeoutMs, 0, 3_600_000),
    keepAliveTimeoutMs: integer(env, 'EMULATOR_KEEP_ALIVE_TIMEOUT_MS', DEFAULTS.keepAliveTimeoutMs, 1, 3_600_000),
  };
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
