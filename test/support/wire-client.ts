/**
 * A raw HTTP/1.1 client on node:net, for requests that fetch or node:http would refuse to build:
 * invalid header bytes, broken chunked framing, a Content-Length that lies, a body cut off. It
 * writes bytes as given and reads the first final answer (skipping `100 Continue`), or reports
 * that the server closed the connection without one.
 */
import { connect } from 'node:net';

/** What came back for one raw request. */
export interface WireAnswer {
  /** HTTP status of the first final answer; 0 when there was none. */
  status: number;
  /** Response headers, lower-case names (repeated ones joined with ", "). */
  headers: Record<string, string>;
  body: Buffer;
  /** The server closed (or reset) the connection before a complete answer. */
  closedWithoutAnswer: boolean;
  /** Nothing complete arrived within the time allowed. */
  timedOut: boolean;
  /** The socket error seen, if any (EPIPE, ECONNRESET after the server closed). */
  socketError?: string;
  /** Bytes written before the answer came or the connection closed. */
  sentBytes: number;
}

/** How to send one raw request. */
export interface SendOptions {
  /**
   * The request as one buffer, or as chunks written one after another (with back-pressure; a
   * generator makes a huge body without holding it). Writing stops once an answer is in.
   */
  bytes: Buffer | Iterable<Buffer>;
  /** Half-close the connection after the last byte (the message is incomplete on purpose). */
  endAfterWrite?: boolean;
  /** Give up after this long (default 5 s). */
  timeoutMs?: number;
  /** The request was HEAD: the answer has headers and no body. */
  head?: boolean;
  /** Pause between chunks (slow clients). */
  chunkDelayMs?: number;
  /** Go on writing every chunk after the answer has come (a client that ignores it). */
  writeAll?: boolean;
  /** Read nothing until every chunk is written, as most HTTP clients do. */
  readAfterWrite?: boolean;
}

/**
 * Sends raw bytes to 127.0.0.1:port and reads one answer.
 * @example const answer = await sendRaw(port, { bytes: Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n') })
 */
export function sendRaw(port: number, options: SendOptions): Promise<WireAnswer> {
  const chunks: Iterable<Buffer> = Buffer.isBuffer(options.bytes) ? [options.bytes] : options.bytes;
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    let received = Buffer.alloc(0);
    let settled = false;
    let socketError: string | undefined;
    let sentBytes = 0;
    let writing = true;
    let pending: Omit<WireAnswer, 'socketError' | 'sentBytes'> | undefined;
    const finish = (answer: Omit<WireAnswer, 'socketError' | 'sentBytes'>) => {
      if (settled) return;
      if (options.writeAll && writing && !socket.destroyed) {
        pending ??= answer; // resolved once the last chunk is written
        return;
      }
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ ...answer, sentBytes, ...(socketError ? { socketError } : {}) });
    };
    const none = (timedOut: boolean): Omit<WireAnswer, 'socketError' | 'sentBytes'> => ({
      status: 0,
      headers: {},
      body: Buffer.alloc(0),
      closedWithoutAnswer: !timedOut,
      timedOut,
    });
    const timer = setTimeout(() => {
      writing = false; // time is up, whatever is still being written
      const parsed = parseAnswer(received, options.head ?? false, true);
      finish(parsed ?? none(true));
    }, options.timeoutMs ?? 5000);
    socket.on('data', (data: Buffer) => {
      received = Buffer.concat([received, data]);
      const parsed = parseAnswer(received, options.head ?? false, false);
      if (parsed) finish(parsed);
    });
    // The server may close while we are still writing (an early answer to an oversized body):
    // that is a socket error for the writer, not a missing answer, so keep what was read.
    socket.on('error', (error: NodeJS.ErrnoException) => {
      socketError = error.code ?? error.message;
    });
    socket.on('close', () => {
      const parsed = parseAnswer(received, options.head ?? false, true);
      finish(parsed ?? none(false));
    });
    if (options.readAfterWrite) socket.pause();
    socket.on('connect', async () => {
      await writeChunks();
      if (options.readAfterWrite) socket.resume();
      writing = false;
      if (pending) finish(pending);
    });
    const writeChunks = async () => {
      let first = true;
      for (const chunk of chunks) {
        if (settled || socket.destroyed) return;
        if (!first && options.chunkDelayMs) await new Promise((r) => setTimeout(r, options.chunkDelayMs));
        first = false;
        if (settled || socket.destroyed) return;
        sentBytes += chunk.length;
        if (!socket.write(chunk)) {
          await new Promise<void>((resume) => {
            const go = () => {
              socket.off('drain', go);
              socket.off('close', go);
              resume();
            };
            socket.on('drain', go);
            socket.on('close', go);
          });
        }
      }
      if (options.endAfterWrite && !socket.destroyed) socket.end();
    };
  });
}

/**
 * Parses the first final answer out of the bytes read so far; `undefined` while incomplete.
 * With `closed`, a body without a length runs to the end of the bytes.
 */
function parseAnswer(data: Buffer, head: boolean, closed: boolean): Omit<WireAnswer, 'socketError' | 'sentBytes'> | undefined {
  let offset = 0;
  for (;;) {
    const end = data.indexOf('\r\n\r\n', offset);
    if (end < 0) return undefined;
    const lines = data.subarray(offset, end).toString('latin1').split('\r\n');
    const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '')?.[1] ?? NaN);
    if (!Number.isFinite(status)) return undefined;
    const headers: Record<string, string> = {};
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(':');
      if (colon <= 0) continue;
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
    }
    const bodyStart = end + 4;
    if (status >= 100 && status < 200) {
      offset = bodyStart; // an interim answer (100 Continue): the final one follows
      continue;
    }
    const base = { status, headers, closedWithoutAnswer: false, timedOut: false };
    if (head || status === 204 || status === 304) return { ...base, body: Buffer.alloc(0) };
    if (headers['content-length'] !== undefined) {
      const length = Number(headers['content-length']);
      if (data.length - bodyStart < length) return closed ? { ...base, body: data.subarray(bodyStart), closedWithoutAnswer: true } : undefined;
      return { ...base, body: data.subarray(bodyStart, bodyStart + length) };
    }
    if (/chunked/i.test(headers['transfer-encoding'] ?? '')) {
      const body = dechunk(data.subarray(bodyStart));
      if (body) return { ...base, body };
      return closed ? { ...base, body: data.subarray(bodyStart), closedWithoutAnswer: true } : undefined;
    }
    // No length: the body runs until the server closes (Node's own 400/408/431 have none at all).
    return closed ? { ...base, body: data.subarray(bodyStart) } : undefined;
  }
}

function dechunk(data: Buffer): Buffer | undefined {
  const parts: Buffer[] = [];
  let offset = 0;
  for (;;) {
    const lineEnd = data.indexOf('\r\n', offset);
    if (lineEnd < 0) return undefined;
    const size = parseInt(data.subarray(offset, lineEnd).toString('latin1'), 16);
    if (!Number.isFinite(size)) return undefined;
    if (size === 0) return Buffer.concat(parts);
    if (data.length < lineEnd + 2 + size + 2) return undefined;
    parts.push(data.subarray(lineEnd + 2, lineEnd + 2 + size));
    offset = lineEnd + 2 + size + 2;
  }
}
