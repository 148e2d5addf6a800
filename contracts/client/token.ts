/**
 * The User Access Key token v2.1 calls carry (`X-NHN-Authorization: Bearer {token}`), as the
 * NHN Cloud public-API page on User Access Key tokens describes it and the v2.1 guide uses it
 * (TOAST-DOCS/OCR en/document-ocr-api-guide-v2.1.md; docs/emulated-api.md, "The token issuer"):
 * `POST {oauth}/oauth2/token/create` with Basic authentication and
 * `grant_type=client_credentials`, `POST {oauth}/oauth2/token/revoke` with `token=...`.
 * Errors follow RFC 6749 section 5.2.
 */

/**
 * The live token issuer (docs/emulated-api.md, "The token issuer"); a second base URL beside the OCR host.
 * @example createOcrClient({ apiVersion: 'v2.1', oauthBaseUrl: LIVE_OAUTH_BASE_URL, baseUrl, appKey, userAccessKeyId, secretAccessKey })
 */
export const LIVE_OAUTH_BASE_URL = 'https://oauth.api.nhncloudservice.com';

/**
 * Hosts of the live OCR API: the current one and the 2023 guide's, served until 2027-07-31
 * (TOAST-DOCS/OCR en/document-ocr-release-notes.md, 2026-08-11).
 */
const LIVE_API_HOSTS = new Set(['api-ocr.nhncloudservice.com', 'ocr.api.nhncloudservice.com']);

/**
 * The token issuer a client of `baseUrl` asks when it names none: the live issuer for the live
 * API's hosts, otherwise `baseUrl` itself, since the emulator (and the project's stand-in)
 * serve `/oauth2/token/...` on their own port. Asking the live issuer for a token to present to
 * a local emulator could only fail, and would send real credentials out.
 * @example defaultTokenIssuer('https://api-ocr.nhncloudservice.com') // 'https://oauth.api.nhncloudservice.com'
 * @example defaultTokenIssuer('http://127.0.0.1:8080/') // 'http://127.0.0.1:8080'
 */
export function defaultTokenIssuer(baseUrl: string): string {
  let host: string | undefined;
  try {
    host = new URL(baseUrl).hostname.toLowerCase();
  } catch {
    host = undefined;
  }
  return host !== undefined && LIVE_API_HOSTS.has(host) ? LIVE_OAUTH_BASE_URL : baseUrl.replace(/\/+$/, '');
}

/** A User Access Key and where its tokens are issued. */
export interface TokenIssuerOptions {
  /** e.g. `https://oauth.api.nhncloudservice.com`, or the emulator's own base URL. */
  oauthBaseUrl: string;
  userAccessKeyId: string;
  secretAccessKey: string;
  /** Replaces global fetch (for recording, counting or faking calls). */
  fetch?: typeof fetch;
}

/** The issuer's answer, with when it was received. */
export interface AccessToken {
  /** The opaque token the `X-NHN-Authorization: Bearer` header carries. */
  accessToken: string;
  /** `Bearer`. */
  tokenType: string;
  /** Validity in seconds as the issuer stated it; undefined when it stated none a client can read. */
  expiresIn: number | undefined;
  /** When the answer arrived, in milliseconds of the client's clock. */
  issuedAt: number;
}

/**
 * The issuer refused (HTTP status other than 200) or answered something that is no token.
 * @example
 * try { await client.token(); } catch (error) { if (error instanceof TokenError && error.error === 'invalid_client') console.error('check the User Access Key'); }
 */
export class TokenError extends Error {
  /**
   * @param status HTTP status of the issuer's answer.
   * @param error RFC 6749 `error`, e.g. `invalid_client`.
   * @param errorDescription RFC 6749 `error_description`.
   */
  constructor(
    message: string,
    readonly status: number,
    readonly error?: string,
    readonly errorDescription?: string,
  ) {
    super(message);
    this.name = 'TokenError';
  }
}

/**
 * The `Authorization: Basic` value for a User Access Key, as `curl -u id:secret` sends it.
 * @example basicCredentials('id', 'secret') // 'Basic aWQ6c2VjcmV0'
 */
export function basicCredentials(userAccessKeyId: string, secretAccessKey: string): string {
  return `Basic ${Buffer.from(`${userAccessKeyId}:${secretAccessKey}`, 'utf8').toString('base64')}`;
}

/**
 * `expires_in` as a number of seconds. The page's table calls it a String while its example
 * shows a number (docs/emulated-api.md); a client reads either, and a contract case insists on the number.
 * @example readExpiresIn(86400) // 86400
 * @example readExpiresIn('86400') // 86400
 * @example readExpiresIn(undefined) // undefined
 */
export function readExpiresIn(value: unknown): number | undefined {
  const seconds = typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : Number.NaN;
  return Number.isFinite(seconds) && seconds > 0 ? seconds : undefined;
}

async function issuerCall(options: TokenIssuerOptions, path: string, form: Record<string, string>): Promise<{ status: number; text: string; json: unknown }> {
  const doFetch = options.fetch ?? fetch;
  const url = `${options.oauthBaseUrl.replace(/\/+$/, '')}${path}`;
  let response: Response;
  try {
    response = await doFetch(url, {
      method: 'POST',
      headers: {
        Authorization: basicCredentials(options.userAccessKeyId, options.secretAccessKey),
        'Content-Type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams(form).toString(),
    });
  } catch (error) {
    // fetch's own message is a bare "fetch failed"; the cause says what (ECONNREFUSED, ENOTFOUND).
    const cause = (error as { cause?: { message?: string } }).cause?.message ?? (error as Error).message;
    throw new TokenError(`the token issuer at ${url} could not be reached: ${cause} (set oauthBaseUrl to the issuer to use)`, 0);
  }
  const text = await response.text();
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, text, json };
}

