/**
 * v2.1 through the wire: the five operations with a User Access Key token, every
 * authentication answer (4000005, 4010006, 4010007) and the state v2.0 and v2.1 share.
 */
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { fixture } from '../support/fixtures.js';
import { APP, OTHER_APP, useEmulator, validatingFetch } from '../support/harness.js';
import { authenticityFieldsFor } from '../support/id-cards.js';
import { createOcrClient } from '../../contracts/client/index.js';
import { ACCESS_KEY, issueToken, revokeToken, v21Client } from '../support/v21.js';

const ACCESS_KEYS = { userAccessKeyId: ACCESS_KEY.id, secretAccessKey: ACCESS_KEY.secret };

const RESTRICTED = { id: 'restricted-key', secret: 'restricted-secret' };
const h = useEmulator({
  userAccessKeys: [
    { id: ACCESS_KEY.id, secret: ACCESS_KEY.secret },
    { ...RESTRICTED, appKeys: [OTHER_APP.appKey] },
  ],
});
const card = fixture('card-856x540.jpg');
const resident = fixture('id-resident-900x570.jpg');

const failure = (resultCode: number, resultMessage: string) => ({ header: { isSuccessful: false, resultCode, resultMessage } });
const publicKeyPath = `/v2.1/appkeys/${APP.appKey}/public-keys/credit-card`;

describe('v2.1 operations with a token', () => {
  it('credit card, ID card and authenticity succeed, with values encrypted under the caller key', async () => {
    const token = await issueToken(h.url);
    const client = v21Client(h.url, APP.appKey, () => token);
    const credit = await client.creditCard(card);
    expect(credit.resultCode).toBe(0);
    expect(credit.result?.totalCardNum).toMatch(/^\d{15,16}$/);
    expect(credit.body.result).not.toEqual(credit.result); // sent encrypted, decrypted by the client
    const id = await client.idCard(resident);
    expect(id.resultCode).toBe(0);
    expect(id.requestKey).toMatch(/^[0-9a-f-]{36}$/);
    const verdict = await client.authenticity(id.requestKey!, authenticityFieldsFor(id.result!));
    expect(verdict.body).toEqual({ header: { isSuccessful: true, resultCode: 0, resultMessage: 'SUCCESS' }, result: { isAuthenticity: true } });
    expect((await client.idCardStandAlone(resident)).requestKey).toBeUndefined();
  });

  it('shares keys and Request-Keys with v2.0: a v2.0 public key opens a v2.1 envelope, a v2.0 Request-Key verifies on v2.1', async () => {
    const token = await issueToken(h.url);
    const v21 = v21Client(h.url, APP.appKey, () => token);
    const v20Key = await h.client.publicKey('id-card');
    const v21Key = await v21.publicKey('id-card');
    expect(v21Key).toEqual(v20Key);
    const read = await h.client.idCard(resident);
    const verdict = await v21.authenticity(read.requestKey!, authenticityFieldsFor(read.result!), { publicKey: v20Key });
    expect(verdict.result).toEqual({ isAuthenticity: true });
    // ... and consumed it for v2.0 too: single use across versions.
    expect((await h.client.authenticity(read.requestKey!, authenticityFieldsFor(read.result!))).resultCode).toBe(4000122);
  });

  it('takes the header name and the Bearer scheme in any case', async () => {
    const token = await issueToken(h.url);
    const res = await request(h.url).get(publicKeyPath).set('x-nhn-authorization', `bearer ${token}`);
    expect(res.body.header.resultCode).toBe(0);
  });
});

