/**
 * The HTTP adapter: routes translate requests into engine calls and outcomes into answers,
 * nothing more. Paths and methods from TOAST-DOCS/OCR en/document-ocr-api-guide-v2.0.md; any
 * other path or method answers 4041007 URL_NOT_FOUND on HTTP 200.
 */
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import type { EnvelopeHeaders, OcrEngine } from '../core/engine.js';
import { OcrError } from '../core/errors.js';
import { imageReader } from './multipart.js';
import { sendError, sendOutcome, type ApiOutcome } from './render.js';

/** Options of the HTTP adapter. */
export interface AppOptions {
  /** Largest accepted request body in bytes (4131000 above it). */
  maxUploadBytes: number;
  /** Told about server-side faults (answered -1). */
  onFault?: (error: unknown) => void;
}

const API = '/v2.0/appkeys/:appKey';

/**
 * Builds the express app around an engine.
 * @example const app = createApp(engine, { maxUploadBytes: 20 * 1024 * 1024 }); app.listen(8080)
 */
export function createApp(engine: OcrEngine, options: AppOptions): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  const onFault = options.onFault ?? (() => {});
  const readImage = imageReader(options.maxUploadBytes);

  /** Wraps a handler so every throw is rendered by the one renderer. */
  const route = (handler: (req: Request, res: Response) => Promise<ApiOutcome> | ApiOutcome): RequestHandler =>
    async (req, res) => {
      try {
        sendOutcome(res, await handler(req, res));
      } catch (error) {
        sendError(res, error, onFault);
      }
    };

  app.get('/__emulator/health', (_req, res) => {
    res.json({ status: 'ok' });
  });

  app.get(
    `${API}/public-keys/:serviceName`,
    route(async (req) => ({
      body: await engine.publicKey(param(req, 'appKey'), header(req, 'authorization'), param(req, 'serviceName')),
    })),
  );

  app.post(
    `${API}/credit-card`,
    route(async (req, res) => {
      const envelope = engine.openEnvelope(param(req, 'appKey'), 'credit-card', envelopeHeaders(req));
      const upload = await readImage(req, res);
      return { body: engine.analyzeCreditCard(envelope, upload) };
    }),
  );

  app.use((req, res) => {
    if (req.path.startsWith('/__emulator/')) {
      res.status(404).json({ error: 'not_found', message: `no admin endpoint ${req.method} ${req.path}` });
      return;
    }
    sendError(res, new OcrError('URL_NOT_FOUND', `${req.method} ${req.path} is not an API of the v2.0 guide`));
  });

  // Express calls a four-argument handler for errors thrown outside `route` (e.g. a bad URI).
  app.use((error: unknown, req: Request, res: Response, _next: NextFunction) => {
    if (req.path.startsWith('/__emulator/')) {
      res.status(500).json({ error: 'internal', message: 'internal error' });
      return;
    }
    const status = (error as { status?: unknown } | undefined)?.status;
    const clientFault = typeof status === 'number' && status >= 400 && status < 500;
    sendError(res, clientFault ? new OcrError('INVALID_PARAMETER', 'the request could not be parsed') : error, onFault);
  });

  return app;
}

function param(req: Request, name: string): string {
  return String(req.params[name] ?? '');
}

function header(req: Request, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

function envelopeHeaders(req: Request): EnvelopeHeaders {
  return {
    authorization: header(req, 'authorization'),
    'x-key-version': header(req, 'x-key-version'),
    'symmetric-key': header(req, 'symmetric-key'),
    'request-key': header(req, 'request-key'),
  };
}
