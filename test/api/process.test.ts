import { execFile, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, SETTINGS, startEmulator } from '../../server/index.js';
import { fixture } from '../support/fixtures.js';
import { createOcrClient } from '../../contracts/client/index.js';
import { MAIN, NODE_FLAGS, ROOT, spawnEmulator, untilReady } from '../../contracts/lib/spawn-emulator.js';
import { freePort } from '../support/free-port.js';

describe('the emulator process', () => {
  it('prints one ready line with URL and credentials, serves health, stops cleanly on SIGTERM', async () => {
    const emu = await spawnEmulator();
    try {
      expect(emu.readyLine).toMatch(
        /^nhn-ocr-emulator ready at http:\/\/127\.0\.0\.1:\d+ \(appKey=emulator-appkey secretKey=emulator-secretkey userAccessKeyId=emulator-user-access-key secretAccessKey=emulator-secret-access-key\)$/,
      );
      const health = await fetch(`${emu.url}/__emulator/health`);
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({ status: 'ok', apiDatePinned: false });
    } finally {
      expect(await emu.stop('SIGTERM')).toBe(0);
    }
  });

  it('stops cleanly on SIGINT while a client holds a keep-alive connection', async () => {
    const emu = await spawnEmulator();
    await fetch(`${emu.url}/__emulator/health`, { keepalive: true });
    expect(await emu.stop('SIGINT')).toBe(0);
  });

  it('says under its ready line that the admin API is off on a non-loopback HOST without a token, and how to turn it on', async () => {
    const off = await spawnEmulator({ HOST: '0.0.0.0' });
    try {
      await fetch(`${off.url.replace('0.0.0.0', '127.0.0.1')}/__emulator/health`);
      expect(off.output().split('\n')[1]).toBe(
        'nhn-ocr-emulator: admin API off (HOST=0.0.0.0 is not loopback and EMULATOR_ADMIN_TOKEN is unset); set EMULATOR_ADMIN_TOKEN to turn it on, then send Authorization: Bearer <token>',
      );
    } finally {
      await off.stop();
    }
    for (const env of [{ HOST: '0.0.0.0', EMULATOR_ADMIN_TOKEN: 'ci-token' }, {}] as Record<string, string>[]) {
      const on = await spawnEmulator(env);
      try {
        await fetch(`${on.url.replace('0.0.0.0', '127.0.0.1')}/__emulator/health`);
        expect(on.output()).not.toContain('admin API off');
      } finally {
        await on.stop();
      }
    }
  });

  it('takes its credentials from EMULATOR_APPKEY / EMULATOR_SECRETKEY', async () => {
    const emu = await spawnEmulator({ EMULATOR_APPKEY: 'ci-app', EMULATOR_SECRETKEY: 'ci-secret' });
    try {
      expect(emu.readyLine).toContain(
        '(appKey=ci-app secretKey=ci-secret userAccessKeyId=emulator-user-access-key secretAccessKey=emulator-secret-access-key)',
      );
      const ok = await fetch(`${emu.url}/v2.0/appkeys/ci-app/public-keys/id-card`, { headers: { Authorization: 'ci-secret' } });
      expect(((await ok.json()) as { header: { resultCode: number } }).header.resultCode).toBe(0);
      const old = await fetch(`${emu.url}/v2.0/appkeys/emulator-appkey/public-keys/id-card`, { headers: { Authorization: 'emulator-secretkey' } });
      expect(((await old.json()) as { header: { resultCode: number } }).header.resultCode).toBe(4010001);
    } finally {
      await emu.stop();
    }
  });

  it('names no User Access Key on a date before v2.1, and names it again from 2026-03-10', async () => {
    const before = await spawnEmulator({ EMULATOR_API_DATE: '2026-03-09' });
    try {
      expect(before.readyLine).toMatch(/ \(appKey=emulator-appkey secretKey=emulator-secretkey\) as of 2026-03-09$/);
      const token = await fetch(`${before.url}/oauth2/token/create`, { method: 'POST' });
      expect(((await token.json()) as { header: { resultCode: number } }).header.resultCode).toBe(4041007);
    } finally {
      await before.stop();
    }
    const from = await spawnEmulator({ EMULATOR_API_DATE: '2026-03-10' });
    try {
      expect(from.readyLine).toContain('userAccessKeyId=emulator-user-access-key secretAccessKey=emulator-secret-access-key) as of 2026-03-10');
    } finally {
      await from.stop();
    }
  });

  it("npm start and the test harness give node the same flags; the bin's shebang is portable", () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string>; bin: Record<string, string> };
    expect(pkg.scripts['start']).toBe(`node ${NODE_FLAGS.join(' ')} dist/server/main.js`);
    expect(pkg.bin['nhn-ocr-emulator']).toBe('dist/server/main.js');
    // No `env -S`: BusyBox's env (Alpine images) has no -S.
    expect(readFileSync(MAIN, 'utf8').split('\n')[0]).toBe('#!/usr/bin/env node');
  });

  it('starts through its shebang line, as an installed bin does', async () => {
    // What the kernel runs for `#!<interpreter> <argument>`: the interpreter, the rest of the line
    // as one argument, then the script.
    const line = readFileSync(MAIN, 'utf8').split('\n')[0]!;
    const [interpreter, rest] = [line.slice(2, line.indexOf(' ')), line.slice(line.indexOf(' ') + 1)];
    const emu = await untilReady(spawn(interpreter, [rest, MAIN], { env: { ...process.env, PORT: '0' }, stdio: ['ignore', 'pipe', 'pipe'] }));
    try {
      expect((await fetch(`${emu.url}/__emulator/health`)).status).toBe(200);
    } finally {
      expect(await emu.stop()).toBe(0);
    }
  });

  it('takes the slow-client limits from the environment', async () => {
    const emu = await spawnEmulator({ EMULATOR_HEADERS_TIMEOUT_MS: '300' });
    try {
      const { port, hostname } = new URL(emu.url);
      const answer = await new Promise<string>((resolve, reject) => {
        const socket = connect(Number(port), hostname, () => socket.write('GET /__emulator/health HTTP/1.1\r\nHost: 127.0.0.1\r\n'));
        let text = '';
        socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
        socket.on('close', () => resolve(text));
        socket.on('error', reject);
        setTimeout(() => reject(new Error('not cut off within 5 s')), 5_000).unref();
      });
      expect(answer).toMatch(/^HTTP\/1\.1 408/);
    } finally {
      await emu.stop();
    }
  });

  it('refuses a bad setting with a clear message and exit code 1', async () => {
    await expect(spawnEmulator({ PORT: 'eighty' })).rejects.toThrow(/PORT="eighty" must be a whole number/);
  });

  it('takes --port over PORT', async () => {
    const port = String(await freePort());
    const emu = await spawnEmulator({ PORT: '1' }, 10_000, MAIN, ['--port', port]);
    try {
      expect(new URL(emu.url).port).toBe(port);
    } finally {
      await emu.stop();
    }
  });
});

