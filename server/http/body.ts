/**
 * Reads a JSON request body as text under a byte limit, without buffering past it.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { OcrError } from '../core/errors.js';
import type { UploadBudget } from './upload-budget.js';

/** The longest an answer waits for the rest of a body it did not need. */
export const DRAIN_MS = 5_000;

/**
 * Reads and drops what is left of a request body; resolves when it has all arrived, when the
 * client has gone, or after `maxMs`, whichever comes first. Nothing is kept.
 * @example if (!req.complete) await drainBody(req, 5000)
 */
export function drainBody(req: IncomingMessage, maxMs: number): Promise<void> {
  return new Promise((resolve) => {
    if (req.complete || req.destroyed || req.readableEnded) {
      resolve();
      return;
    }
    const done = () => {
      clearTimeout(timer);
      req.off('end', done);
      req.off('close', done);
      resolve();
    };
    const timer = setTimeout(done, maxMs);
    req.on('end', done);
    req.on('close', done);
    req.resume();
  });
}

/**
 * Resolves with the body text; over `maxBytes` rejects with 4131000 and discards the rest. A body
 * over `keepBytes` (but within `maxBytes`) is not kept either: it is read to its end and dropped,
 * then rejected with 4000001, the code for a body that cannot be what the endpoint reads (the
 * authenticity endpoint's bound, AUTHENTICITY_MAX_BODY_BYTES); 4131000 still wins when the body
 * turns out to be over the upload limit, as the condition table orders them.
 * Kept bytes count against `budget`, when given (server/http/upload-budget.ts), until the body has been read.
 * @example const text = await readBodyText(req, res, 20 * 1024 * 1024, 64 * 1024)
 */
export function readBodyText(req: IncomingMessage, res: ServerResponse, maxBytes: number, keepBytes = maxBytes, budget?: UploadBudget): Promise<string> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    // Discarded as it arrives; the connection stays open so the client can finish sending and
    // read the answer (closing under a writing client resets the connection).
    req.resume();
    return Promise.reject(new OcrError('MAX_UPLOAD_SIZE_EXCEEDED', `request body is ${declared} bytes, the limit is ${maxBytes}`));
  }
  if (Number.isFinite(declared) && declared > keepBytes) {
    req.resume();
    return Promise.reject(tooLarge(declared, keepBytes));
  }
  return new Promise((resolve, reject) => {
    // Kept bytes count against the budget shared by all uploads until the body has been read.
    const ticket = budget?.open(req, res);
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      if (over) return;
      size += chunk.length;
      if (size > maxBytes) {
        over = true;
        chunks.length = 0;
        ticket?.close();
        reject(new OcrError('MAX_UPLOAD_SIZE_EXCEEDED', `request body exceeds the ${maxBytes}-byte limit`));
        return;
      }
      if (size > keepBytes) {
        chunks.length = 0; // read on, to the end or to the limit, keeping nothing
        ticket?.close();
      } else {
        chunks.push(chunk);
        ticket?.add(chunk.length);
      }
    });
    req.on('end', () => {
      if (over) return;
      // Read: the text is at most `keepBytes` and soon dropped, and an answer that waits out a
      // scenario's delay must not keep other uploads waiting.
      ticket?.close();
      if (size > keepBytes) reject(tooLarge(size, keepBytes));
      else resolve(Buffer.concat(chunks).toString('utf8'));
    });
    // The client went away mid-body (closed, reset, broken framing, timed out): its fault, not
    // the emulator's, and nobody is left to read the answer.
    req.on('error', (error) => reject(new OcrError('INVALID_PARAMETER', `request body was cut off: ${error.message}`)));
  });
}

function tooLarge(bytes: number, keepBytes: number): OcrError {
  return new OcrError('INVALID_PARAMETER', `request body is ${bytes} bytes; this endpoint reads at most ${keepBytes}`);
}
