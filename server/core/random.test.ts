import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { randomInt, randomUuid, seededRandom, type RandomSource } from './random.js';

/** A source that hands out the given bytes. */
const fixed = (hex: string): RandomSource => ({ bytes: (count) => Buffer.from(hex, 'hex').subarray(0, count) });

describe('randomUuid', () => {
  it('lays the 16 bytes out as a version-4 UUID, version and variant bits set', () => {
    expect(randomUuid(fixed('00112233445566778899aabbccddeeff'))).toBe('00112233-4455-4677-8899-aabbccddeeff');
    expect(randomUuid(fixed('ffffffffffffffffffffffffffffffff'))).toBe('ffffffff-ffff-4fff-bfff-ffffffffffff');
    expect(randomUuid(fixed('00000000000000000000000000000000'))).toBe('00000000-0000-4000-8000-000000000000');
  });

  it("agrees with crypto.randomUUID's shape on random bytes", async () => {
    const { randomBytes } = await import('node:crypto');
    for (let i = 0; i < 200; i++) {
      const bytes = randomBytes(16);
      const uuid = randomUuid(fixed(bytes.toString('hex')));
      expect(uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      // Apart from the version and variant bits, the bytes as they came.
      expect(uuid.replace(/-/g, '').slice(0, 12)).toBe(bytes.toString('hex').slice(0, 12));
      expect(uuid.replace(/-/g, '').slice(18)).toBe(bytes.toString('hex').slice(18));
    }
  });
});

describe('seededRandom', () => {
  /** The stream as defined: SHA-256(seed || decimal counter) for counter 0, 1, 2, ..., end to end. */
  const reference = (seed: string, length: number) => {
    const blocks: Buffer[] = [];
    for (let counter = 0; blocks.length * 32 < length; counter++) blocks.push(createHash('sha256').update(seed).update(String(counter)).digest());
    return Buffer.concat(blocks).subarray(0, length);
  };

  it('hands out the counter-mode stream in order, however it is drawn', () => {
    for (const sizes of [[4, 4, 4, 4, 4, 4, 4, 4, 4], [1, 31, 1, 32, 33, 0, 64, 5], [100], [16, 3, 40, 2, 2, 2, 70]]) {
      const source = seededRandom('credit-card:abc');
      const drawn = Buffer.concat(sizes.map((n) => source.bytes(n)));
      expect(drawn.equals(reference('credit-card:abc', drawn.length))).toBe(true);
    }
  });

  it('uint32 reads the same stream as bytes(4), mixed with byte draws in any order', () => {
    const stream = reference('credit-card:abc', 400);
    const source = seededRandom('credit-card:abc');
    let at = 0;
    for (const size of [4, 4, 1, 4, 31, 4, 4, 4, 4, 4, 4, 4, 4, 3, 4, 64, 4, 4, 2, 4]) {
      if (size === 4 && at % 3 !== 1) {
        expect(source.uint32!()).toBe(stream.readUInt32BE(at));
      } else {
        expect(source.bytes(size).equals(stream.subarray(at, at + size))).toBe(true);
      }
      at += size;
    }
    expect(randomInt(seededRandom('y'), 0, 9)).toBe(reference('y', 4).readUInt32BE(0) % 10);
  });

  it('gives each draw its own bytes (changing one changes no later draw)', () => {
    const source = seededRandom('x');
    const first = source.bytes(8);
    first.fill(0);
    expect(source.bytes(8).equals(reference('x', 16).subarray(8))).toBe(true);
  });
});
