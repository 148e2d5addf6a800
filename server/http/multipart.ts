/**
 * Reads the multipart `image` field. multer (busboy underneath, memory storage) is the parser of
 * record; the limit is enforced while streaming, so an oversized upload is never held in memory.
 *
 * Most uploads are one file part exactly as curl, browsers, undici's FormData, form-data and
 * OkHttp write it. For those, multer and busboy cost about a fifth of the CPU time of a
 * reused-key upload (test/bench/README.md). So a body announced with a plain
 * `multipart/form-data; boundary=...` is first read to its end (its bytes counted against the
 * limit and the budget as before), and when it is that one plain part ({@link plainImagePart})
 * the image is cut out of it directly: a few native searches instead of a JavaScript state
 * machine. Any other body, however slightly different, is handed to multer in the chunks it
 * came in, so what is answered is multer's answer as before (server/http/multipart.test.ts
 * compares the two on generated bodies in random chunks).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { Readable } from 'node:stream';
import type { Request, Response } from 'express';
import type Multer from 'multer';
import { OcrError } from '../core/errors.js';
import type { Upload } from '../core/engine.js';
import { BufferPool } from './buffer-pool.js';
import type { UploadBudget, UploadTicket } from './upload-budget.js';

/**
 * An upload as read: its bytes may be a view of a pooled body buffer (server/http/buffer-pool.ts),
 * which `release` gives back; call it once the engine is done with the upload, and keep nothing of it.
 */
export interface ReadUpload extends Upload {
  release?: () => void;
}

/** Parses one request's multipart body and returns its `image` file, if any. */
export type ImageReader = (req: IncomingMessage, res: ServerResponse) => Promise<ReadUpload | undefined>;

/** Body buffers kept for reuse: at most 4 MiB of them, each at most 1 MiB (larger bodies get their own). */
const POOLED_BYTES = 4 * 1024 * 1024;
const POOLED_BUFFER_BYTES = 1024 * 1024;

/** Options of {@link imageReader}. */
export interface ImageReaderOptions {
  /** `false` sends every body through multer as it streams (the reference the tests compare with). */
  plainPartShortcut?: boolean;
}

/**
 * The one Content-Type the shortcut takes: lower case, one space, an unquoted boundary of
 * characters that are both RFC 2046 boundary characters and RFC 9110 token characters, so that
 * multer's type check and busboy's parameter parser read exactly this boundary from it.
 */
