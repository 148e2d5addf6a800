/**
 * The HTTP adapter: routes translate requests into engine calls and replies into answers, and
 * record each request in the journal; nothing more. Paths and methods from TOAST-DOCS/OCR
 * en/document-ocr-api-guide-v2.0.md and -v2.1.md (the same five operations under `/v2.0/` and
 * `/v2.1/`), plus the v2.1 token issuer (token-routes.ts); any other path or method answers
 * 4041007 URL_NOT_FOUND on HTTP 200.
 */
import type { IncomingHttpHeaders, IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import express, { type NextFunction, type Request, type Response } from 'express';
import { API_VERSIONS, type ApiVersion } from '../core/auth.js';
import { AUTHENTICITY_MAX_BODY_BYTES } from '../core/authenticity.js';
import type { ApiCall, EnvelopeHeaders, OcrEngine, Reply, Trace, Upload } from '../core/engine.js';
import { OAuthError, OcrError } from '../core/errors.js';
import type { Journal } from '../core/journal.js';
import { ScenarioError } from '../core/scenarios/book.js';
import { adminRouter, type AdminOptions } from './admin.js';
import { drainBody, readBodyText } from './body.js';
import { DIAGNOSIS_HEADER, diagnosisHeaderValue } from './diagnosis-header.js';
import { imageReader, type ImageReader } from './multipart.js';
import { UploadBudget } from './upload-budget.js';
import { failureFor } from './render.js';
import { tokenRoutes } from './token-routes.js';

/** Options of the HTTP adapter. */
export interface AppOptions extends Omit<AdminOptions, 'journal'> {
  /** Largest accepted request body in bytes (4131000 above it). */
  maxUploadBytes: number;
  /** Upload bytes held in memory at once, past which uploads wait (default 4x maxUploadBytes). */
  maxInflightBytes?: number;
  journal: Journal;
  /** Told about server-side faults (answered -1). */
  onFault?: (error: unknown) => void;
  /** Told about every finished API request (for logging). */
  onRequest?: (entry: ReturnType<Journal['add']>) => void;
  /** `false` leaves out `X-Emulator-Diagnosis` (EMULATOR_DIAGNOSIS_HEADER=off); default true. */
  diagnosisHeader?: boolean;
}

/** The longest an answer waits for the rest of a body it did not need. */
const DRAIN_MS = 5_000;

/** RFC 6749 section 5.1: the token issuer's refusals are never cached either. */
const NO_STORE = { 'Cache-Control': 'no-store', Pragma: 'no-cache' } as const;

/** An API handler: gets the request and the trace to fill in, returns a reply. */
export type Handler = (req: Request, res: Response, trace: Trace) => Promise<Reply> | Reply;

/** What a request is answered with: JSON with a status (and headers), or a dropped connection. */
interface Answer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
  drop?: true;
}

/**
 * The public-key call as the fast lane takes it: a plain path (no query, no percent-escapes), so
 * that what the lane reads is exactly what express's router would have decoded.
 */
const PUBLIC_KEY_PATH = /^\/(v2\.[01])\/appkeys\/([A-Za-z0-9._~-]+)\/public-keys\/([A-Za-z0-9._~-]+)$/;

/** The four POST operations as the fast lane takes them, on the same terms. */
const OPERATION_PATH = /^\/(v2\.[01])\/appkeys\/([A-Za-z0-9._~-]+)\/(credit-card|id-card|id-card\/stand-alone|id-card\/authenticity)$/;

/**
 * Builds the HTTP handler around an engine: a Node request listener, for `http.createServer`,
 * supertest, or mounting in an app of your own.
 * @example const server = http.createServer(createApp(engine, { maxUploadBytes: 20 * 1024 * 1024, journal: new Journal() }))
 */
