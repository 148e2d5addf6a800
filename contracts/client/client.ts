/**
 * A typed client of the v2.0 and v2.1 API: fetches and caches public keys, builds envelopes,
 * posts, and decrypts results; on v2.1 it also obtains, reuses and renews the User Access Key
 * token. It follows TOAST-DOCS/OCR en/document-ocr-api-guide-v2.0.md and -v2.1.md and nothing
 * of the emulator, so it works against the live service as well.
 */
import type { AuthenticityBody } from './authenticity-fields.js';
import { decryptValue, encryptBytes, encryptValue, newSymmetricKey, wrapSymmetricKey } from './envelope.js';
import { inspect } from 'node:util';
import { defaultTokenIssuer, TokenKeeper, type AccessToken } from './token.js';
import type { ApiBody, AuthenticityResult, CreditCardResult, IdCardResult, OcrResponse, PublicKey, ServiceName } from './types.js';

/** `v2.0`: the secret key in `Authorization`. `v2.1`: a User Access Key token in `X-NHN-Authorization`. */
export type ApiVersion = 'v2.0' | 'v2.1';

/** What both API versions need. */
interface CommonOptions {
  /** e.g. `http://127.0.0.1:8080` or `https://api-ocr.nhncloudservice.com`. */
  baseUrl: string;
  appKey: string;
  /** Replaces global fetch (for recording, counting or faking calls); token calls use it too. */
  fetch?: typeof fetch;
}

/**
 * A v2.0 client: `Authorization: {secretKey}` on every call.
 * @example const options: OcrClientOptionsV20 = { baseUrl, appKey: 'emulator-appkey', secretKey: 'emulator-secretkey' };
 */
export interface OcrClientOptionsV20 extends CommonOptions {
  /** Default `v2.0`. */
  apiVersion?: 'v2.0';
  secretKey: string;
}

/**
 * A v2.1 client: `X-NHN-Authorization: Bearer {token}`, the token issued for a User Access Key
 * (TOAST-DOCS/OCR en/document-ocr-api-guide-v2.1.md; docs/emulated-api.md, "The token issuer").
 * @example
 * const options: OcrClientOptionsV21 = {
 *   apiVersion: 'v2.1', baseUrl: 'https://api-ocr.nhncloudservice.com', appKey,
 *   userAccessKeyId: process.env.OCR_USER_ACCESS_KEY_ID!, secretAccessKey: process.env.OCR_SECRET_ACCESS_KEY!,
 * };
 */
export interface OcrClientOptionsV21 extends CommonOptions {
  apiVersion: 'v2.1';
  userAccessKeyId: string;
  secretAccessKey: string;
  /**
   * The token issuer. Default: `https://oauth.api.nhncloudservice.com` when `baseUrl` is a live
   * API host, otherwise `baseUrl` itself (the emulator serves the issuer on its own port).
   */
  oauthBaseUrl?: string;
  /** The clock token renewal runs on, in milliseconds (default `Date.now`); tests inject one. */
  now?: () => number;
  /** Renew a token this many seconds before `expires_in` runs out (default 60; at most half its lifetime). */
  renewBeforeSeconds?: number;
}

/**
 * How to reach the service: v2.0 with a secret key, or v2.1 with a User Access Key. A v2.1
 * client without `userAccessKeyId`/`secretAccessKey` does not type-check.
 * @example createOcrClient({ baseUrl, appKey, secretKey })                                   // v2.0
 * @example createOcrClient({ apiVersion: 'v2.1', baseUrl, appKey, userAccessKeyId, secretAccessKey }) // v2.1
 */
export type OcrClientOptions = OcrClientOptionsV20 | OcrClientOptionsV21;

