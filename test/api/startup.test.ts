/**
 * Start-up loads only what the first answer needs: multer (the first upload), image-size (the
 * first image) and yaml (a scenario file the build did not parse) wait until they are needed
 * (test/bench/README.md: start-up). No timing here; `npm run bench` measures it.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../../contracts/lib/spawn-emulator.js';

const PROBE = `
import { createRequire } from 'node:module';
const { startEmulator } = await import(${JSON.stringify(pathToFileURL(join(ROOT, 'dist', 'server', 'index.js')).href)});
const emulator = await startEmulator({ port: 0, watchScenarios: false });
const health = await fetch(emulator.url + '/__emulator/health');
const packages = Object.keys(createRequire(import.meta.url).cache).map((path) => path.split(/node_modules[\\\\/]/).at(-1).split(/[\\\\/]/)[0]);
console.log(JSON.stringify({ health: health.status, packages: [...new Set(packages)] }));
await emulator.close();
`;

describe('start-up', () => {
  it('answers health before loading multer, busboy, image-size or yaml', async () => {
    const output = await new Promise<string>((resolve, reject) => {
      execFile(process.execPath, ['--input-type=module', '-e', PROBE], { cwd: ROOT, timeout: 20_000 }, (error, stdout, stderr) =>
        error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout),
      );
    });
    const { health, packages } = JSON.parse(output) as { health: number; packages: string[] };
    expect(health).toBe(200);
    expect(packages).toContain('express');
    expect(packages.filter((name) => ['multer', 'busboy', 'image-size', 'yaml'].includes(name))).toEqual([]);
  });
});
