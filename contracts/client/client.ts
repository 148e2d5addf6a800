/**
 * A typed client of the v2.0 API: fetches and caches public keys, builds envelopes, posts,
 * and decrypts results. It follows TOAST-DOCS/OCR en/document-ocr-api-guide-v2.0.md and nothing
 * of the emulator, so it works against the live service as well.
 */
import type { AuthenticityBody } from './authenticity-fields.js';
import { decryptValue, encryptBytes, encryptValue, newSymmetricKey, wrapSymmetricKey } from './envelope.js';
import type {
  ApiBody,
  AuthenticityResult,
  CreditCardResult,
  IdCardResult,
  OcrResponse,
  PublicKey,
  ServiceName,
} from './types.js';

/** How to reach the service. */
export interface OcrClientOptions {
  /** e.g. `http://127.0.0.1:8080` or `https://ocr.api.nhncloudservice.com`. */
  baseUrl: string;
  appKey: string;
  secretKey: string;
  /** Replaces global fetch (for recording, counting or faking calls). */
  fetch?: typeof fetch;
}

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
  /** The service's public key, cached after the first call unless `refresh`. */
  publicKey(service: ServiceName, refresh?: boolean): Promise<PublicKey>;
  /** The raw public-key answer (not cached). */
  fetchPublicKey(service: ServiceName): Promise<OcrResponse<PublicKey>>;
  creditCard(image: Buffer, options?: EnvelopeOptions): Promise<OcrResponse<CreditCardResult>>;
  idCard(image: Buffer, options?: EnvelopeOptions): Promise<OcrResponse<IdCardResult>>;
  idCardStandAlone(image: Buffer, options?: EnvelopeOptions): Promise<OcrResponse<IdCardResult>>;
  authenticity(
    requestKey: string | null,
    fields: AuthenticityBody,
    options?: EnvelopeOptions,
  ): Promise<OcrResponse<AuthenticityResult>>;
  /** Sends anything. */
  raw(request: RawRequest): Promise<RawResponse>;
}

/** Fields of the authenticity body that travel in the clear (facts page, "Authenticity request body"). */
const PLAIN_AUTHENTICITY_FIELDS = new Set(['idType', 'expirationDate']);

/**
 * Creates a client.
 * @example
 * const client = createOcrClient({ baseUrl: 'http://127.0.0.1:8080', appKey: 'emulator-appkey', secretKey: 'emulator-secretkey' });
 * const { result } = await client.creditCard(await readFile('card.jpg'));
 * result?.totalCardNum // '4111111111111111'
 */
export function createOcrClient(options: OcrClientOptions): OcrClient {
  const doFetch = options.fetch ?? fetch;
  const base = options.baseUrl.replace(/\/+$/, '');
  const apiPath = `/v2.0/appkeys/${encodeURIComponent(options.appKey)}`;
  const cache = new Map<ServiceName, Promise<PublicKey>>();

  async function raw(request: RawRequest): Promise<RawResponse> {
    const headers = new Headers(request.headers);
    let body: RequestInit["body"];
    if (request.multipart) {
      const form = new FormData();
      for (const [name, value] of Object.entries(request.multipart)) {
        if (typeof value === 'string') form.append(name, value);
        else form.append(name, new Blob([new Uint8Array(value)]), 'image');
      }
      body = form;
    } else if (request.json !== undefined) {
      headers.set('Content-Type', 'application/json');
      body = JSON.stringify(request.json);
    } else if (request.body !== undefined) {
      body = typeof request.body === 'string' ? request.body : new Uint8Array(request.body);
    }
    const response = await doFetch(`${base}${request.path}`, { method: request.method, headers, body });
    const text = await response.text();
    let parsed: ApiBody<unknown>;
    try {
      parsed = JSON.parse(text) as ApiBody<unknown>;
    } catch {
      throw new Error(`${request.method} ${request.path}: HTTP ${response.status} with a body that is not JSON: ${text.slice(0, 200)}`);
    }
    return { status: response.status, headers: response.headers, body: parsed, text };
  }

  async function fetchPublicKey(service: ServiceName): Promise<OcrResponse<PublicKey>> {
    const answer = await raw({
      method: 'GET',
      path: `${apiPath}/public-keys/${service}`,
      headers: { Authorization: options.secretKey },
    });
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

  async function envelopeHeaders(service: ServiceName, envelope: EnvelopeOptions, symmetricKey: Buffer): Promise<Record<string, string>> {
    const needKey = envelope.symmetricKeyHeader === undefined || envelope.keyVersion === undefined;
    const key = envelope.publicKey ?? (needKey ? await publicKey(service) : undefined);
    const headers: Record<string, string> = {
      Authorization: options.secretKey,
      'X-Key-Version': envelope.keyVersion ?? key!.version,
      'Symmetric-Key': envelope.symmetricKeyHeader ?? wrapSymmetricKey(key!.key, symmetricKey, envelope.padding),
    };
    if (envelope.scenario) headers['X-Emulator-Scenario'] = envelope.scenario;
    for (const [name, value] of Object.entries(envelope.headers ?? {})) {
      for (const existing of Object.keys(headers)) if (existing.toLowerCase() === name.toLowerCase()) delete headers[existing];
      if (value !== null) headers[name] = value;
    }
    return headers;
  }

  async function postImage<R>(
    path: string,
    service: ServiceName,
    image: Buffer,
    envelope: EnvelopeOptions,
    decrypt: (result: R, key: Buffer) => R,
  ): Promise<OcrResponse<R>> {
    const symmetricKey = envelope.symmetricKey ?? newSymmetricKey();
    const headers = await envelopeHeaders(service, envelope, symmetricKey);
    const ciphertext = envelope.imageCiphertext ?? encryptBytes(symmetricKey, image, envelope.iv);
    const answer = await raw({ method: 'POST', path, headers, multipart: { image: ciphertext } });
    const decode = envelope.decrypt === false ? (result: unknown) => result as R : (result: unknown) => decrypt(result as R, symmetricKey);
    return { ...toResponse(answer, decode), symmetricKey };
  }

  return {
    options,
    publicKey,
    fetchPublicKey,
    creditCard: (image, envelope = {}) =>
      postImage(`${apiPath}/credit-card`, 'credit-card', image, envelope, decryptCreditCard),
    idCard: (image, envelope = {}) => postImage(`${apiPath}/id-card`, 'id-card', image, envelope, decryptIdCard),
    idCardStandAlone: (image, envelope = {}) =>
      postImage(`${apiPath}/id-card/stand-alone`, 'id-card', image, envelope, decryptIdCard),
    async authenticity(requestKey, fields, envelope = {}) {
      const symmetricKey = envelope.symmetricKey ?? newSymmetricKey();
      const headers = await envelopeHeaders('id-card', envelope, symmetricKey);
      if (requestKey !== null) headers['Request-Key'] = requestKey;
      const json: Record<string, unknown> = {};
      for (const [name, value] of Object.entries(fields)) {
        json[name] = typeof value === 'string' && !PLAIN_AUTHENTICITY_FIELDS.has(name) ? encryptValue(symmetricKey, value) : value;
      }
      const answer = await raw({ method: 'POST', path: `${apiPath}/id-card/authenticity`, headers, json });
      return { ...toResponse(answer, (result) => result as AuthenticityResult), symmetricKey };
    },
    raw,
  };
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
 * Decrypts a credit-card result's encrypted values (facts page, "Encrypted response fields").
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
