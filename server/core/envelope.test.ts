import forge from 'node-forge';
import { describe, expect, it } from 'vitest';
import { FIXED_KEYS, VECTORS } from '../../test/support/fixtures.js';
import { aesDecrypt, aesEncrypt, decryptValue, encryptValue, stripPkcs1Type2, unwrapSymmetricKey } from './envelope.js';
import { OcrError } from './errors.js';

const key = Buffer.from(VECTORS.symmetricKeyHex, 'hex');
const { privateKey, pem } = FIXED_KEYS[0]!;
const forgePrivate = forge.pki.privateKeyFromPem(pem);
const forgePublic = forge.pki.setRsaPublicKey(forgePrivate.n, forgePrivate.e);

function codeOf(fn: () => unknown): { code: number; diagnosis: string } {
  try {
    fn();
  } catch (error) {
    if (error instanceof OcrError) return { code: error.code, diagnosis: error.diagnosis };
    throw error;
  }
  throw new Error('expected an OcrError');
}

/** node-forge as the independent AES-256-CBC implementation, IV = key bytes 0..15. */
function forgeAesEncrypt(plaintext: Buffer): Buffer {
  const cipher = forge.cipher.createCipher('AES-CBC', forge.util.createBuffer(key.toString('binary')));
  cipher.start({ iv: forge.util.createBuffer(key.subarray(0, 16).toString('binary')) });
  cipher.update(forge.util.createBuffer(plaintext.toString('binary')));
  cipher.finish();
  return Buffer.from(cipher.output.getBytes(), 'binary');
}

