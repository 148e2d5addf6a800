import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkOptions, ConfigError, DEFAULTS, loadConfig, readFlags, SETTINGS, settingsList, unknownVariables, withDefaults } from './config.js';

const refused = (read: () => unknown): ConfigError => {
  try {
    read();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('not refused');
};

describe('loadConfig', () => {
  it('needs nothing: the embedded defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      host: '127.0.0.1',
      port: 8080,
      maxUploadBytes: undefined,
      maxInflightBytes: undefined,
      requestKeyTtlSeconds: 3600,
      tokenTtlSeconds: 86_400,
      diagnosisHeader: true,
      scenarioDirs: [],
      journalSize: 1000,
      journalValues: false,
      adminToken: undefined,
      log: 'off',
      headersTimeoutMs: 20_000,
      requestTimeoutMs: 120_000,
      keepAliveTimeoutMs: 5_000,
      shutdownTimeoutMs: 8_000,
      apiDate: undefined,
      keysDir: undefined,
    });
    expect([...config.credentials]).toEqual([[DEFAULTS.appKey, DEFAULTS.secretKey]]);
    expect(config.userAccessKeys).toEqual([{ id: DEFAULTS.userAccessKeyId, secret: DEFAULTS.secretAccessKey }]);
  });

  it('reads every variable', () => {
    const config = loadConfig({
      HOST: '0.0.0.0',
      PORT: '0',
      EMULATOR_APPKEY: 'ci',
      EMULATOR_SECRETKEY: 'ci-secret',
      EMULATOR_EXTRA_CREDENTIALS: 'a:1, b : 2',
      EMULATOR_MAX_UPLOAD_BYTES: '1024',
      EMULATOR_MAX_INFLIGHT_BYTES: '4096',
      EMULATOR_REQUEST_KEY_TTL_SECONDS: '5',
      EMULATOR_USER_ACCESS_KEY_ID: 'uak',
      EMULATOR_SECRET_ACCESS_KEY: 'sak',
      EMULATOR_EXTRA_USER_ACCESS_KEYS: 'k2:s2, k3:s3:a+b',
      EMULATOR_TOKEN_TTL_SECONDS: '60',
      EMULATOR_DIAGNOSIS_HEADER: 'off',
      EMULATOR_SCENARIOS_DIR: ['/a', '/b'].join(process.platform === 'win32' ? ';' : ':'),
      EMULATOR_JOURNAL_SIZE: '10',
      EMULATOR_JOURNAL_VALUES: 'show',
      EMULATOR_ADMIN_TOKEN: 'tok',
      EMULATOR_LOG: 'requests',
      EMULATOR_RSA_WORKERS: '2',
      EMULATOR_HEADERS_TIMEOUT_MS: '1500',
      EMULATOR_REQUEST_TIMEOUT_MS: '0',
      EMULATOR_KEEP_ALIVE_TIMEOUT_MS: '100',
      EMULATOR_SHUTDOWN_TIMEOUT_MS: '2500',
      EMULATOR_API_DATE: '2026-03-09',
      EMULATOR_KEYS_DIR: '/var/keys',
    });
    expect(config).toMatchObject({
      host: '0.0.0.0',
      port: 0,
      maxUploadBytes: 1024,
      maxInflightBytes: 4096,
      requestKeyTtlSeconds: 5,
      tokenTtlSeconds: 60,
      diagnosisHeader: false,
      scenarioDirs: ['/a', '/b'],
      journalSize: 10,
      journalValues: true,
      adminToken: 'tok',
      log: 'requests',
      rsaWorkers: 2,
      headersTimeoutMs: 1500,
      requestTimeoutMs: 0,
      keepAliveTimeoutMs: 100,
      shutdownTimeoutMs: 2500,
      apiDate: '2026-03-09',
      keysDir: '/var/keys',
    });
    expect([...config.credentials]).toEqual([
      ['ci', 'ci-secret'],
      ['a', '1'],
      ['b', '2'],
    ]);
    expect(config.userAccessKeys).toEqual([
      { id: 'uak', secret: 'sak' },
      { id: 'k2', secret: 's2' },
      { id: 'k3', secret: 's3', appKeys: ['a', 'b'] },
    ]);
  });

  it('refuses EMULATOR_PASSPORT_AUTHENTICITY, gone, naming EMULATOR_API_DATE', () => {
    expect(refused(() => loadConfig({ EMULATOR_PASSPORT_AUTHENTICITY: 'guide' })).message).toMatch(
      /^EMULATOR_PASSPORT_AUTHENTICITY is gone: .*EMULATOR_API_DATE/,
    );
  });

  it('counts an empty variable as unset', () => {
    expect(loadConfig({ PORT: '', EMULATOR_LOG: '' })).toMatchObject({ port: 8080, log: 'off' });
  });

  it.each([
    ['PORT', '80.5', 'PORT="80.5" must be a whole number from 0 to 65535'],
    ['PORT', ' ', 'PORT=" " must be a whole number from 0 to 65535'],
    ['PORT', '0x1F91', 'PORT="0x1F91" must be a whole number from 0 to 65535'],
    ['PORT', '8e3', 'PORT="8e3" must be a whole number from 0 to 65535'],
    ['PORT', '+80', 'PORT="+80" must be a whole number from 0 to 65535'],
    ['PORT', '65536', 'PORT="65536" must be a whole number from 0 to 65535'],
    ['PORT', ' 8080', 'PORT=" 8080" must be a whole number from 0 to 65535'],
    ['EMULATOR_HEADERS_TIMEOUT_MS', ' ', 'EMULATOR_HEADERS_TIMEOUT_MS=" " must be a whole number from 0 to 3600000'],
    ['EMULATOR_HEADERS_TIMEOUT_MS', '-1', 'EMULATOR_HEADERS_TIMEOUT_MS="-1" must be a whole number from 0 to 3600000'],
    ['EMULATOR_KEEP_ALIVE_TIMEOUT_MS', '0', 'EMULATOR_KEEP_ALIVE_TIMEOUT_MS="0" must be a whole number from 1 to 3600000'],
    ['EMULATOR_MAX_UPLOAD_BYTES', '99999999999999999999', 'EMULATOR_MAX_UPLOAD_BYTES="99999999999999999999" must be a whole number from 1 to 2147483648'],
    ['EMULATOR_LOG', 'all', 'EMULATOR_LOG="all" must be one of requests, off'],
    ['EMULATOR_JOURNAL_VALUES', 'true', 'EMULATOR_JOURNAL_VALUES="true" must be mask or show'],
    [
      'EMULATOR_EXTRA_CREDENTIALS',
      'nocolon',
      'EMULATOR_EXTRA_CREDENTIALS="nocolon" must be appKey:secretKey pairs separated by commas ("nocolon" is not appKey:secretKey)',
    ],
    ['EMULATOR_EXTRA_CREDENTIALS', 'a:', 'EMULATOR_EXTRA_CREDENTIALS="a:" must be appKey:secretKey pairs separated by commas ("a:" is not appKey:secretKey)'],
    ['HOST', ' ', 'HOST=" " must be an IP address or a host name of this machine'],
    ['EMULATOR_APPKEY', 'two words', 'EMULATOR_APPKEY="two words" must be an app key without blanks'],
    ['EMULATOR_API_DATE', '2026-5-27', 'EMULATOR_API_DATE="2026-5-27" must be a calendar date written YYYY-MM-DD, 2023-08-29 or later'],
    ['EMULATOR_API_DATE', '2026-02-29', 'EMULATOR_API_DATE="2026-02-29" must be a calendar date written YYYY-MM-DD, 2023-08-29 or later'],
    ['EMULATOR_API_DATE', '2023-08-28', 'EMULATOR_API_DATE="2023-08-28" must be a calendar date written YYYY-MM-DD, 2023-08-29 or later'],
    ['EMULATOR_TOKEN_TTL_SECONDS', '59', 'EMULATOR_TOKEN_TTL_SECONDS="59" must be a whole number from 60 to 86400'],
    ['EMULATOR_DIAGNOSIS_HEADER', 'no', 'EMULATOR_DIAGNOSIS_HEADER="no" must be off or on'],
    ['EMULATOR_MAX_INFLIGHT_BYTES', '0', 'EMULATOR_MAX_INFLIGHT_BYTES="0" must be a whole number from 1 to 1099511627776'],
  ])('refuses %s=%j with one line naming it and what it accepts', (name, value, message) => {
    const error = refused(() => loadConfig({ [name]: value }));
    expect(error.message).toBe(message);
    expect(error.message).not.toContain('\n');
  });
});

