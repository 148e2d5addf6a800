import { describe, expect, it } from 'vitest';
import { fixture } from '../../test/support/fixtures.js';
import { OcrError } from './errors.js';
import { inspectImage, resolutionOf, sniffFileType } from './image-info.js';

function failure(data: Buffer): OcrError {
  try {
    inspectImage(data);
  } catch (error) {
    return error as OcrError;
  }
  throw new Error('expected a failure');
}

describe('inspectImage', () => {
  it('reads type and real pixel size of JPEG and PNG fixtures', () => {
    expect(inspectImage(fixture('card-856x540.jpg'))).toMatchObject({ fileType: 'jpg', width: 856, height: 540, resolution: 'normal' });
    expect(inspectImage(fixture('card-428x270.png'))).toMatchObject({ fileType: 'png', width: 428, height: 270, resolution: 'low' });
  });

  it('answers 4000003 for other bytes and 4000002 for a truncated header', () => {
    expect(failure(Buffer.from('GIF89a......')).code).toBe(4000003);
    expect(failure(fixture('card-856x540.png').subarray(0, 12)).code).toBe(4000002);
  });

  /**
   * What decryption hands over: a view of the first `length` bytes of a buffer that goes on
   * with the PKCS#7 padding (test/api/envelope-errors.test.ts sends the same through the wire).
   */
  const decryptedView = (file: Buffer, length: number) => {
    const pad = 16 - (length % 16);
    return Buffer.concat([file.subarray(0, length), Buffer.alloc(pad, pad)]).subarray(0, length);
  };

  it.each(['card-428x270.png', 'card-428x270.jpg', 'card-856x540.png', 'id-resident-900x570.jpg'])(
    '%s: every truncation answers 4000002, the whole file reads',
    (name) => {
      const file = fixture(name);
      const accepted: number[] = [];
      for (let length = 8; length < file.length; length += 1) {
        try {
          inspectImage(decryptedView(file, length));
          accepted.push(length);
        } catch (error) {
          if (!(error instanceof OcrError) || error.code !== 4000002) throw error;
        }
      }
      expect(accepted).toEqual([]);
      expect(inspectImage(decryptedView(file, file.length))).toMatchObject({ bytes: file.length, sha256: expect.any(String) });
    },
  );

  it('a PNG cut to 16 or 20 bytes is not 269488144 pixels wide (the padding behind the view)', () => {
    const png = fixture('card-428x270.png');
    for (const length of [16, 20])
      expect(failure(decryptedView(png, length)).diagnosis).toMatch(/^decrypted \d+ bytes start like a PNG but end before its IEND chunk/);
  });

  it('bytes after the end are allowed: a phone trailer behind the EOI, data behind IEND', () => {
    const trailer = Buffer.from('trailer \xff\xd8\xff\xe0 of a phone camera', 'latin1');
    expect(inspectImage(Buffer.concat([fixture('card-428x270.jpg'), trailer]))).toMatchObject({ width: 428, height: 270 });
    expect(inspectImage(Buffer.concat([fixture('card-428x270.png'), trailer]))).toMatchObject({ width: 428, height: 270 });
  });

  it('a whole PNG whose IHDR is missing, or a JPEG with no scan before its EOI, answers 4000002', () => {
    const png = fixture('card-428x270.png');
    const ihdrless = Buffer.concat([png.subarray(0, 8), png.subarray(33)]);
    expect(failure(ihdrless).code).toBe(4000002);
    expect(failure(Buffer.from([0xff, 0xd8, 0xff, 0xd9])).code).toBe(4000002);
  });

  it('diagnoses a wrong IV: garbled first block, image after it', () => {
    const png = Buffer.from(fixture('card-428x270.png'));
    png.fill(0xaa, 0, 16);
    expect(failure(png).diagnosis).toMatch(/IV was not the first 16 bytes of the key/);
    const prefixed = Buffer.concat([Buffer.alloc(16, 1), fixture('card-428x270.jpg')]);
    expect(failure(prefixed).diagnosis).toMatch(/put its own IV in front/);
  });
});

describe('resolutionOf', () => {
  it('is normal from 760x480 up, in either orientation', () => {
    expect(resolutionOf(760, 480)).toBe('normal');
    expect(resolutionOf(480, 760)).toBe('normal');
    expect(resolutionOf(759, 480)).toBe('low');
    expect(resolutionOf(760, 479)).toBe('low');
  });
});

describe('sniffFileType', () => {
  it('knows the JPEG and PNG signatures only', () => {
    expect(sniffFileType(Buffer.from([0xff, 0xd8, 0xff]))).toBe('jpg');
    expect(sniffFileType(fixture('card-428x270.png'))).toBe('png');
    expect(sniffFileType(Buffer.from([0xff, 0xd8]))).toBeUndefined();
  });
});
