/**
 * The v2.1 token issuer on the emulator's port: `POST /oauth2/token/create` and
 * `POST /oauth2/token/revoke` (NHN Cloud public API "User Access Key token"; RFC 6749 and RFC
 * 7009). Live, the issuer is its own host (`https://oauth.api.nhncloudservice.com`); here it
 * shares the API's, so one base URL serves a v2.1 client whole. Bodies are
 * `application/x-www-form-urlencoded`, read here and handed to the engine as a plain record.
 */
import type { Request, RequestHandler, Response } from 'express';
import type express from 'express';
import type { OcrEngine, Reply } from '../core/engine.js';
import { OAuthError, OcrError } from '../core/errors.js';
import type { TokenForm } from '../core/token-issuer.js';
import type { Handler } from './app.js';
import { DRAIN_MS, drainBody, readBodyText } from './body.js';

/** The largest form body the issuer reads: two short parameters fit many times over. */
const FORM_LIMIT_BYTES = 16 * 1024;

/** RFC 6749 section 5.1: token answers are never cached. */
const NO_STORE = { 'Cache-Control': 'no-store', Pragma: 'no-cache' };

/**
 * Adds the two token routes to an app, each settled (journaled, errors rendered) by `route`.
 * @example tokenRoutes(app, route, engine)
 */
export function tokenRoutes(app: express.Express, route: (handler: Handler) => RequestHandler, engine: OcrEngine): void {
  app.post(
    '/oauth2/token/create',
    route(async (req, res, trace): Promise<Reply> => {
      trace.endpoint = 'token/create';
      const form = await readForm(req, res);
      const answer = await engine.createToken(trace, header(req, 'authorization'), form);
      return { body: answer, headers: NO_STORE };
    }),
  );
  app.post(
    '/oauth2/token/revoke',
    route(async (req, res, trace): Promise<Reply> => {
      trace.endpoint = 'token/revoke';
      const form = await readForm(req, res);
      await engine.revokeToken(trace, header(req, 'authorization'), form);
      return { body: undefined };
    }),
  );
}

/**
 * The form parameters of the body; `undefined` when the body is not a form (the issuer answers
 * `invalid_request`). A parameter given twice is refused, as RFC 6749 section 3.1 requires.
 */
async function readForm(req: Request, res: Response): Promise<TokenForm> {
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
  const form: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(text)) {
    if (Object.hasOwn(form, name)) throw new OAuthError('invalid_request', `parameter "${name}" is given more than once`);
    form[name] = value;
  }
  return form;
}

function header(req: Request, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}
