/**
 * One generated request as data (`WireCase`), its serialisation into raw HTTP/1.1 bytes, and the
 * RFC 9110/9112 checks that say whether those bytes are a valid HTTP/1.1 request at all. The
 * oracle accepts an answer from Node's HTTP parser itself (a bare 400/413/431, or a closed
 * socket) only for a request these checks call invalid or at the emulator's header limits.
 */
import { MAX_HEADER_BYTES, MAX_HEADER_LINES } from '../../server/http/header-limits.js';

/** How the body is framed on the wire. */
export type Framing =
  /** `Content-Length` equal to the body. */
  | { kind: 'length' }
  /** The same, written in several pieces (streaming). */
  | { kind: 'split'; pieces: number }
  /** Well-formed `Transfer-Encoding: chunked`. */
  | { kind: 'chunked'; chunkSize: number }
  /** No length at all: the request has no body, and what follows is a second (garbage) request. */
  | { kind: 'none' }
  /** `Content-Length` shorter than the bytes sent: the rest is a second (garbage) request. */
  | { kind: 'short-length'; by: number }
  /** `Content-Length` longer than the bytes sent, then the client half-closes: incomplete. */
  | { kind: 'long-length'; by: number }
  /** A `Content-Length` that is not one decimal number. */
  | { kind: 'bad-length'; value: string }
  /** Broken chunked framing. */
  | { kind: 'bad-chunks'; variant: 'size-not-hex' | 'no-terminator' | 'missing-crlf' | 'huge-extension' | 'size-too-big' }
  /** Both `Content-Length` and `Transfer-Encoding` (request smuggling shape). */
  | { kind: 'length-and-chunked' }
  /** A transfer coding other than a final `chunked` (the generators never pick one that ends in it). */
  | { kind: 'other-coding'; value: string };

/** A generated request. */
export interface WireCase {
  /** Short description for failure reports. */
  label: string;
  /** Which oracle applies: the emulated API (HTTP 200, documented code) or the admin API. */
  surface: 'api' | 'admin';
  method: string;
  /** The request-target bytes exactly as sent. */
  target: string | Buffer;
  version: 'HTTP/1.1' | 'HTTP/1.0';
  /** `normal`: one Host header; `missing` and `twice` are invalid in HTTP/1.1. */
  host: 'normal' | 'missing' | 'twice';
  /** Header lines, in order; strings are sent as UTF-8, buffers as they are. */
  headers: Array<[string | Buffer, string | Buffer]>;
  body: Buffer;
  framing: Framing;
  /** Result codes the request must get (when the generator knows), else any documented one. */
  expectCodes?: readonly number[];
  /** Admin: the token was sent without `Bearer`: no 2xx. */
  refused?: boolean;
  /** Admin: the token was sent as `bearer <token>`: never 401. */
  admitted?: boolean;
}

/** A case ready to write. */
export interface SerializedCase {
  chunks: Buffer[];
  endAfterWrite: boolean;
  head: boolean;
  /** The bytes are a valid HTTP/1.1 request (RFC 9112 framing, RFC 9110 field syntax). */
  validHttp: boolean;
  /** Why not, when not. */
  invalidBecause?: string;
  /** The header section is near or over the emulator's byte limit (MAX_HEADER_BYTES): 431 is allowed. */
  nearHeaderLimit: boolean;
  /** More header lines than the emulator takes (MAX_HEADER_LINES): a bare 431 is the answer. */
  tooManyHeaderLines: boolean;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// RFC 3986 origin-form: pchar, '/', '?' and '%XX' escapes.
const ORIGIN_FORM = /^\/(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/?]|%[0-9A-Fa-f]{2})*$/;
const ABSOLUTE_FORM = /^http:\/\/127\.0\.0\.1(?::\d+)?\/(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/?]|%[0-9A-Fa-f]{2})*$/;

/**
 * Whether a header value is `field-value` (VCHAR, obs-text, SP, HTAB; no CR, LF, NUL or controls).
 * @example validFieldValue(Buffer.from('abc')) // true
 */
export function validFieldValue(value: Buffer): boolean {
  for (const byte of value) {
    if (byte === 0x09) continue;
    if (byte < 0x20 || byte === 0x7f) return false;
  }
  return true;
}

