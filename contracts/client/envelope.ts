/**
 * The client's half of the electronic envelope, as the v2.0 guide tells a client to build it
 * (TOAST-DOCS/OCR en/document-ocr-api-guide-v2.0.md, "Caution" and "Request Header"), plus the
 * knobs to build it wrong on purpose: another padding, another IV, another key length.
 */
import { constants, createCipheriv, createDecipheriv, createPublicKey, publicEncrypt, randomBytes } from 'node:crypto';

/**
 * A fresh 32-byte symmetric key, as the guide recommends for every request.
 * @example const key = newSymmetricKey() // 32 random bytes
 */
export function newSymmetricKey(length = 32): Buffer {
  return randomBytes(length);
}

/** How to wrap the symmetric key; `oaep` is the classic mistake the service rejects. */
export type WrapPadding = 'pkcs1' | 'oaep';

/**
 * Wraps a symmetric key under the issued public key (`result.key`, base64 DER SPKI) with
 * `RSA/ECB/PKCS1Padding`, and returns the base64 the `Symmetric-Key` header carries.
 * @example const header = wrapSymmetricKey(publicKey.key, key)
 */
export function wrapSymmetricKey(publicKeyBase64: string, symmetricKey: Buffer, padding: WrapPadding = 'pkcs1'): string {
  const key = createPublicKey({ key: Buffer.from(publicKeyBase64, 'base64'), format: 'der', type: 'spki' });
  const wrapped = publicEncrypt({ key, padding: padding === 'pkcs1' ? constants.RSA_PKCS1_PADDING : constants.RSA_PKCS1_OAEP_PADDING }, symmetricKey);
  return wrapped.toString('base64');
}

/**
 * AES-256-CBC with PKCS#7 padding; the IV is the key's first 16 bytes unless overridden
 * (overriding it builds a broken envelope on purpose).
 * @example const ciphertext = encryptBytes(key, imageBytes)
 */
export function encryptBytes(symmetricKey: Buffer, plaintext: Buffer, iv: Buffer = symmetricKey.subarray(0, 16)): Buffer {
  const cipher = createCipheriv('aes-256-cbc', symmetricKey, iv);
  return Buffer.concat([cipher.update(plaintext), cipher.final()]);
}

/**
 * Decrypts AES-256-CBC bytes with the key-prefix IV.
 * @example decryptBytes(key, encryptBytes(key, data)).equals(data) // true
 */
export function decryptBytes(symmetricKey: Buffer, ciphertext: Buffer): Buffer {
  const decipher = createDecipheriv('aes-256-cbc', symmetricKey, symmetricKey.subarray(0, 16));
  return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
}

/**
 * Encrypts a text value for a JSON field: UTF-8, AES, base64.
 * @example body.name = encryptValue(key, '홍길동')
 */
export function encryptValue(symmetricKey: Buffer, value: string): string {
  return encryptBytes(symmetricKey, Buffer.from(value, 'utf8')).toString('base64');
}

/**
 * Decrypts a response value (base64 AES ciphertext) into text.
 * @example decryptValue(key, result.totalCardNum) // '4111111111111111'
 */
export function decryptValue(symmetricKey: Buffer, base64Value: string): string {
  return decryptBytes(symmetricKey, Buffer.from(base64Value, 'base64')).toString('utf8');
}
