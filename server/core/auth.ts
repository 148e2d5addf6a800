/**
 * Authentication, one pluggable step per API version: the engine asks the version's
 * authenticator and knows nothing of secret keys or tokens. v2.0 takes `Authorization:
 * {secretKey}` (en/document-ocr-api-guide-v2.0.md, every [Request Header] table); v2.1 takes
 * `X-NHN-Authorization: Bearer {User Access Key token}` (en/document-ocr-api-guide-v2.1.md,
 * "Authentication and Authorization"). Order and codes: docs/what-it-emulates.md, "Which
 * condition gets which code".
 */
import { OcrError } from './errors.js';
import type { AppContext } from './stores/types.js';
import type { TokenIssuer } from './token-issuer.js';

/** The API versions the emulator serves. */
export const API_VERSIONS = ['v2.0', 'v2.1'] as const;
/** `v2.0` or `v2.1`. */
export type ApiVersion = (typeof API_VERSIONS)[number];

/** The authentication headers of a call, by lower-case name. */
export interface AuthHeaders {
  authorization?: string | undefined;
  'x-nhn-authorization'?: string | undefined;
}

/**
 * One API version's authentication: throws (or rejects with) the documented code, or returns
 * when the call may go on. `app` is the request's context: its clock, and the secret of an
 * appKey registered at run time.
 */
export interface Authenticator {
  authenticate(app: AppContext, headers: AuthHeaders): void | Promise<void>;
}

/**
 * The secret key of an appKey: configured, or registered at run time.
 * @example secretOf(new Map([['app', 'secret']]), context) // 'secret'
 */
export function secretOf(credentials: ReadonlyMap<string, string>, app: Pick<AppContext, 'appKey' | 'registeredSecret'>): string | undefined {
  return credentials.get(app.appKey) ?? app.registeredSecret;
}

/**
 * v2.0: 4000005 without `Authorization`, 4010001 for an unknown appKey or a wrong secret key.
 * @example secretKeyAuth(new Map([['app', 'secret']])).authenticate(context, { authorization: 'secret' })
 */
export function secretKeyAuth(credentials: ReadonlyMap<string, string>): Authenticator {
  return {
    authenticate(app, headers) {
      const { appKey } = app;
      const given = headers.authorization;
      if (!given) {
        const hint = headers['x-nhn-authorization']
          ? ' (X-NHN-Authorization is the v2.1 header: on /v2.0/ send the secret key as Authorization, or call /v2.1/)'
          : '';
        throw new OcrError('MISSING_REQUIRED_HEADER', `Authorization header is missing${hint}`);
      }
      const secret = secretOf(credentials, app);
      if (secret === undefined) throw new OcrError('INVALID_APPKEY_SECRETKEY', `appKey "${appKey}" is not known to this emulator`);
      if (secret !== given) {
        const hint = /^bearer /i.test(given)
          ? ': it holds a Bearer token, but v2.0 takes the secret key itself (tokens are for /v2.1/ in X-NHN-Authorization)'
          : '';
        throw new OcrError('INVALID_APPKEY_SECRETKEY', `Authorization is not the secret key of appKey "${appKey}"${hint}`);
      }
    },
  };
}

/**
 * v2.1: 4000005 without `X-NHN-Authorization: Bearer <token>`, 4010006 for a token the issuer
 * does not vouch for, 4010007 when its User Access Key may not use the appKey. A token is the
 * issuer's, not an appKey's: it is checked on `issuerNow` (the emulator clock without any
 * appKey's own offset, the clock it was issued on), so a token valid for one appKey is valid
 * for all, and moving one appKey's clock does not expire it.
 * @example await tokenAuth(issuer, credentials, (app) => Date.now() + app.globalOffsetMs).authenticate(context, { 'x-nhn-authorization': `Bearer ${token}` })
 */
export function tokenAuth(issuer: TokenIssuer, credentials: ReadonlyMap<string, string>, issuerNow: (app: AppContext) => number): Authenticator {
  return {
    authenticate(app, headers) {
      const { appKey } = app;
      const given = headers['x-nhn-authorization'];
      if (!given) {
        const hint = headers.authorization ? ' (Authorization is the v2.0 header and is ignored on /v2.1/)' : '';
        throw new OcrError('MISSING_REQUIRED_HEADER', `X-NHN-Authorization header is missing${hint}`);
      }
      // RFC 9110 section 11.1: the scheme is case-insensitive; one space, then the token.
      const match = /^bearer +(\S+) *$/i.exec(given);
      if (!match) throw new OcrError('MISSING_REQUIRED_HEADER', 'X-NHN-Authorization must be "Bearer <User Access Key token>"');
      const token = match[1]!;
      const secret = secretOf(credentials, app);
      if (secret === token) {
        throw new OcrError('INVALID_TOKEN', `the Bearer value is the v2.0 secret key of appKey "${appKey}": v2.1 takes a token from POST /oauth2/token/create`);
      }
      return issuer.verify(token, appKey, issuerNow(app), secret !== undefined);
    },
  };
}
