/**
 * Configuration from the environment, with the embedded defaults that make `npm start` work on
 * a fresh clone. Every setting is documented in README.md, "Configuration".
 */

/** The emulator's settings. */
export interface EmulatorConfig {
  host: string;
  port: number;
  /** Accepted app keys and their secret keys; the first is the one the ready line shows. */
  credentials: Map<string, string>;
  /** Largest request body in bytes (4131000 above it). 20 MB since 2026-08-11. */
  maxUploadBytes: number;
}

/** Defaults: loopback, port 8080, one app key, 20 MiB uploads. */
export const DEFAULTS = {
  host: '127.0.0.1',
  port: 8080,
  appKey: 'emulator-appkey',
  secretKey: 'emulator-secretkey',
  maxUploadBytes: 20 * 1024 * 1024,
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
  return {
    host: env['HOST'] || DEFAULTS.host,
    port: integer(env, 'PORT', DEFAULTS.port, 0, 65535),
    credentials,
    maxUploadBytes: integer(env, 'EMULATOR_MAX_UPLOAD_BYTES', DEFAULTS.maxUploadBytes, 1, 2 ** 31),
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
