/**
 * Buffers for whole upload bodies, used again once a request is done with them.
 *
 * Why: a Buffer of more than a few KB lives outside V8's heap, and V8 counts that memory: once it
 * has grown by 64 MB since the last full collection, V8 runs one (several milliseconds), however
 * little the heap itself holds. Young collections free such buffers sooner, but they run only as
 * often as JavaScript garbage fills the young generation, and an upload now makes little of it.
 * So a new body buffer per upload (100 KB, beside Node's own copies of the socket reads and the
 * decrypted image) brought a full collection every ~150 uploads; a body buffer taken from here
 * is allocated once.
 *
 * Bounded: buffers of at most `maxBufferBytes` (larger bodies get a buffer of their own, as
 * before), and at most `maxPooledBytes` kept while unused.
 */

/** Capacities are powers of two from this up, so that a buffer fits many bodies of about one size. */
const MIN_CAPACITY = 64 * 1024;

/**
 * A pool of body buffers.
 * @example const pool = new BufferPool(4 * 1024 * 1024, 1024 * 1024); const b = pool.take(100_000); pool.give(b)
 */
export class BufferPool {
  readonly #free = new Map<number, Buffer[]>();
  #freeBytes = 0;

  constructor(
    readonly maxPooledBytes: number,
    readonly maxBufferBytes: number,
  ) {}

  /**
   * A buffer of `size` bytes (its contents are whatever was there): a view of a pooled buffer,
   * or a buffer of its own when `size` is over `maxBufferBytes`. Give it back with {@link give}
   * once nothing refers to it any more.
   * @example const body = pool.take(102_400)
   */
  take(size: number): Buffer {
    if (size > this.maxBufferBytes) return Buffer.allocUnsafe(size);
    const capacity = capacityFor(size);
    const buffer = this.#free.get(capacity)?.pop();
    if (buffer) {
      this.#freeBytes -= capacity;
      return buffer.subarray(0, size);
    }
    return Buffer.allocUnsafeSlow(capacity).subarray(0, size);
  }

  /**
   * Takes back a buffer from {@link take}, to be handed out again; kept only while the pool is
   * under its bound. The caller must hold no other reference to it, nor any view of it.
   * @example pool.give(body)
   */
  give(buffer: Buffer): void {
    const capacity = buffer.buffer.byteLength;
    if (buffer.byteOffset !== 0 || capacity !== capacityFor(capacity) || capacity > this.maxBufferBytes) return;
    if (this.#freeBytes + capacity > this.maxPooledBytes) return;
    const list = this.#free.get(capacity) ?? [];
    if (list.some((b) => b.buffer === buffer.buffer)) return; // given back twice: keep it once
    list.push(Buffer.from(buffer.buffer, 0, capacity));
    this.#free.set(capacity, list);
    this.#freeBytes += capacity;
  }

  /** Bytes kept unused. */
  get freeBytes(): number {
    return this.#freeBytes;
  }
}

function capacityFor(size: number): number {
  let capacity = MIN_CAPACITY;
  while (capacity < size) capacity *= 2;
  return capacity;
}
