// The shape of the import graph of what ships (server/ and contracts/, tests aside): no module
// imports one that imports it back, however far round (a cycle makes load order matter and
// modules impossible to read or test alone), and nothing imports from test/ (the package does
// not ship it). Type-only imports count: they are where such knots start.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../../contracts/lib/spawn-emulator.js';

/** Every shipped TypeScript module under `dir`, tests aside. */
function modules(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts') && !file.endsWith('.d.ts'))
    .map((file) => join(ROOT, dir, file));
}

/** The project modules a file imports (static, type-only and dynamic), as absolute .ts paths. */
function importsOf(file: string): string[] {
  const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  return importedFiles
    .map((entry) => entry.fileName)
    .filter((name) => name.startsWith('.'))
    .map((name) => resolve(dirname(file), name).replace(/\.js$/, '.ts'));
}

const FILES = [...modules('server'), ...modules('contracts')];
const GRAPH = new Map(FILES.map((file) => [file, importsOf(file)]));
const name = (file: string) => relative(ROOT, file);

/** The cycles of the graph, each as the path that closes it (a depth-first search). */
function cycles(): string[] {
  const found: string[] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (file: string) => {
    state.set(file, 'open');
    stack.push(file);
    for (const next of GRAPH.get(file) ?? []) {
      if (state.get(next) === 'open') found.push([...stack.slice(stack.indexOf(next)), next].map(name).join(' > '));
      else if (!state.has(next) && GRAPH.has(next)) visit(next);
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of FILES) if (!state.has(file)) visit(file);
  return found;
}

describe('the import graph of server/ and contracts/', () => {
  it('reads the modules and their imports', () => {
    expect(FILES.length).toBeGreaterThan(100);
    expect(GRAPH.get(join(ROOT, 'server', 'index.ts'))).toContain(join(ROOT, 'server', 'config.ts'));
  });

  it('has no cycle', () => {
    expect(cycles()).toEqual([]);
  });

  it('finds a cycle where there is one', () => {
    const a = join(ROOT, 'server', 'a.ts');
    const b = join(ROOT, 'server', 'b.ts');
    GRAPH.set(a, [b]).set(b, [a]);
    FILES.push(a, b);
    try {
      expect(cycles()).toEqual(['server/a.ts > server/b.ts > server/a.ts']);
    } finally {
      GRAPH.delete(a);
      GRAPH.delete(b);
      FILES.splice(-2, 2);
    }
  });

  it('imports nothing from test/', () => {
    const fromTests = [...GRAPH].flatMap(([file, imports]) =>
      imports.filter((target) => name(target).startsWith('test/')).map((target) => `${name(file)} > ${name(target)}`),
    );
    expect(fromTests).toEqual([]);
  });
});