const PLAIN_MULTIPART = /^multipart\/form-data; boundary=([A-Za-z0-9'+_.-]{1,70})$/;
/** A part header line busboy accepts: a token, a colon, visible ASCII (no folding, no 8-bit). */
const PART_HEADER_LINE = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+:[\t\x20-\x7e]*$/;
/** The Content-Disposition header's name, in any case (busboy reads header names so). */
const DISPOSITION_NAME = /^content-disposition:/i;
/** Its value for the image part, as clients write it (its filename plain: no escapes, no path), in this case only. */
const IMAGE_DISPOSITION = /^[ \t]*form-data; name="image"; filename="([\x20\x21\x23-\x2e\x30-\x5b\x5d-\x7e]+)"$/;
/** Far below busboy's own bounds on a part's header section (16 KiB, 2,000 lines). */
const MAX_PART_HEADER_BYTES = 4096;
const MAX_PART_HEADER_LINES = 16;

/**
 * The image of a body that is exactly one file part named `image`, or `undefined` for any body
 * that is not that plain: `--B CRLF`, header lines (one plain Content-Disposition with
 * `name="image"` and a filename), an empty line, the bytes, `CRLF --B--`, then anything in which
 * `CRLF --B` does not occur. For such a body busboy (behind multer) finds the same part and
 * multer hands over the same bytes, however the body arrives in chunks: busboy looks for
 * `CRLF --B` from the end of the opening boundary on, so that must first occur after the part's
 * header section; after the closing delimiter it stops reading, but only at the end of the chunk
 * it is in, so what follows must not hold another. The answer is a view into `body`, not a copy.
 * @example plainImagePart(Buffer.from('--b\r\nContent-Disposition: form-data; name="image"; filename="x"\r\n\r\nJPEG\r\n--b--\r\n'), 'b') // <Buffer 4a 50 45 47>
 */
export function plainImagePart(body: Buffer, boundary: string): Buffer | undefined {
  const opening = `--${boundary}\r\n`;
  if (body.length < opening.length || body.toString('latin1', 0, opening.length) !== opening) return undefined;
  const headersStart = opening.length;
  const headersEnd = body.subarray(0, headersStart + MAX_PART_HEADER_BYTES + 4).indexOf('\r\n\r\n', headersStart, 'latin1');
  if (headersEnd < 0 || !isPlainSection(body.subarray(headersStart, headersEnd))) return undefined;
  const dataStart = headersEnd + 4;
  const delimiter = `\r\n--${boundary}`;
  const end = body.indexOf(delimiter, headersStart - 2, 'latin1');
  if (end < dataStart) return undefined; // none at all (-1), or inside the header section
  const after = end + delimiter.length;
  // `--` after the delimiter closes the body; anything else (another part, or the end) is not plain.
  if (body[after] !== 0x2d || body[after + 1] !== 0x2d) return undefined;
  if (body.indexOf(delimiter, after + 2, 'latin1') >= 0) return undefined;
  return body.subarray(dataStart, end);
}

/** The last header section found plain: a client sends the same one upload after upload. */
let plainSection: Buffer | undefined;

/** {@link isImagePartHeader} of a section's bytes, remembering the last one found plain. */
function isPlainSection(section: Buffer): boolean {
  if (plainSection?.equals(section)) return true;
  if (!isImagePartHeader(section.toString('latin1'))) return false;
  plainSection = Buffer.from(section);
  return true;
}

/**
 * Whether a part's header section (its lines without the final empty one) is that of a plain
 * image file part: lines busboy reads as headers, exactly one of them a Content-Disposition
 * (busboy keeps only the first), `form-data; name="image"; filename="..."` with a filename that
 * busboy's basename() keeps whole and multer takes as a file (not empty, not `.` or `..`).
 */
function isImagePartHeader(section: string): boolean {
  const lines = section.split('\r\n');
  if (lines.length > MAX_PART_HEADER_LINES) return false;
  let dispositions = 0;
  for (const line of lines) {
    if (!PART_HEADER_LINE.test(line)) return false;
    if (!DISPOSITION_NAME.test(line)) continue;
    const filename = IMAGE_DISPOSITION.exec(line.slice('content-disposition:'.length))?.[1];
    if (filename === undefined || filename === '.' || filename === '..') return false;
    dispositions++;
  }
  return dispositions === 1;
}

/**
 * Builds a reader with an upload limit in bytes and, optionally, the budget of upload bytes held
 * at once (server/http/upload-budget.ts). Over the limit: 4131000; a body that is not
 * multipart or is malformed: no image, hence 4000001.
 * @example const readImage = imageReader(20 * 1024 * 1024); const upload = await readImage(req, res)
 */
export function imageReader(maxBytes: number, budget?: UploadBudget, options: ImageReaderOptions = {}): ImageReader {
  // Made on the first upload: loading multer at start-up would slow it by tens of milliseconds
  // (test/bench/README.md: start-up), and a health check needs none of it.
  let parser: ReturnType<ReturnType<typeof Multer>['any']> | undefined;
  const parse = (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void): void => {
    parser ??= loadMulter()({
      storage: loadMulter().memoryStorage(),
      limits: { fileSize: maxBytes, files: 8, fields: 64, fieldSize: 1024 * 1024, headerPairs: 256 },
    }).any();
    parser(req as unknown as Request, res as unknown as Response, next);
  };
  const shortcut = options.plainPartShortcut ?? true;
  const pool = new BufferPool(POOLED_BYTES, POOLED_BUFFER_BYTES);
  return (req, res) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > maxBytes) {
      // Answer at once; the body is discarded as it arrives, never buffered. The connection stays
      // open while the client finishes sending: closing it under a client that is still writing
      // resets it, and the client would likely lose the answer (nginx's "lingering close" idea).
      req.resume();
      return Promise.reject(new OcrError('MAX_UPLOAD_SIZE_EXCEEDED', `request body is ${declared} bytes, the limit is ${maxBytes}`));
    }
    // The bytes held count against the budget shared by all uploads until the engine is done
    // with the image (`release`), or the answer is done at the latest: not while the answer
    // waits out a scenario's delay, when nothing of the upload is held any more.
    const ticket = budget?.open(req, res);
    const boundary = shortcut ? plainBoundary(req) : undefined;
    const read = boundary === undefined ? streamToMulter(req, res, maxBytes, parse, ticket) : readWhole(req, res, maxBytes, boundary, parse, ticket, pool);
    return read.then(
      (upload) => releasingTicket(upload, ticket),
      (error: unknown) => {
        ticket?.close(); // whatever was read is dropped; the rest is read and discarded uncounted
        throw error;
      },
    );
  };
}

