/**
 * The v2.1 token issuer on the emulator's port: `POST /oauth2/token/create` and
 * `POST /oauth2/token/revoke` (NHN Cloud public API "User Access Key token"; RFC 6749 and RFC
 * 7009). Live, the issuer is its own host (`https://oauth.api.nhncloudservice.com`); here it
 * shares the API's, so one base URL serves a v2.1 client whole. Parameters come from the
 * `application/x-www-form-urlencoded` body and from the query string, read here and handed to
 * the service as one plain record.
 */
import type { Request, RequestHandler, Response } from 'express';
import type express from 'express';
import type { Learned, OcrService, Reply } from '../core/engine.js';
import { OAuthError, OcrError } from '../core/errors.js';
import type { TokenForm } from '../core/token-issuer.js';
import { DRAIN_MS, drainBody, readBodyText } from './body.js';
import { header } from './api-routes.js';

/** A route's handler: gets the request, returns a reply (with what it learned for the journal). */
export type Handler = (req: Request, res: Response) => Promise<Reply>;

/** An express route around a handler for an endpoint, settled, journaled and written by the pipeline (pipeline.ts). */
export type RouteFactory = (endpoint: 'token/create' | 'token/revoke' | undefined, handler: Handler) => RequestHandler;

/** The largest form body the issuer reads: two short parameters fit many times over. */
const FORM_LIMIT_BYTES = 16 * 1024;

/** RFC 6749 section 5.1: token answers are never cached. */
const NO_STORE = { 'Cache-Control': 'no-store', Pragma: 'no-cache' };

/**
 * Adds the two token routes to an app, each settled (journaled, errors rendered) by `route`.
 * @example tokenRoutes(app, route, engine)
 */
export function tokenRoutes(app: express.Express, route: RouteFactory, service: OcrService): void {
  app.post(
    '/oauth2/token/create',
    route('token/create', async (req, res): Promise<Reply> => {
      const { form, note } = await readParameters(req, res);
      const answer = await service.createToken(header(req, 'authorization'), form);
      return { body: answer, headers: NO_STORE, learned: note };
    }),
  );
  app.post(
    '/oauth2/token/revoke',
    route('token/revoke', async (req, res): Promise<Reply> => {
      const { form, note } = await readParameters(req, res);
      await service.revokeToken(header(req, 'authorization'), form);
      return { body: undefined, learned: note };
    }),
  );
}

/**
 * The request's parameters: those of the query string and those of the form body, together.
 * The query string counts because the token page's own Spring Cloud OpenFeign examples declare
 * `@RequestParam("grant_type")` and `@RequestParam("token")`, which Feign sends in the query
 * string with an empty form body (TOAST-DOCS "User Access Key token", the Feign client
 * examples). `undefined` when a non-empty body is not a form (the issuer answers
 * `invalid_request`). A parameter given twice, in one place or in both, is refused, as RFC 6749
 * section 3.1 requires: neither copy silently wins. The journal notes the names (never the
 * values: `token` is a secret) of the parameters read from the query string.
 */
async function readParameters(req: Request, res: Response): Promise<{ form: TokenForm; note?: Learned }> {
  const query = [...new URLSearchParams(queryString(req.originalUrl))];
  const body = await readFormBody(req, res);
  if (body === undefined && !(query.length > 0 && hasNoBody(req))) return { form: undefined };
  const form: Record<string, string> = {};
  for (const [name, value] of [...query, ...(body ?? [])]) {
    if (Object.hasOwn(form, name)) throw new OAuthError('invalid_request', `parameter "${name}" is given more than once (${twice(name, query, body)})`);
    form[name] = value;
  }
  const fromQuery = [...new Set(query.map(([name]) => name))];
  if (fromQuery.length > 0) return { form, note: { diagnosis: `parameters read from the query string: ${fromQuery.join(', ')}` } };
  return { form };
}

/** Where a repeated parameter was given, for the refusal. */
function twice(name: string, query: [string, string][], body: [string, string][] | undefined): string {
  const inQuery = query.filter(([n]) => n === name).length;
  const inBody = (body ?? []).filter(([n]) => n === name).length;
  if (inQuery > 0 && inBody > 0) return 'in the query string and in the form body';
  return inQuery > 0 ? 'in the query string' : 'in the form body';
}

/** The form body's pairs; `undefined` when the body is not a form (it is drained). */
async function readFormBody(req: Request, res: Response): Promise<[string, string][] | undefined> {
  if (!req.is('application/x-www-form-urlencoded')) {
    await drainBody(req, DRAIN_MS);
    return undefined;
  }
  let text: string;
  try {
    text = await readBodyText(req, res, FORM_LIMIT_BYTES);
  } catch (error) {
    const why = error instanceof OcrError && error.key === 'MAX_UPLOAD_SIZE_EXCEEDED' ? `larger than ${FORM_LIMIT_BYTES} bytes` : 'cut off';
    throw new OAuthError('invalid_request', `the form body is ${why}`);
  }
  return [...new URLSearchParams(text)];
}

/** A request without a body at all, or with an empty one (`Content-Length: 0`). */
function hasNoBody(req: Request): boolean {
  return req.headers['transfer-encoding'] === undefined && (req.headers['content-length'] ?? '0') === '0';
}

/** What follows the first `?` of a request target ('' when none). */
function queryString(url: string): string {
  const at = url.indexOf('?');
  return at < 0 ? '' : url.slice(at + 1);
}
