/**
 * A real `redis-server` for the tests that need one (Debian package `redis-server`; npm test
 * installs it when missing, test/support/system-packages.mjs): on a free loopback port, in a
 * temporary directory, without persistence, stopped after the tests. Tests skip, saying why, only
 * when no redis-server can be found.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { freePort } from './free-port.js';

/** Where redis-server is, or undefined. */
export const REDIS_SERVER: string | undefined = findRedisServer();

/** Why Redis tests are skipped, when they are. */
export const NO_REDIS_REASON = 'redis-server not found on PATH, /usr/bin or /usr/sbin (Debian: apt-get install redis-server)';

function findRedisServer(): string | undefined {
  const dirs = [...(process.env['PATH'] ?? '').split(delimiter), '/usr/bin', '/usr/sbin', '/usr/local/bin'];
  for (const dir of dirs.filter(Boolean)) {
    const file = join(dir, 'redis-server');
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** A running redis-server. */
export interface TestRedis {
  url: string;
  port: number;
  /** The process id of the running server (for CPU accounting). */
  readonly pid: number | undefined;
  /** Stops it for good (its data is gone; nothing is persisted) and removes its directory. */
  stop(): Promise<void>;
  /** Kills it as an outage would (SIGKILL); `start` brings it back on the same port, empty. */
  kill(): Promise<void>;
  /** Starts it again on the same port (after `kill`). */
  start(): Promise<void>;
  /** Freezes it (SIGSTOP): connections stay open, nothing answers; `resume` thaws it. */
  pause(): void;
  resume(): void;
}

/**
 * Starts a redis-server on a free port.
 * @example const redis = await startRedis(); process.env.EMULATOR_REDIS_URL = redis.url; ...; await redis.stop()
 */
export async function startRedis(): Promise<TestRedis> {
  if (!REDIS_SERVER) throw new Error(NO_REDIS_REASON);
  const dir = mkdtempSync(join(tmpdir(), 'emulator-redis-'));
  const port = await freePort();
  let child: ChildProcess | undefined;
  const start = async () => {
    child = spawn(
      REDIS_SERVER!,
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--daemonize', 'no', '--loglevel', 'warning'],
      { stdio: 'ignore' },
    );
    await waitUntil(() => ping(port), 10_000, `redis-server on port ${port} did not answer`);
  };
  const stop = async () => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null) return;
    running.kill('SIGCONT'); // a paused server takes SIGKILL all the same, but be sure
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGKILL');
    await exited;
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    get pid() {
      return child?.pid;
    },
    start,
    kill: stop,
    pause: () => void child?.kill('SIGSTOP'),
    resume: () => void child?.kill('SIGCONT'),
    stop: async () => {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Whether something answers PING with PONG on the port. */
function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => socket.write('PING\r\n'));
    socket.once('data', (data) => {
      socket.destroy();
      resolve(data.toString().startsWith('+PONG'));
    });
    socket.once('error', () => resolve(false));
    socket.setTimeout(500, () => {
      socket.destroy();
      resolve(false);
    });
  });
}

async function waitUntil(check: () => Promise<boolean>, ms: number, message: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(message);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