describe('unwrapSymmetricKey', () => {
  it('unwraps the openssl-made PKCS#1 v1.5 vector', () => {
    expect(unwrapSymmetricKey(VECTORS.rsa.pkcs1WrappedKeyBase64, privateKey, 256).toString('hex')).toBe(VECTORS.symmetricKeyHex);
  });

  it('unwraps what node-forge wraps with RSAES-PKCS1-V1_5, for many random keys', () => {
    for (let i = 0; i < 20; i++) {
      const symmetric = Buffer.from(forge.random.getBytesSync(32), 'binary');
      const wrapped = Buffer.from(forgePublic.encrypt(symmetric.toString('binary'), 'RSAES-PKCS1-V1_5'), 'binary');
      expect(unwrapSymmetricKey(wrapped.toString('base64'), privateKey, 256).equals(symmetric)).toBe(true);
    }
  });

  it('rejects OAEP with 4000302 and says so', () => {
    const { code, diagnosis } = codeOf(() => unwrapSymmetricKey(VECTORS.rsa.oaepWrappedKeyBase64, privateKey, 256));
    expect(code).toBe(4000302);
    expect(diagnosis).toMatch(/OAEP/);
  });

  it('rejects a 16-byte key with 4000302', () => {
    const { code, diagnosis } = codeOf(() => unwrapSymmetricKey(VECTORS.rsa.pkcs1Wrapped16ByteKeyBase64, privateKey, 256));
    expect(code).toBe(4000302);
    expect(diagnosis).toBe('Symmetric-Key unwrapped to 16 bytes, expected 32');
  });

  it('rejects base64url, short blocks and non-base64 with 4000302', () => {
    const urlSafe = VECTORS.rsa.pkcs1WrappedKeyBase64.replace(/\+/g, '-').replace(/\//g, '_');
    expect(codeOf(() => unwrapSymmetricKey(urlSafe, privateKey, 256)).diagnosis).toMatch(/URL-safe/);
    expect(codeOf(() => unwrapSymmetricKey('AAAA', privateKey, 256)).diagnosis).toMatch(/3 bytes, expected 256/);
    expect(codeOf(() => unwrapSymmetricKey('not base64!', privateKey, 256)).code).toBe(4000302);
  });

  it('rejects a block wrapped under another public key', () => {
    const other = FIXED_KEYS[1]!;
    const forgeOther = forge.pki.privateKeyFromPem(other.pem);
    const wrapped = forge.pki.setRsaPublicKey(forgeOther.n, forgeOther.e).encrypt(key.toString('binary'), 'RSAES-PKCS1-V1_5');
    expect(codeOf(() => unwrapSymmetricKey(Buffer.from(wrapped, 'binary').toString('base64'), privateKey, 256)).code).toBe(4000302);
  });

  it("accepts the key without base64 padding, as Java's decoder does", () => {
    const unpadded = VECTORS.rsa.pkcs1WrappedKeyBase64.replace(/=+$/, '');
    expect(unwrapSymmetricKey(unpadded, privateKey, 256).toString('hex')).toBe(VECTORS.symmetricKeyHex);
  });
});

describe('stripPkcs1Type2', () => {
  it('needs 00 02, eight non-zero padding bytes and a separator', () => {
    expect(stripPkcs1Type2(Buffer.from([0, 2, 1, 1, 1, 1, 1, 1, 1, 1, 0, 42]))).toEqual({ message: Buffer.from([42]) });
    expect(stripPkcs1Type2(Buffer.from([0, 2, 1, 1, 1, 1, 1, 1, 1, 0, 42]))).toHaveProperty('problem');
    expect(stripPkcs1Type2(Buffer.from([0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 42]))).toHaveProperty('problem');
    expect(stripPkcs1Type2(Buffer.from([0, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 42]))).toHaveProperty('problem');
  });
});

describe('AES-256-CBC with IV = key bytes 0..15', () => {
  it('matches the openssl vectors both ways', () => {
    for (const { plaintext, ciphertextBase64 } of VECTORS.aes) {
      expect(encryptValue(key, plaintext)).toBe(ciphertextBase64);
      expect(decryptValue(key, ciphertextBase64, 'field')).toBe(plaintext);
    }
  });

  it('agrees with node-forge on random data of every length around the block size', () => {
    for (const length of [0, 1, 15, 16, 17, 31, 32, 33, 1000, 4096]) {
      const data = Buffer.from(forge.random.getBytesSync(length), 'binary');
      const ours = aesEncrypt(key, data);
      expect(ours.equals(forgeAesEncrypt(data))).toBe(true);
      expect(aesDecrypt(key, forgeAesEncrypt(data)).equals(data)).toBe(true);
    }
  });

  it('encryptValue writes what aesEncrypt does, for values of every length and for keys taken in turn', () => {
    const keys = [key, Buffer.alloc(32, 1), Buffer.alloc(32, 2)];
    for (const length of [0, 1, 4, 15, 16, 17, 31, 32, 33, 100]) {
      for (const k of [...keys, ...keys.reverse(), key]) {
        const value = '한1a'.repeat(length).slice(0, length);
        expect(encryptValue(k, value)).toBe(aesEncrypt(k, Buffer.from(value, 'utf8')).toString('base64'));
      }
    }
    // A key buffer changed in place since the last value: the new key's bytes count, not the object.
    const mutable = Buffer.alloc(32, 3);
    const first = encryptValue(mutable, '4111');
    mutable.fill(4);
    expect(encryptValue(mutable, '4111')).not.toBe(first);
    expect(encryptValue(mutable, '4111')).toBe(aesEncrypt(Buffer.alloc(32, 4), Buffer.from('4111')).toString('base64'));
  });

  it('answers 4000303 for a length that is not a multiple of 16, and spots base64 text', () => {
    const sealed = aesEncrypt(key, Buffer.alloc(1000, 7));
    expect(codeOf(() => aesDecrypt(key, sealed.subarray(0, 1001 - 16 * 1), 'image')).diagnosis).toBe('image ciphertext is 985 bytes, not a multiple of 16');
    expect(codeOf(() => aesDecrypt(key, Buffer.from(sealed.toString('base64')), 'image')).diagnosis).toMatch(/base64 text/);
  });

  it('answers 4000303 when the padding is wrong (another key)', () => {
    const sealed = aesEncrypt(Buffer.alloc(32, 9), Buffer.from('hello'));
    const { code, diagnosis } = codeOf(() => aesDecrypt(key, sealed, 'image'));
    expect(code).toBe(4000303);
    expect(diagnosis).toBe('PKCS#7 padding invalid after decryption: the image was not encrypted with this key');
  });
});

describe('aesDecrypt padding check', () => {
  it("accepts and rejects exactly what OpenSSL's own PKCS#7 check does", async () => {
    const { createCipheriv, createDecipheriv } = await import('node:crypto');
    const tails = [[1], [2, 2], [3, 3, 3], [16], [0], [17], [2, 1], [3, 2, 3], [255], [4, 4, 4, 5]];
    for (const tail of tails) {
      for (const length of [16, 32, 48]) {
        const plain = Buffer.alloc(length, 0x41);
        if (tail[0] === 16 && length >= 16) plain.fill(16, length - 16);
        Buffer.from(tail).copy(plain, length - tail.length);
        const raw = createCipheriv('aes-256-cbc', key, key.subarray(0, 16)).setAutoPadding(false);
        const sealed = Buffer.concat([raw.update(plain), raw.final()]);
        let expected: Buffer | undefined;
        try {
          const reference = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16));
          expected = Buffer.concat([reference.update(sealed), reference.final()]);
        } catch {
          expected = undefined;
        }
        const ours = (() => {
          try {
            return aesDecrypt(key, sealed, 'image');
          } catch (error) {
            if (error instanceof OcrError && error.code === 4000303) return undefined;
            throw error;
          }
        })();
        expect(ours === undefined ? undefined : ours.toString('hex'), `tail ${tail} length ${length}`).toBe(expected?.toString('hex'));
      }
    }
  });
});
