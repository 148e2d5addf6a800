/**
 * Reads a JSON request body as text under a byte limit, without buffering past it.
 */
import type { Request, Response } from 'express';
import { OcrError } from '../core/errors.js';

/**
 * Reads and drops what is left of a request body; resolves when it has all arrived, when the
 * client has gone, or after `maxMs`, whichever comes first. Nothing is kept.
 * @example if (!req.complete) await drainBody(req, 5000)
 */
export function drainBody(req: Request, maxMs: number): Promise<void> {
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
 * Resolves with the body text; over `maxBytes` rejects with 4131000 and discards the rest.
 * @example const text = await readBodyText(req, res, 20 * 1024 * 1024)
 */
export function readBodyText(req: Request, res: Response, maxBytes: number): Promise<string> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    // Discarded as it arrives; the connection stays open so the client can finish sending and
    // read the answer (closing under a writing client resets the connection).
    req.resume();
    return Promise.reject(new OcrError('MAX_UPLOAD_SIZE_EXCEEDED', `request body is ${declared} bytes, the limit is ${maxBytes}`));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      if (over) return;
      size += chunk.length;
      if (size > maxBytes) {
        over = true;
        chunks.length = 0;
        reject(new OcrError('MAX_UPLOAD_SIZE_EXCEEDED', `request body exceeds the ${maxBytes}-byte limit`));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!over) resolve(Buffer.concat(chunks).toString('utf8'));
    });
    // The client went away mid-body (closed, reset, broken framing, timed out): its fault, not
    // the emulator's, and nobody is left to read the answer.
    req.on('error', (error) => reject(new OcrError('INVALID_PARAMETER', `request body was cut off: ${error.message}`)));
  });
}
