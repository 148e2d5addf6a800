/**
 * Runs the compiled emulator as its own process (`node dist/server/main.js`), the way
 * `npm start` does, and reads its ready line.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, sep } from 'node:path';
import { packageRoot } from '../../server/package-root.js';

/** The repository root (or the installed package's: the contract runner runs compiled from dist/). */
export const ROOT = packageRoot() + sep;
/** The compiled entry point `npm install` builds. */
export const MAIN = join(ROOT, 'dist', 'server', 'main.js');
/**
 * The V8 flag `npm start` gives node, for flat resident memory (why: in server/main.ts);
 * test/api/process.test.ts keeps the two in step.
 * @example spawn(process.execPath, [...NODE_FLAGS, MAIN])
 */
export const NODE_FLAGS: readonly string[] = ['--max-semi-space-size=2'];

/** A spawned emulator. */
export interface SpawnedEmulator {
  child: ChildProcess;
  url: string;
  readyLine: string;
  output: () => string;
  /** Sends a signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Spawns the compiled emulator with extra environment (and command-line `args`) and waits for
 * its ready line (`main`: another build's entry point, e.g. to compare before and after a change).
 * @example const emu = await spawnEmulator({ PORT: '0' }); await fetch(`${emu.url}/__emulator/health`)
 * @example const emu = await spawnEmulator({}, 10_000, MAIN, ['--port', '9999'])
 */
export function spawnEmulator(env: Record<string, string> = {}, timeoutMs = 10_000, main = MAIN, args: readonly string[] = []): Promise<SpawnedEmulator> {
  if (!existsSync(main)) throw new Error(`${main} is missing: run npm install (or npm run build)`);
  const child = spawn(process.execPath, [...NODE_FLAGS, main, ...args], {
    cwd: ROOT,
    env: { ...process.env, PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return untilReady(child, timeoutMs);
}

/**
 * Waits for the ready line of an emulator process however it was started (through its shebang
 * line, say); rejects with its output when it exits first or says nothing in `timeoutMs`.
 * @example const emu = await untilReady(spawn('/usr/bin/env', ['node', MAIN]), 10_000)
 */
export function untilReady(child: ChildProcess, timeoutMs = 10_000): Promise<SpawnedEmulator> {
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no ready line within ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const match = /^nhn-ocr-emulator ready at (\S+).*$/m.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({
          child,
          url: match[1]!,
          readyLine: match[0],
          output: () => output,
          stop: (signal = 'SIGTERM') => {
            if (child.exitCode === null) child.kill(signal);
            return exited;
          },
        });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`emulator exited with ${code} before it was ready:\n${output}`));
    });
  });
}
