/**
 * Reading files a person or a program put in a folder the emulator reads (scenario files, their
 * sample images, key rings), without letting any of them stall or exhaust the server. A file is
 * read only when it is a regular file within a size bound, judged by `fstat` on the descriptor
 * opened with O_NONBLOCK: opening a FIFO does not wait for a writer, and a file swapped for a
 * FIFO or a device after a `stat` is still caught. A link to /dev/zero, a FIFO, a directory with
 * the right name: each is refused with a message saying what it is.
 */
import { createHash } from 'node:crypto';
import { closeSync, constants, fstatSync, openSync, readSync, statSync, type Stats } from 'node:fs';
import { open, stat } from 'node:fs/promises';

/**
 * A file that cannot be read as it stands, with what to tell the person who put it there.
 * @example throw new Unreadable('is a FIFO (named pipe), not a regular file: not read')
 */
export class Unreadable extends Error {}

/**
 * What kind of thing a stat describes, for a problem message.
 * @example kindOf(statSync('/dev/zero')) // 'a character device'
 */
function kindOf(stats: Stats): string {
  if (stats.isDirectory()) return 'a directory';
  if (stats.isFIFO()) return 'a FIFO (named pipe)';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isSocket()) return 'a socket';
  return 'not a regular file';
}

function refuse(stats: Stats, maxBytes: number): void {
  if (!stats.isFile()) throw new Unreadable(`is ${kindOf(stats)}, not a regular file: not read`);
  if (stats.size > maxBytes) throw new Unreadable(`is ${stats.size} bytes; at most ${maxBytes} are read`);
}

/** Open flags: read only, never wait (a FIFO), never become a controlling terminal (a tty). */
const READ_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOCTTY ?? 0);

/**
 * Reads a regular file of at most `maxBytes`, without ever blocking on what is not one. A `stat`
 * first spares opening a device at all (opening some has effects); the `fstat` of the opened
 * descriptor is what counts, since the path may have changed in between.
 * @example readBoundedFile('scenarios/credit-card/ok.yaml', 256 * 1024).length // 107
 */
export function readBoundedFile(path: string, maxBytes: number): Buffer {
  refuse(statSync(path), maxBytes);
  const fd = openSync(path, READ_FLAGS);
  try {
    const stats = fstatSync(fd);
    refuse(stats, maxBytes);
    // Read to the end, but never more than the bound: the file may grow while it is read.
    const buffer = Buffer.alloc(Math.min(stats.size, maxBytes) + 1);
    let length = 0;
    for (let n; length < buffer.length && (n = readSync(fd, buffer, length, buffer.length - length, null)) > 0; ) length += n;
    if (length > maxBytes) throw new Unreadable(`grew past ${maxBytes} bytes while it was read`);
    return buffer.subarray(0, length);
  } finally {
    closeSync(fd);
  }
}

/**
 * The SHA-256 of a sample image, read and hashed a slice at a time with the event loop free in
 * between (the same checks as `readBoundedFile`).
 * @example await hashBoundedFile('my-scenarios/test-card.jpg', 20 * 1024 * 1024) // '9f86…'
 */
export async function hashBoundedFile(path: string, maxBytes: number): Promise<string> {
  refuse(await stat(path), maxBytes);
  const handle = await open(path, READ_FLAGS);
  try {
    refuse(await handle.stat(), maxBytes);
    const hash = createHash('sha256');
    const slice = Buffer.alloc(256 * 1024);
    let total = 0;
    for (let n; (n = (await handle.read(slice, 0, slice.length, null)).bytesRead) > 0; ) {
      total += n;
      if (total > maxBytes) throw new Unreadable(`grew past ${maxBytes} bytes while it was read`);
      hash.update(slice.subarray(0, n));
      await new Promise((resolve) => setImmediate(resolve)); // let requests in between slices
    }
    return hash.digest('hex');
  } finally {
    await handle.close();
  }
}

/**
 * Why a file could not be read, in a problem's words: what it is, or the system's error code.
 * @example readProblem(Object.assign(new Error(), { code: 'EACCES' })) // 'cannot read: EACCES'
 */
export function readProblem(error: unknown): string {
  if (error instanceof Unreadable) return error.message;
  const { code, message } = error as NodeJS.ErrnoException;
  return `cannot read: ${code ?? message}`;
}
