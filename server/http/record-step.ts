/**
 * Record mode's one step in front of the emulator (docs/record-live-service.md): the API's five
 * operations and the token issuer's two go to the live service through the recording proxy
 * (server/core/record/live-proxy.ts); anything else (the admin API, the dashboard, an unknown
 * path) is left to the emulator. The step reads the request and hands it to the proxy; the
 * pipeline (pipeline.ts, step 0) journals the call with what was forwarded where and writes the
 * answer as it came.
 */
import type { IncomingMessage } from 'node:http';
import type { ApiVersion } from '../core/auth.js';
import type { ImageEndpoint } from '../core/record/recording.js';
import { type LiveProxy, type ProxyAnswer, type ProxyCall, type TargetFetch, TargetUnavailable } from '../core/record/live-proxy.js';
import { failureBody } from '../core/errors.js';
import type { JournalEntry } from '../core/journal.js';
import { maskRequestKey } from '../core/request-key-ledger.js';
import { drainBody, DRAIN_MS } from './body.js';
import { API_ROUTES, type ApiOperation, header, routePatterns } from './api-routes.js';
import { plainImagePart } from './multipart.js';

/** The API's routes (the one table, api-routes.ts) as the step takes them: any segment, a query forwarded as it came. */
const FORWARDED = routePatterns(API_ROUTES, '([^/?#]+)', '(?:\\?.*)?');
const TOKEN_PATH = /^\/oauth2\/token\/(create|revoke)(?:\?.*)?$/;

/** What the step needs. */
export interface RecordStepOptions {
  proxy: LiveProxy;
  /** Largest request body read; above it 4131000, nothing forwarded. */
  maxUploadBytes: number;
}

/** A call the step took: the answer to relay, and what the journal says of it beyond the answer. */
export interface Forwarded {
  answer: ProxyAnswer;
  entry: Partial<JournalEntry>;
}

/**
 * Builds the step: for a request it takes, the promise of what it forwarded (the pipeline
 * journals and writes it); for any other, undefined.
 * @example const forward = recordStep({ proxy, maxUploadBytes }); const forwarded = forward(req)
 */
export function recordStep(options: RecordStepOptions): (req: IncomingMessage) => Promise<Forwarded> | undefined {
  return (req) => route(req.method ?? '', req.url ?? '')?.(req, options);
}

type Handled = (req: IncomingMessage, options: RecordStepOptions) => Promise<Forwarded>;

/** The handler of a request the step takes, or undefined. */
function route(method: string, url: string): Handled | undefined {
  if (method === 'POST') {
    const token = TOKEN_PATH.exec(url);
    if (token) return tokenCall(url, `token/${token[1]}` as 'token/create' | 'token/revoke');
  }
  for (const table of FORWARDED) {
    if (table.method !== method) continue;
    const match = table.pattern.exec(url);
    if (!match) continue;
    const api = match[1] as ApiVersion;
    return table.operation === 'public-key' ? publicKeyCall(api, match[2]!, match[3]!, url) : envelopeCall(api, match[2]!, table.operation, url);
  }
  return undefined;
}

/** A public-key GET: the emulator's own key, under the target's version. */
function publicKeyCall(api: ApiVersion, appKey: string, service: string, url: string): Handled {
  return async (req, { proxy }) => {
    const call = proxyCall(req, api, appKey, url);
    if (!req.complete) await drainBody(req, DRAIN_MS);
    return { answer: await proxy.publicKey(call, service), entry: { api, endpoint: 'public-key', appKey } };
  };
}

/** A token issuer call, forwarded to the issuer as it came. */
function tokenCall(url: string, endpoint: 'token/create' | 'token/revoke'): Handled {
  return async (req, options) => {
    const body = await readBody(req, 64 * 1024);
    const entry: Partial<JournalEntry> = { endpoint };
    if (body === undefined) return { answer: tooLarge(options.proxy.oauthHost), entry };
    return { answer: await options.proxy.token(url, headersOf(req), body), entry };
  };
}

