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
 * Inspects decrypted image bytes; non-images answer 4000003, a JPEG/PNG that is cut short or
 * whose size cannot be read answers 4000002 (this project's reading: the error-code table has
 * "Invalid file" for that, TOAST-DOCS/OCR en/document-ocr-error-code.md).
 * @example inspectImage(pngBytes) // {fileType: 'png', width: 800, height: 500, resolution: 'normal', ...}
 */
export function inspectImage(data: Buffer): ImageInfo {
  const fileType = sniffFileType(data);
  if (!fileType) throw new OcrError('INVALID_FILE_TYPE', describeNonImage(data));
  const headerEnd = fileType === 'png' ? pngHeaderEnd(data) : jpegHeaderEnd(data);
  const kind = fileType === 'png' ? 'PNG' : 'JPEG';
  if (headerEnd === undefined) {
    const end = fileType === 'png' ? 'its IEND chunk' : 'its end-of-image marker';
    throw new OcrError('INVALID_FILE', `decrypted ${data.length} bytes start like a ${kind} but end before ${end} (truncated?)`);
  }
  const { width, height } = fileType === 'jpg' ? jpegPixelSize(data, headerEnd) : pixelSize(data.subarray(0, headerEnd));
  if (!width || !height) throw new OcrError('INVALID_FILE', `decrypted bytes are a whole ${kind} but its pixel size cannot be read`);
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
 * The pixel size in the headers, or nothing. `image-size` reads through a DataView that runs to
 * the end of the view's whole ArrayBuffer, past the view's own length: handed the decrypted
 * view, it read the AES padding behind a cut-off PNG as a width (0x10101010). It gets a copy of
 * the headers alone, whose buffer ends where they do, so a read past them throws instead.
 */
function pixelSize(headers: Buffer): { width?: number | undefined; height?: number | undefined } {
  try {
    return imageSize(new Uint8Array(headers));
  } catch {
    return {};
  }
}

/** Thrown where `image-size` would throw: a read past the bytes it was handed. */
const PAST_THE_END = new RangeError('past the end of the headers');

/**
 * The pixel size of a JPEG as `image-size` reads it from a copy of `data`'s first `limit` bytes
 * (its `JPG.calculate`, step for step: the walk from offset 4 by segment lengths, a byte skipped
 * where no marker follows, the first SOF0, SOF1 or SOF2 answers, an Exif block's orientation
 * read on the way, and every read past `limit` a failure), without that copy and the one
 * `image-size` makes of it again: for a JPEG with a large Exif block (or the benchmark's
 * padding) that is twice the headers in short-lived buffers per image, whose churn alone
 * set off full garbage collections (test/bench/README.md). server/core/image-info.test.ts
 * compares the two on mutated JPEGs.
 * @example jpegPixelSize(fixture('card-856x540.jpg'), jpegHeaderEnd(fixture('card-856x540.jpg'))) // { width: 856, height: 540 }
 */
export function jpegPixelSize(data: Buffer, limit: number): { width?: number | undefined; height?: number | undefined } {
  const u16 = (at: number) => {
    if (at < 0 || at + 2 > limit) throw PAST_THE_END;
    return (data[at]! << 8) | data[at + 1]!;
  };
  // image-size takes only bytes that begin with SOI as a JPEG.
  if (limit < 2 || data[0] !== 0xff || data[1] !== 0xd8) return {};
  try {
    for (let at = 4; at < limit; ) {
      const i = u16(at);
      if (i > limit - at) throw PAST_THE_END;
      if (at + i >= limit || data[at + i] !== 0xff) {
        at += 1;
        continue;
      }
      if (at + 6 <= limit && data[at + 2] === 0x45 && data[at + 3] === 0x78 && data[at + 4] === 0x69 && data[at + 5] === 0x66)
        exifOrientation(data, at + 2, at + i);
      const next = data[at + i + 1];
      if ((next === 0xc0 || next === 0xc1 || next === 0xc2) && at + i + 1 < limit) return { height: u16(at + i + 5), width: u16(at + i + 7) };
      at += i + 2;
    }
  } catch (error) {
    if (error === PAST_THE_END) return {};
    throw error;
  }
  return {};
}

/**
 * `image-size`'s reading of an Exif block's orientation, kept for the reads past its end that
 * make `image-size` throw (and the JPEG unreadable); the orientation itself is not used.
 */
function exifOrientation(data: Buffer, start: number, end: number): void {
  const length = Math.max(0, end - start);
  const byte = (at: number) => (at < length ? data[start + at]! : -1);
  const bigEndian = byte(6) === 0x4d && byte(7) === 0x4d;
  if (!bigEndian && !(byte(6) === 0x49 && byte(7) === 0x49)) return;
  const u16 = (at: number, blockEnd: number) => {
    if (at + 2 > blockEnd) throw PAST_THE_END;
    return bigEndian ? (byte(at) << 8) | byte(at + 1) : byte(at) | (byte(at + 1) << 8);
  };
  const u32 = (at: number, blockEnd: number) => {
    if (at + 4 > blockEnd) throw PAST_THE_END;
    return bigEndian ? u16(at, blockEnd) * 65536 + u16(at + 2, blockEnd) : u16(at, blockEnd) + u16(at + 2, blockEnd) * 65536;
  };
  const entries = u16(14, length);
  for (let n = 0; n < entries; n++) {
    const entry = 16 + n * 12;
    if (entry > length) return;
    const entryEnd = Math.min(entry + 12, length);
    if (u16(entry, entryEnd) !== 274) continue;
    if (u16(entry + 2, entryEnd) !== 3) return;
    if (u32(entry + 4, entryEnd) !== 1) return;
    u16(entry + 8, entryEnd);
    return;
  }
}

const IHDR = 0x49484452;
const IEND = 0x49454e44;

/**
 * Where the PNG's IHDR chunk ends, once every chunk up to IEND is whole (PNG specification,
 * section 5.3: length, type, data, CRC); undefined when the file ends before IEND.
 * @example pngHeaderEnd(fixture('card-428x270.png')) // 33
 */
export function pngHeaderEnd(data: Buffer): number | undefined {
  let headerEnd: number | undefined;
  for (let at = 8; at + 12 <= data.length; ) {
    const end = at + 12 + data.readUInt32BE(at);
    if (end > data.length) return undefined;
    const type = data.readUInt32BE(at + 4);
    if (type === IHDR) headerEnd ??= end;
    if (type === IEND) return headerEnd;
    at = end;
  }
  return undefined;
}

/**
 * Where the JPEG's first scan (SOS) starts, once every segment before it is whole and an
 * end-of-image marker (EOI) follows it (ITU T.81, annex B); undefined when the file ends before
 * its EOI. Bytes after the EOI (phone trailers) are allowed.
 * @example jpegHeaderEnd(fixture('card-428x270.jpg')) // the offset of the SOS marker
 */
export function jpegHeaderEnd(data: Buffer): number | undefined {
  let at = 2;
  for (;;) {
    at = data.indexOf(0xff, at); // stray bytes before a marker, which decoders skip
    if (at < 0) return undefined;
    while (data[at + 1] === 0xff) at += 1; // fill bytes
    if (at + 4 > data.length) return undefined;
    const marker = data[at + 1]!;
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      at += 2; // TEM and RSTn carry no length
      continue;
    }
    if (marker === 0xd9) return undefined; // an EOI before any scan: no image
    const end = at + 2 + data.readUInt16BE(at + 2);
    if (end > data.length) return undefined;
    if (marker === 0xda) return endsAfter(data, end) ? at : undefined;
    at = end;
  }
}

/**
 * Whether an EOI (0xFF 0xD9) starts at or after `from`. Scan data cannot hold one (an 0xFF
 * there is followed by 0x00 or RSTn), so the last one is the image's end: searched from the end,
 * where a whole file has it. Only a cut-off file is read through, two bytes a step (each pair has
 * one byte at a visited offset): measured on 20 MiB, 0.1 s whatever the bytes, where a byte-wise
 * loop took 0.3 s and Buffer.lastIndexOf 0.5 s on 0xD9 repeated.
 */
function endsAfter(data: Buffer, from: number): boolean {
  for (let at = data.length - 1; at > from; at -= 2) {
    const byte = data[at];
    if (byte === 0xd9 && data[at - 1] === 0xff) return true;
    if (byte === 0xff && data[at + 1] === 0xd9) return true;
  }
  return data[from] === 0xff && data[from + 1] === 0xd9;
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
