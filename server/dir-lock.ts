/**
 * A lock file holding the pid of the process that uses a directory, written whole under a name
 * of its own and then linked to the lock's name (a link fails when the name exists), so that of
 * two processes starting at once only one gets it and no one ever reads a half-written lock. A lock whose process is gone (killed, crashed)
 * is taken over. Making the file is also the proof that the directory can be written: a
 * read-only directory (a read-only mount, or permissions) is refused here, with its error code.
 * Within one process, a directory is held once: a second holder would diverge just the same.
 * A lock naming this process's own pid that this process does not hold was left by an earlier
 * process that had the same pid, and is taken over too: in a container the emulator is always
 * PID 1, so after a container is killed its successor on the same volume finds "its own" pid.
 */
import { linkSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { readBoundedFile } from './bounded-read.js';

/** Lock files this process holds (resolved paths): a lock naming our pid is ours only if listed. */
const heldHere = new Set<string>();

/**
 * A held lock.
 * @example const lock = DirLock.take('/var/lib/ocr-keys/.lock', (why) => new Error(`keys ${why}`)); lock.release()
 */
export class DirLock {
  #held = true;

  private constructor(readonly file: string) {
    heldHere.add(resolve(file));
  }

  /**
   * Takes the lock or throws `refusal(why)`, `why` being one phrase: "is in use by process N"
   * or "is not writable (EROFS)".
   * @example DirLock.take(join(dir, '.lock'), (why) => new ConfigError(`keys directory ${dir} ${why}`))
   */
  static take(file: string, refusal: (why: string) => Error): DirLock {
    // Twice at most: the second try follows the removal of a lock whose process is gone.
    for (let attempt = 0; ; attempt++) {
      const code = linkFile(file);
      if (code === undefined) return new DirLock(file);
      if (code !== 'EEXIST') throw refusal(`is not writable (${code})`);
      const holder = holderOf(file);
      const stale = holder === process.pid && !heldHere.has(resolve(file));
      if (holder !== undefined && !stale && isAlive(holder)) throw refusal(`is in use by process ${holder}${holder === process.pid ? ' (this process)' : ''} (lock file ${file})`);
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
    heldHere.delete(resolve(this.file));
    if (holderOf(this.file) === process.pid) rmSync(this.file, { force: true });
  }
}

/** Writes this process's pid under a name of its own and links it as `file`; the error code, if any. */
function linkFile(file: string): string | undefined {
  const own = `${file}.${process.pid}`;
  try {
    writeFileSync(own, `${process.pid}\n`, { mode: 0o600 });
    linkSync(own, file);
    return undefined;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code ?? (error as Error).message;
  } finally {
    rmSync(own, { force: true });
  }
}

/** The pid a lock file names; `undefined` when it names none (not a lock, or not a regular file). */
function holderOf(file: string): number | undefined {
  try {
    const pid = Number(readBoundedFile(file, 64).toString('utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
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
