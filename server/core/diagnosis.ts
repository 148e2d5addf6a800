/**
 * Sharper diagnoses for mistakes that are recognisable from what a client sent. The checks that
 * find a fault (envelope.ts, image-info.ts, the engine) say what is wrong; these say why, when the
 * bytes give the common mistake away: an image sent without encryption, an image encrypted with
 * an all-zero IV, a key version from before the emulator started. They run only once a request
 * has already failed, so a good request pays nothing for them, and they never change a result
 * code: the live service answers the same code whatever the reason.
 */
import { ivOf } from './envelope.js';
import { OcrError } from './errors.js';
import { sniffFileType, type FileType } from './image-info.js';

/**
 * An image upload that failed to decrypt or to read as an image, explained further when the
 * bytes show how: the upload itself is an image (sent unencrypted), or the first block decrypts
 * to an image header under a classic wrong IV. Returns the error to throw: the same result code,
 * a sharper diagnosis, or the error as it was.
 * @example throw explainImageFailure(error, upload.buffer, decrypted, envelope.symmetricKey)
 */
export function explainImageFailure(error: unknown, upload: Buffer, decrypted: Buffer | undefined, symmetricKey: Buffer): unknown {
  if (!(error instanceof OcrError)) return error;
  const plain = plainImageDiagnosis(upload);
  if (plain) return new OcrError(error.key, plain);
  const guess = decrypted && error.key === 'INVALID_FILE_TYPE' ? ivGuess(decrypted, symmetricKey) : undefined;
  if (guess) {
    const type = guess.fileType === 'png' ? 'PNG' : 'JPEG';
    return new OcrError(
      error.key,
      `the first 16 decrypted bytes are garbled but the rest is a ${type}: ${guess.said}; the IV must be the first 16 bytes of the symmetric key`,
    );
  }
  return error;
}

/**
 * When an upload that failed to decrypt is itself a JPEG or PNG: the client sent the image in
 * the clear. The v2.0 guide's "Caution" requires the image encrypted with AES-256-CBC.
 * @example plainImageDiagnosis(pngBytes) // 'the image is a plain PNG (11663 bytes, not encrypted): encrypt it with AES-256-CBC first ...'
 */
export function plainImageDiagnosis(upload: Buffer): string | undefined {
  const type = sniffFileType(upload);
  if (!type) return undefined;
  return `the image is a plain ${type === 'png' ? 'PNG' : 'JPEG'} (${upload.length} bytes, not encrypted): encrypt it with AES-256-CBC first (key = the 32-byte symmetric key, IV = its first 16 bytes, PKCS#7 padding) and upload the ciphertext`;
}

/**
 * Which IV a client used, when the first decrypted block is garbled and the rest is an image:
 * in CBC only the first block depends on the IV, so (first block) XOR (the right IV) XOR (a
 * guessed IV) is what the client encrypted if it used the guessed IV. The classic guesses: all
 * zeros, and the key's last 16 bytes.
 * @example ivGuess(decrypted, key) // { said: 'the image was encrypted with an all-zero IV', fileType: 'png' }
 */
export function ivGuess(decrypted: Buffer, symmetricKey: Buffer): { said: string; fileType: FileType } | undefined {
  if (decrypted.length < 16) return undefined;
  const right = ivOf(symmetricKey);
  const candidates: [Buffer, string][] = [
    [Buffer.alloc(16), 'the image was encrypted with an all-zero IV'],
    [symmetricKey.subarray(16, 32), "the image was encrypted with the key's last 16 bytes as IV"],
  ];
  for (const [iv, said] of candidates) {
    const head = Buffer.alloc(16);
    for (let i = 0; i < 16; i++) head[i] = decrypted[i]! ^ right[i]! ^ iv[i]!;
    const fileType = sniffFileType(head);
    if (fileType) return { said, fileType };
  }
  return undefined;
}

/**
 * Why a key version may be unknown: keys are made anew at each start (and reset) unless they are
 * kept in a keys directory, so a version a client cached from an earlier run is not known here.
 * True with or without a keys directory.
 * @example keysSinceHint({ at: Date.parse('2026-11-26T16:00:00Z'), by: 'start' })
 * // "this emulator's keys date from its start at 2026-11-26T16:00:00.000Z: ..."
 */
export function keysSinceHint(since: KeysSince): string {
  const when = new Date(since.at).toISOString();
  const event = since.by === 'start' ? `its start at ${when}` : `the reset at ${when}`;
  return `this emulator's keys date from ${event}: key pairs are made anew at each reset and at each start (unless kept in a keys directory or Redis), so a version from an earlier run is unknown here; GET the public key again`;
}

/** When and by what the emulator's key store was last emptied. */
export interface KeysSince {
  /** Emulator clock time, epoch milliseconds. */
  at: number;
  by: 'start' | 'reset';
}
