/**
 * The request pipeline: every request the app is given, from its arrival to its answer, in the
 * order the steps run. Paths and methods from TOAST-DOCS/OCR en/document-ocr-api-guide-v2.0.md
 * and -v2.1.md (the route table, api-routes.ts), plus the v2.1 token issuer (token-routes.ts)
 * and the admin API (admin.ts).
 *
 * 0. In record mode (docs/record-live-service.md), the record step (record-step.ts) is offered
 *    every request first and takes the API's calls and the token issuer's, forwarding them to
 *    the live service through the envelope; the rest (the admin API) goes on below.
 * 1. An API call in plain form (no query, no escape, a GET without a body) takes the fast path:
 *    matched against the route table, performed, settled and written without express. Most
 *    calls come this way; express's routing and response helpers cost the public-key GET ~8x
 *    what Node's HTTP alone does (test/bench/README.md).
 * 2. Everything else goes to express: the admin API under `/__emulator`, HEAD (not one of the
 *    guide's operations), the API routes the fast path declined (derived from the same table),
 *    the token issuer, and last any other path or method, which answers 4041007 URL_NOT_FOUND
 *    on HTTP 200 ({@link unknownRoute}).
 * 3. Either way an API call settles here ({@link settle}): performed, its failure rendered as a
 *    refusal, any scripted delay waited out, journaled, the diagnosis header added to a failure,
 *    and written by the one writer (answer.ts), so both ways answer the same bytes.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import express, { type NextFunction, type Request, type Response } from 'express';
import { defaultInflightBytes, SETTINGS } from '../config.js';
import { API_VERSIONS } from '../core/auth.js';
import { AUTHENTICITY_MAX_BODY_BYTES } from '../core/authenticity.js';
import { type ApiCall, CallFailed, type Learned, type OcrEngine, type OcrService, type Reply } from '../core/engine.js';
import type { Journal, JournalEntry } from '../core/journal.js';
import { adminRouter, type AdminOptions } from './admin.js';
import { type Answer, writeAnswer } from './answer.js';
import { API_ROUTES, type ApiOperation, apiCall, expressPath, fastRoutes, routeParameter } from './api-routes.js';
import { readBodyText } from './body.js';
import { clientErrorStatus, diagnosisHeaders, refusalOf, renderRefusal, type Surface, unknownRoute } from './refusal.js';
import { type ImageReader, imageReader, type ReadUpload } from './multipart.js';
import type { Forwarded } from './record-step.js';
import { type RouteFactory, tokenRoutes } from './token-routes.js';
import { UploadBudget } from './upload-budget.js';

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

/** Steps a running emulator adds to the pipeline (not part of the package's `createApp`). */
export interface PipelineSteps {
  /** Step 0, record mode (record-step.ts): what a request it takes was forwarded as, or undefined. */
  forward?: ((req: IncomingMessage) => Promise<Forwarded> | undefined) | undefined;
}

/**
 * Builds the HTTP handler around an engine: a Node request listener, for `http.createServer`,
 * supertest, or mounting in an app of your own.
 * @example const server = http.createServer(createApp(createEngine(), { maxUploadBytes: 20 * 1024 * 1024, journal: new Journal() }))
 */