/**
 * Whether a request-target is a valid origin-form or absolute-form (or `*` for OPTIONS).
 * @example validTarget('/v2.0/appkeys/a/credit-card', 'POST') // true
 */
export function validTarget(target: string | Buffer, method: string): boolean {
  const text = typeof target === 'string' ? target : target.toString('latin1');
  if (typeof target === 'string' && Buffer.byteLength(target) !== target.length) return false; // non-ASCII
  if (text === '*') return method === 'OPTIONS';
  return ORIGIN_FORM.test(text) || ABSOLUTE_FORM.test(text);
}

/**
 * Writes a case as bytes and judges whether they are valid HTTP/1.1.
 * @example const { chunks, validHttp } = serializeCase(wireCase)
 */
export function serializeCase(c: WireCase): SerializedCase {
  const problems: string[] = [];
  const bytes = (v: string | Buffer) => (typeof v === 'string' ? Buffer.from(v, 'utf8') : v);
  const target = bytes(c.target);
  if (!TOKEN.test(c.method)) problems.push('method is not a token');
  if (!validTarget(c.target, c.method)) problems.push('request-target is not origin-form or absolute-form');
  if (target.includes(0x20) || target.includes(0x0d) || target.includes(0x0a)) problems.push('request-target has SP/CR/LF');

  const lines: Buffer[] = [Buffer.from(`${c.method} `, 'latin1'), target, Buffer.from(` ${c.version}\r\n`, 'latin1')];
  let headerLines = 0;
  const header = (name: string | Buffer, value: string | Buffer) => {
    headerLines++;
    const n = bytes(name);
    const v = bytes(value);
    if (!TOKEN.test(n.toString('latin1'))) problems.push(`header name ${JSON.stringify(n.toString('latin1').slice(0, 20))} is not a token`);
    if (!validFieldValue(v)) problems.push(`header ${n.toString('latin1').slice(0, 20)} has a control byte`);
    lines.push(n, Buffer.from(': '), v, Buffer.from('\r\n'));
  };
  if (c.host !== 'missing') header('Host', '127.0.0.1');
  if (c.host === 'twice') {
    header('Host', 'example.invalid');
    problems.push('two Host headers');
  }
  if (c.host === 'missing' && c.version === 'HTTP/1.1') problems.push('HTTP/1.1 without Host');
  for (const [name, value] of c.headers) header(name, value);

  const { framing } = c;
  let body: Buffer[] = [c.body];
  let endAfterWrite = false;
  let split = 1;
  switch (framing.kind) {
    case 'length':
      header('Content-Length', String(c.body.length));
      break;
    case 'split':
      header('Content-Length', String(c.body.length));
      split = framing.pieces;
      break;
    case 'chunked':
      header('Transfer-Encoding', 'chunked');
      body = [chunked(c.body, framing.chunkSize)];
      if (c.version === 'HTTP/1.0') problems.push('Transfer-Encoding in HTTP/1.0');
      break;
    case 'none':
      // Node parses pipelined bytes at once: garbage after the message can be refused (400)
      // before the emulator has answered the message itself.
      if (c.body.length) problems.push('bytes after a message without a body are not a request');
      break;
    case 'short-length':
      header('Content-Length', String(Math.max(0, c.body.length - framing.by)));
      if (c.body.length) problems.push('bytes after the Content-Length are not a request');
      break;
    case 'long-length':
      header('Content-Length', String(c.body.length + framing.by));
      endAfterWrite = true;
      problems.push('body shorter than Content-Length');
      break;
    case 'bad-length':
      header('Content-Length', framing.value);
      if (!/^\d+$/.test(framing.value)) problems.push('Content-Length is not a number');
      else if (Number(framing.value) > c.body.length) {
        endAfterWrite = true;
        problems.push('body shorter than Content-Length');
      } else if (Number(framing.value) < c.body.length) problems.push('bytes after the Content-Length are not a request');
      break;
    case 'bad-chunks':
      header('Transfer-Encoding', 'chunked');
      body = [badChunks(c.body, framing.variant)];
      endAfterWrite = true;
      problems.push(`chunked framing broken (${framing.variant})`);
      break;
    case 'length-and-chunked':
      header('Content-Length', String(c.body.length));
      header('Transfer-Encoding', 'chunked');
      body = [chunked(c.body, 1024)];
      problems.push('Content-Length and Transfer-Encoding together');
      break;
    case 'other-coding':
      header('Transfer-Encoding', framing.value);
      endAfterWrite = true;
      problems.push('Transfer-Encoding does not end in chunked');
      break;
  }
  header('Connection', 'close');
  lines.push(Buffer.from('\r\n'));
  const head = Buffer.concat(lines);
  const all = Buffer.concat([head, ...body]);
  const chunks: Buffer[] = [];
  if (split > 1) {
    const bodyBytes = all.subarray(head.length);
    chunks.push(head);
    const step = Math.max(1, Math.ceil(bodyBytes.length / split));
    for (let i = 0; i < bodyBytes.length; i += step) chunks.push(bodyBytes.subarray(i, i + step));
  } else chunks.push(all);
  return {
    chunks,
    endAfterWrite,
    head: c.method === 'HEAD',
    validHttp: problems.length === 0,
    ...(problems.length ? { invalidBecause: problems.join('; ') } : {}),
    // Node counts the request line and header lines; leave a margin either side of the limit.
    nearHeaderLimit: head.length > MAX_HEADER_BYTES - 1024,
    tooManyHeaderLines: headerLines > MAX_HEADER_LINES,
  };
}

