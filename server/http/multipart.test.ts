/**
 * The image reader's shortcut for plain one-part bodies against multer, the parser of record:
 * on generated bodies in random chunks (test/support/multipart-bodies.ts) both must find the same
 * image bytes or give the same refusal, word for word; and the shortcut must be what reads the
 * plain ones. test/hardening/multipart-equivalence.test.ts does the same over real sockets.
 */
import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chunksOf, multipartCase, type MultipartCase } from '../../test/support/multipart-bodies.js';
import { OcrError } from '../core/errors.js';
import { imageReader, plainImagePart, type ImageReader } from './multipart.js';
import { UploadBudget } from './upload-budget.js';

const LIMIT = 2048;

/** A request as a stream of the case's chunks, one per turn of the event loop. */
function request(c: MultipartCase): IncomingMessage {
  const chunks = chunksOf(c);
  let next = 0;
  const stream = new Readable({
    read() {
      setImmediate(() => this.push(next < chunks.length ? chunks[next++] : null));
    },
  });
  const headers: Record<string, string> = { 'content-length': String(c.body.length) };
  if (c.contentType !== undefined) headers['content-type'] = c.contentType;
  return Object.assign(stream, { headers }) as unknown as IncomingMessage;
}

/**
 * What a reader made of a case, in words that can be compared. Some bodies busboy never finishes
 * (a part begun after the closing delimiter in the same chunk, cut by the next chunk: it waits
 * for that part's end forever); the reader refuses those with 4000001 a second after the body
 * ended (test/hardening/multipart-stall.test.ts), and both readers compare as such.
 */
async function outcome(read: ImageReader, c: MultipartCase): Promise<string> {
  const res = new EventEmitter() as unknown as ServerResponse;
  let timer: NodeJS.Timeout | undefined;
  const read1 = read(request(c), res).then(
    (upload) => {
      if (!upload) return 'no image';
      const seen = `image ${upload.buffer.length} bytes, sha256 ${createHash('sha256').update(upload.buffer).digest('hex')}`;
      upload.release?.(); // its buffer goes back to the pool, for the next case to overwrite
      return seen;
    },
    (error: unknown) => {
      if (!(error instanceof OcrError)) throw error;
      return `${error.code}: ${error.diagnosis}`;
    },
  );
  try {
    return await Promise.race([read1, new Promise<string>((resolve) => (timer = setTimeout(() => resolve('no answer within 2 s'), 2000)))]);
  } finally {
    clearTimeout(timer);
    res.emit('close'); // the answer is done: the budget gets its bytes back
  }
}

const plain = (image: string, boundary = 'b', after = '--\r\n') =>
  Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="image"; filename="x.jpg"\r\nContent-Type: image/jpeg\r\n\r\n${image}\r\n--${boundary}${after}`,
    'latin1',
  );

describe('plainImagePart', () => {
  it('cuts the image out of a plain body, as a view', () => {
    const body = plain('JPEG');
    const image = plainImagePart(body, 'b');
    expect(image?.toString('latin1')).toBe('JPEG');
    expect(image?.buffer).toBe(body.buffer);
    expect(plainImagePart(plain(''), 'b')?.length).toBe(0);
    expect(plainImagePart(plain('x', 'b', '--'), 'b')?.toString()).toBe('x');
    expect(plainImagePart(plain('x', 'b', '--epilogue'), 'b')?.toString()).toBe('x');
  });

  it.each([
    ['a preamble', Buffer.concat([Buffer.from('\r\n'), plain('x')])],
    ['another boundary', plain('x', 'c')],
    ['a second part', plain('x', 'b', '\r\nContent-Disposition: form-data; name="a"\r\n\r\nv\r\n--b--')],
    ['no closing delimiter', plain('x', 'b', '')],
    ['the delimiter inside the image', plain('a\r\n--bc')],
    ['the delimiter after the closing one', plain('a', 'b', '--\r\n--b\r\n')],
    ['transport padding after the delimiter', plain('x', 'b', ' \r\n')],
    ['LF line ends', Buffer.from('--b\nContent-Disposition: form-data; name="image"; filename="x"\n\nx\n--b--')],
    ['a field, not a file', Buffer.from('--b\r\nContent-Disposition: form-data; name="image"\r\n\r\nx\r\n--b--')],
    ['a filename busboy strips to nothing', Buffer.from('--b\r\nContent-Disposition: form-data; name="image"; filename=".."\r\n\r\nx\r\n--b--')],
    [
      'two dispositions',
      Buffer.from(
        '--b\r\nContent-Disposition: form-data; name="image"; filename="x"\r\nContent-Disposition: form-data; name="image"; filename="x"\r\n\r\nx\r\n--b--',
      ),
    ],
    ['a folded header line', Buffer.from('--b\r\nContent-Disposition: form-data; name="image"; filename="x"\r\n folded\r\n\r\nx\r\n--b--')],
  ])('leaves %s to multer', (_what, body) => {
    expect(plainImagePart(body, 'b')).toBeUndefined();
  });
});

describe('the image reader with and without the shortcut', () => {
  const budget = new UploadBudget(64 * 1024);
  const shortcut = imageReader(LIMIT, budget);
  const reference = imageReader(LIMIT, budget, { plainPartShortcut: false });

  it('a plain body: the same image either way', async () => {
    const c: MultipartCase = { contentType: 'multipart/form-data; boundary=b', body: plain('JPEG'), chunks: [3, 40, 1000] };
    expect(await outcome(shortcut, c)).toBe(await outcome(reference, c));
    expect(await outcome(shortcut, c)).toMatch(/^image 4 bytes/);
  });

  it('agree on 3,000 generated bodies, and the shortcut reads the plain ones', async () => {
    let taken = 0;
    await fc.assert(
      fc.asyncProperty(multipartCase(), async (c) => {
        const boundary = /^multipart\/form-data; boundary=([A-Za-z0-9'+_.-]{1,70})$/.exec(c.contentType ?? '')?.[1];
        if (boundary !== undefined && c.body.length <= LIMIT && plainImagePart(c.body, boundary)) taken++;
        expect(await outcome(shortcut, c)).toBe(await outcome(reference, c));
      }),
      { numRuns: 3000, seed: 20_261_201 },
    );
    expect(taken).toBeGreaterThan(500);
    expect(budget.stats).toMatchObject({ heldBytes: 0, waiting: 0 });
  }, 120_000);
});
