/**
 * The token issuer through the wire: `POST /oauth2/token/create` and `/revoke` as the NHN Cloud
 * "User Access Key token" page and RFC 6749 / RFC 7009 describe them, every refusal included.
 */
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { useEmulator, validatingFetch } from '../support/harness.js';
import { expectValidResponse } from '../../contracts/lib/openapi-validator.js';
import { ACCESS_KEY, basic, issueToken, tokenRequest } from '../support/v21.js';
import { sendRaw } from '../support/wire-client.js';

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

describe("parameters in the query string (the token page's Spring Cloud OpenFeign examples)", () => {
  /** As Feign sends `@RequestParam` on a form-encoded POST: the query string, a form Content-Type, an empty body. */
  const feign = (path: string, authorization = good) => tokenRequest(h.url, { authorization, body: '', path });
  const lastEntry = () => h.emulator.journal.list().at(-1)!;
  const call = (token: string) => request(h.url).get('/v2.1/appkeys/emulator-appkey/public-keys/id-card').set('X-NHN-Authorization', `Bearer ${token}`);

  it('create: grant_type in the query string, empty form body: a token, journaled with where the parameter came from', async () => {
    const { status, body } = await answer(await feign('/oauth2/token/create?grant_type=client_credentials'));
    expect(status).toBe(200);
    expect(body).toEqual({ access_token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/), token_type: 'Bearer', expires_in: 600 });
    expect(lastEntry()).toMatchObject({
      path: '/oauth2/token/create',
      endpoint: 'token/create',
      status: 200,
      diagnosis: 'parameters read from the query string: grant_type',
    });
    expect((await call(body['access_token'] as string)).body.header.resultCode).toBe(0);
  });

  it('revoke: token in the query string; the journal keeps neither the token nor the query string', async () => {
    const token = await issueToken(h.url);
    const res = await feign(`/oauth2/token/revoke?token=${encodeURIComponent(token)}`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('');
    expect((await call(token)).body.header.resultCode).toBe(4010006);
    const entry = h.emulator.journal.list().find((e) => e.endpoint === 'token/revoke' && e.status === 200 && e.diagnosis?.includes('query string'));
    expect(entry).toMatchObject({ path: '/oauth2/token/revoke', diagnosis: 'parameters read from the query string: token' });
    expect(JSON.stringify(h.emulator.journal.list())).not.toContain(token);
  });

  it.each([
    ['Content-Length: 0', 'Content-Length: 0\r\n'],
    ['no Content-Length', ''],
  ])('the bytes Feign writes (%s): a token', async (_what, length) => {
    const bytes = Buffer.from(
      'POST /oauth2/token/create?grant_type=client_credentials HTTP/1.1\r\n' +
        `Authorization: ${good}\r\nContent-Type: application/x-www-form-urlencoded\r\nUser-Agent: Java/17.0.9\r\n` +
        `Host: 127.0.0.1\r\nAccept: */*\r\nConnection: close\r\n${length}\r\n`,
    );
    const res = await sendRaw(Number(new URL(h.url).port), { bytes });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body.toString('utf8'))).toMatchObject({ token_type: 'Bearer', expires_in: 600 });
  });

  it('a query string without any body or Content-Type works too', async () => {
    const res = await validatingFetch(`${h.url}/oauth2/token/create?grant_type=client_credentials`, { method: 'POST', headers: { Authorization: good } });
    expect(res.status).toBe(200);
  });

  it.each([
    [
      'the same value in both places',
      '/oauth2/token/create?grant_type=client_credentials',
      'grant_type=client_credentials',
      'in the query string and in the form body',
    ],
    [
      'different values in both places',
      '/oauth2/token/create?grant_type=client_credentials',
      'grant_type=password',
      'in the query string and in the form body',
    ],
    ['twice in the query string', '/oauth2/token/create?grant_type=client_credentials&grant_type=client_credentials', '', 'in the query string'],
  ])('a parameter given twice (%s): HTTP 400 invalid_request, no copy silently wins', async (_what, path, body, where) => {
    const res = await answer(await tokenRequest(h.url, { authorization: good, body, path }));
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: 'invalid_request', error_description: `parameter "grant_type" is given more than once (${where})` });
  });

  it('the query string is read as the body is: an unsupported grant, a body that is not a form, a wrong client', async () => {
    expect((await answer(await feign('/oauth2/token/create?grant_type=password'))).body).toMatchObject({ error: 'unsupported_grant_type' });
    const json = await tokenRequest(h.url, {
      authorization: good,
      body: '{}',
      contentType: 'application/json',
      path: '/oauth2/token/create?grant_type=client_credentials',
    });
    expect(json.status).toBe(400);
    expect(await json.json()).toEqual({ error: 'invalid_request', error_description: 'the body must be application/x-www-form-urlencoded' });
    expect((await feign('/oauth2/token/create?grant_type=client_credentials', basic(ACCESS_KEY.id, 'wrong'))).status).toBe(401);
  });

  it('a parameter of one place and another of the other: both are read', async () => {
    const token = await issueToken(h.url);
    const res = await tokenRequest(h.url, { authorization: good, body: 'unused=1', path: `/oauth2/token/revoke?token=${encodeURIComponent(token)}` });
    expect(res.status).toBe(200);
    expect((await call(token)).body.header.resultCode).toBe(4010006);
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
      expectValidResponse({
        method: 'POST',
        path: '/oauth2/token/create',
        status: 200,
        headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
        body: { access_token: 'x', token_type: 'Bearer', expires_in: '86400' },
      }),
    ).toThrow(/expires_in/);
  });
});
