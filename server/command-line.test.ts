import { describe, expect, it } from 'vitest';
import { helpText, readInvocation, UsageError } from './command-line.js';
import { ConfigError, settingsList } from './config.js';

const start = (argv: string[], env: Record<string, string> = {}) => {
  const invocation = readInvocation(argv, env);
  if (invocation.action !== 'start') throw new Error(`not a start: ${invocation.action}`);
  return invocation;
};

describe('readInvocation', () => {
  it('starts with the defaults when given nothing', () => {
    expect(start([]).config).toMatchObject({ host: '127.0.0.1', port: 8080, scenarioDirs: [] });
  });

  it('lets flags override the environment, in both spellings', () => {
    const { config, labels } = start(['--port', '9999', '--host=0.0.0.0', '--scenarios', 'a', '--scenarios=b'], {
      PORT: '8081',
      HOST: '::1',
      EMULATOR_SCENARIOS_DIR: 'c',
      EMULATOR_LOG: 'requests',
    });
    expect(config).toMatchObject({ port: 9999, host: '0.0.0.0', scenarioDirs: ['a', 'b'], log: 'requests' });
    expect(labels).toMatchObject({ port: '--port "9999"', log: 'EMULATOR_LOG="requests"' });
  });

  it('maps --api-date and --keys-dir to their settings', () => {
    expect(start(['--api-date', '2026-03-09', '--keys-dir', './keys']).config).toMatchObject({ apiDate: '2026-03-09', keysDir: './keys' });
  });

  it('reads record mode: --record-keep-values takes no value, the others as their variables', () => {
    const read = readInvocation(['--record-target', 'https://api-ocr.nhncloudservice.com', '--record-keep-values', '--record-max-calls', '5'], {
      EMULATOR_RECORD_DIR: '/tmp/rec',
    });
    if (read.action !== 'start') throw new Error('expected start');
    expect(read.config).toMatchObject({
      recordTarget: 'https://api-ocr.nhncloudservice.com',
      recordKeepValues: true,
      recordMaxCalls: 5,
      recordDir: '/tmp/rec',
    });
    expect(read.config.recordOauthUrl).toBe('https://oauth.api.nhncloudservice.com');
    const fromEnv = readInvocation([], { EMULATOR_RECORD_KEEP_VALUES: 'on' });
    expect(fromEnv.action === 'start' && fromEnv.config.recordKeepValues).toBe(true);
    expect(() => readInvocation(['--record-keep-values=on'], {})).toThrow(/--record-keep-values takes no value/);
  });

  it('answers --help, -h and --version before reading any setting', () => {
    expect(readInvocation(['--help'], { PORT: 'bad' })).toEqual({ action: 'help' });
    expect(readInvocation(['-h', '--port', '1'], {})).toEqual({ action: 'help' });
    expect(readInvocation(['--version'], { PORT: 'bad' })).toEqual({ action: 'version' });
  });

  it.each([
    [['--bogus'], 'unknown option --bogus'],
    [['-x'], 'unknown option -x'],
    [['8080'], 'unexpected argument "8080"; every value follows its flag (--port 9999)'],
    [['--port'], '--port needs a value'],
    [['--port', '--host', 'x'], '--port needs a value'],
    [['--help=yes'], '--help takes no value'],
  ])('refuses %j as a usage error', (argv, message) => {
    expect(() => readInvocation(argv, {})).toThrow(UsageError);
    expect(() => readInvocation(argv, {})).toThrow(message);
  });

  it('refuses a bad flag value as a setting, naming the flag', () => {
    expect(() => readInvocation(['--port', '0x1F91'], {})).toThrow(ConfigError);
    expect(() => readInvocation(['--port', '0x1F91'], {})).toThrow('--port "0x1F91" must be a whole number from 0 to 65535');
    expect(() => readInvocation(['--api-date', '27.05.2026'], {})).toThrow('--api-date "27.05.2026" must be a calendar date written YYYY-MM-DD');
  });
});

describe('helpText', () => {
  it('lists every flag and every environment variable of the settings table', () => {
    const help = helpText('1.2.3');
    expect(help).toContain('nhn-ocr-emulator 1.2.3');
    for (const row of settingsList()) {
      if (row.flag) expect(help).toContain(row.flag);
      if (row.env) expect(help).toContain(`  ${row.env}=${row.shown}\n      ${row.description}; ${row.accepts}`);
    }
    expect(help).toContain('--help');
    expect(help).toContain('--version');
  });

  it('shows each list format once: the description gives an example, the kind says what it accepts', () => {
    const lineOf = (env: string) =>
      helpText('1.2.3').split('\n')[
        helpText('1.2.3')
          .split('\n')
          .findIndex((line) => line.startsWith(`  ${env}=`)) + 1
      ]!;
    expect(lineOf('EMULATOR_EXTRA_CREDENTIALS').match(/appKey:secretKey/g)).toHaveLength(1);
    expect(lineOf('EMULATOR_EXTRA_USER_ACCESS_KEYS').match(/id:secret:appKey1\+appKey2/g)).toHaveLength(1);
    expect(lineOf('EMULATOR_EXTRA_USER_ACCESS_KEYS').match(/comma/g)).toHaveLength(1);
  });
});
