/**
 * The package as a user gets it: `npm pack` of what `npm test` just built, installed into a fresh
 * project from npm's cache (offline: the dependencies at the versions package-lock.json pins),
 * type-checked by tsc with `strict` and `skipLibCheck: false` under `moduleResolution` node16
 * and bundler, then run: the emulator in-process and a credit-card call through the client kit;
 * and both commands from node_modules/.bin (`nhn-ocr-contracts` compiled, without tsx). The
 * README's snippets a user copies first run here as written, against the installed package: the
 * quick start's npx command, the in-process vitest recipe, the v2.1 client and the CI recipe.
 */
import { execFile, type ExecFileException, spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/free-port.js';
import { ROOT, untilReady } from '../../contracts/lib/spawn-emulator.js';
import { startEmulator } from '../../server/index.js';

interface Manifest {
  name: string;
  version: string;
  dependencies: Record<string, string>;
  bin: Record<string, string>;
  engines: Record<string, string>;
  license: string;
}
interface LockEntry {
  dev?: boolean;
  devOptional?: boolean;
  [field: string]: unknown;
}

const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as Manifest;
const work = mkdtempSync(join(tmpdir(), 'nhn-ocr-package-'));
const app = join(work, 'app');
afterAll(() => rmSync(work, { recursive: true, force: true }));

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<{ stdout: string; stderr: string; code: number }> {
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      { cwd, env: { ...process.env, ...env }, timeout: 90_000, maxBuffer: 16 * 1024 * 1024 },
      (error: ExecFileException | null, stdout, stderr) => {
        resolve({ stdout, stderr, code: error ? (typeof error.code === 'number' ? error.code : -1) : 0 });
      },
    );
  });
}

/**
 * The consumer's lock file: the packed tarball plus the production entries of this repository's
 * lock, so `npm ci --offline` installs exactly what the tests ran with, from the cache.
 */
function consumerLock(tarball: string): object {
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> };
  const packages: Record<string, unknown> = {
    '': { name: 'consumer', dependencies: { [manifest.name]: `file:../${tarball}` } },
    [`node_modules/${manifest.name}`]: {
      version: manifest.version,
      resolved: `file:../${tarball}`,
      license: manifest.license,
      dependencies: manifest.dependencies,
      bin: manifest.bin,
      engines: manifest.engines,
    },
  };
  for (const [path, entry] of Object.entries(lock.packages)) if (path !== '' && !entry.dev && !entry.devOptional) packages[path] = entry;
  return { name: 'consumer', lockfileVersion: 3, requires: true, packages };
}

/** What a user writes: both entry points, typed options, a credit-card call, the admin client. */
const CONSUMER = `
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { ConfigError, startEmulator, type RunningEmulator, type StartOptions } from 'nhn-ocr-emulator';
import { authenticityFieldsFrom, createOcrClient, emulatorControl, type AuthenticityFields, type IdCardResult } from 'nhn-ocr-emulator/client';

const options: StartOptions = { port: 0, watchScenarios: false, credentials: { 'consumer-app': 'consumer-secret' }, logger: () => {} };
const emulator: RunningEmulator = await startEmulator(options);
try {
  const root = dirname(createRequire(import.meta.url).resolve('nhn-ocr-emulator/package.json'));
  const image = await readFile(join(root, 'test', 'fixtures', 'card-856x540.jpg'));
  const client = createOcrClient({ baseUrl: emulator.url, appKey: 'consumer-app', secretKey: 'consumer-secret' });
  const card = await client.creditCard(image);
  const health = await emulatorControl(emulator.url).health();
  const refused = await startEmulator({ requestKeyTtlSeconds: -5 }).catch((error: unknown) => error instanceof ConfigError);
  console.log(JSON.stringify({ resultCode: card.resultCode, digits: card.result?.totalCardNum.length, health: health.status, refused }));
} finally {
  await emulator.close();
}

export function fieldsOf(result: IdCardResult): AuthenticityFields {
  return authenticityFieldsFrom(result);
}
// @ts-expect-error a misspelt field is a type error for users too
export const misspelt: AuthenticityFields = { idType: 'resident', name: 'a', residentNumber: '1', issueDat: '2' };
`;

const STRICT: ts.CompilerOptions = {
  strict: true,
  skipLibCheck: false,
  noUncheckedIndexedAccess: true,
  exactOptionalPropertyTypes: true,
  target: ts.ScriptTarget.ES2022,
  lib: ['lib.es2023.d.ts'],
  types: ['node'],
  isolatedModules: true,
  verbatimModuleSyntax: true,
};

