/**
 * The shipped type declarations reach nothing a consumer does not get: starting from the
 * package's exports, every .d.ts they import (transitively) may import only Node's built-in
 * modules and dependencies that ship their own types (valibot). A declaration that imported express or multer would need their @types packages,
 * which are development dependencies here, and a consumer with `skipLibCheck: false` would fail.
 * (test/package/install.test.ts proves the same on an installed tarball with tsc.)
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AppOptions as PublicAppOptions } from '../../server/index.js';
import type { AppOptions as AdapterAppOptions } from '../../server/http/pipeline.js';
import { ROOT } from '../../contracts/lib/spawn-emulator.js';

interface Exports {
  [subpath: string]: string | { types?: string; default?: string };
}

/** Every .d.ts reachable from `entry`, and the bare specifiers they import. */
function walk(entry: string): { files: string[]; bare: Map<string, string> } {
  const seen = new Set<string>();
  const bare = new Map<string, string>();
  const queue = [entry];
  while (queue.length) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const source = readFileSync(file, 'utf8');
    // Without comments: JSDoc examples import the package by name.
    const text = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/(?!\/).*$/gm, '');
    const specifiers = [
      ...[...text.matchAll(/(?:\bfrom|\bimport)\s*\(?\s*['"]([^'"]+)['"]/g)].map((m) => m[1]!),
      ...[...text.matchAll(/\/\/\/\s*<reference\s+types="([^"]+)"/g)].map((m) => m[1]!),
    ];
    for (const specifier of specifiers) {
      if (specifier.startsWith('.')) queue.push(resolve(dirname(file), specifier.replace(/\.js$/, '.d.ts')));
      else bare.set(specifier, file.slice(ROOT.length));
    }
  }
  return { files: [...seen], bare };
}

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { exports: Exports; dependencies: Record<string, string> };

/** A dependency (not a development one) that ships its own types, as valibot does. */
function typedDependency(specifier: string): boolean {
  const name = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]!;
  if (!Object.hasOwn(pkg.dependencies, name)) return false;
  const manifest = readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8');
  return /"(types|typings)"\s*:/.test(manifest);
}

describe('the shipped declarations', () => {
  const entries = Object.values(pkg.exports)
    .flatMap((target) => (typeof target === 'object' && target.types ? [target.types] : []))
    .map((types) => join(ROOT, types));

  it('exist for every export (run npm run build first)', () => {
    expect(entries.length).toBe(2);
    for (const entry of entries) expect(existsSync(entry), entry).toBe(true);
  });

  it('import nothing but node: built-ins and typed dependencies, however deep', () => {
    for (const entry of entries) {
      const { files, bare } = walk(entry);
      expect(files.length).toBeGreaterThan(3);
      const foreign = [...bare]
        .filter(([specifier]) => !specifier.startsWith('node:') && !typedDependency(specifier))
        .map(([specifier, file]) => `${specifier} (in ${file})`);
      expect(foreign, `reachable from ${entry.slice(ROOT.length)}`).toEqual([]);
    }
  });

  it("keep createApp's public options the same as the HTTP adapter's (checked by tsc)", () => {
    // Each way round, optional fields included: a field added to one and not the other fails tsc.
    type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
    const same: Same<Required<PublicAppOptions>, Required<AdapterAppOptions>> = true;
    expect(same).toBe(true);
  });
});
