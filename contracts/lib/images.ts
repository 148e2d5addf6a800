/**
 * The images cases send: the synthetic fixtures of test/fixtures/, or real photos from a
 * directory (`OCR_FIXTURES_DIR`) for live runs. What a case expects of `fileType` and
 * `resolution` is read from the image itself, never from its name.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { imageSize } from 'image-size';
import { packageRoot } from '../../server/package-root.js';

/** What an image is used for. */
export type ImageRole = 'card-jpg-normal' | 'card-png-normal' | 'card-jpg-low' | 'card-png-low' | 'id-resident' | 'id-driver' | 'id-passport';

/** An image and what it is. */
export interface CaseImage {
  role: ImageRole;
  bytes: Buffer;
  /** File name, for messages. */
  name: string;
  source: 'synthetic' | 'real';
  /** `jpg` or `png` from the file's signature. */
  fileType: 'jpg' | 'png' | 'other';
  width: number;
  height: number;
  /** EXIF orientation of a JPEG (1 when absent). */
  orientation: number;
}

/** The synthetic fixture of each role. */
export const SYNTHETIC_FILES: Record<ImageRole, string> = {
  'card-jpg-normal': 'card-856x540.jpg',
  'card-png-normal': 'card-856x540.png',
  'card-jpg-low': 'card-428x270.jpg',
  'card-png-low': 'card-428x270.png',
  'id-resident': 'id-resident-900x570.jpg',
  'id-driver': 'id-driver-900x570.jpg',
  'id-passport': 'id-passport-880x620.png',
};

/**
 * The file names looked for in `OCR_FIXTURES_DIR`, without extension (`.jpg`, `.jpeg` or
 * `.png` are tried in that order). A role without a real photo falls back to its synthetic image.
 */
export const REAL_FILE_STEMS: Record<ImageRole, string> = {
  'card-jpg-normal': 'credit-card',
  'card-png-normal': 'credit-card-png',
  'card-jpg-low': 'credit-card-low',
  'card-png-low': 'credit-card-low-png',
  'id-resident': 'id-resident',
  'id-driver': 'id-driver',
  'id-passport': 'id-passport',
};

// From the package root: this module also runs compiled, from dist/.
const FIXTURES = join(packageRoot(), 'test', 'fixtures');

/**
 * `jpg`, `png` or `other`, from the first bytes.
 * @example fileTypeOf(readFileSync('card.png')) // 'png'
 */
export function fileTypeOf(bytes: Buffer): CaseImage['fileType'] {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpg';
  if (bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'png';
  return 'other';
}

/**
 * The `resolution` values docs/emulated-api.md allows for an image: "normal" at 760x480 px or more,
 * else "low". Where the reading is ambiguous (a portrait photo, or EXIF rotation that swaps
 * width and height) both orientations are allowed.
 * @example allowedResolutions(856, 540, 1) // ['normal']
 * @example allowedResolutions(500, 800, 1) // ['low', 'normal']
 */
export function allowedResolutions(width: number, height: number, orientation = 1): Array<'normal' | 'low'> {
  const reading = (w: number, h: number): 'normal' | 'low' => (w >= 760 && h >= 480 ? 'normal' : 'low');
  const readings = new Set([reading(width, height)]);
  // A portrait photo: "760x480" may mean the long and the short side.
  readings.add(reading(Math.max(width, height), Math.min(width, height)));
  // EXIF orientations 5..8 swap width and height for display.
  if (orientation >= 5 && orientation <= 8) readings.add(reading(height, width));
  return [...readings].sort();
}

/**
 * Describes image bytes.
 * @example describeImage('id-resident', bytes, 'id-resident.jpg', 'real').width // 3024
 */
export function describeImage(role: ImageRole, bytes: Buffer, name: string, source: CaseImage['source']): CaseImage {
  let size: { width?: number; height?: number; orientation?: number } = {};
  try {
    size = imageSize(new Uint8Array(bytes));
  } catch {
    // Not an image the size reader knows: the case will say so.
  }
  return {
    role,
    bytes,
    name,
    source,
    fileType: fileTypeOf(bytes),
    width: size.width ?? 0,
    height: size.height ?? 0,
    orientation: size.orientation ?? 1,
  };
}

/** The images of a run. */
export interface ImageSet {
  get(role: ImageRole): CaseImage;
  /** One line per role: which file, real or synthetic. */
  describe(): string[];
}

/**
 * Loads the images: real photos from `realDir` where present, else the synthetic fixtures.
 * @example const images = loadImages(process.env.OCR_FIXTURES_DIR); images.get('id-driver').source // 'real'
 */
export function loadImages(realDir?: string): ImageSet {
  const cache = new Map<ImageRole, CaseImage>();
  const find = (role: ImageRole): CaseImage => {
    if (realDir) {
      for (const ext of ['.jpg', '.jpeg', '.png']) {
        const file = join(realDir, `${REAL_FILE_STEMS[role]}${ext}`);
        if (existsSync(file)) return describeImage(role, readFileSync(file), file, 'real');
      }
    }
    const name = SYNTHETIC_FILES[role];
    return describeImage(role, readFileSync(join(FIXTURES, name)), name, 'synthetic');
  };
  return {
    get(role) {
      let image = cache.get(role);
      if (!image) cache.set(role, (image = find(role)));
      return image;
    },
    describe() {
      return (Object.keys(SYNTHETIC_FILES) as ImageRole[]).map((role) => {
        const image = this.get(role);
        return `${role}: ${image.name} (${image.source}, ${image.fileType} ${image.width}x${image.height})`;
      });
    },
  };
}