/** tsc's answer for the consumer's `files` under `options`, as text (empty when clean). */
function typeCheck(options: ts.CompilerOptions, files = ['index.ts']): { errors: string; checked: number } {
  const compilerOptions = { ...STRICT, ...options, typeRoots: [join(app, 'node_modules', '@types')] };
  const host = ts.createCompilerHost(compilerOptions);
  // Resolve from the consumer, never from this repository.
  host.getCurrentDirectory = () => app;
  const program = ts.createProgram(
    files.map((file) => join(app, file)),
    compilerOptions,
    host,
  );
  // What skipLibCheck: false adds is the check of every .d.ts in the program. Those of this
  // package and the consumer's own file are checked here; @types/node and TypeScript's lib are
  // not this package's to answer for, and checking them would take most of the time.
  const ours = program
    .getSourceFiles()
    .filter((file) => file.fileName.includes(`/node_modules/${manifest.name}/`) || !file.fileName.includes('/node_modules/'));
  const diagnostics = [
    ...program.getOptionsDiagnostics(),
    ...program.getGlobalDiagnostics(),
    ...ours.flatMap((file) => [...program.getSyntacticDiagnostics(file), ...program.getSemanticDiagnostics(file)]),
  ];
  const errors = ts.formatDiagnostics(diagnostics, { getCanonicalFileName: (f) => f, getCurrentDirectory: () => app, getNewLine: () => '\n' });
  return { errors, checked: ours.length };
}

/**
 * README's CI recipe, run as written in the consumer project on a free port: it starts the
 * emulator, waits for health, and its last line stops it (the test then finds the port closed).
 */
async function ciRecipe(): Promise<{ code: number; stdout: string; stderr: string; port: number }> {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const block = /```sh\n(\.\/node_modules\/\.bin\/nhn-ocr-emulator [^`]*?)```/.exec(readme)?.[1];
  if (!block) throw new Error('README has no CI recipe starting ./node_modules/.bin/nhn-ocr-emulator');
  const port = await freePort();
  const script = block.replaceAll('8080', String(port)).replace('# ... run your tests here ...', 'curl -fsS "$OCR_BASE_URL/__emulator/health"');
  return { ...(await run('sh', ['-euc', script], app)), port };
}

/**
 * A README code block: the fenced block of `language` whose first line is a comment naming
 * `name` (`// card.test.ts`), or the one that holds `marker`.
 * @example readmeBlock('ts', 'card.test.ts')
 */
function readmeBlock(language: string, name: string): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const blocks = [...readme.matchAll(new RegExp(`^\`\`\`${language}\n([\\s\\S]*?)^\`\`\`$`, 'gm'))].map((match) => match[1]!);
  const block = blocks.find((text) => text.startsWith(`// ${name}`) || (!text.startsWith('//') && text.includes(name)));
  if (!block) throw new Error(`README has no ${language} block for ${name}`);
  return block;
}

/** Whether anything still answers on the port. */
function portAnswers(port: number): Promise<boolean> {
  return fetch(`http://127.0.0.1:${port}/__emulator/health`).then(
    () => true,
    () => false,
  );
}

