import { describe, expect, it } from 'vitest';
import { randomUuid, type RandomSource } from './random.js';

/** A source that hands out the given bytes. */
const fixed = (hex: string): RandomSource => ({ bytes: (count) => Buffer.from(hex, 'hex').subarray(0, count) });

describe('randomUuid', () => {
  it('lays the 16 bytes out as a version-4 UUID, version and variant bits set', () => {
    expect(randomUuid(fixed('00112233445566778899aabbccddeeff'))).toBe('00112233-4455-4677-8899-aabbccddeeff');
    expect(randomUuid(fixed('ffffffffffffffffffffffffffffffff'))).toBe('ffffffff-ffff-4fff-bfff-ffffffffffff');
    expect(randomUuid(fixed('00000000000000000000000000000000'))).toBe('00000000-0000-4000-8000-000000000000');
  });

  it('agrees with crypto.randomUUID\'s shape on random bytes', async () => {
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
