/**
 * The API's five operations (TOAST-DOCS/OCR en/document-ocr-api-guide-v2.0.md and -v2.1.md),
 * as plain functions of a routed call, shared by the express routes and the fast lane: one
 * place says what each operation reads and which engine calls answer it.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type express from 'express';
import type { Request, Response } from 'express';
import type { ApiVersion } from '../core/auth.js';
import type { ApiCall, EnvelopeHeaders, OcrEngine, Reply, Trace, Upload } from '../core/engine.js';
import type { ImageReader } from './multipart.js';

/** The four POST operations, by their path after `/appkeys/{appKey}/`. */
export type OperationName = 'credit-card' | 'id-card' | 'id-card/stand-alone' | 'id-card/authenticity';

/** A POST operation once routed: the call (version, app key, headers), the request to read, the trace to fill in. */
export type Operation = (call: ApiCall, req: IncomingMessage, res: ServerResponse, trace: Trace) => Promise<Reply>;

/** An API handler: gets the request and the trace to fill in, returns a reply. */
export type Handler = (req: Request, res: Response, trace: Trace) => Promise<Reply> | Reply;

/** An express route around a handler that returns a reply (app.ts, `route`). */
export type RouteFactory = (handler: Handler) => express.RequestHandler;

/**
 * The POST operations.
 * @example const operations = apiOperations(engine, imageReader(limit), (req, res) => readBodyText(req, res, limit)); await operations['credit-card'](call, req, res, trace)
 */
export function apiOperations(
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

/**
 * One API call as the engine takes it, whichever adapter read the path.
 * @example engine.publicKey(trace, apiCall('v2.0', 'emulator-appkey', req), 'credit-card')
 */
export function apiCall(api: ApiVersion, appKey: string, req: IncomingMessage): ApiCall {
  return { api, appKey, headers: envelopeHeaders(req) };
}

/**
 * The five operations as express routes under one version's prefix (`/v2.0/appkeys/:appKey/...`).
 * @example for (const api of API_VERSIONS) apiRoutes(app, api, route, engine, operations)
 */
export function apiRoutes(app: express.Express, api: ApiVersion, route: RouteFactory, engine: OcrEngine, operations: Record<OperationName, Operation>): void {
  const base = `/${api}/appkeys/:appKey`;
  const call = (req: Request): ApiCall => apiCall(api, param(req, 'appKey'), req);

  app.get(
    `${base}/public-keys/:serviceName`,
    route((req, _res, trace) => engine.publicKey(trace, call(req), param(req, 'serviceName'))),
  );
  for (const [name, operation] of Object.entries(operations)) {
    app.post(
      `${base}/${name}`,
      route((req, res, trace) => operation(call(req), req, res, trace)),
    );
  }
}

/**
 * The request headers the engine reads, repeated ones joined as Node's parser would show them.
 * @example envelopeHeaders(req)['x-key-version'] // '0'
 */
export function envelopeHeaders(req: IncomingMessage): EnvelopeHeaders {
  return {
    authorization: header(req, 'authorization'),
    'x-nhn-authorization': header(req, 'x-nhn-authorization'),
    'x-key-version': header(req, 'x-key-version'),
    'symmetric-key': header(req, 'symmetric-key'),
    'request-key': header(req, 'request-key'),
    'x-emulator-scenario': header(req, 'x-emulator-scenario'),
  };
}

function param(req: Request, name: string): string {
  return String(req.params[name] ?? '');
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}
