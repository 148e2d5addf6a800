/**
 * The HTTP adapter: routes translate requests into engine calls and replies into answers, and
 * record each request in the journal; nothing more. Paths and methods from TOAST-DOCS/OCR
 * en/document-ocr-api-guide-v2.0.md and -v2.1.md (the same five operations under `/v2.0/` and
 * `/v2.1/`, api-routes.ts), plus the v2.1 token issuer (token-routes.ts); any other path or
 * method answers 4041007 URL_NOT_FOUND on HTTP 200. The API's calls usually take the fast lane
 * (fast-lane.ts) past express; both settle through settle.ts.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import express, { type NextFunction, type Request, type Response } from 'express';
import { API_VERSIONS } from '../core/auth.js';
import { AUTHENTICITY_MAX_BODY_BYTES } from '../core/authenticity.js';
import type { OcrEngine } from '../core/engine.js';
import { OcrError } from '../core/errors.js';
import type { Journal } from '../core/journal.js';
import { adminRouter, type AdminOptions } from './admin.js';
import { apiOperations, apiRoutes, type RouteFactory } from './api-routes.js';
import { readBodyText, readyToAnswer } from './body.js';
import { fastLane } from './fast-lane.js';
import { imageReader } from './multipart.js';
import { settler, type Answer, type Settle } from './settle.js';
import { tokenRoutes } from './token-routes.js';
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

export type { Handler } from './api-routes.js';

/**
 * Builds the HTTP handler around an engine: a Node request listener, for `http.createServer`,
 * supertest, or mounting in an app of your own.
 * @example const server = http.createServer(createApp(engine, { maxUploadBytes: 20 * 1024 * 1024, journal: new Journal() }))
 */
export function createApp(engine: OcrEngine, options: AppOptions): RequestListener {
  const onFault = options.onFault ?? (() => {});
  const withDiagnosis = options.diagnosisHeader !== false;
  const settle = settler({ engine, journal: options.journal, onFault, onRequest: options.onRequest, diagnosisHeader: withDiagnosis });
  const budget = new UploadBudget(options.maxInflightBytes ?? 4 * options.maxUploadBytes);
  // The authenticity body: at most the upload limit on the wire, far less kept (authenticity.ts).
  const readAuthenticityText = (req: IncomingMessage, res: ServerResponse) =>
    readBodyText(req, res, options.maxUploadBytes, AUTHENTICITY_MAX_BODY_BYTES, budget);
  const operations = apiOperations(engine, imageReader(options.maxUploadBytes, budget), readAuthenticityText);
  const route = routeFactory(settle);

  const app = strictExpress();
  app.use('/__emulator', adminRouter(engine, { ...options, uploads: () => budget.stats }));
  // Express answers HEAD with the GET handler; HEAD is not one of the guide's five operations.
  const notFound = route((req) => {
    throw new OcrError('URL_NOT_FOUND', `${req.method} ${req.path} is an operation of neither the v2.0 nor the v2.1 guide`);
  });
  app.use((req, res, next) => (req.method === 'HEAD' ? notFound(req, res, next) : next()));
  for (const api of API_VERSIONS) apiRoutes(app, api, route, engine, operations);
  tokenRoutes(app, route, engine);
  app.use(notFound);
  app.use(unreadableRequest(settle, onFault));

  const lane = fastLane({ engine, operations, settle, onFault });
  return (req, res) => {
    if (!lane(req, res)) app(req, res);
  };
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

/** Express routes around handlers: each settled, then its answer written. */
function routeFactory(settle: Settle): RouteFactory {
  return (handler) => async (req: Request, res: Response) => {
    await writeAnswer(req, res, await settle(req.method, req.path, req.headers, (trace) => handler(req, res, trace)));
  };
}

/** Writes a settled answer through express (the fast lane writes the same bytes itself). */
async function writeAnswer(req: Request, res: Response, answer: Answer): Promise<void> {
  if (!(await readyToAnswer(req, answer))) return;
  if (answer.headers) res.set(answer.headers);
  if (answer.body === undefined) res.status(answer.status).end();
  else res.status(answer.status).json(answer.body);
}

/**
 * Express's four-argument handler, for errors raised outside a route (a bad percent-escape, a
 * body express cannot read): settled like a route's failure (journaled, rendered in one place),
 * the client's fault as 4000001, anything else as -1.
 */
function unreadableRequest(settle: Settle, onFault: (error: unknown) => void) {
  return async (error: unknown, req: Request, res: Response, _next: NextFunction): Promise<void> => {
    const status = (error as { status?: unknown } | undefined)?.status;
    const clientFault = typeof status === 'number' && status >= 400 && status < 500;
    if (res.headersSent) {
      if (!clientFault) onFault(error);
      res.destroy();
      return;
    }
    const failure = clientFault ? new OcrError('INVALID_PARAMETER', `the request could not be parsed: ${clientErrorText(error)}`) : error;
    await writeAnswer(req, res, await settle(req.method, req.path, req.headers, () => Promise.reject(failure)));
  };
}

/** What express or the router said about a request it could not read, if it is meant to be shown. */
function clientErrorText(error: unknown): string {
  const { expose, message } = error as { expose?: unknown; message?: unknown };
  return expose === true && typeof message === 'string' ? message.slice(0, 200) : 'malformed request';
}
