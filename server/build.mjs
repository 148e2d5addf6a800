#!/usr/bin/env node
/**
 * `npm run build` (and `prepare` in a checkout): compiles TypeScript into dist/ (tsc, with the
 * declarations the package ships), bundles the command's entry point, and parses the built-in
 * scenario files ahead (server/scenario-cache.ts).
 *
 * The bundle: dist/server/main.js is replaced by one file holding it and every module of this
 * project it imports (npm packages stay imports). Node loads ES modules one by one, and for the
 * forty-odd small modules of the emulator that cost about a fifth of its start-up; as one file
 * the command starts within 1.3x of a bare express app (test/bench/README.md). esbuild does it
 * in milliseconds and leaves the code as tsc emitted it. The library entry points
 * (dist/server/index.js, dist/contracts/client/index.js) stay separate modules.
 */
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const main = join(root, 'dist', 'server', 'main.js');

rmSync(join(root, 'dist'), { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
execFileSync(process.execPath, [tsc, '-p', join(root, 'server', 'tsconfig.build.json')], { stdio: 'inherit' });
await build({
  entryPoints: [main],
  outfile: main,
  allowOverwrite: true,
  bundle: true,
  packages: 'external',
  platform: 'node',
  format: 'esm',
  target: 'node20',
  logLevel: 'warning',
});
const { writeScenarioStore, PARSED_SCENARIOS_FILE } = await import(join(root, 'dist', 'server', 'scenario-cache.js'));
const count = writeScenarioStore();
console.log(
  `build: dist/ compiled, ${main.slice(root.length + 1)} bundled, ${count} built-in scenario files parsed into ${PARSED_SCENARIOS_FILE.slice(root.length + 1)}`,
);
