/**
 * The electronic envelope, bit for bit as the v2.0 guide states it
 * (TOAST-DOCS/OCR en/document-ocr-api-guide-v2.0.md, "Caution" and each API's request header):
 * - Symmetric-Key: 32 random bytes wrapped with `RSA/ECB/PKCS1Padding` under the issued public
 *   key, sent as base64;
 * - image and values: `AES-256/CBC/PKCS7Padding` with that key, IV = its first 16 bytes.
 *
 * Only `node:crypto` on this path: node-forge is ~50x slower per RSA operation (see the facts
 * page). Node >= 20.11 refuses PKCS#1 v1.5 private decryption (CVE-2023-46809), so the key is
 * decrypted raw (`RSA_NO_PADDING`) and the type-2 padding is checked here.
 */
import { constants, createCipheriv, createDecipheriv, privateDecrypt, type Cipher, type KeyObject } from 'node:crypto';
import { base64Problem } from './base64.js';
import { OcrError } from './errors.js';

/** Length in bytes of the symmetric key the guide prescribes. */
export const SYMMETRIC_KEY_BYTES = 32;

/**
 * The IV the service uses: the first 16 bytes of the symmetric key.
 * @example ivOf(key).length // 16
 */
export function ivOf(symmetricKey: Buffer): Buffer {
  return symmetricKey.subarray(0, 16);
}

/**
 * Strips PKCS#1 v1.5 type-2 padding (RFC 8017 section 7.2.2 step 3) from a raw RSA block.
 * Returns the message or a reason for rejecting it.
 * @example stripPkcs1Type2(Buffer.from([0, 2, 1, 1, 1, 1, 1, 1, 1, 1, 0, 42])) // {message: <Buffer 2a>}
 */
export function stripPkcs1Type2(block: Buffer): { message: Buffer } | { problem: string } {
  if (block[0] !== 0x00 || block[1] !== 0x02) {
    return {
      problem: 'RSA block does not carry PKCS#1 v1.5 type-2 padding (wrapped with OAEP, with another public key, or not RSA at all?)',
    };
  }
  const separator = block.indexOf(0x00, 2);
  if (separator < 0) return { problem: 'RSA block has no PKCS#1 v1.5 separator byte' };
  if (separator - 2 < 8) return { problem: 'RSA block has a PKCS#1 v1.5 padding string shorter than 8 bytes' };
  return { message: block.subarray(separator + 1) };
}

/**
 * The first half of unwrapping, free of RSA: the `Symmetric-Key` header must be standard base64
 * of exactly one RSA block. Faults answer 4000302 INVALID_SYMMETRIC_KEY.
 * @example decodeWrappedKey(req.headers['symmetric-key'], 256).length // 256
 */
export function decodeWrappedKey(header: string, modulusBytes: number): Buffer {
  const problem = base64Problem(header);
  if (problem) throw new OcrError('INVALID_SYMMETRIC_KEY', `Symmetric-Key is not base64: ${problem}`);
  const wrapped = Buffer.from(header, 'base64');
  if (wrapped.length !== modulusBytes) {
    throw new OcrError(
      'INVALID_SYMMETRIC_KEY',
      `Symmetric-Key decodes to ${wrapped.length} bytes, expected ${modulusBytes} (one RSA-${modulusBytes * 8} block)`,
    );
  }
  return wrapped;
}

/**
 * The one RSA private operation of a request: raw (`RSA_NO_PADDING`), so the padding can be
 * checked here. `undefined` when OpenSSL refuses the block (its value is not below the modulus).
 * Runs inline or in a worker thread (rsa-pool.ts runs this same function there).
 * @example rsaRawDecrypt(wrapped, privateKey)?.length // 256
 */
export function rsaRawDecrypt(wrapped: Uint8Array, privateKey: KeyObject): Buffer | undefined {
  try {
    return privateDecrypt({ key: privateKey, padding: constants.RSA_NO_PADDING }, wrapped);
  } catch {
    return undefined;
  }
}

/**
 * The second half of unwrapping: the raw RSA block (or `undefined` when RSA refused it) must carry
 * PKCS#1 v1.5 type-2 padding around exactly 32 bytes. Faults answer 4000302 with a diagnosis.
 * @example symmetricKeyFromBlock(rsaRawDecrypt(wrapped, privateKey)).length // 32
 */
export function symmetricKeyFromBlock(block: Uint8Array | undefined): Buffer {
  if (!block) {
    throw new OcrError('INVALID_SYMMETRIC_KEY', 'Symmetric-Key is not an RSA block for this public key (value >= modulus)');
  }
  const stripped = stripPkcs1Type2(Buffer.from(block.buffer, block.byteOffset, block.byteLength));
  if ('problem' in stripped) throw new OcrError('INVALID_SYMMETRIC_KEY', stripped.problem);
  if (stripped.message.length !== SYMMETRIC_KEY_BYTES) {
    throw new OcrError('INVALID_SYMMETRIC_KEY', `Symmetric-Key unwrapped to ${stripped.message.length} bytes, expected ${SYMMETRIC_KEY_BYTES}`);
  }
  return Buffer.from(stripped.message);
}

/**
 * Unwraps the `Symmetric-Key` header inline: {@link decodeWrappedKey}, one
 * {@link rsaRawDecrypt}, {@link symmetricKeyFromBlock}. Any fault answers 4000302
 * INVALID_SYMMETRIC_KEY with a diagnosis saying what exactly was wrong.
 * @example const key = unwrapSymmetricKey(req.headers['symmetric-key'], privateKey, 256)
 */
