/**
 * Reads the multipart `image` field with multer (memory storage: images are small and the limit
 * is enforced while streaming, so an oversized upload is never held in memory).
 */
import { createRequire } from 'node:module';
import type { Request, Response } from 'express';
import type Multer from 'multer';
import { OcrError } from '../core/errors.js';
import type { Upload } from '../core/engine.js';
import type { UploadBudget } from './upload-budget.js';

/** Parses one request's multipart body and returns its `image` file, if any. */
export type ImageReader = (req: Request, res: Response) => Promise<Upload | undefined>;

/**
 * Builds a reader with an upload limit in bytes and, optionally, the budget of upload bytes held
 * at once (server/http/upload-budget.ts). Over the limit: 4131000; a body that is not
 * multipart or is malformed: no image, hence 4000001.
 * @example const readImage = imageReader(20 * 1024 * 1024); const upload = await readImage(req, res)
 */
export function imageReader(maxBytes: number, budget?: UploadBudget): ImageReader {
  // Made on the first upload: loading multer at start-up would slow it by tens of milliseconds
  // (README, "Benchmarks": start-up), and a health check needs none of it.
  let parser: ReturnType<ReturnType<typeof Multer>['any']> | undefined;
  const parse: NonNullable<typeof parser> = (req, res, next) => {
    parser ??= loadMulter()({
      storage: loadMulter().memoryStorage(),
      limits: { fileSize: maxBytes, files: 8, fields: 64, fieldSize: 1024 * 1024, headerPairs: 256 },
    }).any();
    return parser(req, res, next);
  };
  return (req, res) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > maxBytes) {
      // Answer at once; the body is discarded as it arrives, never buffered. The connection stays
      // open while the client finishes sending: closing it under a client that is still writing
      // resets it, and the client would likely lose the answer (nginx's "lingering close" idea).
      req.resume();
      return Promise.reject(
        new OcrError('MAX_UPLOAD_SIZE_EXCEEDED', `request body is ${declared} bytes, the limit is ${maxBytes}`),
      );
    }
    return new Promise((resolve, reject) => {
      // multer limits each file to maxBytes, but a body of several parts each under the limit
      // would still be buffered whole (8 files of 19 MB: 152 MB). So every byte of the body is
      // counted as it streams, and at the limit multer is cut off (what it holds goes with it)
      // and the rest is read and discarded, as for a declared Content-Length over the limit.
      // The bytes multer holds also count against the budget shared by all uploads, which
      // pauses this request while the budget is spent; they are given back with the answer.
      const ticket = budget?.open(req, res);
      let received = 0;
      let over = false;
      const count = (chunk: Buffer) => {
        received += chunk.length;
        if (received <= maxBytes || over) {
          ticket?.add(chunk.length);
          return;
        }
        over = true;
        ticket?.close();
        req.off('data', count);
        req.unpipe();
        req.resume();
        reject(new OcrError('MAX_UPLOAD_SIZE_EXCEEDED', `request body exceeds the ${maxBytes}-byte limit`));
      };
      // Added before multer pipes the request (synchronously, below): no chunk goes uncounted.
      req.on('data', count);
      parse(req, res, (error: unknown) => {
        req.off('data', count);
        if (over) return;
        if (error) {
          reject(translate(error, maxBytes));
          return;
        }
        const files = (req.files ?? []) as Express.Multer.File[];
        const image = files.find((file) => file.fieldname === 'image');
        if (!image && typeof (req.body as Record<string, unknown> | undefined)?.['image'] === 'string') {
          reject(new OcrError('INVALID_PARAMETER', 'field "image" was sent as a text field; send it as a file part (curl -F image=@file)'));
          return;
        }
        resolve(image ? { buffer: image.buffer } : undefined);
      });
    });
  };
}

let multer: typeof Multer | undefined;
function loadMulter(): typeof Multer {
  multer ??= createRequire(import.meta.url)('multer') as typeof Multer;
  return multer;
}

function translate(error: unknown, maxBytes: number): OcrError {
  if (error instanceof loadMulter().MulterError) {
    if (error.code === 'LIMIT_FILE_SIZE') {
      return new OcrError('MAX_UPLOAD_SIZE_EXCEEDED', `image is larger than the ${maxBytes}-byte limit`);
    }
    return new OcrError('INVALID_PARAMETER', `multipart body rejected: ${error.message}`);
  }
  const message = error instanceof Error ? error.message : String(error);
  return new OcrError('INVALID_PARAMETER', `multipart body is malformed: ${message}`);
}