function chunked(body: Buffer, size: number): Buffer {
  const parts: Buffer[] = [];
  for (let i = 0; i < body.length; i += size) {
    const piece = body.subarray(i, i + size);
    parts.push(Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from('\r\n'));
  }
  parts.push(Buffer.from('0\r\n\r\n'));
  return Buffer.concat(parts);
}

function badChunks(body: Buffer, variant: Extract<Framing, { kind: 'bad-chunks' }>['variant']): Buffer {
  switch (variant) {
    case 'size-not-hex':
      return Buffer.concat([Buffer.from('zz\r\n'), body, Buffer.from('\r\n0\r\n\r\n')]);
    case 'no-terminator':
      return Buffer.concat([Buffer.from(`${body.length.toString(16)}\r\n`), body, Buffer.from('\r\n')]);
    case 'missing-crlf':
      return Buffer.concat([Buffer.from(`${(body.length + 1).toString(16)}\r\n`), body, Buffer.from('0\r\n\r\n')]);
    case 'huge-extension':
      return Buffer.concat([Buffer.from(`${body.length.toString(16)};${'x'.repeat(20_000)}\r\n`), body, Buffer.from('\r\n0\r\n\r\n')]);
    case 'size-too-big':
      return Buffer.concat([Buffer.from('fffffffffffffffffff\r\n'), body]);
  }
}

/**
 * A readable summary of a case for failure reports: bodies and long values abbreviated (a
 * seed and path replay the case exactly; this is for the human reading the report).
 * @example describeCase(wireCase) // 'POST /v2.0/appkeys/emulator-appkey/credit-card HTTP/1.1 ...'
 */
export function describeCase(c: WireCase): string {
  const show = (v: string | Buffer, max = 120) => {
    const text = typeof v === 'string' ? v : v.toString('latin1');
    return JSON.stringify(text.length > max ? `${text.slice(0, max)}…(${text.length} chars)` : text);
  };
  const headers = c.headers.slice(0, 12).map(([n, v]) => `  ${show(n, 40)}: ${show(v)}`);
  if (c.headers.length > 12) headers.push(`  …(${c.headers.length - 12} more header lines)`);
  const body = c.body.length > 160 ? `${show(c.body.subarray(0, 160))}…(${c.body.length} bytes)` : show(c.body);
  return [
    `[${c.label}]`,
    `${show(c.method, 20)} ${show(c.target, 200)} ${c.version} host=${c.host} framing=${JSON.stringify(c.framing)}`,
    ...headers,
    `  body: ${body}`,
    ...(c.expectCodes ? [`  expect: ${c.expectCodes.join(' or ')}`] : []),
  ].join('\n');
}
