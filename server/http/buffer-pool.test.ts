import { describe, expect, it } from 'vitest';
import { BufferPool } from './buffer-pool.js';

const KiB = 1024;

describe('BufferPool', () => {
  it('hands out a buffer given back, for a body of about the same size', () => {
    const pool = new BufferPool(1024 * KiB, 256 * KiB);
    const a = pool.take(100 * KiB);
    expect(a.length).toBe(100 * KiB);
    pool.give(a);
    expect(pool.freeBytes).toBe(128 * KiB);
    const b = pool.take(120 * KiB);
    expect(b.buffer).toBe(a.buffer);
    expect(pool.freeBytes).toBe(0);
    // Another size class: a buffer of its own.
    expect(pool.take(10 * KiB).buffer).not.toBe(a.buffer);
  });

  it('never hands out one buffer twice at a time, even when given back twice', () => {
    const pool = new BufferPool(1024 * KiB, 256 * KiB);
    const a = pool.take(100 * KiB);
    pool.give(a);
    pool.give(a);
    expect(pool.freeBytes).toBe(128 * KiB);
    const b = pool.take(100 * KiB);
    const c = pool.take(100 * KiB);
    expect(b.buffer).not.toBe(c.buffer);
  });

  it('keeps nothing over its bounds, nor a buffer of a size it does not make', () => {
    const pool = new BufferPool(256 * KiB, 128 * KiB);
    const big = pool.take(200 * KiB);
    pool.give(big);
    expect(pool.freeBytes).toBe(0);
    const taken = [pool.take(100 * KiB), pool.take(100 * KiB), pool.take(100 * KiB)];
    for (const b of taken) pool.give(b);
    expect(pool.freeBytes).toBe(256 * KiB);
    pool.give(Buffer.alloc(64 * KiB).subarray(1));
    pool.give(Buffer.alloc(100 * KiB));
    expect(pool.freeBytes).toBe(256 * KiB);
  });
});