describe('readFlags', () => {
  it('reads flag values, repeatable ones as a list', () => {
    expect(readFlags({ host: '0.0.0.0', port: '9999', scenarios: ['./a', './b'], 'api-date': '2024-04-09', 'keys-dir': './keys' })).toEqual({
      values: { host: '0.0.0.0', port: 9999, scenarioDirs: ['./a', './b'], apiDate: '2024-04-09', keysDir: './keys' },
      labels: {
        host: '--host "0.0.0.0"',
        port: '--port "9999"',
        scenarioDirs: '--scenarios "./a" --scenarios "./b"',
        apiDate: '--api-date "2024-04-09"',
        keysDir: '--keys-dir "./keys"',
      },
    });
  });

  it('checks them as the environment is checked', () => {
    expect(refused(() => readFlags({ port: '0x1F91' })).message).toBe('--port "0x1F91" must be a whole number from 0 to 65535');
    expect(refused(() => readFlags({ port: '' })).message).toBe('--port "" must be a whole number from 0 to 65535');
    expect(refused(() => readFlags({ scenarios: ['./a', ''] })).message).toBe('--scenarios "./a" --scenarios "" must be a directory name');
  });
});

describe('checkOptions (startEmulator options)', () => {
  const others = { logger: { accepts: 'a function', test: (value: unknown) => typeof value === 'function' } };

  it('takes credentials as a Map or as a plain object', () => {
    expect(checkOptions({ credentials: new Map([['a', '1']]) }, others).credentials).toEqual(new Map([['a', '1']]));
    expect(checkOptions({ credentials: { a: '1', b: '2' } }, others).credentials).toEqual(
      new Map([
        ['a', '1'],
        ['b', '2'],
      ]),
    );
  });

  it.each([
    [{ requestKeyTtlSeconds: -5 }, 'startEmulator option requestKeyTtlSeconds=-5 must be a whole number from 1 to 315360000'],
    [{ port: '8080' }, 'startEmulator option port="8080" must be a whole number from 0 to 65535'],
    [{ port: 1.5 }, 'startEmulator option port=1.5 must be a whole number from 0 to 65535'],
    [{ journalValues: 'show' }, 'startEmulator option journalValues="show" must be true or false (show: true)'],
    [
      { credentials: {} },
      'startEmulator option credentials=an object with 0 keys must be a Map or a plain object of appKey to secretKey (non-empty strings, at least one)',
    ],
    [
      { credentials: new Map([['a', 1]]) },
      'startEmulator option credentials=a Map of 1 must be a Map or a plain object of appKey to secretKey (non-empty strings, at least one)',
    ],
    [{ scenarioDirs: './dir' }, 'startEmulator option scenarioDirs="./dir" must be an array of directory names'],
    [{ logger: 'stdout' }, 'startEmulator option logger="stdout" must be a function'],
  ])('refuses %j in one line', (options, message) => {
    expect(refused(() => checkOptions(options, others)).message).toBe(message);
  });

  it('refuses an unknown key, naming it and a near one', () => {
    const error = refused(() => checkOptions({ requestKeyTTL: 60 }, others));
    expect(error.message).toMatch(/^unknown startEmulator option "requestKeyTTL" \(did you mean requestKeyTtlSeconds\?\); it takes host, port, credentials, /);
    expect(error.message).toContain('logger');
  });

  it('counts undefined as not given, and refuses options that are not a plain object', () => {
    expect(checkOptions({ port: undefined }, others)).toEqual({});
    expect(refused(() => checkOptions([1], others)).message).toBe('startEmulator options must be a plain object, not an array of 1');
  });
});