export function createApp(engine: OcrEngine, options: AppOptions, steps: PipelineSteps = {}): RequestListener {
  const { service } = engine;
  const onFault = options.onFault ?? (() => {});
  const withDiagnosis = options.diagnosisHeader ?? SETTINGS.diagnosisHeader.default;
  const budget = new UploadBudget(options.maxInflightBytes ?? defaultInflightBytes(options.maxUploadBytes));
  const readImage = imageReader(options.maxUploadBytes, budget);
  // The authenticity body: at most the upload limit on the wire, far less kept (authenticity.ts).
  const readText = (req: IncomingMessage, res: ServerResponse) => readBodyText(req, res, options.maxUploadBytes, AUTHENTICITY_MAX_BODY_BYTES, budget);

  /**
   * Step 3: a call's outcome to its answer, journaled. The request's journal entry is written
   * here only: what the route says (version, endpoint, appKey), what the service learned
   * (returned with its reply, or carried by its CallFailed), and how it was answered.
   */
  const settle = async (req: IncomingMessage, path: string, route: RouteFacts, started: number, pending: Promise<Reply>): Promise<Answer> => {
    let reply: Reply;
    try {
      reply = await pending;
    } catch (thrown) {
      const refused = refusalOf(thrown instanceof CallFailed ? thrown.reason : thrown, route.surface, onFault);
      record(req, path, route, thrown instanceof CallFailed ? thrown.learned : undefined, refused.diagnosis, refused.resultCode, refused.status, started);
      return renderRefusal(refused, withDiagnosis);
    }
    if (reply.delayMs) await new Promise((resolve) => setTimeout(resolve, reply.delayMs));
    const status = reply.status ?? 200;
    const resultCode = (reply.body as { header?: { resultCode?: number } } | undefined)?.header?.resultCode;
    const { learned } = reply;
    record(req, path, route, learned, learned?.diagnosis, resultCode, status, started);
    if (reply.fault === 'drop-connection') return { status: 0, body: undefined, drop: true };
    // Only failures carry a diagnosis: a success (or a token answer, which has no result code) does not.
    const failed = resultCode !== undefined && resultCode !== 0;
    const headers = failed ? { ...reply.headers, ...diagnosisHeaders(withDiagnosis, learned?.diagnosis ?? 'no diagnosis recorded') } : reply.headers;
    return { status, body: reply.body, headers };
  };

  /** Journals a finished request and tells the logger. */
  const record = (
    req: IncomingMessage,
    path: string,
    route: RouteFacts,
    learned: Learned | undefined,
    diagnosis: string | undefined,
    resultCode: number | undefined,
    status: number,
    started: number,
  ): void => {
    // Journal.add stores a bounded copy: client-derived texts clipped, sharing no memory with the request.
    const entry = options.journal.add({
      time: isoTime(engine.state.now()),
      method: req.method ?? '',
      path,
      api: route.api,
      endpoint: route.endpoint,
      appKey: route.appKey,
      scenario: learned?.scenario,
      envelope: learned?.envelope,
      requestKey: learned?.requestKey,
      diagnosis,
      resultCode,
      status,
      durationMs: Math.round((performance.now() - started) * 100) / 100,
    });
    options.onRequest?.(entry);
  };

  /**
   * Step 0's settle: a forwarded call journaled with what was forwarded where, its answer relayed
   * as the target gave it, the diagnosis header added when the emulator itself failed it.
   */
  const relay = async (req: IncomingMessage, started: number, pending: Promise<Forwarded>): Promise<Answer> => {
    const { answer, entry } = await pending;
    const { diagnosis } = answer;
    const journaled = options.journal.add({
      time: isoTime(engine.state.now()),
      method: req.method ?? '',
      path: (req.url ?? '').split('?')[0]!,
      ...entry,
      resultCode: answer.resultCode,
      status: answer.status,
      diagnosis,
      durationMs: Math.round((performance.now() - started) * 100) / 100,
      forwarded: answer.forwarded,
    });
    options.onRequest?.(journaled);
    const headers = diagnosis ? { ...answer.headers, ...diagnosisHeaders(withDiagnosis, diagnosis) } : answer.headers;
    return { status: answer.status, body: undefined, bytes: answer.body, headers };
  };

  /** Writes a settled answer; a fault while writing closes the connection. */
  const respond = async (req: IncomingMessage, res: ServerResponse, answer: Promise<Answer>): Promise<void> => {
    try {
      await writeAnswer(req, res, await answer);
    } catch (error) {
      onFault(error);
      res.destroy();
    }
  };

  /** An API call, routed: performed, settled, written. */
  const serve = (req: IncomingMessage, res: ServerResponse, path: string, operation: ApiOperation, call: ApiCall, parameter: string | undefined) => {
    const started = performance.now();
    const pending = perform(service, readImage, readText, operation, call, parameter, req, res);
    void respond(req, res, settle(req, path, { surface: 'api', api: call.api, endpoint: operation, appKey: call.appKey }, started, pending));
  };

  /** A route of express's around a handler (the token issuer, unknown routes). */
  const route: RouteFactory = (endpoint, handler) => {
    const facts: RouteFacts = { surface: endpoint?.startsWith('token/') ? 'token' : 'api', endpoint };
    return (req, res) => {
      const started = performance.now();
      void respond(req, res, settle(req, req.path, facts, started, handler(req, res)));
    };
  };

  // Step 2: express, for all the fast path declines.
  const app = strictExpress();
  app.use('/__emulator', adminRouter(engine, { ...options, uploads: () => budget.stats }, { everyAppKey: steps.forward !== undefined }));
  // Express answers HEAD with the GET handler; HEAD is not one of the guide's five operations.
  const notFound = route(undefined, async (req) => {
    throw unknownRoute(req.method, req.path);
  });
  app.use((req, res, next) => (req.method === 'HEAD' ? notFound(req, res, next) : next()));
  for (const api of API_VERSIONS) {
    for (const table of API_ROUTES) {
      const parameter = routeParameter(table);
      app[table.method === 'GET' ? 'get' : 'post'](expressPath(api, table), (req: Request, res: Response) =>
        serve(req, res, req.path, table.operation, apiCall(api, param(req, 'appKey'), req), parameter && param(req, parameter)),
      );
    }
  }
  tokenRoutes(app, route, service);
  app.use(notFound);
  // Raised outside a route (a bad percent-escape, a body express cannot read): refused as any call's failure.
  app.use((error: unknown, req: Request, res: Response, _next: NextFunction) => {
    if (res.headersSent) {
      if (clientErrorStatus(error) === undefined) onFault(error);
      res.destroy();
      return;
    }
    void respond(req, res, settle(req, req.path, UNROUTED, performance.now(), Promise.reject(error)));
  });

  // Step 1: the fast path, a branch before express.
  const routes = fastRoutes();
  const { forward } = steps;
  return (req, res) => {
    const forwarded = forward?.(req);
    if (forwarded) {
      void respond(req, res, relay(req, performance.now(), forwarded));
      return;
    }
    const url = req.url ?? '';
    for (const table of routes) {
      if (req.method !== table.method) continue;
      // A GET with a body is express's to read (and then answered the same).
      if (table.method === 'GET' && (req.headers['transfer-encoding'] !== undefined || (req.headers['content-length'] ?? '0') !== '0')) break;
      const match = table.pattern.exec(url);
      if (!match) continue;
      serve(req, res, url, table.operation, apiCall(match[1] as ApiCall['api'], match[2]!, req), match[3]);
      return;
    }
    app(req, res);
  };
}