describe('v2.1 authentication answers, each on HTTP 200', () => {
  it.each([
    ['missing', undefined],
    ['without a scheme', 'just-a-token'],
    ['another scheme', 'Basic abc'],
    ['Bearer without a token', 'Bearer '],
  ])('X-NHN-Authorization %s: 4000005', async (_what, value) => {
    const req = request(h.url).get(publicKeyPath);
    if (value !== undefined) req.set('X-NHN-Authorization', value);
    const res = await req;
    expect(res.status).toBe(200);
    expect(res.body).toEqual(failure(4000005, 'Required headers is missing.'));
  });

  it('a v2.0 Authorization header does not authenticate v2.1: 4000005, and the diagnosis says why', async () => {
    const res = await request(h.url).get(publicKeyPath).set('Authorization', APP.secretKey);
    expect(res.body.header.resultCode).toBe(4000005);
    const entry = h.emulator.journal.list().at(-1)!;
    expect(entry.diagnosis).toMatch(/Authorization is the v2\.0 header/);
  });

  it.each([
    ['garbage', 'not-a-token'],
    ['a JWT from another issuer', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln'],
    ['the v2.0 secret key', APP.secretKey],
  ])('a token that is %s: 4010006', async (_what, token) => {
    const res = await request(h.url).get(publicKeyPath).set('X-NHN-Authorization', `Bearer ${token}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual(failure(4010006, 'Invalid token.'));
  });

  it('a revoked token: 4010006 (and revoking answers HTTP 200 with no body)', async () => {
    const token = await issueToken(h.url);
    const ok = await request(h.url).get(publicKeyPath).set('X-NHN-Authorization', `Bearer ${token}`);
    expect(ok.body.header.resultCode).toBe(0);
    const revoked = await revokeToken(h.url, token);
    expect(revoked.status).toBe(200);
    expect(await revoked.text()).toBe('');
    const res = await request(h.url).get(publicKeyPath).set('X-NHN-Authorization', `Bearer ${token}`);
    expect(res.body).toEqual(failure(4010006, 'Invalid token.'));
    expect(h.emulator.journal.list().at(-1)!.diagnosis).toMatch(/revoked/);
  });

  it('an expired token: 4010006 once the emulator clock passes expires_in', async () => {
    const token = await issueToken(h.url);
    await request(h.url).post('/__emulator/clock').send({ advanceSeconds: 86_399 }).expect(200);
    expect((await request(h.url).get(publicKeyPath).set('X-NHN-Authorization', `Bearer ${token}`)).body.header.resultCode).toBe(0);
    await request(h.url).post('/__emulator/clock').send({ advanceSeconds: 1 }).expect(200);
    const res = await request(h.url).get(publicKeyPath).set('X-NHN-Authorization', `Bearer ${token}`);
    expect(res.body).toEqual(failure(4010006, 'Invalid token.'));
    expect(h.emulator.journal.list().at(-1)!.diagnosis).toMatch(/expired/);
  });

  it('a token whose User Access Key may not use the appKey: 4010007; it may use its own', async () => {
    const token = await issueToken(h.url, RESTRICTED);
    const denied = await request(h.url).get(publicKeyPath).set('X-NHN-Authorization', `Bearer ${token}`);
    expect(denied.body).toEqual(failure(4010007, 'Permission denied.'));
    const own = await request(h.url).get(`/v2.1/appkeys/${OTHER_APP.appKey}/public-keys/id-card`).set('X-NHN-Authorization', `Bearer ${token}`);
    expect(own.body.header.resultCode).toBe(0);
  });

  it('an appKey the emulator does not know: 4010007 (no User Access Key may use it)', async () => {
    const token = await issueToken(h.url);
    const res = await request(h.url).get('/v2.1/appkeys/nobody/public-keys/id-card').set('X-NHN-Authorization', `Bearer ${token}`);
    expect(res.body).toEqual(failure(4010007, 'Permission denied.'));
  });

  it('then the v2.0 order: 4000001 for an unknown serviceName, 4000005 for a missing envelope header', async () => {
    const token = await issueToken(h.url);
    const auth = { 'X-NHN-Authorization': `Bearer ${token}` };
    expect((await request(h.url).get(`/v2.1/appkeys/${APP.appKey}/public-keys/passport`).set(auth)).body.header.resultCode).toBe(4000001);
    const post = await request(h.url).post(`/v2.1/appkeys/${APP.appKey}/credit-card`).set(auth).set('X-Key-Version', '0');
    expect(post.body).toEqual(failure(4000005, 'Required headers is missing.'));
  });

  it('authentication comes first: a bad token on a request without envelope headers is 4010006', async () => {
    const res = await request(h.url).post(`/v2.1/appkeys/${APP.appKey}/id-card`).set('X-NHN-Authorization', 'Bearer nope');
    expect(res.body.header.resultCode).toBe(4010006);
  });

  it('a v2.0 call with a Bearer token in Authorization: 4010001, with a diagnosis naming v2.1', async () => {
    const token = await issueToken(h.url);
    const res = await request(h.url).get(`/v2.0/appkeys/${APP.appKey}/public-keys/id-card`).set('Authorization', `Bearer ${token}`);
    expect(res.body.header.resultCode).toBe(4010001);
    expect(h.emulator.journal.list().at(-1)!.diagnosis).toMatch(/Bearer token.*v2\.1/);
  });
});

describe('tokens stay out of the journal', () => {
  it('neither the access token nor the secret access key appears in any journal entry', async () => {
    const token = await issueToken(h.url);
    await request(h.url).get(publicKeyPath).set('X-NHN-Authorization', `Bearer ${token}`);
    await revokeToken(h.url, token);
    await request(h.url).get(publicKeyPath).set('X-NHN-Authorization', `Bearer ${token}`);
    const journal = JSON.stringify((await request(h.url).get('/__emulator/requests')).body);
    expect(journal).toContain('token/create');
    expect(journal).toContain('token/revoke');
    expect(journal).not.toContain(token);
    expect(journal).not.toContain(ACCESS_KEY.secret);
  });
});

describe('the client kit on v2.1, against the emulator', () => {
  // No oauthBaseUrl, as README.md and docs/client-kit.md show it: a base URL that is not a live host is the issuer too.
  const v21KitClient = () => createOcrClient({ apiVersion: 'v2.1', baseUrl: h.url, appKey: APP.appKey, ...ACCESS_KEYS, fetch: validatingFetch });

  it('obtains a token once and reuses it for every call', async () => {
    const client = v21KitClient();
    expect((await client.creditCard(card)).resultCode).toBe(0);
    const first = client.currentToken();
    expect((await client.idCard(resident)).resultCode).toBe(0);
    expect(client.currentToken()).toEqual(first);
    expect(h.emulator.journal.list().filter((e) => e.endpoint === 'token/create').length).toBeGreaterThan(0);
  });

  it('renews the token and retries once when the emulator clock has expired it (4010006 never reaches the caller)', async () => {
    const client = v21KitClient();
    expect((await client.creditCard(card)).resultCode).toBe(0);
    const before = client.currentToken()?.accessToken;
    await request(h.url).post('/__emulator/clock').send({ advanceSeconds: 86_400 }).expect(200);
    const after = await client.creditCard(card);
    expect(after.resultCode).toBe(0);
    expect(client.currentToken()?.accessToken).not.toBe(before);
    const journal = h.emulator.journal
      .list()
      .slice(-3)
      .map((e) => `${e.endpoint} ${e.resultCode ?? e.status}`);
    expect(journal).toEqual(['credit-card 4010006', 'token/create 200', 'credit-card 0']);
  });

  it('a revoked token is renewed the same way', async () => {
    const client = v21KitClient();
    await client.publicKey('credit-card');
    await client.revokeToken();
    expect((await client.creditCard(card)).resultCode).toBe(0);
  });
});
