/**
 * The token issuer through the wire: `POST /oauth2/token/create` and `/revoke` as the NHN Cloud
 * "User Access Key token" page and RFC 6749 / RFC 7009 describe them, every refusal included.
 */
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { useEmulator } from '../support/harness.js';
import { expectValidResponse } from '../support/openapi-validator.js';
import { ACCESS_KEY, basic, issueToken, tokenRequest } from '../support/v21.js';

const OTHER_KEY = { id: 'other-key', secret: 'other-secret' };
const h = useEmulator({
  tokenTtlSeconds: 600,
  userAccessKeys: [{ ...ACCESS_KEY }, { ...OTHER_KEY }],
});
const good = basic(ACCESS_KEY.id, ACCESS_KEY.secret);

async function answer(res: Response) {
  return { status: res.status, headers: Object.fromEntries(res.headers), body: (await res.json()) as Record<string, unknown> };
}

describe('POST /oauth2/token/create', () => {
  it('answers an opaque Bearer token with expires_in as a number, never cached', async () => {
    const { status, headers, body } = await answer(await tokenRequest(h.url, { authorization: good }));
    expect(status).toBe(200);
    expect(body).toEqual({ access_token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/), token_type: 'Bearer', expires_in: 600 });
    expect(headers['cache-control']).toBe('no-store');
    expect(headers['content-type']).toMatch(/^application\/json/);
  });

  it('gives a new token each time; earlier ones stay valid', async () => {
    const [a, b] = [await issueToken(h.url), await issueToken(h.url)];
    expect(a).not.toBe(b);
    for (const token of [a, b]) {
      const res = await request(h.url).get('/v2.1/appkeys/emulator-appkey/public-keys/id-card').set('X-NHN-Authorization', `Bearer ${token}`);
      expect(res.body.header.resultCode).toBe(0);
    }
  });

  it.each([
    ['no Authorization', undefined],
    ['a wrong secret', basic(ACCESS_KEY.id, 'wrong')],
    ['an unknown ID', basic('nobody', ACCESS_KEY.secret)],
    ['a Bearer header', 'Bearer x'],
    ['Basic that is not base64 of id:secret', 'Basic bm9jb2xvbg=='],
  ])('%s: HTTP 401 invalid_client with WWW-Authenticate: Basic', async (_what, authorization) => {
    const { status, headers, body } = await answer(await tokenRequest(h.url, authorization === undefined ? {} : { authorization }));
    expect(status).toBe(401);
    expect(headers['www-authenticate']).toMatch(/^Basic realm=/);
    expect(body).toEqual({ error: 'invalid_client', error_description: expect.any(String) });
  });

  it.each([
    ['an unsupported grant', 'grant_type=password&username=a&password=b', 'application/x-www-form-urlencoded', 'unsupported_grant_type'],
    ['no grant_type', 'scope=x', 'application/x-www-form-urlencoded', 'invalid_request'],
    ['grant_type twice', 'grant_type=client_credentials&grant_type=client_credentials', 'application/x-www-form-urlencoded', 'invalid_request'],
    ['a JSON body', '{"grant_type":"client_credentials"}', 'application/json', 'invalid_request'],
    ['a body over 16 KiB', `grant_type=client_credentials&pad=${'x'.repeat(17_000)}`, 'application/x-www-form-urlencoded', 'invalid_request'],
  ])('%s: HTTP 400', async (_what, body, contentType, error) => {
    const res = await answer(await tokenRequest(h.url, { authorization: good, body, contentType }));
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error, error_description: expect.any(String) });
  });

  it('checks the client before the body: a wrong secret with a bad grant is 401', async () => {
    const res = await tokenRequest(h.url, { authorization: basic(ACCESS_KEY.id, 'wrong'), body: 'grant_type=password' });
    expect(res.status).toBe(401);
  });

  it('a GET is not an operation: 4041007 on HTTP 200, as any other path', async () => {
    const res = await request(h.url).get('/oauth2/token/create');
    expect(res.status).toBe(200);
    expect(res.body.header.resultCode).toBe(4041007);
  });
});

describe('POST /oauth2/token/revoke', () => {
  it('answers 200 for an unknown token too (RFC 7009 section 2.2)', async () => {
    const res = await tokenRequest(h.url, { authorization: good, body: 'token=never-issued', path: '/oauth2/token/revoke' });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('');
  });

  it('needs the client credentials (401) and the token parameter (400)', async () => {
    expect((await tokenRequest(h.url, { body: 'token=x', path: '/oauth2/token/revoke' })).status).toBe(401);
    const missing = await tokenRequest(h.url, { authorization: good, body: 'nothing=here', path: '/oauth2/token/revoke' });
    expect(missing.status).toBe(400);
    expect(await missing.json()).toMatchObject({ error: 'invalid_request' });
  });

  it("does not revoke another User Access Key's token", async () => {
    const token = await issueToken(h.url);
    const res = await tokenRequest(h.url, { authorization: basic(OTHER_KEY.id, OTHER_KEY.secret), body: `token=${token}`, path: '/oauth2/token/revoke' });
    expect(res.status).toBe(200);
    const call = await request(h.url).get('/v2.1/appkeys/emulator-appkey/public-keys/id-card').set('X-NHN-Authorization', `Bearer ${token}`);
    expect(call.body.header.resultCode).toBe(0);
  });
});

describe('journal', () => {
  it('records issuer calls with their HTTP status and a diagnosis, never the token or the secret', async () => {
    await tokenRequest(h.url, { authorization: basic(ACCESS_KEY.id, 'wrong-secret') });
    const entry = h.emulator.journal.list().at(-1)!;
    expect(entry).toMatchObject({ method: 'POST', path: '/oauth2/token/create', endpoint: 'token/create', status: 401 });
    expect(entry.diagnosis).toMatch(/invalid_client/);
    expect(JSON.stringify(entry)).not.toContain('wrong-secret');
  });
});

describe('responses match openapi.yaml', () => {
  it('every answer above was validated by the harness fetch; a broken one would not pass', () => {
    expect(() =>
      expectValidResponse({ method: 'POST', path: '/oauth2/token/create', status: 200, headers: { 'content-type': 'application/json', 'cache-control': 'no-store' }, body: { access_token: 'x', token_type: 'Bearer', expires_in: '86400' } }),
    ).toThrow(/expires_in/);
  });
});
