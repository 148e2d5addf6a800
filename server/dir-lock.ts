/**
 * A lock file holding the pid of the process that uses a directory, written whole under a name
 * of its own and then linked to the lock's name (a link fails when the name exists), so that of
 * two processes starting at once only one gets it and no one ever reads a half-written lock. A lock whose process is gone (killed, crashed)
 * is taken over. Making the file is also the proof that the directory can be written: a
 * read-only directory (a read-only mount, or permissions) is refused here, with its error code.
 * Within one process, a directory is held once: a second holder would diverge just the same.
 *
 * The file names the host too. A pid says whether its holder lives only on the host that wrote
 * it, and only when the pid is not this process's own number: a container killed with its lock
 * in a volume leaves `1`, and the container started after it is pid 1 as well. So a lock is
 * honoured when it was written on this host by a live process, other than this one unless this
 * process holds it; a lock from another host (another container sharing the volume) cannot be
 * checked and is taken over.
 */
import { linkSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { readBoundedFile } from './bounded-read.js';

/** The lock files this process holds. */
const HELD = new Set<string>();

/**
 * A held lock.
 * @example const lock = DirLock.take('/var/lib/ocr-keys/.lock', (why) => new Error(`keys ${why}`)); lock.release()
 */
export class DirLock {
  #held = true;

  private constructor(readonly file: string) {}

  /**
   * Takes the lock or throws `refusal(why)`, `why` being one phrase: "is in use by process N"
   * or "is not writable (EROFS)".
   * @example DirLock.take(join(dir, '.lock'), (why) => new ConfigError(`keys directory ${dir} ${why}`))
   */
  static take(file: string, refusal: (why: string) => Error): DirLock {
    // Twice at most: the second try follows the removal of a lock whose process is gone.
    for (let attempt = 0; ; attempt++) {
      const code = linkFile(file);
      if (code === undefined) {
        HELD.add(resolve(file));
        return new DirLock(file);
      }
      if (code !== 'EEXIST') throw refusal(`is not writable (${code})`);
      const holder = holderOf(file);
      if (holder !== undefined && holdsIt(holder, file))
        throw refusal(`is in use by process ${holder.pid}${holder.pid === process.pid ? ' (this process)' : ''} (lock file ${file})`);
      if (attempt > 0) throw refusal(`is locked by ${file}, which could not be taken over`);
      try {
        rmSync(file, { force: true });
      } catch {
        // Not a file (a directory by that name): the next try reports it.
      }
    }
  }

  /** Removes the lock file, if it is still this process's. */
  release(): void {
    if (!this.#held) return;
    this.#held = false;
    HELD.delete(resolve(this.file));
    const holder = holderOf(this.file);
    if (holder?.pid === process.pid && holder.host === hostname()) rmSync(this.file, { force: true });
  }
}

/** Whether the process a lock names still holds it (see the module's comment). */
function holdsIt(holder: { pid: number; host: string | undefined }, file: string): boolean {
  if (holder.host !== undefined && holder.host !== hostname()) return false;
  if (holder.pid === process.pid) return HELD.has(resolve(file));
  return isAlive(holder.pid);
}

/** Writes this process's pid and host under a name of its own and links it as `file`; the error code, if any. */
function linkFile(file: string): string | undefined {
  const own = `${file}.${process.pid}`;
  try {
    writeFileSync(own, `${process.pid}\n${hostname()}\n`, { mode: 0o600 });
    linkSync(own, file);
    return undefined;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code ?? (error as Error).message;
  } finally {
    rmSync(own, { force: true });
  }
}

/** The pid and host a lock file names; `undefined` when it names no pid (not a lock, or not a regular file). */
function holderOf(file: string): { pid: number; host: string | undefined } | undefined {
  try {
    const [pidLine, host] = readBoundedFile(file, 512).toString('utf8').split('\n');
    const pid = Number(pidLine?.trim());
    return Number.isInteger(pid) && pid > 0 ? { pid, host: host?.trim() || undefined } : undefined;
  } catch {
    return undefined;
  }
}

/** Whether a process with this pid exists (EPERM: it does, as another user's). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