/** An upload whose `release` also gives its bytes back to the budget (at once when there is no image to hold). */
function releasingTicket(upload: ReadUpload | undefined, ticket: UploadTicket | undefined): ReadUpload | undefined {
  if (!upload || !ticket) {
    ticket?.close();
    return upload;
  }
  return {
    ...upload,
    release: () => {
      upload.release?.();
      ticket.close();
    },
  };
}

/** multer's middleware, for a request or a stand-in for one. */
type Parse = (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => void;

/**
 * The boundary of a request the shortcut may read: a body announced (multer reads a request
 * without Content-Length or Transfer-Encoding as having none) with a plain Content-Type.
 */
function plainBoundary(req: IncomingMessage): string | undefined {
  const { headers } = req;
  if (headers['transfer-encoding'] === undefined && Number.isNaN(Number(headers['content-length']))) return undefined;
  const type = headers['content-type'];
  return type === undefined ? undefined : PLAIN_MULTIPART.exec(type)?.[1];
}

/**
 * Counts a request's body bytes as they arrive: each one against the budget (which pauses the
 * request while the budget is spent); past `maxBytes`, `onOver` once, the budget given back and
 * nothing more counted. Returns the listener to remove.
 */
function byteCounter(
  req: IncomingMessage,
  maxBytes: number,
  ticket: UploadTicket | undefined,
  onChunk: (chunk: Buffer) => void,
  onOver: () => void,
): (chunk: Buffer) => void {
  let received = 0;
  let over = false;
  const count = (chunk: Buffer) => {
    if (over) return;
    received += chunk.length;
    if (received <= maxBytes) {
      ticket?.add(chunk.length);
      onChunk(chunk);
      return;
    }
    over = true;
    ticket?.close();
    req.off('data', count);
    onOver();
  };
  req.on('data', count);
  return count;
}

function overLimit(maxBytes: number): OcrError {
  return new OcrError('MAX_UPLOAD_SIZE_EXCEEDED', `request body exceeds the ${maxBytes}-byte limit`);
}

/** The whole body read first (counted as it streams), then {@link plainImagePart}, else multer. */
function readWhole(
  req: IncomingMessage,
  res: ServerResponse,
  maxBytes: number,
  boundary: string,
  parse: Parse,
  ticket: UploadTicket | undefined,
  pool: BufferPool,
): Promise<ReadUpload | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = () => {
      settled = true;
      req.off('end', onEnd);
      req.off('error', onCutOff);
      req.off('close', onCutOff);
    };
    const keep = (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
    };
    const count = byteCounter(req, maxBytes, ticket, keep, () => {
      // Over the limit: what was held goes, the rest is read and discarded.
      settle();
      chunks.length = 0;
      req.resume();
      reject(overLimit(maxBytes));
    });
    const onEnd = () => {
      settle();
      req.off('data', count);
      const pooled = chunks.length > 1;
      const body = pooled ? concatInto(pool.take(size), chunks) : (chunks[0] ?? Buffer.alloc(0));
      const image = plainImagePart(body, boundary);
      if (image) {
        chunks.length = 0;
        let released = !pooled;
        const release = () => {
          if (released) return;
          released = true;
          pool.give(body);
        };
        resolve({ buffer: image, release });
        return;
      }
      // The same chunks as they came (views into the body: no second copy), since busboy does not
      // read every body alike in every chunking.
      let at = 0;
      const pieces = chunks.map((chunk) => body.subarray(at, (at += chunk.length)));
      chunks.length = 0;
      replayToMulter(req, res, pieces, maxBytes, parse).then(resolve, reject);
    };
    // The client went away mid-body (closed, reset, timed out): as multer says it.
    const onCutOff = (error?: Error) => {
      if (settled || req.complete) return;
      settle();
      req.off('data', count);
      chunks.length = 0;
      ticket?.close();
      reject(translate(error instanceof Error ? error : new Error('Request aborted'), maxBytes));
    };
    req.on('end', onEnd);
    req.on('error', onCutOff);
    req.on('close', onCutOff);
  });
}