export function createApp(engine: OcrEngine, options: AppOptions): RequestListener {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  // Stricter than express's defaults, so a client that works here does not lean on leniency the
  // live service may not have: /V2.0/... and a trailing slash are other paths (4041007).
  app.set('case sensitive routing', true);
  app.set('strict routing', true);
  // After the routing settings: the first app.use makes the router, with the settings of then.
  // Nothing here is cacheable: every API answer is HTTP 200 with a body. Without this, express
  // answers a GET with `If-None-Match: *` (or a matching If-Modified-Since) 304 and no body.
  app.use((req, _res, next) => {
    delete req.headers['if-none-match'];
    delete req.headers['if-modified-since'];
    next();
  });
  const onFault = options.onFault ?? (() => {});
  /** The diagnosis header of a failed answer, or nothing (README, "The journal"). */
  const diagnosisHeaders = (diagnosis: string): Record<string, string> =>
    options.diagnosisHeader === false ? {} : { [DIAGNOSIS_HEADER]: diagnosisHeaderValue(diagnosis) };
  const budget = new UploadBudget(options.maxInflightBytes ?? 4 * options.maxUploadBytes);
  const readImage = imageReader(options.maxUploadBytes, budget);
  /** The authenticity body: at most the upload limit on the wire, far less kept (authenticity.ts). */
  const readAuthenticityText = (req: IncomingMessage, res: ServerResponse) => readBodyText(req, res, options.maxUploadBytes, AUTHENTICITY_MAX_BODY_BYTES, budget);
  const { journal } = options;

  /** Journals a finished request and tells the logger. */
  const record = (method: string, path: string, trace: Trace, resultCode: number | undefined, status: number, started: number): void => {
    // Journal.add stores a bounded copy: client-derived texts clipped, sharing no memory with the request.
    const entry = journal.add({
      time: new Date(engine.now()).toISOString(),
      method,
      path,
      ...trace,
      resultCode,
      status,
      durationMs: Math.round((performance.now() - started) * 100) / 100,
    });
    options.onRequest?.(entry);
  };

  /**
   * Runs an engine call to its answer: the reply, or the rendered error, after any scripted
   * delay, journaled. Shared by the express routes and the public-key fast lane, which differ
   * only in how they read the request and write the answer.
   */
  const settle = async (method: string, path: string, headers: IncomingHttpHeaders, run: (trace: Trace) => Promise<Reply> | Reply): Promise<Answer> => {
    const started = performance.now();
    const trace: Trace = {};
    let reply: Reply;
    try {
      reply = await run(trace);
    } catch (error) {
      if (error instanceof ScenarioError) {
        // The emulator's own refusal of X-Emulator-Scenario (HTTP 4xx, no result code): journaled
        // all the same, since the journal is where a developer looks first.
        trace.diagnosis = `HTTP ${error.status}: ${error.message}`;
        record(method, path, trace, undefined, error.status, started);
        return { status: error.status, body: { error: 'scenario', message: error.message }, headers: diagnosisHeaders(trace.diagnosis) };
      }
      if (error instanceof OAuthError) {
        // The token issuer answers RFC 6749 errors with their HTTP status, not a result code.
        trace.diagnosis = `HTTP ${error.status} ${error.code}: ${error.description}`;
        record(method, path, trace, undefined, error.status, started);
        const oauthHeaders: Record<string, string> = { ...NO_STORE, ...diagnosisHeaders(trace.diagnosis) };
        // RFC 6749 section 5.2: a 401 names the authentication scheme the client must use.
        if (error.status === 401) oauthHeaders['WWW-Authenticate'] = 'Basic realm="nhn-ocr-emulator token issuer"';
        return { status: error.status, body: error.body(), headers: oauthHeaders };
      }
      if (error instanceof OcrError) trace.diagnosis = error.diagnosis;
      else {
        onFault(error);
        trace.diagnosis = 'internal fault (see the emulator log)';
      }
      reply = { body: failureFor(error) };
    }
    if (reply.delayMs) await new Promise((resolve) => setTimeout(resolve, reply.delayMs));
    const status = reply.status ?? 200;
    const resultCode = (reply.body as { header?: { resultCode?: number } } | undefined)?.header?.resultCode;
    record(method, path, trace, resultCode, status, started);
    if (reply.fault === 'drop-connection') return { status: 0, body: undefined, drop: true };
    // Only failures carry a diagnosis: a success (or a token answer, which has no result code) does not.
    const failed = resultCode !== undefined && resultCode !== 0;
    const answerHeaders = failed ? { ...reply.headers, ...diagnosisHeaders(trace.diagnosis ?? 'no diagnosis recorded') } : reply.headers;
    return { status, body: reply.body, ...(answerHeaders ? { headers: answerHeaders } : {}) };
  };

  /** An express route around a handler: settles it, then writes the answer. */
  const route =
    (handler: Handler) =>
    async (req: Request, res: Response): Promise<void> => {
      const answer = await settle(req.method, req.path, req.headers, (trace) => handler(req, res, trace));
      if (answer.drop) {
        req.socket.destroy();
        return;
      }
      // An answer ready before the whole body has arrived (a header check failed, the body is
      // over the limit) waits until the client has sent the rest (read and dropped) or a few
      // seconds have passed: a connection closed while the client still sends is reset, and
      // the client loses the answer (RFC 9112 section 9.6).
      if (!req.complete) await drainBody(req, DRAIN_MS);
      if (answer.headers) res.set(answer.headers);
      if (answer.body === undefined) res.status(answer.status).end();
      else res.status(answer.status).json(answer.body);
    };

  app.use('/__emulator', adminRouter(engine, { ...options, journal, uploads: () => budget.stats }));

  // Express answers HEAD with the GET handler; HEAD is not one of the guide's five operations.
  const notFound = route((req) => {
    throw new OcrError('URL_NOT_FOUND', `${req.method} ${req.path} is an operation of neither the v2.0 nor the v2.1 guide`);
  });
  app.use((req, res, next) => (req.method === 'HEAD' ? notFound(req, res) : next()));

  const operations = apiOperations(engine, readImage, readAuthenticityText);
  for (const api of API_VERSIONS) apiRoutes(app, api, route, engine, operations);
  tokenRoutes(app, route, engine);

  app.use(notFound);

  // Express calls a four-argument handler for errors raised outside `route` (e.g. a bad URI).
  app.use(async (error: unknown, req: Request, res: Response, _next: NextFunction) => {
    const status = (error as { status?: unknown } | undefined)?.status;
    const clientFault = typeof status === 'number' && status >= 400 && status < 500;
    if (!clientFault) onFault(error);
    if (res.headersSent) {
      res.destroy();
      return;
    }
    await drainBody(req, DRAIN_MS); // as in `route`: answered before the body, read it first
    const failure = clientFault ? new OcrError('INVALID_PARAMETER', `the request could not be parsed: ${clientErrorText(error)}`) : error;
    res.set(diagnosisHeaders(failure instanceof OcrError ? failure.diagnosis : 'internal fault (see the emulator log)'));
    res.status(200).json(failureFor(failure));
  });

  /**
   * The API's calls without express: the public-key GET every client makes first and load tests
   * make most, and the four POST operations. Express's routing and response helpers cost the GET
   * ~8x what Node's HTTP alone does, and a reused-key upload about a tenth of its time (README,
   * "Benchmarks"). A call settles through the same code as every route and is answered with the
   * same bytes (test/api/fast-lane.test.ts compares the two); anything unusual (another method, a
   * query, an escape, a GET with a body) goes to express.
   */
  const fastLane = (req: IncomingMessage, res: ServerResponse): boolean => {
    const url = req.url ?? '';
    if (req.method === 'GET') {
      if (req.headers['transfer-encoding'] !== undefined || (req.headers['content-length'] ?? '0') !== '0') return false;
      const match = PUBLIC_KEY_PATH.exec(url);
      if (!match) return false;
      const call: ApiCall = { api: match[1] as ApiVersion, appKey: match[2]!, headers: envelopeHeaders(req) };
      answerFast(req, res, settle('GET', match[0], req.headers, (trace) => engine.publicKey(trace, call, match[3]!)));
      return true;
    }
    if (req.method !== 'POST') return false;
    const match = OPERATION_PATH.exec(url);
    if (!match) return false;
    const call: ApiCall = { api: match[1] as ApiVersion, appKey: match[2]!, headers: envelopeHeaders(req) };
    const operation = operations[match[3] as OperationName];
    answerFast(req, res, settle('POST', match[0], req.headers, (trace) => operation(call, req, res, trace)));
    return true;
  };

  /** Writes a settled answer as express's route would (`route`, res.set, res.json). */
  const answerFast = (req: IncomingMessage, res: ServerResponse, settled: Promise<Answer>): void => {
    settled
      .then(async (answer) => {
        if (answer.drop) {
          req.socket.destroy();
          return;
        }
        if (!req.complete) await drainBody(req, DRAIN_MS); // as in `route`
        // As express's res.json writes it: same headers, same order, same body.
        const text = JSON.stringify(answer.body);
        res.writeHead(answer.status, { ...answer.headers, 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
        res.end(text);
      })
      .catch((error: unknown) => {
        onFault(error);
        res.destroy();
      });
  };

  return (req, res) => {
    if (!fastLane(req, res)) app(req, res);
  };
}

/** What express or the router said about a request it could not read, if it is meant to be shown. */
function clientErrorText(error: unknown): string {
  const { expose, message } = error as { expose?: unknown; message?: unknown };
  return expose === true && typeof message === 'string' ? message.slice(0, 200) : 'malformed request';
}

/** The four POST operations, by their path after `/appkeys/{appKey}/`. */
type OperationName = 'credit-card' | 'id-card' | 'id-card/stand-alone' | 'id-card/authenticity';

/** A POST operation once routed: the call (version, app key, headers), the request to read, the trace to fill in. */
type Operation = (call: ApiCall, req: IncomingMessage, res: ServerResponse, trace: Trace) => Promise<Reply>;

/** The POST operations, shared by the express routes and the fast lane. */
function apiOperations(
  engine: OcrEngine,
  readImage: ImageReader,
  readAuthenticityText: (req: IncomingMessage, res: ServerResponse) => Promise<string>,
): Record<OperationName, Operation> {
  /** Reads the image, hands it to `analyze`, and gives its buffer back once the engine is done with it. */
  const withImage = async (req: IncomingMessage, res: ServerResponse, analyze: (upload: Upload | undefined) => Promise<Reply> | Reply): Promise<Reply> => {
    const upload = await readImage(req, res);
    try {
      return await analyze(upload);
    } finally {
      upload?.release?.();
    }
  };
  const idCard =
    (path: 'id-card' | 'id-card/stand-alone', standAlone: boolean): Operation =>
    async (call, req, res, trace) => {
      const envelope = await engine.openEnvelope(trace, path, call);
      return withImage(req, res, (upload) => engine.analyzeIdCard(trace, envelope, upload, standAlone));
    };
  return {
    'credit-card': async (call, req, res, trace) => {
      const envelope = await engine.openEnvelope(trace, 'credit-card', call);
      return withImage(req, res, (upload) => engine.analyzeCreditCard(trace, envelope, upload));
    },
    'id-card': idCard('id-card', false),
    'id-card/stand-alone': idCard('id-card/stand-alone', true),
    'id-card/authenticity': async (call, req, res, trace) => {
      const envelope = await engine.openEnvelope(trace, 'id-card/authenticity', call);
      const text = await readAuthenticityText(req, res);
      return engine.authenticity(trace, envelope, text, call.headers['request-key']!);
    },
  };
}

/** The API's five operations under one version's prefix (`/v2.0/appkeys/:appKey/...`). */
function apiRoutes(
  app: express.Express,
  api: ApiVersion,
  route: (handler: Handler) => express.RequestHandler,
  engine: OcrEngine,
  operations: Record<OperationName, Operation>,
): void {
  const base = `/${api}/appkeys/:appKey`;
  const call = (req: Request): ApiCall => ({ api, appKey: param(req, 'appKey'), headers: envelopeHeaders(req) });

  app.get(`${base}/public-keys/:serviceName`, route((req, _res, trace) => engine.publicKey(trace, call(req), param(req, 'serviceName'))));
  for (const [name, operation] of Object.entries(operations)) {
    app.post(`${base}/${name}`, route((req, res, trace) => operation(call(req), req, res, trace)));
  }
}

function param(req: Request, name: string): string {
  return String(req.params[name] ?? '');
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

function envelopeHeaders(req: IncomingMessage): EnvelopeHeaders {
  return {
    authorization: header(req, 'authorization'),
    'x-nhn-authorization': header(req, 'x-nhn-authorization'),
    'x-key-version': header(req, 'x-key-version'),
    'symmetric-key': header(req, 'symmetric-key'),
    'request-key': header(req, 'request-key'),
    'x-emulator-scenario': header(req, 'x-emulator-scenario'),
  };
}