describe('the packed package in a fresh project', () => {
  let installed: { stdout: string; stderr: string; code: number };
  let files: string[];

  beforeAll(async () => {
    const packed = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], ROOT);
    const [pack] = JSON.parse(packed.stdout) as { filename: string; files: { path: string }[] }[];
    const tarball = pack!.filename;
    files = pack!.files.map((file) => file.path);
    mkdirSync(app);
    writeFileSync(
      join(app, 'package.json'),
      JSON.stringify({ name: 'consumer', private: true, type: 'module', dependencies: { [manifest.name]: `file:../${tarball}` } }),
    );
    writeFileSync(join(app, 'package-lock.json'), JSON.stringify(consumerLock(tarball)));
    writeFileSync(join(app, 'index.ts'), CONSUMER);
    const flags = ['--no-audit', '--no-fund', '--loglevel=error'];
    installed = await run('npm', ['ci', '--offline', ...flags], app);
    // A cache without some tarball (node_modules copied from elsewhere): fetch just those.
    if (installed.code !== 0 && /ENOTCACHED/.test(installed.stderr)) installed = await run('npm', ['ci', '--prefer-offline', ...flags], app);
    // The consumer's own @types/node (typescript itself comes from this repository).
    mkdirSync(join(app, 'node_modules', '@types'), { recursive: true });
    symlinkSync(join(ROOT, 'node_modules', '@types', 'node'), join(app, 'node_modules', '@types', 'node'), 'dir');
  }, 120_000);

  it('holds the built code, its types and the files the commands read, and no sources or source maps', () => {
    expect(files).toEqual(
      expect.arrayContaining(['dist/server/main.js', 'dist/server/index.d.ts', 'dist/contracts/client/index.d.ts', 'dist/contracts/run.js', 'openapi.yaml']),
    );
    expect(files.filter((file) => /\.map$|\.test\.|(?<!\.d)\.ts$/.test(file))).toEqual([]);
    // The runner's modules ship as JavaScript only: their declarations would reach test tooling.
    expect(files.filter((file) => /^dist\/(contracts\/(lib|cases)|test)\/.*\.d\.ts$/.test(file))).toEqual([]);
    expect(files.some((file) => file.startsWith('test/fixtures/') && file.endsWith('.jpg'))).toBe(true);
    expect(files.some((file) => file.startsWith('contracts/snapshots/'))).toBe(true);
  });

  it('installs without running a build', () => {
    expect(installed.stderr, installed.stderr).not.toMatch(/npm error|ERR!/);
    expect(installed.code).toBe(0);
    const files = JSON.parse(readFileSync(join(app, 'node_modules', manifest.name, 'package.json'), 'utf8')) as Manifest;
    expect(files.version).toBe(manifest.version);
  });

  it('type-checks strictly under node16 and bundler resolution, runs, and its commands work', async () => {
    // The commands run while tsc works.
    const bin = (name: string) => join(app, 'node_modules', '.bin', name);
    const version = run(bin('nhn-ocr-emulator'), ['--version'], app);
    const contracts = run(bin('nhn-ocr-contracts'), ['--filter', 'credit-card/jpg-normal', '--no-parity'], app);
    const shipped = join(app, 'node_modules', manifest.name, 'contracts', 'snapshots', 'credit-card', 'png-normal.json');
    const shippedBefore = readFileSync(shipped, 'utf8');
    const recording = run(bin('nhn-ocr-contracts'), ['--filter', 'credit-card/png-normal', '--record'], app);

    const node16 = typeCheck({ module: ts.ModuleKind.Node16, moduleResolution: ts.ModuleResolutionKind.Node16, noEmit: true });
    expect(node16.errors).toBe('');
    expect(node16.checked).toBeGreaterThan(20);
    const bundler = typeCheck({ module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler, noEmit: true });
    expect(bundler.errors).toBe('');

    // Types are checked above; transpiling the one file is all the emit needed (a program's
    // emit would check every file first).
    writeFileSync(
      join(app, 'index.js'),
      ts.transpileModule(CONSUMER, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText,
    );
    const ran = await run(process.execPath, [join(app, 'index.js')], app);
    expect(ran.stderr).toBe('');
    expect(JSON.parse(ran.stdout)).toEqual({ resultCode: 0, digits: 16, health: 'ok', refused: true });

    expect(await version).toEqual({ code: 0, stdout: `${manifest.version}\n`, stderr: '' });
    const suite = await contracts;
    expect(suite.stdout, suite.stderr).toMatch(/^1 passed, 0 failed, 0 diverged, 0 skipped$/m);
    expect(suite.code).toBe(0);

    // Recordings land under the working directory; the installed package is left as it was.
    const recorded = await recording;
    expect(recorded.stdout, recorded.stderr).toContain(`recording snapshots in ${join(app, 'contracts', 'snapshots')}`);
    expect(recorded.code).toBe(0);
    const written = JSON.parse(readFileSync(join(app, 'contracts', 'snapshots', 'credit-card', 'png-normal.json'), 'utf8')) as { case: string; source: string };
    expect(written).toMatchObject({ case: 'credit-card/png-normal', source: 'emulator' });
    expect(readFileSync(shipped, 'utf8')).toBe(shippedBefore);
    // CommonJS: require() of both entry points (every Node that engines allows loads ES modules so).
    writeFileSync(
      join(app, 'from-commonjs.cjs'),
      "const e = require('nhn-ocr-emulator'); const c = require('nhn-ocr-emulator/client'); console.log(typeof e.startEmulator, typeof c.createOcrClient);",
    );
    const required = await run(process.execPath, ['--no-warnings', join(app, 'from-commonjs.cjs')], app);
    expect(required, required.stderr).toMatchObject({ code: 0, stdout: 'function function\n' });
    const ci = await ciRecipe();
    expect(ci.code, ci.stdout + ci.stderr).toBe(0);
    expect(await portAnswers(ci.port)).toBe(false);
    const usage = await run(bin('nhn-ocr-contracts'), ['--help'], app);
    expect(usage.stdout + usage.stderr).toMatch(/^usage: nhn-ocr-contracts /m);
  }, 120_000);
  it("runs README's quick start with npx: the tarball it names, the command it starts", async () => {
    const quick = readmeBlock('sh', 'npx nhn-ocr-emulator');
    expect(quick).toContain(`${manifest.name}-${manifest.version}.tgz`);
    const command = /^npx nhn-ocr-emulator --port 8080/m.exec(quick)?.[0];
    expect(command).toBeDefined();
    const port = await freePort();
    const [npx, ...args] = command!.replace('8080', String(port)).split(' ');
    // Its own process group: npx runs npm, npm runs node, and the group stops them all.
    const child = spawn(npx!, args, { cwd: app, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const emulator = await untilReady(child, 60_000);
      expect(emulator.url).toBe(`http://127.0.0.1:${port}`);
      expect(await (await fetch(`${emulator.url}/__emulator/health`)).json()).toMatchObject({ status: 'ok' });
    } finally {
      if (child.pid) process.kill(-child.pid, 'SIGTERM');
    }
  }, 90_000);

  it("runs README's in-process recipe: the vitest global setup and the test that calls the emulator", async () => {
    const setup = readmeBlock('ts', 'ocr-emulator.setup.ts');
    const config = /^\/\/ ocr-emulator\.setup\.ts \(vitest\.config\.ts: (test: \{.*\})\)$/m.exec(setup)?.[1];
    expect(config, 'the setup block names its vitest.config.ts line').toBeDefined();
    const project = join(work, 'in-process');
    mkdirSync(project);
    symlinkSync(join(app, 'node_modules'), join(project, 'node_modules'), 'dir');
    // vitest, as the consumer's own development dependency.
    symlinkSync(join(ROOT, 'node_modules', 'vitest'), join(app, 'node_modules', 'vitest'), 'dir');
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'in-process', private: true, type: 'module' }));
    writeFileSync(join(project, 'vitest.config.ts'), `import { defineConfig } from 'vitest/config';\nexport default defineConfig({ ${config} });\n`);
    writeFileSync(join(project, 'ocr-emulator.setup.ts'), setup);
    writeFileSync(join(project, 'card.test.ts'), readmeBlock('ts', 'card.test.ts'));
    copyFileSync(join(ROOT, 'test', 'fixtures', 'card-856x540.jpg'), join(project, 'card.jpg'));
    const ran = await run(process.execPath, [join(ROOT, 'node_modules', 'vitest', 'vitest.mjs'), 'run'], project, { NO_COLOR: '1' });
    expect(ran.code, ran.stdout + ran.stderr).toBe(0);
    expect(ran.stdout).toMatch(/Tests\s+1 passed/);
  }, 90_000);

  it("runs README's v2.1 client: a token from the emulated issuer, an ID card read with it", async () => {
    const emulator = await startEmulator({ port: 0, watchScenarios: false, logger: () => {} });
    try {
      const snippet = readmeBlock('ts', 'v21.ts');
      expect(snippet).toContain("baseUrl: 'http://127.0.0.1:8080'");
      copyFileSync(join(ROOT, 'test', 'fixtures', 'id-resident-900x570.jpg'), join(app, 'id-card.jpg'));
      writeFileSync(join(app, 'v21.ts'), snippet);
      const typed = typeCheck({ module: ts.ModuleKind.Node16, moduleResolution: ts.ModuleResolutionKind.Node16, noEmit: true }, ['v21.ts']);
      expect(typed.errors).toBe('');
      const source = snippet.replace('http://127.0.0.1:8080', emulator.url);
      writeFileSync(
        join(app, 'v21.mjs'),
        ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText,
      );
      const ran = await run(process.execPath, [join(app, 'v21.mjs')], app);
      expect(ran.stderr).toBe('');
      expect(ran.stdout).toBe('0 resident true\n86400\n');
    } finally {
      await emulator.close();
    }
  }, 60_000);
});
