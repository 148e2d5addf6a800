import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULTS, loadConfig } from './config.js';

describe('loadConfig', () => {
  it('needs nothing: the embedded defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      host: '127.0.0.1',
      port: 8080,
      maxUploadBytes: undefined,
      maxInflightBytes: undefined,
      requestKeyTtlSeconds: 3600,
      apiDate: undefined,
      tokenTtlSeconds: 86_400,
      scenarioDirs: [],
      journalSize: 1000,
      journalValues: false,
      adminToken: undefined,
      log: 'off',
      diagnosisHeader: true,
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
      EMULATOR_API_DATE: '2024-01-02',
      EMULATOR_TOKEN_TTL_SECONDS: '60',
      EMULATOR_USER_ACCESS_KEY_ID: 'uak',
      EMULATOR_SECRET_ACCESS_KEY: 'sak',
      EMULATOR_EXTRA_USER_ACCESS_KEYS: 'k2:s2, k3:s3:a+b',
      EMULATOR_SCENARIOS_DIR: ['/a', '/b'].join(process.platform === 'win32' ? ';' : ':'),
      EMULATOR_JOURNAL_SIZE: '10',
      EMULATOR_JOURNAL_VALUES: 'show',
      EMULATOR_ADMIN_TOKEN: 'tok',
      EMULATOR_LOG: 'requests',
      EMULATOR_DIAGNOSIS_HEADER: 'off',
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
      apiDate: '2024-01-02',
      tokenTtlSeconds: 60,
      scenarioDirs: ['/a', '/b'],
      journalSize: 10,
      journalValues: true,
      adminToken: 'tok',
      log: 'requests',
      diagnosisHeader: false,
      rsaWorkers: 2,
      headersTimeoutMs: 1500,
      requestTimeoutMs: 0,
      keepAliveTimeoutMs: 100,
    });
    expect([...config.credentials]).toEqual([['ci', 'ci-secret'], ['a', '1'], ['b', '2']]);
    expect([...config.userAccessKeys.values()]).toEqual([
      { id: 'uak', secret: 'sak' },
      { id: 'k2', secret: 's2' },
      { id: 'k3', secret: 's3', appKeys: new Set(['a', 'b']) },
    ]);
  });

  it('refuses EMULATOR_PASSPORT_AUTHENTICITY, naming EMULATOR_API_DATE', () => {
    expect(() => loadConfig({ EMULATOR_PASSPORT_AUTHENTICITY: 'guide' })).toThrow(/EMULATOR_API_DATE/);
  });

  it('leaves the in-flight budget to follow the effective upload limit unless set (startEmulator: 4x)', () => {
    expect(loadConfig({ EMULATOR_MAX_UPLOAD_BYTES: '1000' }).maxInflightBytes).toBeUndefined();
    expect(loadConfig({ EMULATOR_MAX_INFLIGHT_BYTES: '1000' }).maxInflightBytes).toBe(1000);
  });

  it.each([
    ['PORT', '80.5', /PORT="80.5" must be a whole number from 0 to 65535/],
    ['EMULATOR_HEADERS_TIMEOUT_MS', '-1', /EMULATOR_HEADERS_TIMEOUT_MS="-1" must be a whole number/],
    ['EMULATOR_KEEP_ALIVE_TIMEOUT_MS', '0', /EMULATOR_KEEP_ALIVE_TIMEOUT_MS="0" must be a whole number from 1/],
    ['EMULATOR_LOG', 'all', /EMULATOR_LOG="all" must be one of requests, off/],
    ['EMULATOR_DIAGNOSIS_HEADER', 'no', /EMULATOR_DIAGNOSIS_HEADER="no" must be one of on, off/],
    ['EMULATOR_MAX_INFLIGHT_BYTES', '0', /EMULATOR_MAX_INFLIGHT_BYTES="0" must be a whole number from 1/],
    ['EMULATOR_EXTRA_CREDENTIALS', 'nocolon', /"nocolon" is not appKey:secretKey/],
    ['EMULATOR_API_DATE', '2023-08-28', /EMULATOR_API_DATE: 2023-08-28 is before 2023-08-29/],
    ['EMULATOR_API_DATE', '2024-02-30', /EMULATOR_API_DATE: "2024-02-30" is not a date of the form YYYY-MM-DD/],
    ['EMULATOR_TOKEN_TTL_SECONDS', '59', /EMULATOR_TOKEN_TTL_SECONDS="59" must be a whole number from 60 to 86400/],
    ['EMULATOR_EXTRA_USER_ACCESS_KEYS', 'id-only', /"id-only" is not id:secret or id:secret:appKey1\+appKey2/],
  ])('refuses %s=%s with a message naming it', (name, value, message) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(message);
  });
});
