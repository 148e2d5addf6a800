import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULTS, loadConfig } from './config.js';

describe('loadConfig', () => {
  it('needs nothing: the embedded defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      host: '127.0.0.1',
      port: 8080,
      maxUploadBytes: 20 * 1024 * 1024,
      maxInflightBytes: 4 * 20 * 1024 * 1024,
      requestKeyTtlSeconds: 3600,
      passportAuthenticity: 'guide',
      scenarioDirs: [],
      journalSize: 1000,
      journalValues: false,
      adminToken: undefined,
      log: 'off',
      headersTimeoutMs: 20_000,
      requestTimeoutMs: 120_000,
      keepAliveTimeoutMs: 5_000,
    });
    expect([...config.credentials]).toEqual([[DEFAULTS.appKey, DEFAULTS.secretKey]]);
  });

  it('reads every variable', () => {
    const config = loadConfig({
      HOST: '0.0.0.0',
      PORT: '0',
      EMULATOR_APPKEY: 'ci',
      EMULATOR_SECRETKEY: 'ci-secret',
      EMULATOR_EXTRA_CREDENTIALS: 'a:1, b : 2',
      EMULATOR_MAX_UPLOAD_BYTES: '1024',
      EMULATOR_MAX_INFLIGHT_BYTES: '512',
      EMULATOR_REQUEST_KEY_TTL_SECONDS: '5',
      EMULATOR_PASSPORT_AUTHENTICITY: 'withdrawn',
      EMULATOR_SCENARIOS_DIR: ['/a', '/b'].join(process.platform === 'win32' ? ';' : ':'),
      EMULATOR_JOURNAL_SIZE: '10',
      EMULATOR_JOURNAL_VALUES: 'show',
      EMULATOR_ADMIN_TOKEN: 'tok',
      EMULATOR_LOG: 'requests',
      EMULATOR_RSA_WORKERS: '2',
      EMULATOR_HEADERS_TIMEOUT_MS: '1500',
      EMULATOR_REQUEST_TIMEOUT_MS: '0',
      EMULATOR_KEEP_ALIVE_TIMEOUT_MS: '100',
    });
    expect(config).toMatchObject({
      host: '0.0.0.0',
      port: 0,
      maxUploadBytes: 1024,
      maxInflightBytes: 512,
      requestKeyTtlSeconds: 5,
      passportAuthenticity: 'withdrawn',
      scenarioDirs: ['/a', '/b'],
      journalSize: 10,
      journalValues: true,
      adminToken: 'tok',
      log: 'requests',
      rsaWorkers: 2,
      headersTimeoutMs: 1500,
      requestTimeoutMs: 0,
      keepAliveTimeoutMs: 100,
    });
    expect([...config.credentials]).toEqual([['ci', 'ci-secret'], ['a', '1'], ['b', '2']]);
  });

  it('the in-flight budget follows the upload limit unless set', () => {
    expect(loadConfig({ EMULATOR_MAX_UPLOAD_BYTES: '1000' }).maxInflightBytes).toBe(4000);
  });

  it.each([
    ['PORT', '80.5', /PORT="80.5" must be a whole number from 0 to 65535/],
    ['EMULATOR_HEADERS_TIMEOUT_MS', '-1', /EMULATOR_HEADERS_TIMEOUT_MS="-1" must be a whole number/],
    ['EMULATOR_KEEP_ALIVE_TIMEOUT_MS', '0', /EMULATOR_KEEP_ALIVE_TIMEOUT_MS="0" must be a whole number from 1/],
    ['EMULATOR_LOG', 'all', /EMULATOR_LOG="all" must be one of requests, off/],
    ['EMULATOR_MAX_INFLIGHT_BYTES', '0', /EMULATOR_MAX_INFLIGHT_BYTES="0" must be a whole number from 1/],
    ['EMULATOR_EXTRA_CREDENTIALS', 'nocolon', /"nocolon" is not appKey:secretKey/],
  ])('refuses %s=%s with a message naming it', (name, value, message) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(message);
  });
});
