/**
 * What the decrypted upload is: its type from its signature, its real pixel size (read with
 * `image-size`, which parses JPEG SOF markers and PNG IHDR rather than guessing), and the
 * `resolution` label the guide defines: "normal" at 760x480 px or above, else "low"
 * (TOAST-DOCS/OCR en/document-ocr-api-guide-v2.0.md, credit card response, `resolution`).
 */
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import type { imageSize as ImageSize } from 'image-size';
import { OcrError } from './errors.js';

// Loaded on the first image, not at start-up, which it would slow by tens of milliseconds
// (test/bench/README.md: start-up).
let imageSizeOf: typeof ImageSize | undefined;
const imageSize: typeof ImageSize = (data) => {
  imageSizeOf ??= (createRequire(import.meta.url)('image-size') as { imageSize: typeof ImageSize }).imageSize;
  return imageSizeOf(data);
};

/** The two file types the service accepts. */
export type FileType = 'jpg' | 'png';

/** The guide's resolution label. */
export type Resolution = 'normal' | 'low';

/** The facts about a decrypted image that results and the journal need. */
export interface ImageInfo {
  fileType: FileType;
  width: number;
  height: number;
  resolution: Resolution;
  bytes: number;
  sha256: string;
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const PNG_TRAILER = Buffer.from('IEND', 'latin1');
const RECOMMENDED = { width: 760, height: 480 } as const;

/**
 * Sniffs the signature of decrypted bytes.
 * @example sniffFileType(Buffer.from([0xff, 0xd8, 0xff, 0xe0])) // 'jpg'
 */
export function sniffFileType(data: Buffer): FileType | undefined {
  if (data.length >= 8 && data.subarray(0, 8).equals(PNG_SIGNATURE)) return 'png';
  if (data.length >= 3 && data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff) return 'jpg';
  return undefined;
}

/**
 * The guide's resolution label. Either orientation counts: a portrait photo of a card is
 * as readable as a landscape one.
 * @example resolutionOf(760, 480) // 'normal'
 * @example resolutionOf(759, 480) // 'low'
 */
export function resolutionOf(width: number, height: number): 'normal' | 'low' {
  const long = Math.max(width, height);
  const short = Math.min(width, height);
  return long >= RECOMMENDED.width && short >= RECOMMENDED.height ? 'normal' : 'low';
}

/**
 * Inspects decrypted image bytes; non-images answer 4000003, a JPEG/PNG whose size cannot be
 * read answers 4000002 (this project's reading: the table has "Invalid file" for that).
 * @example inspectImage(pngBytes) // {fileType: 'png', width: 800, height: 500, resolution: 'normal', ...}
 */
export function inspectImage(data: Buffer): ImageInfo {
  const fileType = sniffFileType(data);
  if (!fileType) throw new OcrError('INVALID_FILE_TYPE', describeNonImage(data));
  let size: { width?: number; height?: number };
  try {
    size = imageSize(data);
  } catch {
    size = {};
  }
  const { width, height } = size;
  if (!width || !height) {
    throw new OcrError('INVALID_FILE', `decrypted bytes start like a ${fileType.toUpperCase()} but its pixel size cannot be read (truncated?)`);
  }
  return {
    fileType,
    width,
    height,
    resolution: resolutionOf(width, height),
    bytes: data.length,
    sha256: createHash('sha256').update(data).digest('hex'),
  };
}

/**
 * Explains decrypted bytes that are not an image, spotting the classic client bugs.
 * A wrong IV garbles only the first CBC block, so the end of the file still reads as an image.
 */
function describeNonImage(data: Buffer): string {
  const rest = data.subarray(16);
  const restType = sniffFileType(rest);
  if (restType) {
    return `decrypted bytes 16.. are a ${restType.toUpperCase()}: the client put its own IV in front of the ciphertext; the IV must be the first 16 bytes of the key and is not sent`;
  }
  const tail = data.subarray(Math.max(0, data.length - 12));
  const pngEnd = tail.includes(PNG_TRAILER);
  const jpegEnd = data.length > 2 && data[data.length - 2] === 0xff && data[data.length - 1] === 0xd9;
  if (pngEnd || jpegEnd) {
    return `the first 16 decrypted bytes are garbled but the rest is a ${pngEnd ? 'PNG' : 'JPEG'}: the IV was not the first 16 bytes of the key`;
  }
  // The kind of file only, never its bytes: a diagnosis travels in a response header.
  return `decrypted ${data.length} bytes are neither JPEG nor PNG (${knownSignature(data) ?? 'no file signature the emulator knows'})`;
}

/** File signatures clients send by mistake, by their first bytes. */
const OTHER_SIGNATURES: readonly [RegExp, string][] = [
  [/^%PDF-/, 'a PDF'],
  [/^GIF8[79]a/, 'a GIF'],
  [/^RIFF[\s\S]{4}WEBP/, 'a WebP'],
  [/^BM/, 'a BMP'],
  [/^(II\*\x00|MM\x00\*)/, 'a TIFF'],
  [/^[\s\S]{4}ftyp(heic|heix|mif1|avif)/, 'a HEIC/AVIF'],
  [/^PK\x03\x04/, 'a ZIP'],
];

function knownSignature(data: Buffer): string | undefined {
  const head = data.subarray(0, 16).toString('latin1');
  return OTHER_SIGNATURES.find(([pattern]) => pattern.test(head))?.[1];
}