export function unwrapSymmetricKey(header: string, privateKey: KeyObject, modulusBytes: number): Buffer {
  return symmetricKeyFromBlock(rsaRawDecrypt(decodeWrappedKey(header, modulusBytes), privateKey));
}

/**
 * AES-256-CBC encryption with the service's IV rule.
 * @example aesEncrypt(key, Buffer.from('1234')).length // 16
 */
export function aesEncrypt(symmetricKey: Buffer, plaintext: Buffer): Buffer {
  const cipher = createCipheriv('aes-256-cbc', symmetricKey, ivOf(symmetricKey));
  return Buffer.concat([cipher.update(plaintext), cipher.final()]);
}

/**
 * AES-256-CBC decryption with the service's IV rule; faults answer 4000303 INVALID_ENCRYPTED_DATA.
 * `what` names the data in the diagnosis ("image", "field name").
 * @example aesDecrypt(key, ciphertext, 'image')
 */
export function aesDecrypt(symmetricKey: Buffer, ciphertext: Buffer, what = 'data'): Buffer {
  // Looked at only for a failure's diagnosis: it reads up to 4 KB as text.
  const hint = () => (looksLikeBase64Text(ciphertext) ? ' (it looks like base64 text: send the raw ciphertext bytes)' : '');
  if (ciphertext.length === 0 || ciphertext.length % 16 !== 0) {
    throw new OcrError('INVALID_ENCRYPTED_DATA', `${what} ciphertext is ${ciphertext.length} bytes, not a multiple of 16${hint()}`);
  }
  // One pass into one buffer, padding checked here exactly as OpenSSL's final() checks it
  // (last byte n in 1..16, the last n bytes all n): no second buffer and no copy of the image.
  const decipher = createDecipheriv('aes-256-cbc', symmetricKey, ivOf(symmetricKey)).setAutoPadding(false);
  const padded = decipher.update(ciphertext);
  const plaintextLength = pkcs7PlaintextLength(padded);
  if (plaintextLength < 0) {
    throw new OcrError('INVALID_ENCRYPTED_DATA', `PKCS#7 padding invalid after decryption: the ${what} was not encrypted with this key${hint()}`);
  }
  return padded.subarray(0, plaintextLength);
}

/** Length without the PKCS#7 padding (16-byte blocks), or -1 if the padding is invalid. */
function pkcs7PlaintextLength(padded: Buffer): number {
  const n = padded[padded.length - 1] ?? 0;
  if (n < 1 || n > 16 || n > padded.length) return -1;
  for (let i = padded.length - n; i < padded.length; i++) if (padded[i] !== n) return -1;
  return padded.length - n;
}

/**
 * Encrypts a response value: UTF-8, AES as above, base64. The same bytes as {@link aesEncrypt},
 * chained by hand over one AES-256-ECB context per key: an answer carries up to a dozen values of
 * a block or two each, and a CBC context (an OpenSSL cipher set up) per value cost twice as much
 * as the blocks themselves.
 * @example encryptValue(key, '4111') // 'q1w2...=='
 */
export function encryptValue(symmetricKey: Buffer, value: string): string {
  const plaintext = Buffer.from(value, 'utf8');
  const padding = 16 - (plaintext.length % 16); // PKCS#7: 1 to 16 bytes, each the count
  const block = Buffer.alloc(plaintext.length + padding, padding);
  plaintext.copy(block);
  const ecb = blockCipherFor(symmetricKey);
  const iv = ivOf(symmetricKey);
  // CBC: each plaintext block XORed with the ciphertext block before it (the IV for the first).
  for (let at = 0; at < block.length; at += 16) {
    const before = at === 0 ? iv : block.subarray(at - 16, at);
    for (let i = 0; i < 16; i++) block[at + i]! ^= before[i]!;
    ecb.update(block.subarray(at, at + 16)).copy(block, at);
  }
  return block.toString('base64');
}

/** The AES-256-ECB context of the last key values were encrypted with (a copy of the key beside it). */
let blockKey: Buffer | undefined;
let blockCipher: Cipher | undefined;

/** An ECB context for `symmetricKey`, no padding: it encrypts whole blocks and keeps no state between them. */
function blockCipherFor(symmetricKey: Buffer): Cipher {
  if (blockCipher === undefined || blockKey === undefined || !blockKey.equals(symmetricKey)) {
    blockCipher = createCipheriv('aes-256-ecb', symmetricKey, null).setAutoPadding(false);
    blockKey = Buffer.from(symmetricKey);
  }
  return blockCipher;
}

/**
 * Decrypts a request value sent as base64 ciphertext (authenticity fields).
 * @example decryptValue(key, body.name, 'name') // '홍길동'
 */
export function decryptValue(symmetricKey: Buffer, base64Value: string, field: string): string {
  const problem = base64Problem(base64Value);
  if (problem) throw new OcrError('INVALID_ENCRYPTED_DATA', `${field} is not base64: ${problem}`);
  return aesDecrypt(symmetricKey, Buffer.from(base64Value, 'base64'), field).toString('utf8');
}

function looksLikeBase64Text(data: Buffer): boolean {
  if (data.length < 4) return false;
  const text = data.subarray(0, Math.min(data.length, 4096)).toString('latin1').trimEnd();
  return /^[A-Za-z0-9+/=\r\n]+$/.test(text);
}