/** Copies `chunks` one after another into `target` (which is exactly as long as they are together). */
function concatInto(target: Buffer, chunks: readonly Buffer[]): Buffer {
  let at = 0;
  for (const chunk of chunks) at += chunk.copy(target, at);
  return target;
}

/**
 * A body read whole but not plain, given to multer as if it were arriving now: a stream of the
 * same chunks that carries the request's headers, so every check multer and busboy make sees
 * what it would have seen.
 */
function replayToMulter(req: IncomingMessage, res: ServerResponse, chunks: Buffer[], maxBytes: number, parse: Parse): Promise<Upload | undefined> {
  const stand = Object.assign(Readable.from(chunks, { objectMode: false }), { headers: req.headers }) as unknown as IncomingMessage;
  return new Promise((resolve, reject) => {
    const cancel = unlessFinished(stand, reject);
    parse(stand, res, (error) => {
      if (!cancel()) return;
      if (error) reject(translate(error, maxBytes));
      else settleWith(stand, resolve, reject);
    });
  });
}

/** How long multer may take to finish once the whole body has been read. */
const FINISH_MS = 1_000;

/**
 * Refuses a body multer never finishes: busboy waits forever for the end of a part that begins
 * after the closing delimiter in one chunk and is cut by the next, so such a request would hang
 * until the server's request timeout. Once the body has ended, multer has {@link FINISH_MS} to
 * answer; then the request gets 4000001. Returns a function that cancels the wait and says
 * whether the caller may still settle.
 */
function unlessFinished(source: IncomingMessage, reject: (error: OcrError) => void): () => boolean {
  let timer: NodeJS.Timeout | undefined;
  let open = true;
  const onEnd = () => {
    timer = setTimeout(() => {
      if (!open) return;
      open = false;
      reject(new OcrError('INVALID_PARAMETER', 'multipart body ended inside a part that was never closed (data after the closing delimiter)'));
    }, FINISH_MS);
    timer.unref();
  };
  source.once('end', onEnd);
  return () => {
    source.off('end', onEnd);
    clearTimeout(timer);
    const wasOpen = open;
    open = false;
    return wasOpen;
  };
}

/** The request streamed into multer as it arrives, every byte counted on the way. */
function streamToMulter(
  req: IncomingMessage,
  res: ServerResponse,
  maxBytes: number,
  parse: Parse,
  ticket: UploadTicket | undefined,
): Promise<Upload | undefined> {
  return new Promise((resolve, reject) => {
    // multer limits each file to maxBytes, but a body of several parts each under the limit
    // would still be buffered whole (8 files of 19 MB: 152 MB). So every byte of the body is
    // counted as it streams, and at the limit multer is cut off (what it holds goes with it)
    // and the rest is read and discarded, as for a declared Content-Length over the limit.
    // The bytes multer holds also count against the budget shared by all uploads (`ticket`),
    // which pauses this request while the budget is spent.
    let over = false;
    // Added before multer pipes the request (synchronously, below): no chunk goes uncounted.
    const cancel = unlessFinished(req, reject);
    const count = byteCounter(
      req,
      maxBytes,
      ticket,
      () => {},
      () => {
        over = true;
        cancel();
        req.unpipe();
        req.resume();
        reject(overLimit(maxBytes));
      },
    );
    parse(req, res, (error: unknown) => {
      req.off('data', count);
      if (!cancel() || over) return;
      if (error) reject(translate(error, maxBytes));
      else settleWith(req, resolve, reject);
    });
  });
}

/** Settles with the `image` file multer found on a request; a text field of that name is a client mistake worth naming. */
function settleWith(req: IncomingMessage, resolve: (upload: Upload | undefined) => void, reject: (error: OcrError) => void): void {
  const parsed = req as IncomingMessage & { files?: Express.Multer.File[]; body?: Record<string, unknown> };
  const image = (parsed.files ?? []).find((file) => file.fieldname === 'image');
  if (!image && typeof parsed.body?.['image'] === 'string') {
    reject(new OcrError('INVALID_PARAMETER', 'field "image" was sent as a text field; send it as a file part (curl -F image=@file)'));
    return;
  }
  resolve(image ? { buffer: image.buffer } : undefined);
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
