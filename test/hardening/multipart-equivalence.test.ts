/**
 * The image reader's shortcut for plain one-part bodies against multer, over real sockets: a
 * server reads each generated body (test/support/multipart-bodies.ts) with the shortcut on one
 * path and with multer alone on another; the two answers must be the same, word for word. The
 * body is written in the case's chunks, a millisecond apart, so the server reads it in pieces as
 * a slow network would deliver it. server/http/multipart.test.ts runs many more cases on streams.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OcrError } from '../../server/core/errors.js';
import { imageReader } from '../../server/http/multipart.js';
import { UploadBudget } from '../../server/http/upload-budget.js';
import { chunksOf, multipartCase, type MultipartCase } from '../support/multipart-bodies.js';
import { sendRaw } from '../support/wire-client.js';

const LIMIT = 2048;
const budget = new UploadBudget(64 * 1024);
const readers = { '/shortcut': imageReader(LIMIT, budget), '/multer': imageReader(LIMIT, budget, { plainPartShortcut: false }) };

let server: Server;
let port: number;

beforeAll(async () => {
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const read = readers[req.url as keyof typeof readers];
    read(req, res).then(
      (upload) => {
        const text = upload ? `image ${upload.buffer.length} bytes, sha256 ${createHash('sha256').update(upload.buffer).digest('hex')}` : 'no image';
        upload?.release?.();
        res.end(text);
      },
      (error: unknown) => res.end(error instanceof OcrError ? `${error.code}: ${error.diagnosis}` : `fault: ${String(error)}`),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

async function answer(path: string, c: MultipartCase): Promise<string> {
  const head = [`POST ${path} HTTP/1.1`, 'Host: 127.0.0.1', 'Connection: close', `Content-Length: ${c.body.length}`];
  if (c.contentType !== undefined) head.push(`Content-Type: ${c.contentType}`);
  const sent = await sendRaw(port, { bytes: [Buffer.from(`${head.join('\r\n')}\r\n\r\n`, 'latin1'), ...chunksOf(c)], chunkDelayMs: 1, timeoutMs: 3000 });
  return sent.timedOut ? 'no answer in time' : `${sent.status} ${sent.body.toString('utf8')}`;
}

describe('the image reader over sockets, with and without the shortcut', () => {
  it('answers 400 generated uploads alike, and gives every byte back to the budget', async () => {
    await fc.assert(
      fc.asyncProperty(multipartCase(), async (c) => {
        expect(await answer('/shortcut', c)).toBe(await answer('/multer', c));
      }),
      { numRuns: 400, seed: 20_261_202 },
    );
    expect(budget.stats).toMatchObject({ heldBytes: 0, waiting: 0 });
  }, 120_000);
});
