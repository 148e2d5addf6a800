import { createCipheriv } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { diagnosisHeaderValue } from '../http/diagnosis-header.js';
import { explainImageFailure, ivGuess, keysSinceHint, plainImageDiagnosis } from './diagnosis.js';
import { aesDecrypt } from './envelope.js';
import { OcrError } from './errors.js';

const png = readFileSync(new URL('../../test/fixtures/card-428x270.png', import.meta.url));
const jpeg = readFileSync(new URL('../../test/fixtures/card-856x540.jpg', import.meta.url));
const KEY = Buffer.from('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f', 'hex');

function encrypt(plaintext: Buffer, iv: Buffer): Buffer {
  const cipher = createCipheriv('aes-256-cbc', KEY, iv);
  return Buffer.concat([cipher.update(plaintext), cipher.final()]);
}

describe('plainImageDiagnosis', () => {
  it('names a PNG or JPEG sent in the clear, and nothing else', () => {
    expect(plainImageDiagnosis(png)).toMatch(/^the image is a plain PNG \(11663 bytes, not encrypted\): encrypt it with AES-256-CBC first/);
    expect(plainImageDiagnosis(jpeg)).toMatch(/^the image is a plain JPEG/);
    expect(plainImageDiagnosis(encrypt(png, KEY.subarray(0, 16)))).toBeUndefined();
  });
});

describe('ivGuess', () => {
  it("finds an all-zero IV and the key's last 16 bytes, not other IVs", () => {
    const decryptedWith = (iv: Buffer) => aesDecrypt(KEY, encrypt(png, iv));
    expect(ivGuess(decryptedWith(Buffer.alloc(16)), KEY)).toEqual({ said: 'the image was encrypted with an all-zero IV', fileType: 'png' });
    expect(ivGuess(aesDecrypt(KEY, encrypt(jpeg, KEY.subarray(16))), KEY)).toEqual({
      said: "the image was encrypted with the key's last 16 bytes as IV",
      fileType: 'jpg',
    });
    expect(ivGuess(decryptedWith(Buffer.alloc(16, 9)), KEY)).toBeUndefined();
    expect(ivGuess(Buffer.alloc(8), KEY)).toBeUndefined();
  });
});

describe('explainImageFailure', () => {
  it('keeps the result code and sharpens the diagnosis, or leaves the error as it was', () => {
    const padding = new OcrError('INVALID_ENCRYPTED_DATA', 'PKCS#7 padding invalid');
    const plain = explainImageFailure(padding, png, undefined, KEY) as OcrError;
    expect(plain.key).toBe('INVALID_ENCRYPTED_DATA');
    expect(plain.diagnosis).toMatch(/plain PNG/);
    const notImage = new OcrError('INVALID_FILE_TYPE', 'neither JPEG nor PNG');
    const zero = explainImageFailure(notImage, encrypt(png, Buffer.alloc(16)), aesDecrypt(KEY, encrypt(png, Buffer.alloc(16))), KEY) as OcrError;
    expect(zero.key).toBe('INVALID_FILE_TYPE');
    expect(zero.diagnosis).toBe(
      'the first 16 decrypted bytes are garbled but the rest is a PNG: the image was encrypted with an all-zero IV; the IV must be the first 16 bytes of the symmetric key',
    );
    expect(explainImageFailure(padding, Buffer.alloc(32, 1), undefined, KEY)).toBe(padding);
    const fault = new TypeError('x');
    expect(explainImageFailure(fault, png, undefined, KEY)).toBe(fault);
  });
});

describe('keysSinceHint', () => {
  it('says when the keys were made and why an old version is unknown, with or without a keys directory', () => {
    const at = Date.parse('2026-11-26T16:00:00Z');
    expect(keysSinceHint({ at, by: 'start' })).toBe(
      "this emulator's keys date from its start at 2026-11-26T16:00:00.000Z: key pairs are made anew at each reset and at each start (unless kept in a keys directory or Redis), so a version from an earlier run is unknown here; GET the public key again",
    );
    expect(keysSinceHint({ at, by: 'reset' })).toMatch(/^this emulator's keys date from the reset at 2026-11-26T16:00:00\.000Z: /);
  });
});

describe('diagnosisHeaderValue', () => {
  it('passes printable ASCII, escapes the rest, writes the ellipsis as ...', () => {
    expect(diagnosisHeaderValue('plain text: 1 + 1 = 2')).toBe('plain text: 1 + 1 = 2');
    expect(diagnosisHeaderValue('이름\t\r\n\u007f')).toBe('\\uc774\\ub984\\u0009\\u000d\\u000a\\u007f');
    expect(diagnosisHeaderValue('emoji \u{1f600}')).toBe('emoji \\u{1f600}');
    expect(diagnosisHeaderValue('clipped…(600 chars)')).toBe('clipped...(600 chars)');
  });

  it('is at most the limit, cut between whole escapes', () => {
    expect(diagnosisHeaderValue('x'.repeat(400))).toBe('x'.repeat(400));
    expect(diagnosisHeaderValue('x'.repeat(401))).toBe(`${'x'.repeat(397)}...`);
    const cut = diagnosisHeaderValue(`${'x'.repeat(392)}키키키`, 400);
    expect(cut).toBe(`${'x'.repeat(392)}...`); // 392 + a 6-character escape would pass 397
    expect(cut.length).toBeLessThanOrEqual(400);
  });
});
