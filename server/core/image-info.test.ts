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