/** Per-request overrides that build deliberately broken or unusual envelopes. */
export interface EnvelopeOptions {
  /** Symmetric key to use (default: 32 fresh random bytes). */
  symmetricKey?: Buffer;
  /** Exact `Symmetric-Key` header to send instead of the wrapped key. */
  symmetricKeyHeader?: string;
  /** `X-Key-Version` to send instead of the cached public key's version. */
  keyVersion?: string;
  /** Public key to wrap with instead of the cached one (e.g. a stale one). */
  publicKey?: PublicKey;
  padding?: 'pkcs1' | 'oaep';
  /** IV for the image instead of the key's first 16 bytes. */
  iv?: Buffer;
  /** Image ciphertext to send as is (e.g. truncated). */
  imageCiphertext?: Buffer;
  /** Extra headers; a header set to `null` is left out of the request. */
  headers?: Record<string, string | null>;
  /** Scenario to ask the emulator for (`X-Emulator-Scenario`); ignored by the live service. */
  scenario?: string;
  /**
   * `false` leaves `result` as the service sent it, values still encrypted (to decrypt and
   * check them by hand); default `true`.
   */
  decrypt?: boolean;
}

/** A raw request to any path; for cases the typed methods cannot express. */
export interface RawRequest {
  method: string;
  path: string;
  headers?: Record<string, string>;
  /** Multipart parts: name to bytes (sent as a file) or text. */
  multipart?: Record<string, Buffer | string>;
  json?: unknown;
  body?: string | Buffer;
}

/** A raw answer. */
export interface RawResponse {
  status: number;
  headers: Headers;
  body: ApiBody<unknown>;
  text: string;
}

/** The client. */
export interface OcrClient {
  readonly options: Readonly<OcrClientOptions>;
  /** `v2.0` or `v2.1`, from the options. */
  readonly apiVersion: ApiVersion;
  /**
   * The path of an operation under this client's version and app key (or another app key).
   * @example client.apiPath('id-card/stand-alone') // '/v2.1/appkeys/emulator-appkey/id-card/stand-alone'
   */
  apiPath(operation: string, appKey?: string): string;
  /**
   * The authentication header of a call: `{ Authorization: secretKey }` on v2.0,
   * `{ 'X-NHN-Authorization': 'Bearer …' }` on v2.1 (obtaining or renewing the token first).
   * @example await client.raw({ method: 'GET', path: client.apiPath('public-keys/id-card'), headers: await client.authHeaders() })
   */
  authHeaders(): Promise<Record<string, string>>;
  /**
   * v2.1: a token that is not due for renewal (the held one, or a new one from the issuer).
   * Rejects on a v2.0 client.
   * @example (await client.token()).expiresIn // 86400
   */
  token(): Promise<AccessToken>;
  /**
   * v2.1: the token held now, without asking the issuer (undefined before the first call,
   * after a revoke, and always on v2.0). For tests.
   * @example client.currentToken()?.accessToken
   */
  currentToken(): AccessToken | undefined;
  /**
   * v2.1: revokes the held token at the issuer (`/oauth2/token/revoke`) and forgets it; the
   * next call obtains a new one. Nothing to do without a token, and on v2.0.
   * @example await client.revokeToken()
   */
  revokeToken(): Promise<void>;
  /** The service's public key, cached after the first call unless `refresh`. */
  publicKey(service: ServiceName, refresh?: boolean): Promise<PublicKey>;
  /** The raw public-key answer (not cached). */
  fetchPublicKey(service: ServiceName): Promise<OcrResponse<PublicKey>>;
  creditCard(image: Buffer, options?: EnvelopeOptions): Promise<OcrResponse<CreditCardResult>>;
  idCard(image: Buffer, options?: EnvelopeOptions): Promise<OcrResponse<IdCardResult>>;
  idCardStandAlone(image: Buffer, options?: EnvelopeOptions): Promise<OcrResponse<IdCardResult>>;
  authenticity(requestKey: string | null, fields: AuthenticityBody, options?: EnvelopeOptions): Promise<OcrResponse<AuthenticityResult>>;
  /** Sends anything, as given: no authentication header is added. */
  raw(request: RawRequest): Promise<RawResponse>;
}

/** Fields of the authenticity body that travel in the clear (docs/emulated-api.md, "The authenticity request body"). */
const PLAIN_AUTHENTICITY_FIELDS = new Set(['idType', 'expirationDate']);

/** The v2.1 answer to a token that is unknown, malformed, expired or revoked (guide v2.1; error-code page). */
const INVALID_TOKEN = 4010006;

/** The header v2.1 calls authenticate with (case-insensitive, like every HTTP header name). */
const TOKEN_HEADER = 'X-NHN-Authorization';

