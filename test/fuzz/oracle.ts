/**
 * What every answer to a generated request must look like.
 *
 * - API paths (anything outside /__emulator): HTTP 200, a JSON body whose `header.resultCode`
 *   is in ERROR_CATALOGUE (0 when a generated request happens to be valid), `isSuccessful` true
 *   exactly for 0, the catalogue's message, and no `result` on failure.
 * - Admin paths: a 4xx JSON `{error, message}`, or a 2xx when the generated call happens to be
 *   valid (JSON, the YAML description, or one of the dashboard's files); never a 5xx. The admin
 *   token sent bare gets no 2xx, sent as `bearer <token>` no 401.
 * - No body carries a stack trace (`at ...` frames) and no error body names a source file. Admin
 *   2xx bodies are exempt from the file-name rule only: GET /__emulator/scenarios lists the
 *   scenario files it loaded on purpose.
 * - Node's own HTTP parser may refuse a request before the emulator sees it (a bare 400, 413
 *   or 431 with no body, or a closed socket). That is accepted only when the bytes are not a
 *   valid HTTP/1.1 request (`serializeCase` says why) or when the header section is at the
 *   emulator's size limit (MAX_HEADER_BYTES, 16 KiB: RFC 9110 section 15.5.20 lets a server
 *   refuse large header sections, and 431 is the status for it). A valid request with more than
 *   MAX_HEADER_LINES header lines must get exactly that bare 431, on every Node version.
 */
import { fileURLToPath } from 'node:url';
import { ERROR_CATALOGUE } from '../../server/core/errors.js';
import { MAX_HEADER_LINES } from '../../server/http/header-limits.js';
import type { SerializedCase, WireCase } from './wire-case.js';
import type { WireAnswer } from '../support/wire-client.js';

const DOCUMENTED = new Map<number, string>([[0, 'SUCCESS'], ...Object.values(ERROR_CATALOGUE).map(({ code, message }) => [code, message] as [number, string])]);

/** Statuses Node's parser (or its connection checks) answers with itself, with no body. */
const PARSER_STATUSES = new Set([400, 408, 413, 431, 505]);

const STACK_FRAME = /\bat (?:[\w$.<>[\]]+ )?\(?(?:file:\/\/|node:|\/)[^\s)]*:\d+:\d+/;
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
// No quantified prefix before the extension: on a long run of word characters that would
// backtrack quadratically.
const SOURCE_FILE = new RegExp(`node:internal|node_modules|\\.(?:ts|js|mjs|cjs):\\d+|${ROOT.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`);

/**
 * The first problem with an answer, or `undefined` when it is acceptable.
 * @example judge(wireCase, serializeCase(wireCase), await sendRaw(port, ...)) // undefined
 */
export function judge(c: WireCase, sent: SerializedCase, answer: WireAnswer): string | undefined {
  if (answer.timedOut) return `no complete answer in time (status ${answer.status || 'none'})`;
  const parserRefusal =
    answer.closedWithoutAnswer || (PARSER_STATUSES.has(answer.status) && answer.headers['content-type'] === undefined && answer.body.length === 0);
  if (sent.validHttp && sent.tooManyHeaderLines && !sent.nearHeaderLimit) {
    // The emulator's own limit (server/http/header-limits.ts): the same answer on every Node version.
    return parserRefusal && answer.status === 431
      ? undefined
      : `more than ${MAX_HEADER_LINES} header lines got ${answer.status || 'a closed connection'} instead of a bare 431`;
  }
  if (parserRefusal) {
    if (!sent.validHttp || sent.nearHeaderLimit || sent.tooManyHeaderLines) return undefined;
    return `a valid HTTP/1.1 request got ${answer.closedWithoutAnswer ? 'a closed connection' : `a bare ${answer.status}`} instead of an answer`;
  }
  const text = answer.body.toString('utf8');
  if (STACK_FRAME.test(text)) return `stack frame in the body: ${text.slice(0, 300)}`;
  const target = (typeof c.target === 'string' ? c.target : c.target.toString('latin1')).toLowerCase();
  // Express routes case-insensitively and normalises little; whether a path reaches the admin
  // router is its business. A path that mentions /__emulator may get either kind of answer.
  const mayBeAdmin = target.includes('__emulator');
  const api = apiProblem(c, answer, text);
  if (!api) return undefined;
  if (!mayBeAdmin) return api;
  const admin = adminProblem(c, answer, text);
  return admin ? `${admin} (and as an API answer: ${api})` : undefined;
}

function apiProblem(c: WireCase, answer: WireAnswer, text: string): string | undefined {
  if (answer.status !== 200) return `HTTP ${answer.status} on an API path: ${text.slice(0, 200)}`;
  if (c.method === 'HEAD') return undefined; // no body to check
  if (!/^application\/json/.test(answer.headers['content-type'] ?? '')) return `content-type ${answer.headers['content-type']}: ${text.slice(0, 200)}`;
  if (SOURCE_FILE.test(text)) return `a source file named in the body: ${text.slice(0, 300)}`;
  let body: { header?: { isSuccessful?: unknown; resultCode?: unknown; resultMessage?: unknown }; result?: unknown };
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    return `body is not JSON: ${text.slice(0, 200)}`;
  }
  const code = body.header?.resultCode;
  if (typeof code !== 'number' || !DOCUMENTED.has(code)) return `resultCode ${String(code)} is not documented: ${text.slice(0, 200)}`;
  if (body.header?.resultMessage !== DOCUMENTED.get(code)) return `resultMessage ${JSON.stringify(body.header?.resultMessage)} for ${code}`;
  if (body.header?.isSuccessful !== (code === 0)) return `isSuccessful ${String(body.header?.isSuccessful)} for ${code}`;
  if (code !== 0 && 'result' in body) return `a failure (${code}) with a result`;
  if (c.expectCodes && !c.expectCodes.includes(code)) return `resultCode ${code}, expected ${c.expectCodes.join(' or ')}`;
  return undefined;
}

function adminProblem(c: WireCase, answer: WireAnswer, text: string): string | undefined {
  const { status } = answer;
  if (!((status >= 200 && status < 300) || (status >= 400 && status < 500))) return `HTTP ${status} on an admin path: ${text.slice(0, 200)}`;
  if (c.refused && status < 300) return `HTTP ${status} for the admin token without Bearer: ${text.slice(0, 200)}`;
  if (c.admitted && status === 401) return `HTTP 401 for the admin token as "bearer <token>": ${text.slice(0, 200)}`;
  if (c.method === 'HEAD') return undefined;
  const type = answer.headers['content-type'] ?? '';
  if (status < 300 && /^application\/yaml/.test(type)) return undefined; // GET /__emulator/openapi.yaml
  if (status < 300 && /^(text\/html|text\/javascript|text\/css|image\/svg\+xml)/.test(type)) return undefined; // the dashboard's files
  if (!/^application\/json/.test(type)) return `admin answer ${status} with content-type ${type}: ${text.slice(0, 200)}`;
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return `admin body is not JSON: ${text.slice(0, 200)}`;
  }
  if (status >= 400) {
    const { error, message } = (body ?? {}) as { error?: unknown; message?: unknown };
    if (typeof error !== 'string' || typeof message !== 'string') return `admin ${status} without {error, message}: ${text.slice(0, 200)}`;
    if (SOURCE_FILE.test(text)) return `a source file named in an admin error: ${text.slice(0, 300)}`;
  }
  return undefined;
}
