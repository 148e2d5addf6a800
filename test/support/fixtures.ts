/**
 * Test fixtures: images, fixed RSA keys and the openssl-made envelope vectors in test/fixtures/.
 */
import { readFileSync } from 'node:fs';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import type { KeyFactory, KeyMaterial } from '../../server/core/key-store.js';

const dir = new URL('../fixtures/', import.meta.url);

/**
 * Reads a fixture file.
 * @example const jpeg = fixture('card-856x540.jpg')
 */
export function fixture(name: string): Buffer {
  return readFileSync(new URL(name, dir));
}

/** The fixed RSA key pairs, parsed once. */
export const FIXED_KEYS = ['rsa-2048-a.pem', 'rsa-2048-b.pem'].map((name): KeyMaterial & { pem: string } => {
  const pem = fixture(name).toString('utf8');
  const privateKey = createPrivateKey(pem);
  return { pem, privateKey, publicKeyDer: createPublicKey(privateKey).export({ type: 'spki', format: 'der' }) };
});

/**
 * A key factory that hands out the fixed keys in turn: no RSA generation in tests, and the
 * openssl vectors (made with key "a") unwrap under the first key issued.
 * @example startEmulator({ keyFactory: fixedKeyFactory() })
 */
export function fixedKeyFactory(): KeyFactory {
  let next = 0;
  return async () => FIXED_KEYS[next++ % FIXED_KEYS.length]!;
}

/** The vectors of test/fixtures/envelope-vectors.json. */
export const VECTORS = JSON.parse(fixture('envelope-vectors.json').toString('utf8')) as {
  symmetricKeyHex: string;
  ivHex: string;
  aes: { plaintext: string; ciphertextBase64: string }[];
  rsa: { rsaKey: string; pkcs1WrappedKeyBase64: string; oaepWrappedKeyBase64: string; pkcs1Wrapped16ByteKeyBase64: string };
};