/**
 * Creates a client. On v2.1 it obtains a token from the issuer at the first call, reuses it,
 * renews it shortly before `expires_in` runs out, and when a call is answered 4010006 (the
 * token was revoked or expired early) renews it and sends the call once more.
 * @example
 * const client = createOcrClient({ baseUrl: 'http://127.0.0.1:8080', appKey: 'emulator-appkey', secretKey: 'emulator-secretkey' });
 * const { result } = await client.creditCard(await readFile('card.jpg'));
 * result?.totalCardNum // '4111111111111111'
 * @example
 * const v21 = createOcrClient({
 *   apiVersion: 'v2.1', baseUrl: 'http://127.0.0.1:8080', appKey: 'emulator-appkey', // the issuer: baseUrl too
 *   userAccessKeyId: 'emulator-user-access-key', secretAccessKey: 'emulator-secret-access-key',
 * });
 * (await v21.idCard(photo)).requestKey // a Request-Key, as on v2.0
 */
export function createOcrClient(options: OcrClientOptions): OcrClient {
  const doFetch = options.fetch ?? fetch;
  const base = options.baseUrl.replace(/\/+$/, '');
  const apiVersion: ApiVersion = options.apiVersion ?? 'v2.0';
  const pathOf = (operation: string, appKey = options.appKey) => `/${apiVersion}/appkeys/${encodeURIComponent(appKey)}/${operation}`;
  const apiPath = pathOf('').slice(0, -1);
  const cache = new Map<ServiceName, Promise<PublicKey>>();
  const tokens =
    options.apiVersion === 'v2.1'
      ? new TokenKeeper(
          {
            oauthBaseUrl: options.oauthBaseUrl ?? defaultTokenIssuer(options.baseUrl),
            userAccessKeyId: options.userAccessKeyId,
            secretAccessKey: options.secretAccessKey,
            fetch: doFetch,
          },
          options.now,
          options.renewBeforeSeconds,
        )
      : undefined;

  const raw = (request: RawRequest) => sendRaw(doFetch, base, request);

  async function authHeaders(): Promise<Record<string, string>> {
    if (options.apiVersion !== 'v2.1') return { Authorization: options.secretKey };
    return { [TOKEN_HEADER]: `Bearer ${(await tokens!.get()).accessToken}` };
  }

  /**
   * Sends a call with the client's authentication; on v2.1, a 4010006 answer to the client's
   * own token discards it and the call goes once more with a new one. A call whose headers
   * override the token header is sent as given (a case testing a bad token wants its answer).
   */
  async function authenticated(build: (auth: Record<string, string>) => RawRequest): Promise<RawResponse> {
    const auth = await authHeaders();
    const request = build(auth);
    const answer = await raw(request);
    if (!tokens || answer.body?.header?.resultCode !== INVALID_TOKEN) return answer;
    const sent = new Headers(request.headers).get(TOKEN_HEADER);
    if (sent !== auth[TOKEN_HEADER]) return answer;
    tokens.discard(sent.slice('Bearer '.length));
    return raw(build(await authHeaders()));
  }

  async function fetchPublicKey(service: ServiceName): Promise<OcrResponse<PublicKey>> {
    const answer = await authenticated((auth) => ({
      method: 'GET',
      path: `${apiPath}/public-keys/${service}`,
      headers: auth,
    }));
    return toResponse(answer, (result) => result as PublicKey);
  }

  function publicKey(service: ServiceName, refresh = false): Promise<PublicKey> {
    let pending = refresh ? undefined : cache.get(service);
    if (!pending) {
      pending = fetchPublicKey(service).then((answer) => {
        if (!answer.result) throw new Error(`public key for ${service}: ${answer.resultCode} ${answer.body.header.resultMessage}`);
        return answer.result;
      });
      pending.catch(() => cache.delete(service));
      cache.set(service, pending);
    }
    return pending;
  }

  async function envelopeHeaders(
    service: ServiceName,
    envelope: EnvelopeOptions,
    symmetricKey: Buffer,
  ): Promise<(auth: Record<string, string>) => Record<string, string>> {
    const needKey = envelope.symmetricKeyHeader === undefined || envelope.keyVersion === undefined;
    const key = envelope.publicKey ?? (needKey ? await publicKey(service) : undefined);
    const keyVersion = envelope.keyVersion ?? key!.version;
    const wrapped = envelope.symmetricKeyHeader ?? wrapSymmetricKey(key!.key, symmetricKey, envelope.padding);
    return (auth) => envelopeHeaderSet(auth, keyVersion, wrapped, envelope);
  }

  async function postImage<R>(
    path: string,
    service: ServiceName,
    image: Buffer,
    envelope: EnvelopeOptions,
    decrypt: (result: R, key: Buffer) => R,
  ): Promise<OcrResponse<R>> {
    const symmetricKey = envelope.symmetricKey ?? newSymmetricKey();
    const headersWith = await envelopeHeaders(service, envelope, symmetricKey);
    const ciphertext = envelope.imageCiphertext ?? encryptBytes(symmetricKey, image, envelope.iv);
    const answer = await authenticated((auth) => ({ method: 'POST', path, headers: headersWith(auth), multipart: { image: ciphertext } }));
    const decode = envelope.decrypt === false ? (result: unknown) => result as R : (result: unknown) => decrypt(result as R, symmetricKey);
    return { ...toResponse(answer, decode), symmetricKey };
  }

  return withoutSecrets({
    options,
    apiVersion,
    apiPath: pathOf,
    authHeaders,
    token() {
      if (!tokens) return Promise.reject(new Error('token(): a v2.0 client authenticates with its secret key, not a token'));
      return tokens.get();
    },
    currentToken: () => tokens?.current,
    revokeToken: async () => tokens?.revoke(),
    publicKey,
    fetchPublicKey,
    creditCard: (image, envelope = {}) => postImage(`${apiPath}/credit-card`, 'credit-card', image, envelope, decryptCreditCard),
    idCard: (image, envelope = {}) => postImage(`${apiPath}/id-card`, 'id-card', image, envelope, decryptIdCard),
    idCardStandAlone: (image, envelope = {}) => postImage(`${apiPath}/id-card/stand-alone`, 'id-card', image, envelope, decryptIdCard),
    async authenticity(requestKey, fields, envelope = {}) {
      const symmetricKey = envelope.symmetricKey ?? newSymmetricKey();
      const headersWith = await envelopeHeaders('id-card', envelope, symmetricKey);
      const json = encryptAuthenticityFields(fields, symmetricKey);
      const answer = await authenticated((auth) => {
        const headers = headersWith(auth);
        if (requestKey !== null) headers['Request-Key'] = requestKey;
        return { method: 'POST', path: `${apiPath}/id-card/authenticity`, headers, json };
      });
      return { ...toResponse(answer, (result) => result as AuthenticityResult), symmetricKey };
    },
    raw,
  });
}

