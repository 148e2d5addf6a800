/**
 * Watching folder trees: which folders are watched (every folder of a tree; for a missing root,
 * the nearest folder above it), and changes seen after atomic saves and folders made again.
 */
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { targets, watchTrees } from './watch-tree.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'watch-tree-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Resolves once `count()` has grown past `from`; gives up after 10 s (a generous bound, not a timing check). */
async function grown(count: () => number, from: number): Promise<number> {
  const deadline = Date.now() + 10_000;
  while (count() <= from && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  return count();
}

describe('targets', () => {
  it('are every folder of a tree, links to folders not followed', () => {
    mkdirSync(join(dir, 'a', 'b'), { recursive: true });
    writeFileSync(join(dir, 'a', 'file.yaml'), '');
    expect(
      targets(dir)
        .map((t) => t.dir)
        .sort(),
    ).toEqual([dir, join(dir, 'a'), join(dir, 'a', 'b')]);
  });

  it('for a missing root: the nearest folder above it, for the next name on the way down', () => {
    expect(targets(join(dir, 'not', 'yet'))).toEqual([{ dir, only: 'not' }]);
  });
});

describe('watchTrees', () => {
  it('sees every atomic save of a file, and edits in a root made again', async () => {
    const root = join(dir, 'root');
    mkdirSync(root);
    let changes = 0;
    const stop = watchTrees([root], () => changes++, 20);
    try {
      for (let version = 0; version < 3; version++) {
        const before = changes;
        writeFileSync(join(root, '.tmp'), `v${version}`);
        renameSync(join(root, '.tmp'), join(root, 'file.yaml'));
        expect(await grown(() => changes, before), `save ${version}`).toBeGreaterThan(before);
      }
      let before = changes;
      rmSync(root, { recursive: true });
      expect(await grown(() => changes, before)).toBeGreaterThan(before);
      before = changes;
      mkdirSync(root);
      expect(await grown(() => changes, before)).toBeGreaterThan(before);
      before = changes;
      writeFileSync(join(root, 'file.yaml'), 'again');
      expect(await grown(() => changes, before)).toBeGreaterThan(before);
    } finally {
      stop();
    }
  });
});
