/**
 * The emulator's own limits on a request's header section, so that it answers the same way on
 * every supported Node version (docs/security.md, "Limits"), and its one rule on what the section holds:
 * at most one Host.
 *
 * Node's defaults differ between versions: Node 20 keeps the first `server.maxHeadersCount`
 * header lines and silently drops the rest, while Node 22 and 24 refuse a request with more than
 * that many lines with a bare 431; the byte limit (`http.maxHeaderSize`) follows the
 * `--max-http-header-size` flag. So the server is given both limits explicitly: bytes through
 * `maxHeaderSize` (Node's parser answers 431), lines counted here, with Node's own line limit off.
 * RFC 9110 section 15.5.20 (431 Request Header Fields Too Large) lets a server refuse either.
 */
import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';

/** Largest header section (request line and header lines) in bytes; above it a bare 431. */
export const MAX_HEADER_BYTES = 16 * 1024;

/** Most header lines a request may have (Host included); above it a bare 431. */
export const MAX_HEADER_LINES = 1000;

/**
 * A refusal as Node's parser writes its own (server/http/client-error.ts): a status line, no body,
 * and the connection closed after it.
 * @example bareAnswer('400 Bad Request') // 'HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n'
 */
export function bareAnswer(status: string): string {
  return `HTTP/1.1 ${status}\r\nConnection: close\r\n\r\n`;
}

/** What Node's parser writes for a header section over `maxHeaderSize`. */
export const TOO_LARGE = bareAnswer('431 Request Header Fields Too Large');

/**
 * Whether the first bytes of a request (request line first) hold more than MAX_HEADER_LINES
 * header lines, counting what has arrived up to the empty line that ends the section. For a
 * request the parser refused before reading its headers (an unknown method: client-error.ts),
 * which never reaches {@link limitHeaderLines}.
 * @example overHeaderLineLimit(Buffer.from('post / HTTP/1.1\r\nA: b\r\n\r\n')) // false
 */
export function overHeaderLineLimit(raw: Buffer): boolean {
  let at = raw.indexOf(0x0a); // the end of the request line
  for (let lines = 0; at >= 0 && at + 1 < raw.length; lines++) {
    if (raw[at + 1] === 0x0a || (raw[at + 1] === 0x0d && raw[at + 2] === 0x0a)) return false; // the empty line
    if (lines === MAX_HEADER_LINES) return true;
    at = raw.indexOf(0x0a, at + 1);
  }
  return false;
}

/**
 * Wraps a request listener: a request with more than MAX_HEADER_LINES header lines gets the same
 * bare 431 as one over the byte limit, and its connection is closed (its body, if any, is never
 * read). Call {@link applyHeaderLimits} on the server too.
 * @example const server = createServer({ maxHeaderSize: MAX_HEADER_BYTES }, limitHeaderLines(app))
 */
export function limitHeaderLines(listener: RequestListener): RequestListener {
  return (req: IncomingMessage, res: ServerResponse) => {
    // rawHeaders holds name and value of every line: Node's own count is off (applyHeaderLimits).
    if (req.rawHeaders.length <= 2 * MAX_HEADER_LINES) return listener(req, res);
    refuse(req, res, TOO_LARGE);
  };
}

/**
 * How many `Host` header lines a request has (Node keeps only the first in `req.headers`).
 * @example hostLines(req) // 2 for `Host: 127.0.0.1` and `host: evil.example`
 */
export function hostLines(req: IncomingMessage): number {
  let count = 0;
  for (let i = 0; i < req.rawHeaders.length; i += 2) if (req.rawHeaders[i]!.toLowerCase() === 'host') count++;
  return count;
}

/**
 * Wraps a request listener: a request with more than one `Host` header line gets a bare 400 and
 * its connection is closed, as RFC 9112 section 3.2 requires ("A server MUST respond with a 400
 * (Bad Request) status code to any HTTP/1.1 request message that lacks a Host header field and to
 * any request message that contains more than one Host header field line"; Node answers the
 * missing one itself). Node would keep the first and drop the rest, so a check of the Host (the
 * admin API's, server/http/admin.ts) and a proxy in front could read different ones. `refused`
 * is told, to journal it.
 * @example const server = createServer(refuseRepeatedHost(app, (req) => journal.add(...)))
 */
export function refuseRepeatedHost(listener: RequestListener, refused?: (req: IncomingMessage) => void): RequestListener {
  return (req: IncomingMessage, res: ServerResponse) => {
    if (hostLines(req) <= 1) return listener(req, res);
    refused?.(req);
    refuse(req, res, bareAnswer('400 Bad Request'));
  };
}

/** Writes a bare refusal, unless an earlier answer on this connection is under way (as the parser does), and closes the connection. */
function refuse(req: IncomingMessage, res: ServerResponse, answer: string): void {
  const { socket } = req;
  const current = (socket as typeof socket & { _httpMessage?: ServerResponse | null })._httpMessage;
  if (socket.writable && (!current || current === res)) socket.write(answer);
  socket.destroy();
}

/**
 * Turns Node's own header-line limit off, since {@link limitHeaderLines} counts them (on Node 20
 * a limit drops lines instead of refusing, so the count would be wrong).
 * @example applyHeaderLimits(createServer({ maxHeaderSize: MAX_HEADER_BYTES }, limitHeaderLines(app)))
 */
export function applyHeaderLimits(server: Server): Server {
  server.maxHeadersCount = 0;
  return server;
}