/** Option names whose values are secrets: never printed or serialised. */
const SECRET_OPTIONS = new Set(['secretKey', 'secretAccessKey']);

/**
 * The client's options as they may be shown: secrets replaced by `(hidden)`, the fetch function
 * by its name.
 * @example redactedOptions({ baseUrl, appKey: 'k', secretKey: 's' }) // { baseUrl, appKey: 'k', secretKey: '(hidden)' }
 */
export function redactedOptions(options: Readonly<OcrClientOptions>): Record<string, unknown> {
  const shown: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(options)) {
    shown[name] = SECRET_OPTIONS.has(name) ? '(hidden)' : typeof value === 'function' ? `[function ${value.name || 'anonymous'}]` : value;
  }
  return shown;
}

/**
 * Makes `console.log(client)`, `util.inspect` and `JSON.stringify` show the client without its
 * secrets, and its `options` likewise (a copy: the caller's object is left as it was): clients
 * get logged while a test is debugged, and such logs end up in CI output.
 */
function withoutSecrets(client: OcrClient): OcrClient {
  const options = { ...client.options };
  hideSecrets(options, () => redactedOptions(options));
  hideSecrets(client, () => ({ apiVersion: client.apiVersion, options: redactedOptions(options) }));
  return Object.assign(client, { options: Object.freeze(options) });
}

/** Gives `target` a non-enumerable inspect and toJSON that show `shown()` instead. */
function hideSecrets(target: object, shown: () => object): void {
  Object.defineProperty(target, inspect.custom, { value: shown, enumerable: false });
  Object.defineProperty(target, 'toJSON', { value: shown, enumerable: false });
}