describe('the settings table', () => {
  it('gives fresh Maps and arrays for the defaults', () => {
    const config = withDefaults({});
    config.credentials.set('x', 'y');
    config.scenarioDirs.push('/x');
    expect(withDefaults({}).credentials.size).toBe(1);
    expect(withDefaults({}).scenarioDirs).toEqual([]);
  });

  it('warns about EMULATOR_ variables that are no setting', () => {
    expect(unknownVariables({ EMULATOR_APP_KEY: 'x', EMULATOR_APPKEY: 'y', PATH: '/bin' })).toEqual(['EMULATOR_APP_KEY']);
  });

  it('is what README.md, "Configuration", and docs/record-live-service.md, "Settings", document: every variable and flag, and no other', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const recording = readFileSync(new URL('../docs/record-live-service.md', import.meta.url), 'utf8');
    // Record mode's settings have their own page; README.md may list them too.
    const section = `${/^## Configuration\n([\s\S]*?)\n## /m.exec(readme)?.[1] ?? ''}\n${/^## Settings\n([\s\S]*)$/m.exec(recording)?.[1] ?? ''}`;
    const table = section.split('\n').filter((line) => line.startsWith('| `'));
    const documented = new Set(table.flatMap((line) => [...line.split('|')[1]!.matchAll(/`([A-Z_]+)`/g)].map((m) => m[1]!)));
    const variables = settingsList().flatMap((row) => (row.env ? [row.env] : []));
    expect([...documented].sort()).toEqual([...variables].sort());
    for (const row of settingsList()) if (row.flag) expect(section, row.flag).toContain(`--${row.flag.split(' ')[0]!.slice(2)}`);
  });

  it('has a description and a default for every setting', () => {
    for (const [key, row] of Object.entries(SETTINGS)) {
      expect(row.description, key).toMatch(/^\S.*[^.]$/);
      expect(row.description.length, key).toBeLessThan(120);
    }
  });
});
