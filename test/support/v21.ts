/**
 * v2.1 in tests: tokens from the emulator's token issuer, and a client kit client turned into
 * a v2.1 client by its fetch (same calls, `/v2.1/` paths, `X-NHN-Authorization: Bearer` instead
 * of `Authorization`), so every v2.0 scenario can run on v2.1 unchanged. Answers pass through
 * the validating fetch, so they are proved against openapi.yaml too.
 */
import { createOcrClient, type OcrClient } from '../../contracts/client/index.js';
import { validatingFetch } from './harness.js';

/** The emulator's default User Access Key (EMULATOR_USER_ACCESS_KEY_ID / _SECRET_ACCESS_KEY). */
export const ACCESS_KEY = { id: 'emulator-user-access-key', secret: 'emulator-secret-access-key' } as const;

/**
 * Basic credentials as the token page writes them (curl `-u id:secret`).
 * @example basic('id', 'secret') // 'Basic aWQ6c2VjcmV0'
 */
export function basic(id: string, secret: string): string {
  return `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
}

/**
 * Calls `POST /oauth2/token/create` and returns the answer as is.
 * @example const res = await tokenRequest(url, { authorization: basic(id, secret), body: 'grant_type=client_credentials' })
 */
export async function tokenRequest(
  baseUrl: string,
  {
    authorization,
    body = 'grant_type=client_credentials',
    contentType = 'application/x-www-form-urlencoded',
    path = '/oauth2/token/create',
  }: {
    authorization?: string;
    body?: string;
    contentType?: string;
    path?: string;
  },
): Promise<Response> {
  const headers: Record<string, string> = { 'Content-Type': contentType };
  if (authorization !== undefined) headers['Authorization'] = authorization;
  return validatingFetch(`${baseUrl}${path}`, { method: 'POST', headers, body });
}

/**
 * A fresh token for a User Access Key (the default one unless given).
 * @example const token = await issueToken(h.url)
 */
export async function issueToken(baseUrl: string, key: { id: string; secret: string } = ACCESS_KEY): Promise<string> {
  const res = await tokenRequest(baseUrl, { authorization: basic(key.id, key.secret) });
  const body = (await res.json()) as { access_token?: string };
  if (res.status !== 200 || !body.access_token) throw new Error(`token/create answered HTTP ${res.status}: ${JSON.stringify(body)}`);
  return body.access_token;
}

/**
 * Revokes a token.
 * @example await revokeToken(h.url, token)
 */
export async function revokeToken(baseUrl: string, token: string, key: { id: string; secret: string } = ACCESS_KEY): Promise<Response> {
  return tokenRequest(baseUrl, { authorization: basic(key.id, key.secret), body: `token=${encodeURIComponent(token)}`, path: '/oauth2/token/revoke' });
}

/**
 * A client of the client kit that speaks v2.1 with the token `token()` gives for each call.
 * @example const client = v21Client(h.url, 'emulator-appkey', () => token); await client.creditCard(image)
 */
export function v21Client(baseUrl: string, appKey: string, token: () => string): OcrClient {
  const fetchV21: typeof fetch = async (input, init) => {
    const url = new URL(String(input));
    url.pathname = url.pathname.replace(/^\/v2\.0\//, '/v2.1/');
    const headers = new Headers(init?.headers);
    headers.delete('authorization');
    headers.set('X-NHN-Authorization', `Bearer ${token()}`);
    return validatingFetch(url, { ...init, headers });
  };
  // The secret key is never sent: the fetch above drops Authorization.
  return createOcrClient({ baseUrl, appKey, secretKey: 'unused-on-v2.1', fetch: fetchV21 });
}