/** Sends a request as given and parses the JSON answer (an Error when the body is not JSON). */
async function sendRaw(doFetch: typeof fetch, base: string, request: RawRequest): Promise<RawResponse> {
  const headers = new Headers(request.headers);
  const response = await doFetch(`${base}${request.path}`, { method: request.method, headers, body: requestBody(request, headers) });
  const text = await response.text();
  let parsed: ApiBody<unknown>;
  try {
    parsed = JSON.parse(text) as ApiBody<unknown>;
  } catch {
    throw new Error(`${request.method} ${request.path}: HTTP ${response.status} with a body that is not JSON: ${text.slice(0, 200)}`);
  }
  return { status: response.status, headers: response.headers, body: parsed, text };
}

/** The body of a raw request: a multipart form, JSON (setting its Content-Type), bytes or text. */
function requestBody(request: RawRequest, headers: Headers): RequestInit['body'] {
  if (request.multipart) {
    const form = new FormData();
    for (const [name, value] of Object.entries(request.multipart)) {
      if (typeof value === 'string') form.append(name, value);
      else form.append(name, new Blob([new Uint8Array(value)]), 'image');
    }
    return form;
  }
  if (request.json !== undefined) {
    headers.set('Content-Type', 'application/json');
    return JSON.stringify(request.json);
  }
  if (request.body !== undefined) return typeof request.body === 'string' ? request.body : new Uint8Array(request.body);
  return undefined;
}

/**
 * The envelope's headers over the authentication ones, then the caller's overrides (any case;
 * `null` removes a header, so a case can send a request without one).
 */
function envelopeHeaderSet(auth: Record<string, string>, keyVersion: string, wrapped: string, envelope: EnvelopeOptions): Record<string, string> {
  const headers: Record<string, string> = { ...auth, 'X-Key-Version': keyVersion, 'Symmetric-Key': wrapped };
  if (envelope.scenario) headers['X-Emulator-Scenario'] = envelope.scenario;
  for (const [name, value] of Object.entries(envelope.headers ?? {})) {
    for (const existing of Object.keys(headers)) if (existing.toLowerCase() === name.toLowerCase()) delete headers[existing];
    if (value !== null) headers[name] = value;
  }
  return headers;
}

/** The authenticity body with every string field encrypted but those that travel in the clear. */
function encryptAuthenticityFields(fields: AuthenticityBody, symmetricKey: Buffer): Record<string, unknown> {
  const json: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(fields)) {
    json[name] = typeof value === 'string' && !PLAIN_AUTHENTICITY_FIELDS.has(name) ? encryptValue(symmetricKey, value) : value;
  }
  return json;
}

function toResponse<R>(answer: RawResponse, decode: (result: unknown) => R): OcrResponse<R> {
  const response: OcrResponse<R> = {
    status: answer.status,
    headers: answer.headers,
    body: answer.body,
    resultCode: answer.body?.header?.resultCode ?? Number.NaN,
  };
  if (answer.body?.header?.isSuccessful && answer.body.result !== undefined) response.result = decode(answer.body.result);
  const requestKey = answer.headers.get('request-key');
  if (requestKey) response.requestKey = requestKey;
  return response;
}

/**
 * Decrypts a credit-card result's encrypted values (docs/emulated-api.md, "The envelope").
 * @example decryptCreditCard(body.result, key).totalCardNum // '4111111111111111'
 */
export function decryptCreditCard(result: CreditCardResult, key: Buffer): CreditCardResult {
  return {
    ...result,
    cardNums: result.cardNums.map((group) => ({ ...group, value: decryptValue(key, group.value) })),
    totalCardNum: decryptValue(key, result.totalCardNum),
    validThru: { ...result.validThru, value: decryptValue(key, result.validThru.value) },
  };
}

/**
 * Decrypts an ID-card result's `keyValues[].value`.
 * @example decryptIdCard(body.result, key).keyValues[0].value // '홍길동'
 */
export function decryptIdCard(result: IdCardResult, key: Buffer): IdCardResult {
  return { ...result, keyValues: result.keyValues.map((kv) => ({ ...kv, value: decryptValue(key, kv.value) })) };
}
