/**
 * The one writer of answers: whichever way a request came (the fast path, express, or a socket
 * Node's parser refused), what it is answered with is an {@link Answer} and its bytes are made
 * here. JSON bodies are written as express's `res.json` wrote them (headers, then
 * `Content-Type`, then `Content-Length`), so a client sees the same bytes on every path
 * (test/api/fast-lane.test.ts).
 */
import { type IncomingMessage, type ServerResponse, STATUS_CODES } from 'node:http';
import { DRAIN_MS, drainBody } from './body.js';

/** What a request is answered with: JSON (or nothing) with a status and headers, or a dropped connection. */
export interface Answer {
  status: number;
  body: unknown;
  headers?: Record<string, string> | undefined;
  drop?: true;
  /** A body relayed as it came (record mode): written as is, with only its own headers and its length. */
  bytes?: Buffer | undefined;
}

/** The JSON media type every body goes out with. */
const JSON_TYPE = 'application/json; charset=utf-8';

/**
 * Writes an answer. A dropped connection is dropped here; an answer that came before the whole
 * body waits for the rest to arrive and be dropped first (or {@link DRAIN_MS}): a connection
 * closed while the client still sends is reset, and the client loses the answer (RFC 9112
 * section 9.6). Synchronous when the request is complete, as it is for the API's calls.
 * @example writeAnswer(req, res, { status: 200, body: { ok: true } })
 */
export function writeAnswer(req: IncomingMessage, res: ServerResponse, answer: Answer): void | Promise<void> {
  if (answer.drop) {
    req.socket.destroy();
    return;
  }
  if (!req.complete) return drainBody(req, DRAIN_MS).then(() => send(res, answer));
  send(res, answer);
}

function send(res: ServerResponse, answer: Answer): void {
  if (answer.bytes) {
    res.writeHead(answer.status, { ...answer.headers, 'content-length': answer.bytes.length });
    res.end(answer.bytes);
    return;
  }
  if (answer.body === undefined) {
    res.writeHead(answer.status, answer.headers);
    res.end();
    return;
  }
  const text = JSON.stringify(answer.body);
  const length = Buffer.byteLength(text);
  // Every success has no headers of its own: no spread for it.
  res.writeHead(
    answer.status,
    answer.headers ? { ...answer.headers, 'Content-Type': JSON_TYPE, 'Content-Length': length } : { 'Content-Type': JSON_TYPE, 'Content-Length': length },
  );
  res.end(text);
}

/**
 * An answer as raw HTTP/1.1 bytes, for a socket no response object exists for (a request Node's
 * parser refused, or `CONNECT`), with `Connection: close`. `delimitByClose` leaves out
 * `Content-Length`: the body then runs until the connection closes (RFC 9112 section 6.3).
 * @example socket.end(answerBytes({ status: 404, body: { error: 'not_found' } }))
 */
export function answerBytes(answer: Answer, options: { delimitByClose?: boolean } = {}): string {
  const text = JSON.stringify(answer.body);
  const lines = Object.entries(answer.headers ?? {}).map(([name, value]) => `${name}: ${value}\r\n`);
  const length = options.delimitByClose ? '' : `Content-Length: ${Buffer.byteLength(text)}\r\n`;
  return `HTTP/1.1 ${answer.status} ${STATUS_CODES[answer.status]}\r\n${lines.join('')}Content-Type: ${JSON_TYPE}\r\n${length}Connection: close\r\n\r\n${text}`;
}
