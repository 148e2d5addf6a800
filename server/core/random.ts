/**
 * Randomness comes in through this interface: production draws from the CSPRNG, tests from a
 * seeded generator so results can be asserted exactly.
 */
import { createHash, randomBytes } from 'node:crypto';

/** A source of random bytes. */
export interface RandomSource {
  bytes(count: number): Buffer;
  /**
   * The next 4 bytes as a big-endian unsigned number, exactly as `bytes(4).readUInt32BE(0)`
   * would read them; optional: a source may offer it to spare a Buffer a draw.
   */
  uint32?(): number;
}

/** The operating system's CSPRNG. */
export const cryptoRandom: RandomSource = { bytes: (count) => randomBytes(count) };

/**
 * A deterministic stream: SHA-256 in counter mode over a seed. Same seed, same bytes.
 * Unread bytes are kept with a read offset, so a draw neither copies the rest nor, through
 * `uint32`, allocates: a default reading takes about twenty draws (server/core/credit-card.ts).
 * @example seededRandom('image-sha').bytes(4) // always the same 4 bytes for that seed
 */
export function seededRandom(seed: string | Buffer): RandomSource {
  let counter = 0;
  let pool = Buffer.alloc(0);
  let at = 0;
  const fill = (count: number) => {
    while (pool.length - at < count) {
      const block = createHash('sha256').update(seed).update(String(counter++)).digest();
      pool = at < pool.length ? Buffer.concat([pool.subarray(at), block]) : block;
      at = 0;
    }
  };
  return {
    bytes(count) {
      fill(count);
      const out = Buffer.from(pool.subarray(at, at + count));
      at += count;
      return out;
    },
    uint32() {
      fill(4);
      const value = pool.readUInt32BE(at);
      at += 4;
      return value;
    },
  };
}

/**
 * A whole number in [min, max] drawn from a source.
 * @example randomInt(seededRandom('x'), 1, 12) // e.g. 7
 */
export function randomInt(source: RandomSource, min: number, max: number): number {
  const span = max - min + 1;
  return min + ((source.uint32 ? source.uint32() : source.bytes(4).readUInt32BE(0)) % span);
}

/**
 * A random UUID (version 4 layout) from a source.
 * @example randomUuid(cryptoRandom) // '3b241101-e2bb-4255-8caf-4136c566a962'
 */
export function randomUuid(source: RandomSource): string {
  const b = source.bytes(16);
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  // Written byte by byte and decoded once: the ledger keeps a Request-Key for an hour, and a
  // string joined from slices stays a tree of pieces pinning the whole hex text (~300 bytes
  // against 56 for one flat string).
  const text = Buffer.allocUnsafe(36);
  let at = 0;
  for (let i = 0; i < 16; i++) {
    if (i === 4 || i === 6 || i === 8 || i === 10) text[at++] = 0x2d; // '-'
    text[at++] = HEX_DIGITS[b[i]! >> 4]!;
    text[at++] = HEX_DIGITS[b[i]! & 0x0f]!;
  }
  return text.toString('latin1');
}

const HEX_DIGITS = Buffer.from('0123456789abcdef', 'latin1');
