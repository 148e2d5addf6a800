/**
 * Watching folder trees for changes in a way that survives how files are really saved. Editors
 * and tools save atomically (write a temporary file, rename it over the old name), and people
 * delete and re-create folders. A watch follows an inode, not a name: Node's recursive
 * `fs.watch` on Linux watches each file, so after the first atomic save it watches a file no
 * longer in the tree and later edits go unseen. So every folder is watched (a folder sees
 * renames onto its names), and after each change the watches are armed afresh from what is on
 * disk then: a folder that is new, or replaced, or deleted and made again, is watched as it now
 * is. A root that does not exist (yet, or any more) is awaited by watching the nearest folder
 * above it that does, for its next name on the way down.
 */
import { readdirSync, statSync, watch, type FSWatcher } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** A folder to watch, and the one name in it that counts (for a folder above a missing root). */
interface Target {
  dir: string;
  only?: string;
}

/**
 * Calls `onChange` (debounced by `debounceMs`) whenever anything under the roots changes,
 * including files replaced by rename and folders deleted and made again.
 * @example const stop = watchTrees(['./my-scenarios'], () => void reload()); stop()
 */
export function watchTrees(roots: readonly string[], onChange: () => void, debounceMs = 100): () => void {
  let watchers: FSWatcher[] = [];
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  const closeAll = () => {
    for (const watcher of watchers) watcher.close();
    watchers = [];
  };
  const changed = () => {
    if (closed) return;
    clearTimeout(timer);
    timer = setTimeout(() => {
      if (closed) return;
      // Armed again before the change is handled, so whatever happens from here on is seen
      // (what happened while re-arming is read by the handler).
      arm();
      onChange();
    }, debounceMs);
  };
  const arm = () => {
    closeAll();
    for (const target of roots.flatMap(targets)) {
      try {
        const watcher = watch(target.dir, { persistent: false }, (_event, name) => {
          if (target.only === undefined || name === null || String(name) === target.only) changed();
        });
        // A folder that goes away mid-watch: its parent's watch sees it go.
        watcher.on('error', () => changed());
        watchers.push(watcher);
      } catch {
        // Gone between listing and watching, or not watchable: the parent's watch or the next change re-arms it.
      }
    }
  };
  arm();
  return () => {
    closed = true;
    clearTimeout(timer);
    closeAll();
  };
}

/**
 * The folders to watch for one root: every folder of its tree (links to folders are not
 * followed, as the scenario loader does not follow them), or the nearest existing folder above
 * a root that is missing or no folder.
 * @example targets('/srv/scenarios') // [{ dir: '/srv/scenarios' }, { dir: '/srv/scenarios/team' }]
 */
export function targets(root: string): Target[] {
  if (isDirectory(root)) return [{ dir: root }, ...subfolders(root)];
  let below = root;
  for (let dir = dirname(root); ; below = dir, dir = dirname(dir)) {
    if (isDirectory(dir)) return [{ dir, only: basename(below) }];
    if (dirname(dir) === dir) return [];
  }
}

function subfolders(dir: string): Target[] {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.filter((entry) => entry.isDirectory()).flatMap((entry) => [{ dir: join(dir, entry.name) }, ...subfolders(join(dir, entry.name))]);
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