/** A POST with an envelope: the Symmetric-Key wrapped again for the target, the body as it came. */
function envelopeCall(api: ApiVersion, appKey: string, operation: Exclude<ApiOperation, 'public-key'>, url: string): Handled {
  return async (req, options) => {
    const call = proxyCall(req, api, appKey, url);
    const endpoint: ImageEndpoint | 'id-card/authenticity' = operation;
    const entry: Partial<JournalEntry> = { api, endpoint, appKey };
    const sentKey = call.headers['request-key'];
    const body = await readBody(req, options.maxUploadBytes);
    if (body === undefined) return { answer: tooLarge(options.proxy.host), entry };
    const image = endpoint === 'id-card/authenticity' ? undefined : imagePart(body, call.headers['content-type']);
    const answer = await options.proxy.envelopeCall(call, endpoint, body, image);
    const issued = answer.headers['request-key'];
    // Masked as the emulator's own Request-Keys are: a live one is never written down whole.
    if (issued) entry.requestKey = { issued: true, ref: maskRequestKey(issued) };
    else if (sentKey) entry.requestKey = { ref: maskRequestKey(sentKey) };
    return { answer, entry };
  };
}

function proxyCall(req: IncomingMessage, api: ApiVersion, appKey: string, path: string): ProxyCall {
  return { api, appKey, path, headers: headersOf(req) };
}

/** Every request header as one string, as the target is sent them. */
function headersOf(req: IncomingMessage): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const name of Object.keys(req.headers)) out[name] = header(req, name);
  return out;
}

/** The `image` part of a plain multipart body (as sent: still encrypted), when it is one. */
function imagePart(body: Buffer, contentType: string | undefined): Buffer | undefined {
  const boundary = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType ?? '');
  return boundary ? plainImagePart(body, (boundary[1] ?? boundary[2])!) : undefined;
}

/**
 * The whole body, or `undefined` when it is larger than `maxBytes` (the rest is then read and
 * dropped, so the connection stays usable). Read with listeners, not `for await`: leaving such a
 * loop early destroys the request, and its connection with it.
 */
function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBytes) {
        chunks.push(chunk);
        return;
      }
      req.off('data', onData);
      req.off('end', onEnd);
      chunks.length = 0;
      drainBody(req, DRAIN_MS).then(() => resolve(undefined), reject);
    };
    const onEnd = () => resolve(Buffer.concat(chunks));
    req.on('data', onData);
    req.on('end', onEnd);
    req.once('error', reject);
  });
}

/** The live service's answer to a body over its limit, given here without spending a call (condition table: 4131000). */
function tooLarge(host: string): ProxyAnswer {
  const body = failureBody('MAX_UPLOAD_SIZE_EXCEEDED');
  return {
    status: 200,
    headers: { 'content-type': 'application/json;charset=UTF-8' },
    body: Buffer.from(JSON.stringify(body)),
    resultCode: body.header.resultCode,
    diagnosis: 'the request body is larger than the upload limit (EMULATOR_MAX_UPLOAD_BYTES); not forwarded',
    forwarded: { host, calls: 0, latencyMs: 0, notRecorded: 'not forwarded' },
  };
}

/**
 * The request to the target over the network, bounded by `timeoutMs`: a refused connection, a
 * name that does not resolve or a timeout reject with {@link TargetUnavailable}.
 * @example const fetchTarget = targetFetch(30_000)
 */
export function targetFetch(timeoutMs: number): TargetFetch {
  return async ({ url, method, headers, body }) => {
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers,
        ...(body ? { body: new Uint8Array(body) } : {}),
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
      });
      const bytes = Buffer.from(await response.arrayBuffer());
      return { status: response.status, headers: Object.fromEntries(response.headers), body: bytes };
    } catch (error) {
      const name = (error as Error).name;
      if (name === 'TimeoutError' || name === 'AbortError')
        throw new TargetUnavailable('timeout', `no answer within ${timeoutMs} ms, EMULATOR_RECORD_TIMEOUT_MS`);
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw new TargetUnavailable('unreachable', cause?.code ?? cause?.message ?? (error as Error).message);
    }
  };
}
