import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { allowedResolutions, fileTypeOf, loadImages } from './images.js';

describe('allowedResolutions', () => {
  it('applies 760x480 to landscape images', () => {
    expect(allowedResolutions(856, 540)).toEqual(['normal']);
    expect(allowedResolutions(760, 480)).toEqual(['normal']);
    expect(allowedResolutions(759, 480)).toEqual(['low']);
    expect(allowedResolutions(428, 270)).toEqual(['low']);
  });

  it('allows both readings where orientation makes them differ', () => {
    expect(allowedResolutions(540, 856)).toEqual(['low', 'normal']);
    expect(allowedResolutions(856, 540, 6)).toEqual(['low', 'normal']);
    expect(allowedResolutions(300, 200, 6)).toEqual(['low']);
    expect(allowedResolutions(900, 500, 6)).toEqual(['low', 'normal']);
  });
});

describe('loadImages', () => {
  it('reads the synthetic fixtures and their sizes', () => {
    const images = loadImages();
    expect(images.get('card-png-low')).toMatchObject({ source: 'synthetic', fileType: 'png', width: 428, height: 270 });
    expect(images.get('id-passport')).toMatchObject({ fileType: 'png', width: 880, height: 620 });
    expect(images.describe()).toHaveLength(7);
  });

  it('prefers a real photo from the directory', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ocr-fixtures-'));
    const jpeg = readFileSync(new URL('../../test/fixtures/card-856x540.jpg', import.meta.url));
    writeFileSync(join(dir, 'id-driver.jpeg'), jpeg);
    const images = loadImages(dir);
    expect(images.get('id-driver')).toMatchObject({ source: 'real', fileType: 'jpg', width: 856 });
    expect(images.get('id-resident').source).toBe('synthetic');
  });
});

describe('fileTypeOf', () => {
  it('reads signatures', () => {
    expect(fileTypeOf(Buffer.from('GIF89a'))).toBe('other');
    expect(fileTypeOf(Buffer.from([0xff, 0xd8, 0xff, 0xe0]))).toBe('jpg');
  });
});
