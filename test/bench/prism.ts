/**
 * Prism (`@stoplight/prism-cli mock openapi.yaml`), the usual off-the-shelf mock of an OpenAPI
 * description, as a peer. It is large, so it is not a dependency of this package: the bench
 * installs it on first use into a cache directory outside the repository
 * (`~/.cache/nhn-ocr-emulator-bench`, or `$NHN_OCR_BENCH_CACHE`), under `flock /tmp/npm.lock`
 * like every npm install on shared machines, and skips the Prism rows with a note if that fails.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Where Prism is installed. */
export const PRISM_CACHE = process.env['NHN_OCR_BENCH_CACHE'] ?? join(homedir(), '.cache', 'nhn-ocr-emulator-bench');
const PRISM_BIN = join(PRISM_CACHE, 'node_modules', '@stoplight', 'prism-cli', 'dist', 'index.js');

/** Prism's entry script, or why it is not available. */
export type PrismInstall = { script: string; version: string } | { skipped: string };

/**
 * Makes sure Prism is installed in the cache and says where.
 * @example const prism = await ensurePrism(); if ('script' in prism) spawn(process.execPath, [prism.script, 'mock', 'openapi.yaml'])
 */
export async function ensurePrism(): Promise<PrismInstall> {
  try {
    if (!existsSync(PRISM_BIN)) {
      mkdirSync(PRISM_CACHE, { recursive: true });
      console.error(`bench: installing @stoplight/prism-cli into ${PRISM_CACHE} (once)...`);
      const hasFlock = await run('sh', ['-c', 'command -v flock']).then(
        () => true,
        () => false,
      );
      const npm = ['npm', 'install', '--no-audit', '--no-fund', '--prefix', PRISM_CACHE, '@stoplight/prism-cli@5'];
      await (hasFlock ? run('flock', ['/tmp/npm.lock', ...npm], { timeout: 300_000 }) : run(npm[0]!, npm.slice(1), { timeout: 300_000 }));
    }
    if (!existsSync(PRISM_BIN)) return { skipped: `Prism is not at ${PRISM_BIN} after npm install` };
    const { stdout } = await run(process.execPath, [PRISM_BIN, '--version']);
    return { script: PRISM_BIN, version: stdout.trim() };
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    return { skipped: `Prism could not be installed into ${PRISM_CACHE}: ${message}` };
  }
}

/** The arguments of `prism mock` for a port: quiet (warnings only), as fast as Prism goes. */
export function prismArgs(script: string, document: string): (port: number) => string[] {
  return (port) => [script, 'mock', document, '-h', '127.0.0.1', '-p', String(port), '-v', 'warn'];
}
