/**
 * The User Access Key token issuer that v2.1 clients call before the OCR API (NHN Cloud public
 * API "User Access Key token"):
 * `POST /oauth2/token/create` with HTTP Basic client credentials and
 * `grant_type=client_credentials` answers an opaque Bearer token valid `expires_in` seconds;
 * `POST /oauth2/token/revoke` ends one early. Refusals follow RFC 6749 section 5.2. Plain
 * TypeScript: the HTTP adapter hands in the `Authorization` header and the parsed parameters.
 */
import { timingSafeEqual } from 'node:crypto';
import { OAuthError, OcrError } from './errors.js';
import type { RandomSource } from './random.js';
import type { TokenStore } from './stores/types.js';

/** A User Access Key: its ID, its secret, and the appKeys it may use (all when undefined). */
export interface UserAccessKey {
  id: string;
  secret: string;
  appKeys?: readonly string[] | undefined;
}

/** The answer of `POST /oauth2/token/create` (the page's example: `expires_in` a number). */
export interface TokenAnswer {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
}

/**
 * The request's parameters as the adapter parsed them (form body and query string together);
 * `undefined` when the body was not a form and the query string held none.
 */
export type TokenForm = Readonly<Record<string, string | undefined>> | undefined;

/** Settings of the issuer. */
export interface TokenIssuerOptions {
  /** User Access Keys by ID. */
  keys: ReadonlyMap<string, UserAccessKey>;
  /** Where tokens are kept (memory: `MemoryTokenStore` in stores/memory-tokens.ts; Redis: `RedisTokens` in stores/redis.ts). */
  store: TokenStore;
  random: RandomSource;
  /** Validity of a new token: 60..86,400 s in the console, 86,400 by default. */
  ttlSeconds: number;
}

/**
 * Issues, checks and revokes tokens.
 * @example
 * const issuer = new TokenIssuer({ keys, store: new MemoryTokenStore(), random: cryptoRandom, ttlSeconds: 86400 });
 * const { access_token } = await issuer.create(`Basic ${btoa('id:secret')}`, { grant_type: 'client_credentials' }, Date.now());
 * await issuer.verify(access_token, 'emulator-appkey', Date.now(), true); // throws 4010006 / 4010007 when it may not
 */
export class TokenIssuer {
  constructor(private readonly options: TokenIssuerOptions) {}

  /**
   * `POST /oauth2/token/create`; `now` is the emulator clock without any appKey's offset, or a
   * function reading it: read only once the request is valid, so that a wrong client or form is
   * answered as such even while the shared state that holds the clock is away.
   */
  async create(authorization: string | undefined, form: TokenForm, now: number | (() => Promise<number>)): Promise<TokenAnswer> {
    const key = this.#client(authorization);
    const grant = requireForm(form)['grant_type'];
    if (!grant) throw new OAuthError('invalid_request', 'the request needs grant_type=client_credentials (in the form body or the query string)');
    if (grant !== 'client_credentials') {
      throw new OAuthError('unsupported_grant_type', 'the only grant type is client_credentials');
    }
    const at = typeof now === 'number' ? now : await now();
    const token = this.options.random.bytes(32).toString('base64url');
    const expiresIn = this.options.ttlSeconds;
    await this.options.store.put(token, { keyId: key.id, expiresAt: at + expiresIn * 1000, revoked: false }, at);
    return { access_token: token, token_type: 'Bearer', expires_in: expiresIn };
  }

  /**
   * `POST /oauth2/token/revoke`. A token that is unknown, or another key's, is answered the
   * same as a revoked one (RFC 7009 section 2.2: "invalid tokens do not cause an error").
   */
  async revoke(authorization: string | undefined, form: TokenForm): Promise<void> {
    const key = this.#client(authorization);
    const token = requireForm(form)['token'];
    if (!token) throw new OAuthError('invalid_request', 'the request needs token=<access_token> (in the form body or the query string)');
    await this.options.store.revoke(token, key.id);
  }

  /**
   * Checks a Bearer token for a call to `appKey` at `now`, the issuer's clock (the one `create`
   * issues on: no appKey's own offset, whichever appKey is called): 4010006 unless
   * it is a live token of this issuer, 4010007 when its User Access Key may not use the appKey
   * (`known`: whether the emulator serves the appKey at all).
   */
  async verify(token: string, appKey: string, now: number, known: boolean): Promise<void> {
    const entry = await this.options.store.get(token);
    if (!entry) throw new OcrError('INVALID_TOKEN', unknownTokenDiagnosis(token));
    if (entry.revoked) throw new OcrError('INVALID_TOKEN', 'token was revoked (POST /oauth2/token/revoke)');
    if (now >= entry.expiresAt) {
      throw new OcrError(
        'INVALID_TOKEN',
        `token expired ${Math.round((now - entry.expiresAt) / 1000)} s ago by the issuer's clock, the global emulator clock (tokens live ${this.options.ttlSeconds} s; renew before expires_in runs out)`,
      );
    }
    const key = this.options.keys.get(entry.keyId);
    if (!key) throw new OcrError('INVALID_TOKEN', 'token belongs to a User Access Key this emulator no longer has');
    if (!known) {
      throw new OcrError('PERMISSION_DENIED', `appKey "${appKey}" is not known to this emulator, so no User Access Key may use it`);
    }
    if (key.appKeys && !key.appKeys.includes(appKey)) {
      throw new OcrError(
        'PERMISSION_DENIED',
        `User Access Key "${key.id}" may use only appKey ${key.appKeys.map((k) => `"${k}"`).join(', ')}, not "${appKey}"`,
      );
    }
  }

  /** The User Access Key of a Basic `Authorization` header; 401 `invalid_client` otherwise. */
  #client(authorization: string | undefined): UserAccessKey {
    const credentials = basicCredentials(authorization);
    if (!credentials) {
      throw new OAuthError('invalid_client', 'client authentication needs Authorization: Basic base64(UserAccessKeyID:SecretAccessKey)');
    }
    const key = this.options.keys.get(credentials.id);
    if (!key || !sameSecret(key.secret, credentials.secret)) {
      throw new OAuthError('invalid_client', 'unknown User Access Key ID or wrong Secret Access Key');
    }
    return key;
  }
}

/**
 * The ID and secret of an HTTP Basic header (RFC 7617: the ID ends at the first colon).
 * @example basicCredentials('Basic aWQ6c2VjcmV0') // { id: 'id', secret: 'secret' }
 */
export function basicCredentials(header: string | undefined): { id: string; secret: string } | undefined {
  const match = /^basic +([A-Za-z0-9+/]+={0,2}) *$/i.exec(header ?? '');
  if (!match) return undefined;
  const text = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = text.indexOf(':');
  if (colon <= 0) return undefined;
  return { id: text.slice(0, colon), secret: text.slice(colon + 1) };
}

function requireForm(form: TokenForm): Readonly<Record<string, string | undefined>> {
  if (!form) throw new OAuthError('invalid_request', 'the body must be application/x-www-form-urlencoded');
  return form;
}

function sameSecret(expected: string, given: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Why a token is unknown, where the mistake is recognisable. */
function unknownTokenDiagnosis(token: string): string {
  if (/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(token)) {
    return 'token is a JWT: not one this issuer made (get one from POST /oauth2/token/create of the emulator, or point OAuth at the emulator)';
  }
  return 'token was never issued by this emulator, or has been forgotten (POST /oauth2/token/create; tokens do not survive a restart)';
}