function refusal(what: string, status: number, json: unknown, text: string): TokenError {
  const body = (json ?? {}) as { error?: unknown; error_description?: unknown };
  const error = typeof body.error === 'string' ? body.error : undefined;
  const description = typeof body.error_description === 'string' ? body.error_description : undefined;
  const detail = error ? `${error}${description ? `: ${description}` : ''}` : text.slice(0, 200);
  return new TokenError(`${what}: HTTP ${status} ${detail}`.trim(), status, error, description);
}

/**
 * Asks the issuer for a token (`grant_type=client_credentials`).
 * @example
 * const token = await issueToken({ oauthBaseUrl: LIVE_OAUTH_BASE_URL, userAccessKeyId, secretAccessKey });
 * fetch(url, { headers: { 'X-NHN-Authorization': `Bearer ${token.accessToken}` } });
 */
export async function issueToken(options: TokenIssuerOptions, now: () => number = Date.now): Promise<AccessToken> {
  const { status, text, json } = await issuerCall(options, '/oauth2/token/create', { grant_type: 'client_credentials' });
  if (status !== 200) throw refusal('token/create', status, json, text);
  const body = (json ?? {}) as { access_token?: unknown; token_type?: unknown; expires_in?: unknown };
  if (typeof body.access_token !== 'string' || body.access_token === '') {
    throw new TokenError(`token/create: HTTP 200 without an access_token: ${text.slice(0, 200)}`, status);
  }
  return {
    accessToken: body.access_token,
    tokenType: typeof body.token_type === 'string' ? body.token_type : 'Bearer',
    expiresIn: readExpiresIn(body.expires_in),
    issuedAt: now(),
  };
}

/**
 * Revokes a token (`token=...`); the issuer answers 200 for an unknown token too (RFC 7009
 * section 2.2).
 * @example await revokeAccessToken(issuer, token.accessToken)
 */
export async function revokeAccessToken(options: TokenIssuerOptions, accessToken: string): Promise<void> {
  const { status, text, json } = await issuerCall(options, '/oauth2/token/revoke', { token: accessToken });
  if (status !== 200) throw refusal('token/revoke', status, json, text);
}

/**
 * How long before `expires_in` runs out a token is renewed, unless told otherwise.
 * @example createOcrClient({ ...options, renewBeforeSeconds: DEFAULT_RENEW_BEFORE_SECONDS * 5 })
 */
export const DEFAULT_RENEW_BEFORE_SECONDS = 60;

/**
 * When a token should be renewed, in milliseconds of the client's clock: `renewBeforeSeconds`
 * before it runs out, but never later than half way through a short lifetime (the console
 * allows 60 s). A token without a readable `expires_in` is kept until the API refuses it.
 * @example renewalTime({ accessToken: 't', tokenType: 'Bearer', expiresIn: 86400, issuedAt: 0 }) // 86_340_000
 * @example renewalTime({ accessToken: 't', tokenType: 'Bearer', expiresIn: 60, issuedAt: 0 }) // 30_000
 */
export function renewalTime(token: AccessToken, renewBeforeSeconds = DEFAULT_RENEW_BEFORE_SECONDS): number {
  if (token.expiresIn === undefined) return Number.POSITIVE_INFINITY;
  const margin = Math.min(renewBeforeSeconds, token.expiresIn / 2);
  return token.issuedAt + (token.expiresIn - margin) * 1000;
}

/**
 * Keeps one token: issues it on first use, hands the same one out until shortly before it runs
 * out, then issues a new one. Concurrent callers share one issue request.
 * @example
 * const tokens = new TokenKeeper({ oauthBaseUrl, userAccessKeyId, secretAccessKey });
 * const header = `Bearer ${(await tokens.get()).accessToken}`;
 */
export class TokenKeeper {
  #current: AccessToken | undefined;
  #pending: Promise<AccessToken> | undefined;

  constructor(
    readonly issuer: TokenIssuerOptions,
    private readonly now: () => number = Date.now,
    private readonly renewBeforeSeconds = DEFAULT_RENEW_BEFORE_SECONDS,
  ) {}

  /** The token held now (possibly due for renewal), or undefined. */
  get current(): AccessToken | undefined {
    return this.#current;
  }

  /** A token that is not due for renewal: the held one, or a new one. */
  get(): Promise<AccessToken> {
    const held = this.#current;
    if (held && this.now() < renewalTime(held, this.renewBeforeSeconds)) return Promise.resolve(held);
    if (!this.#pending) {
      this.#pending = issueToken(this.issuer, this.now).then(
        (token) => {
          this.#current = token;
          this.#pending = undefined;
          return token;
        },
        (error: unknown) => {
          this.#pending = undefined;
          throw error;
        },
      );
    }
    return this.#pending;
  }

  /**
   * Forgets a token the API refused (4010006), unless another caller has already replaced it,
   * so that the next {@link get} issues a new one.
   */
  discard(accessToken: string): void {
    if (this.#current?.accessToken === accessToken) this.#current = undefined;
  }

  /** Revokes the held token at the issuer and forgets it; nothing to do without one. */
  async revoke(): Promise<void> {
    const held = this.#current;
    if (!held) return;
    await revokeAccessToken(this.issuer, held.accessToken);
    this.discard(held.accessToken);
  }
}
