/**
 * What the server answers when Node's HTTP parser refuses a request before the app sees it.
 *
 * Node's parser knows a fixed table of methods (`http.METHODS`) and refuses any other token,
 * even a well-formed one such as `post` or `BREW`, with a bare 400. The condition table says a
 * method the API does not have answers 4041007 URL_NOT_FOUND on HTTP 200
 * (docs/emulated-api.md, "Which condition gets which code"), and the admin
 * API answers unknown routes 404 JSON; so those two answers are given here. Everything else the
 * parser refuses (bytes that are not HTTP/1.1, a header section over `--max-http-header-size`,
 * a request that timed out) gets Node's own answer: 400, 431, 413 or 408 with no body.
 * Either way the connection is closed afterwards: the parser cannot resynchronise.
 *
 * `CONNECT`, which the parser knows but hands to the server's `connect` event instead of the
 * app, gets the same 4041007 here (`answerConnect`).
 */
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { answerBytes } from './answer.js';
import { renderRefusal, unknownRoute } from './refusal.js';
import { bareAnswer, overHeaderLineLimit, TOO_LARGE } from './header-limits.js';

/** Node's own answers when no `clientError` listener is installed (lib/_http_server.js). */
const NODE_ANSWERS: Record<string, string> = {
  HPE_HEADER_OVERFLOW: '431 Request Header Fields Too Large',
  HPE_CHUNK_EXTENSIONS_OVERFLOW: '413 Payload Too Large',
  ERR_HTTP_REQUEST_TIMEOUT: '408 Request Timeout',
};

// A request line whose method is a valid token (RFC 9110 section 9.1) the parser does not know.
const REQUEST_LINE = /^([!#$%&'*+\-.^_`|~0-9A-Za-z]+) ([^\s]+) HTTP\/1\.[01]\r?\n/;

/**
 * The server's `clientError` listener.
 * @example server.on('clientError', answerClientError)
 */
export function answerClientError(error: NodeJS.ErrnoException & { rawPacket?: Buffer }, socket: Socket): void {
  answer(error, socket, false);
}

/**
 * {@link answerClientError}, with `X-Emulator-Diagnosis` on the 4041007 answer to an unknown
 * method, as on every failed API answer (docs/admin-api.md, "The journal").
 * @example server.on('clientError', answerClientErrorWithDiagnosis)
 */
export function answerClientErrorWithDiagnosis(error: NodeJS.ErrnoException & { rawPacket?: Buffer }, socket: Socket): void {
  answer(error, socket, true);
}

function answer(error: NodeJS.ErrnoException & { rawPacket?: Buffer }, socket: Socket, diagnosis: boolean): void {
  // The parser reports every later chunk of a connection it gave up on: one answer is enough.
  if (lingering.has(socket)) return;
  // Like Node: answer only when nothing of another answer has gone out on this connection.
  const inFlight = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  const line = error.code === 'HPE_INVALID_METHOD' ? REQUEST_LINE.exec(error.rawPacket?.toString('latin1') ?? '') : null;
  if (line && !inFlight && socket.writable && error.rawPacket && overHeaderLineLimit(error.rawPacket)) {
    // Over the header-line limit: the same bare 431 a known method gets (header-limits.ts).
    socket.write(TOO_LARGE);
    socket.destroy();
    return;
  }
  if (line && !inFlight && socket.writable) {
    // This answer is meant to be read, and the client may still be sending a body: close in
    // stages (RFC 9112 section 9.6), or the client is reset before it reads the answer. Send it
    // and half-close, let what still comes be dropped, and close when the client does or
    // after LINGER_MS.
    lingering.add(socket);
    socket.end(unknownMethodAnswer(line[1]!, line[2]!, { diagnosis }));
    setTimeout(() => socket.destroy(), LINGER_MS).unref();
    return;
  }
  if (socket.writable && !inFlight?.headersSent && error.code !== 'ECONNRESET') {
    socket.write(bareAnswer(NODE_ANSWERS[error.code ?? ''] ?? '400 Bad Request'));
  }
  socket.destroy(); // as Node does: the write above is already handed to the kernel
}

/**
 * The server's `connect` listener: `CONNECT` is not one of the API's methods, so on an API path
 * it answers 4041007 on HTTP 200 like any other method the API lacks (an admin path: 404 JSON).
 * Without a listener Node closes the connection with no answer at all. RFC 9110 section 9.3.6
 * forbids `Content-Length` in a 2xx answer to CONNECT (the client takes it as the start of a
 * tunnel), so the body runs until the connection closes, which is how HTTP/1.1 delimits a body
 * without a length (RFC 9112 section 6.3); whatever the client sends after its request is dropped.
 * @example server.on('connect', (req, socket) => answerConnect(req, socket, true))
 */
export function answerConnect(req: IncomingMessage, socket: Duplex, diagnosis = false): void {
  socket.on('error', () => {}); // a client that resets is gone; nothing to report
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  socket.end(unknownMethodAnswer('CONNECT', req.url ?? '', { delimitByClose: true, diagnosis }));
  socket.resume(); // read and drop the rest, so closing does not reset the answer away
  setTimeout(() => socket.destroy(), LINGER_MS).unref();
}

/** How long a connection answered here stays open for the rest of what the client sends. */
const LINGER_MS = 2_000;
const lingering = new WeakSet<Socket>();

function unknownMethodAnswer(method: string, target: string, options: { delimitByClose?: boolean; diagnosis?: boolean } = {}): string {
  const refused = unknownRoute(method, target.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]*/i, ''));
  // Admin refusals carry no diagnosis header, and a 404 has no tunnel to fear (RFC 9110 section 9.3.6 is about 2xx).
  const api = refused.shape === 'api';
  return answerBytes(renderRefusal(refused, api && options.diagnosis === true), { delimitByClose: api && options.delimitByClose === true });
}
