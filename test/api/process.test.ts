import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startEmulator } from '../../server/index.js';
import { MAIN, NODE_FLAGS, ROOT, spawnEmulator } from '../support/spawn-emulator.js';

describe('the emulator process', () => {
  it('prints one ready line with URL and credentials, serves health, stops cleanly on SIGTERM', async () => {
    const emu = await spawnEmulator();
    try {
      expect(emu.readyLine).toMatch(/^nhn-ocr-emulator ready at http:\/\/127\.0\.0\.1:\d+ \(appKey=emulator-appkey secretKey=emulator-secretkey userAccessKeyId=emulator-user-access-key secretAccessKey=emulator-secret-access-key\)$/);
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

  it('takes its credentials from EMULATOR_APPKEY / EMULATOR_SECRETKEY', async () => {
    const emu = await spawnEmulator({ EMULATOR_APPKEY: 'ci-app', EMULATOR_SECRETKEY: 'ci-secret' });
    try {
      expect(emu.readyLine).toContain('(appKey=ci-app secretKey=ci-secret userAccessKeyId=emulator-user-access-key secretAccessKey=emulator-secret-access-key)');
      const ok = await fetch(`${emu.url}/v2.0/appkeys/ci-app/public-keys/id-card`, { headers: { Authorization: 'ci-secret' } });
      expect(((await ok.json()) as { header: { resultCode: number } }).header.resultCode).toBe(0);
      const old = await fetch(`${emu.url}/v2.0/appkeys/emulator-appkey/public-keys/id-card`, { headers: { Authorization: 'emulator-secretkey' } });
      expect(((await old.json()) as { header: { resultCode: number } }).header.resultCode).toBe(4010001);
    } finally {
      await emu.stop();
    }
  });

  it('npm start and the test harness give node the same flags; the bin\'s shebang is portable', () => {
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
    const child = spawn(interpreter, [rest, MAIN], { env: { ...process.env, PORT: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let output = '';
        child.stdout.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          const match = /ready at (\S+)/.exec(output);
          if (match) resolve(match[1]!);
        });
        child.once('exit', (code) => reject(new Error(`exited ${code}: ${output}`)));
      });
      expect((await fetch(`${url}/__emulator/health`)).status).toBe(200);
    } finally {
      child.kill('SIGTERM');
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
});

describe('startEmulator (in-process)', () => {
  it('starts on a free port and closes', async () => {
    const emulator = await startEmulator({ port: 0 });
    const res = await fetch(`${emulator.url}/__emulator/health`);
    expect(res.status).toBe(200);
    await emulator.close();
    await expect(fetch(`${emulator.url}/__emulator/health`)).rejects.toThrow();
  });
});