/** What a request's route says: which side refuses its failures, and for the journal. */
interface RouteFacts {
  surface: Surface;
  api?: JournalEntry['api'];
  endpoint?: JournalEntry['endpoint'];
  appKey?: string;
}

/** The last journal time made, by its millisecond: under load most requests share one. */
let lastTime = { ms: Number.NaN, iso: '' };

/** An emulator time as the journal writes it, made once a millisecond. */
function isoTime(ms: number): string {
  if (ms !== lastTime.ms) lastTime = { ms, iso: new Date(ms).toISOString() };
  return lastTime.iso;
}

/** A request no route took. */
const UNROUTED: RouteFacts = { surface: 'api' };

/**
 * What a route's operation does: the service calls that answer it, and what each reads of the
 * request (the envelope's headers first; then the image, or the authenticity body). A body that
 * cannot be read fails with what the envelope had learned.
 */
async function perform(
  service: OcrService,
  readImage: ImageReader,
  readText: (req: IncomingMessage, res: ServerResponse) => Promise<string>,
  operation: ApiOperation,
  call: ApiCall,
  parameter: string | undefined,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<Reply> {
  if (operation === 'public-key') return service.publicKey(call, parameter ?? '');
  const envelope = await service.openEnvelope(operation, call);
  let upload: ReadUpload | undefined;
  let text = '';
  try {
    if (operation === 'id-card/authenticity') text = await readText(req, res);
    else upload = await readImage(req, res);
  } catch (error) {
    throw new CallFailed(error, envelope.learned);
  }
  if (operation === 'id-card/authenticity') return service.authenticity(envelope, text, call.headers['request-key']!);
  try {
    return await (operation === 'credit-card'
      ? service.analyzeCreditCard(envelope, upload)
      : service.analyzeIdCard(envelope, upload, operation === 'id-card/stand-alone'));
  } finally {
    // The upload's buffer back to its pool once the service is done with it.
    upload?.release?.();
  }
}

/**
 * Express, stricter than its defaults, so a client that works here does not lean on leniency the
 * live service may not have: /V2.0/... and a trailing slash are other paths (4041007), and
 * nothing is answered 304.
 */
function strictExpress(): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
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
  return app;
}

function param(req: Request, name: string): string {
  return String(req.params[name] ?? '');
}