/** Runs the command to its end. */
function run(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [MAIN, ...args], { env: { ...process.env, PORT: '0', ...env }, timeout: 10_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

describe('the command line', () => {
  it('never prints a Redis password, a Redis secret or an admin token it cannot use', async () => {
    const port = await freePort(); // nothing listens there
    const unreachable = await run([], { EMULATOR_REDIS_URL: `redis://:hunter2pass@127.0.0.1:${port}`, EMULATOR_REDIS_SECRET: 'sixteen characters or more' });
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toMatch(/cannot reach Redis at redis:\/\/:\*\*\*@127\.0\.0\.1/);
    const refused = await run(['--redis-url', 'http://:hunter2pass@cache'], { EMULATOR_REDIS_SECRET: 'too-short', EMULATOR_ADMIN_TOKEN: 'has blank' });
    expect(refused.code).toBe(1);
    for (const answer of [unreachable, refused]) expect(answer.stdout + answer.stderr).not.toMatch(/hunter2pass|sixteen characters|too-short|has blank/);
  });

  it('--help lists every flag and environment variable and exits 0 without starting', async () => {
    const { code, stdout, stderr } = await run(['--help']);
    expect(code).toBe(0);
    expect(stderr).toBe('');
    expect(stdout).not.toContain('ready at');
    for (const row of Object.values(SETTINGS)) {
      if ('env' in row && row.env) expect(stdout).toContain(`  ${row.env}=`);
      if ('flag' in row && row.flag) expect(stdout).toContain(`--${row.flag.name} ${row.flag.value}`);
    }
  });

  it('--version prints the package version', async () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(await run(['--version'])).toEqual({ code: 0, stdout: `${pkg.version}\n`, stderr: '' });
  });

  it.each([
    [['--bogus'], 2, 'nhn-ocr-emulator: unknown option --bogus (see nhn-ocr-emulator --help)\n'],
    [['9999'], 2, 'nhn-ocr-emulator: unexpected argument "9999"; every value follows its flag (--port 9999) (see nhn-ocr-emulator --help)\n'],
    [['--port', '0x1F91'], 1, 'nhn-ocr-emulator: --port "0x1F91" must be a whole number from 0 to 65535\n'],
    [['--api-date', '2026-13-01'], 1, 'nhn-ocr-emulator: --api-date "2026-13-01" must be a calendar date written YYYY-MM-DD, 2023-08-29 or later\n'],
  ])('refuses %j with exit %i and one line', async (args, status, message) => {
    expect(await run(args)).toEqual({ code: status, stdout: '', stderr: message });
  });

  it('names a host it cannot listen on in one line', async () => {
    const { code, stderr } = await run([], { HOST: 'nonexistent.invalid' });
    expect(code).toBe(1);
    expect(stderr).toMatch(
      /^nhn-ocr-emulator: HOST="nonexistent\.invalid" cannot be resolved \((ENOTFOUND|EAI_AGAIN)\); give an IP address or a host name of this machine\n$/,
    );
  });

  it('names a port in use after the flag that gave it', async () => {
    const taken = await startEmulator({ port: 0, watchScenarios: false });
    try {
      const { code, stderr } = await run(['--port', String(taken.port)]);
      expect(code).toBe(1);
      expect(stderr).toBe(`nhn-ocr-emulator: --port "${taken.port}" is in use (EADDRINUSE); give another port (0 picks a free one)\n`);
    } finally {
      await taken.close();
    }
  });

  it('warns about an EMULATOR_ variable that is no setting', async () => {
    const emu = await spawnEmulator({ EMULATOR_APP_KEY: 'typo' });
    try {
      expect(emu.output()).toContain('nhn-ocr-emulator: EMULATOR_APP_KEY is not a setting and is ignored (see --help)');
    } finally {
      await emu.stop();
    }
  });
});

describe('startEmulator (in-process)', () => {
  it('takes credentials as a plain object', async () => {
    const emulator = await startEmulator({ port: 0, watchScenarios: false, credentials: { 'plain-app': 'plain-secret' } });
    try {
      const client = createOcrClient({ baseUrl: emulator.url, appKey: 'plain-app', secretKey: 'plain-secret' });
      expect((await client.creditCard(fixture('card-856x540.jpg'))).resultCode).toBe(0);
    } finally {
      await emulator.close();
    }
  });

  it.each([
    [{ requestKeyTtlSeconds: -5 }, 'startEmulator option requestKeyTtlSeconds=-5 must be a whole number from 1 to 315360000'],
    [
      { host: 'nonexistent.invalid' },
      /^startEmulator option host="nonexistent\.invalid" cannot be resolved \((ENOTFOUND|EAI_AGAIN)\); give an IP address or a host name of this machine$/,
    ],
    [{ requestKeyTTL: 60 }, /^unknown startEmulator option "requestKeyTTL" \(did you mean requestKeyTtlSeconds\?\)/],
    [
      { workers: 2, redisUrl: 'redis://127.0.0.1:1', redisSecret: 'sixteen characters or more' },
      /^startEmulator option workers=2: worker processes are started by the command/,
    ],
  ])('refuses %j with a one-line ConfigError', async (options, message) => {
    const error = await startEmulator({ port: 0, watchScenarios: false, ...options } as never).then(
      async (emulator) => {
        await emulator.close();
        return undefined;
      },
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(message);
  });

  it('starts on a free port and closes', async () => {
    const emulator = await startEmulator({ port: 0 });
    const res = await fetch(`${emulator.url}/__emulator/health`);
    expect(res.status).toBe(200);
    await emulator.close();
    await expect(fetch(`${emulator.url}/__emulator/health`)).rejects.toThrow();
  });
});
