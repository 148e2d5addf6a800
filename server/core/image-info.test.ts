import { imageSize } from 'image-size';
import { describe, expect, it } from 'vitest';
import { fixture } from '../../test/support/fixtures.js';
import { OcrError } from './errors.js';
import { inspectImage, jpegHeaderEnd, jpegPixelSize, resolutionOf, sniffFileType } from './image-info.js';

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

describe('jpegPixelSize', () => {
  /** What image-size reads from a copy of the first `limit` bytes, as inspectImage used to ask it. */
  const reference = (data: Buffer, limit: number) => {
    try {
      const { width, height } = imageSize(new Uint8Array(data.subarray(0, limit)));
      return { width, height };
    } catch {
      return {};
    }
  };
  /** An APP1 Exif segment with one IFD entry (orientation 6), in either byte order, cut to `length` bytes of payload. */
  const exifSegment = (bigEndian: boolean, length: number) => {
    const tiff = Buffer.alloc(26);
    tiff.write(bigEndian ? 'MM' : 'II', 0, 'latin1');
    const u16 = (value: number, at: number) => (bigEndian ? tiff.writeUInt16BE(value, at) : tiff.writeUInt16LE(value, at));
    const u32 = (value: number, at: number) => (bigEndian ? tiff.writeUInt32BE(value, at) : tiff.writeUInt32LE(value, at));
    u16(42, 2);
    u32(8, 4);
    u16(1, 8);
    u16(274, 10);
    u16(3, 12);
    u32(1, 14);
    u16(6, 18);
    const payload = Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiff]).subarray(0, length);
    const head = Buffer.from([0xff, 0xe1, 0, 0]);
    head.writeUInt16BE(payload.length + 2, 2);
    return Buffer.concat([head, payload]);
  };

  it('reads what image-size reads from the fixtures, with and without an Exif block', () => {
    for (const name of ['card-428x270.jpg', 'card-856x540.jpg', 'id-resident-900x570.jpg', 'id-driver-900x570.jpg']) {
      const file = fixture(name);
      for (const jpeg of [
        file,
        Buffer.concat([file.subarray(0, 2), exifSegment(true, 32), file.subarray(2)]),
        Buffer.concat([file.subarray(0, 2), exifSegment(false, 32), file.subarray(2)]),
      ]) {
        const limit = jpegHeaderEnd(jpeg)!;
        expect(jpegPixelSize(jpeg, limit)).toEqual(reference(jpeg, limit));
        expect(jpegPixelSize(jpeg, limit).width).toBeGreaterThan(0);
      }
    }
  });

  it('agrees with image-size on mutated headers, cut Exif blocks and every limit', () => {
    let seed = 7;
    const random = (n: number) => (seed = (seed * 1103515245 + 12345) >>> 0) % n;
    const base = fixture('card-428x270.jpg');
    const cases: [Buffer, number][] = [];
    for (const bigEndian of [true, false])
      for (let length = 0; length <= 32; length++) {
        const jpeg = Buffer.concat([base.subarray(0, 2), exifSegment(bigEndian, length), base.subarray(2)]);
        for (let limit = 0; limit <= 64; limit += 3) cases.push([jpeg, limit]);
        cases.push([jpeg, jpegHeaderEnd(base)! + 4 + length]);
      }
    const headers = jpegHeaderEnd(base)!;
    for (let n = 0; n < 30000; n++) {
      const jpeg = Buffer.from(base);
      for (let flips = 1 + random(4); flips > 0; flips--) jpeg[random(headers)] = [0xff, 0xc0, 0xc2, 0x00, 0x45, random(256)][random(6)]!;
      cases.push([jpeg, random(4) === 0 ? random(headers + 1) : headers]);
    }
    let sized = 0;
    for (const [jpeg, limit] of cases) {
      const ours = jpegPixelSize(jpeg, limit);
      expect(ours, `limit ${limit}`).toEqual(reference(jpeg, limit));
      if (ours.width) sized++;
    }
    // Most mutations leave a readable size, some do not: both kinds were compared.
    expect(sized).toBeGreaterThan(100);
    expect(sized).toBeLessThan(cases.length);
  });
});
