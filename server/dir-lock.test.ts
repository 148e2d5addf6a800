import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DirLock } from './dir-lock.js';

const refusal = (why: string) => new Error(why);

describe('DirLock', () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const lockIn = () => {
    dir = mkdtempSync(join(tmpdir(), 'dir-lock-'));
    return join(dir, '.lock');
  };

  it('writes the pid and the host, refuses a second holder in this process, and lets go', () => {
    const file = lockIn();
    const lock = DirLock.take(file, refusal);
    expect(readFileSync(file, 'utf8')).toBe(`${process.pid}\n${hostname()}\n`);
    expect(() => DirLock.take(file, refusal)).toThrow(`is in use by process ${process.pid} (this process) (lock file ${file})`);
    lock.release();
    DirLock.take(file, refusal).release();
  });

  it("takes over a lock naming this process's pid that this process does not hold (a container restarted with its lock in a volume: pid 1 again)", () => {
    const file = lockIn();
    writeFileSync(file, `${process.pid}\n${hostname()}\n`);
    const lock = DirLock.take(file, refusal);
    expect(readFileSync(file, 'utf8')).toBe(`${process.pid}\n${hostname()}\n`);
    lock.release();
  });

  it('honours a live process of this host, and takes over a lock written on another host, whose pid says nothing here', () => {
    const file = lockIn();
    // pid 1 lives on every host (init, or the container's first process).
    writeFileSync(file, `1\n${hostname()}\n`);
    expect(() => DirLock.take(file, refusal)).toThrow('is in use by process 1');
    writeFileSync(file, '1\nanother-host\n');
    DirLock.take(file, refusal).release();
  });
});
