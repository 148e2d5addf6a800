/**
 * Pre-built requests, so the load generator only copies bytes: every envelope (RSA wrap, AES,
 * multipart body) is made before the clock starts, with the client kit's low-level functions.
 */
import { randomBytes } from 'node:crypto';
import { encryptBytes, encryptValue, wrapSymmetricKey } from '../../contracts/client/envelope.js';
import { fixture } from '../support/fixtures.js';

/** One ready-made request. */
export interface PreparedRequest {
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
}

const BOUNDARY = '----nhn-ocr-emulator-bench';

/**
 * A JPEG of about `bytes` bytes: the 856x540 card fixture (16 KB) with COM segments (ignored by
 * every decoder) inserted after SOI, so it stays a valid 856x540 JPEG.
 * @example paddedJpeg(100 * 1024).length // 102400
 */
export function paddedJpeg(bytes: number): Buffer {
  const base = fixture('card-856x540.jpg');
  const segments: Buffer[] = [];
  let missing = bytes - base.length;
  let seed = 1;
  while (missing > 4) {
    const payload = Math.min(65_533, missing - 4);
    const segment = Buffer.alloc(payload + 4);
    segment.writeUInt16BE(0xfffe, 0);
    segment.writeUInt16BE(payload + 2, 2);
    for (let i = 4; i < segment.length; i++) segment[i] = 0x20 + ((seed = (seed * 1103515245 + 12345) >>> 0) % 95);
    segments.push(segment);
    missing -= segment.length;
  }
  return Buffer.concat([base.subarray(0, 2), ...segments, base.subarray(2)]);
}

/** A multipart/form-data body with one file part named `image`. */
export function multipartBody(content: Buffer): Buffer {
  return Buffer.concat([
    Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="image"; filename="image"\r\nContent-Type: application/octet-stream\r\n\r\n`),
    content,
    Buffer.from(`\r\n--${BOUNDARY}--\r\n`),
  ]);
}

/** The content type that goes with {@link multipartBody}. */
export const MULTIPART_TYPE = `multipart/form-data; boundary=${BOUNDARY}`;

/** What a pool needs to know about the server. */
export interface Target {
  appKey: string;
  secretKey: string;
  /** Public key (`result.key`) and version per service. */
  publicKeys: Record<'credit-card' | 'id-card', { key: string; version: string }>;
}

/** A pool of image uploads, each with its own symmetric key and its own `Symmetric-Key` header. */
export interface UploadPool {
  /** Distinct symmetric keys (and so distinct encrypted bodies). */
  keys: Buffer[];
  /** The multipart body of each key. */
  bodies: Buffer[];
  requests: PreparedRequest[];
}

/**
 * Uploads of `image` to `endpoint` under `keyCount` distinct symmetric keys, each wrapped
 * `wrapsPerKey` times. PKCS#1 v1.5 wrapping is randomised, so every request carries a
 * `Symmetric-Key` header the server has never seen (every one costs it an RSA operation, cache
 * or not) while only `keyCount` encrypted bodies are held in memory. Request `i` uses key
 * `i % keyCount`. `reuse` takes the keys and bodies of another pool (same image) and only wraps
 * them anew for this target.
 */
export function uploadPool(
  target: Target,
  endpoint: 'credit-card' | 'id-card',
  image: Buffer,
  keyCount: number,
  wrapsPerKey: number,
  reuse?: UploadPool,
): UploadPool {
  const service = endpoint;
  const { key: publicKey, version } = target.publicKeys[service];
  const keys = reuse?.keys.slice(0, keyCount) ?? Array.from({ length: keyCount }, () => randomBytes(32));
  const bodies = reuse?.bodies.slice(0, keyCount) ?? keys.map((key) => multipartBody(encryptBytes(key, image)));
  const requests: PreparedRequest[] = [];
  for (let i = 0; i < keyCount * wrapsPerKey; i++) {
    const k = i % keyCount;
    requests.push({
      method: 'POST',
      path: `/v2.0/appkeys/${target.appKey}/${endpoint}`,
      headers: {
        Authorization: target.secretKey,
        'X-Key-Version': version,
        'Symmetric-Key': wrapSymmetricKey(publicKey, keys[k]!),
        'Content-Type': MULTIPART_TYPE,
      },
      body: bodies[k]!,
    });
  }
  return { keys, bodies, requests };
}

/** The public-key GET. */
export function publicKeyRequest(target: Pick<Target, 'appKey' | 'secretKey'>, service: 'credit-card' | 'id-card' = 'credit-card'): PreparedRequest {
  return { method: 'GET', path: `/v2.0/appkeys/${target.appKey}/public-keys/${service}`, headers: { Authorization: target.secretKey } };
}

/** Wrapped keys for authenticity calls: the key, its header. */
export interface WrappedKey {
  key: Buffer;
  header: string;
}

/** `count` fresh symmetric keys wrapped for `service`. */
export function wrappedKeys(target: Target, service: 'credit-card' | 'id-card', count: number): WrappedKey[] {
  const { key: publicKey } = target.publicKeys[service];
  return Array.from({ length: count }, () => {
    const key = randomBytes(32);
    return { key, header: wrapSymmetricKey(publicKey, key) };
  });
}

/** Fields of the authenticity body that travel in the clear (contracts/client/client.ts). */
const PLAIN_AUTHENTICITY_FIELDS = new Set(['idType', 'expirationDate']);

/**
 * An authenticity request for a Request-Key, fields encrypted with `wrapped.key` as the client
 * kit does it.
 */
export function authenticityRequest(target: Target, wrapped: WrappedKey, requestKey: string, fields: Record<string, string>): PreparedRequest {
  const json: Record<string, string> = {};
  for (const [name, value] of Object.entries(fields)) json[name] = PLAIN_AUTHENTICITY_FIELDS.has(name) ? value : encryptValue(wrapped.key, value);
  return {
    method: 'POST',
    path: `/v2.0/appkeys/${target.appKey}/id-card/authenticity`,
    headers: {
      Authorization: target.secretKey,
      'X-Key-Version': target.publicKeys['id-card'].version,
      'Symmetric-Key': wrapped.header,
      'Request-Key': requestKey,
      'Content-Type': 'application/json',
    },
    body: Buffer.from(JSON.stringify(json)),
  };
}

/**
 * Fetches the public keys of both services from a running server.
 * @example const target = await fetchTarget(url, 'emulator-appkey', 'emulator-secretkey')
 */
export async function fetchTarget(url: string, appKey: string, secretKey: string): Promise<Target> {
  const publicKeys = {} as Target['publicKeys'];
  for (const service of ['credit-card', 'id-card'] as const) {
    const get = () => fetch(`${url}${publicKeyRequest({ appKey, secretKey }, service).path}`, { headers: { Authorization: secretKey } });
    // Once more if a pooled keep-alive connection was closed by the server meanwhile.
    const res = await get().catch(get);
    const body = (await res.json()) as { header: { isSuccessful: boolean }; result?: { key: string; version: string } };
    if (!body.result) throw new Error(`public key for ${service}: ${JSON.stringify(body)}`);
    publicKeys[service] = body.result;
  }
  return { appKey, secretKey, publicKeys };
}
