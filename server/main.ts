#!/usr/bin/env node
/**
 * The `nhn-ocr-emulator` command (`npm start`): reads the command line and the environment
 * (server/command-line.ts), starts, prints one ready line, and on SIGINT or SIGTERM stops
 * taking connections, answers the requests in flight and exits 0 (a second signal, or
 * EMULATOR_SHUTDOWN_TIMEOUT_MS passing, cuts the wait short). `--help` and `--version` answer without loading the server.
 *
 * Memory: the emulator keeps little but allocates fast (every request brings an upload of up to
 * 20 MB and its copies). With V8's default heap sizing (young generation up to 3 x 16 MiB, old
 * generation grown to up to 4x its live size) resident memory settled near 190 MiB after 100,000
 * requests; a fixed growth factor, set here, and `npm start`'s `--max-semi-space-size=2` bring it
 * near 100 MiB. The factor is 3x, not less: V8 counts the Buffers an upload brings (the body
 * chunks, the decrypted image, ~200 KB for a 100 KB image) against the old generation's limit
 * until a young collection frees them, and at 1.5x (a limit ~9 MB above a ~10 MB live heap) that
 * set off a full collection every ~40 uploads: W3 took a third more CPU a request, and 3x kept
 * resident memory at 104 MiB after the 100,000 requests (test/bench/README.md, "Against an
 * ideal server"). The growth factor is set at run time because a
 * V8 flag on the command line would need `env -S` in the shebang, which BusyBox (Alpine images)
 * lacks; the semi-space size cannot change once the heap exists, so it stays a command-line flag
 * (`NODE_OPTIONS` accepts it).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { isLoopbackName } from './base-url.js';
import { helpText, readInvocation, UsageError } from './command-line.js';
import { behaviourOn } from './core/api-date.js';
import { checkSharedState, ConfigError, unknownVariables, type EmulatorConfig, type OptionKey } from './config.js';
import { packageRoot } from './package-root.js';
import { isWorker, onStopRequest, runPrimary } from './workers.js';

/** Heap growth of 3x instead of V8's up-to-4x, unless node was given its own setting. */
function boundHeapGrowth(): void {
  const given = [...process.execArgv, ...(process.env['NODE_OPTIONS'] ?? '').split(/\s+/)].some((arg) => /^--heap[-_]growing[-_]percent/.test(arg));
  if (!given) setFlagsFromString('--heap-growing-percent=200');
}

function packageVersion(): string {
  return (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
}

/**
 * The ready line for a base URL: the v2.0 credentials, and the token issuer's only on a date
 * that has v2.1 (before 2026-03-10 it answers 4041007, so a User Access Key would only mislead).
 */
function readyLine(config: EmulatorConfig, url: string): string {
  const [appKey, secretKey] = [...config.credentials][0]!;
  const access = config.userAccessKeys[0]!;
  const v21 = behaviourOn(config.apiDate).v21 ? ` userAccessKeyId=${access.id} secretAccessKey=${access.secret}` : '';
  const dated = config.apiDate ? ` as of ${config.apiDate}` : '';
  return `nhn-ocr-emulator ready at ${url} (appKey=${appKey} secretKey=${secretKey}${v21})${dated}${adminOffNote(config)}`;
}

/**
 * A second line when the admin API is off (a non-loopback HOST without EMULATOR_ADMIN_TOKEN, as
 * in the container image), saying how to turn it on: otherwise the first sign is a 403 in a test.
 */
function adminOffNote(config: EmulatorConfig): string {
  if (config.adminToken || isLoopbackName(config.host)) return '';
  return `\nnhn-ocr-emulator: admin API off (HOST=${config.host} is not loopback and EMULATOR_ADMIN_TOKEN is unset); set EMULATOR_ADMIN_TOKEN to turn it on, then send Authorization: Bearer <token>`;
}

/** Resolves with an exit code, or with nothing once the emulator runs. */
async function main(argv: readonly string[]): Promise<number | undefined> {
  const invocation = readInvocation(argv, process.env);
  if (invocation.action === 'help') {
    console.log(helpText(packageVersion()));
    return 0;
  }
  if (invocation.action === 'version') {
    console.log(packageVersion());
    return 0;
  }
  const { config, labels } = invocation;
  checkSharedState(config, labels);
  if (!isWorker) for (const name of unknownVariables(process.env)) console.error(`nhn-ocr-emulator: ${name} is not a setting and is ignored (see --help)`);
  boundHeapGrowth();
  // --workers N > 1: this process forks the workers and speaks for them (workers.ts).
  if (config.workers > 1 && !isWorker) {
    runPrimary({ workers: config.workers, host: config.host, shutdownTimeoutMs: config.shutdownTimeoutMs, readyLine: (url) => readyLine(config, url) });
    return undefined;
  }
  // Loaded only now: --help, --version and a refused setting need nothing of the server.
  const { startEmulator } = await import('./index.js');
  // Each worker process is one emulator: the worker count is the primary's.
  const emulator = await startEmulator({ ...config, workers: 1 }).catch((error: unknown) => {
    // Name a setting the way it was given (PORT=..., --port ...), not as an option.
    const label = error instanceof ConfigError && error.setting ? labels[error.setting as OptionKey] : undefined;
    throw label && error instanceof ConfigError && error.problem ? new ConfigError(`${label} ${error.problem}`, error.setting, error.problem) : error;
  });
  if (!isWorker) console.log(readyLine(config, emulator.url));
  // Node installs no default signal handlers in PID 1 (a container's first process): these are
  // what make `docker stop` drain rather than wait out its grace period and kill.
  let stopping = false;
  const stop = (reason: string, signalled: boolean) => {
    if (stopping) {
      // A second signal: stop now. A worker is stopped by its primary (which may also have been
      // signalled, with the whole process group on Ctrl-C) and waits for it.
      if (signalled && !isWorker) {
        console.log(`nhn-ocr-emulator: ${reason} again, stopping now without waiting for the requests in flight`);
        process.exit(0);
      }
      return;
    }
    stopping = true;
    if (!isWorker) console.log(`nhn-ocr-emulator stopping (${reason}): answering the requests in flight, for at most ${config.shutdownTimeoutMs} ms`);
    // In case closing the shared state hangs: the drain itself is bounded in close().
    setTimeout(() => process.exit(0), config.shutdownTimeoutMs + 2_000).unref();
    emulator.close().then(
      () => process.exit(0),
      () => process.exit(0),
    );
  };
  process.on('SIGINT', () => stop('SIGINT', true));
  process.on('SIGTERM', () => stop('SIGTERM', true));
  onStopRequest(() => stop('asked by the primary', false));
  return undefined;
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== undefined) process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof UsageError) {
      console.error(`nhn-ocr-emulator: ${error.message} (see nhn-ocr-emulator --help)`);
      process.exit(2);
    }
    if (error instanceof ConfigError) console.error(`nhn-ocr-emulator: ${error.message}`);
    else console.error('nhn-ocr-emulator: failed to start:', error);
    process.exit(1);
  },
);
