/**
 * X-Emulator-Diagnosis: every failed API answer says what the client did wrong, on the answer
 * itself (docs/admin-api.md, "The journal"). The header is the journal's diagnosis, one line of ASCII,
 * bounded, never a secret; `diagnosisHeader: false` (EMULATOR_DIAGNOSIS_HEADER=off) leaves it
 * out. And the sharper diagnoses of common mistakes: an image sent unencrypted, a zero IV, a key
 * wrapped with the other service's public key or a stale version, a key version from before a
 * restart.
 */
import { generateKeyPairSync } from 'node:crypto';
import { connect } from 'node:net';
import request from 'supertest';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createOcrClient, wrapSymmetricKey, type OcrClient } from '../../contracts/client/index.js';
import type { JournalEntry } from '../../server/core/journal.js';
import { startEmulator, type RunningEmulator } from '../../server/index.js';
import { fixture, fixedKeyFactory } from '../support/fixtures.js';
import { APP, useEmulator, validatingFetch } from '../support/harness.js';

const h = useEmulator({ watchScenarios: false });
const png = fixture('card-428x270.png');
const jpeg = fixture('card-856x540.jpg');
const KEY = Buffer.from('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f', 'hex');

let client: OcrClient;
beforeEach(async () => {
  await request(h.url).post('/__emulator/reset').expect(200);
  client = h.clientFor(APP);
});

async function last(url = h.url): Promise<JournalEntry> {
  return ((await request(url).get('/__emulator/requests?limit=1').expect(200)).body as { requests: JournalEntry[] }).requests[0]!;
}

/** The header of an answer, checked to be the journal's diagnosis as one line of ASCII. */
async function diagnosisOf(answer: { headers: Headers }): Promise<string> {
  const header = answer.headers.get('x-emulator-diagnosis');
  expect(header).not.toBeNull();
  expect(header).toMatch(/^[ -~]{1,400}$/);
  expect(header).toBe((await last()).diagnosis);
  return header!;
}

describe('the header carries the diagnosis of every failed answer', () => {
  it('a zero IV: the IV rule, named', async () => {
    const answer = await client.creditCard(png, { iv: Buffer.alloc(16) });
    expect(answer.resultCode).toBe(4000003);
    expect(await diagnosisOf(answer)).toBe(
      'the first 16 decrypted bytes are garbled but the rest is a PNG: the image was encrypted with an all-zero IV; the IV must be the first 16 bytes of the symmetric key',
    );
  });

  it("the key's last 16 bytes as IV, and any other IV", async () => {
    const answer = await client.creditCard(jpeg, { symmetricKey: KEY, iv: KEY.subarray(16) });
    expect(answer.resultCode).toBe(4000003);
    expect(await diagnosisOf(answer)).toMatch(/rest is a JPEG: the image was encrypted with the key's last 16 bytes as IV; the IV must be the first 16 bytes/);
    const other = await client.creditCard(png, { symmetricKey: KEY, iv: Buffer.alloc(16, 7) });
    expect(await diagnosisOf(other)).toBe('the first 16 decrypted bytes are garbled but the rest is a PNG: the IV was not the first 16 bytes of the key');
  });

  it('an unencrypted PNG: the image was not encrypted (whatever the AES check tripped on)', async () => {
    const answer = await client.creditCard(png, { imageCiphertext: png });
    expect(answer.resultCode).toBe(4000303);
    expect(await diagnosisOf(answer)).toBe(
      `the image is a plain PNG (${png.length} bytes, not encrypted): encrypt it with AES-256-CBC first (key = the 32-byte symmetric key, IV = its first 16 bytes, PKCS#7 padding) and upload the ciphertext`,
    );
    // A JPEG cut to whole AES blocks passes the length check and fails on the padding: same advice.
    const blocks = jpeg.subarray(0, jpeg.length - (jpeg.length % 16));
    const cut = await client.idCard(blocks, { imageCiphertext: blocks });
    expect(cut.resultCode).toBe(4000303);
    expect(await diagnosisOf(cut)).toMatch(/^the image is a plain JPEG \(\d+ bytes, not encrypted\): encrypt it with AES-256-CBC first/);
  });

  it("a key wrapped with the other service's public key, once that key was issued", async () => {
    await client.publicKey('credit-card');
    const idCardKey = await client.publicKey('id-card');
    const answer = await client.creditCard(png, { publicKey: idCardKey });
    expect(answer.resultCode).toBe(4000302);
    expect(await diagnosisOf(answer)).toBe(
      'Symmetric-Key was wrapped with the id-card public key (version 0); credit-card takes the credit-card key: GET /v2.0/appkeys/{appKey}/public-keys/credit-card',
    );
  });

  it('a key wrapped with another key: the plain diagnosis, and no key made for the diagnosis', async () => {
    await client.publicKey('credit-card');
    const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
    const answer = await client.creditCard(png, { symmetricKeyHeader: wrapSymmetricKey(stranger, KEY), symmetricKey: KEY });
    expect(answer.resultCode).toBe(4000302);
    expect(await diagnosisOf(answer)).toMatch(/^(RSA block does not carry PKCS#1 v1.5 type-2 padding|Symmetric-Key is not an RSA block for this public key)/);
    const keys = (await request(h.url).get('/__emulator/keys').expect(200)).body.keys as { appKey: string; service: string; versions: unknown[] }[];
    expect(keys.find((k) => k.appKey === APP.appKey && k.service === 'id-card')?.versions).toEqual([]);
  });

  it('a stale X-Key-Version for a key of the current version', async () => {
    await client.publicKey('credit-card');
    await request(h.url).post('/__emulator/keys/credit-card/rotate').expect(200);
    const current = await client.publicKey('credit-card', true);
    const answer = await client.creditCard(png, { publicKey: current, keyVersion: '0' });
    expect(answer.resultCode).toBe(4000302);
    expect(await diagnosisOf(answer)).toBe(
      'Symmetric-Key was wrapped with credit-card key version 1, but X-Key-Version says 0: send the version of the key that wrapped it',
    );
  });

  it('a key version from before a reset: when the keys were made anew, and why', async () => {
    await client.publicKey('credit-card');
    await request(h.url).post('/__emulator/reset').expect(200);
    const answer = await client.creditCard(png); // the client's cached key is from before the reset
    expect(answer.resultCode).toBe(4000301);
    const { now } = (await request(h.url).get('/__emulator/clock').expect(200)).body as { now: string };
    const header = await diagnosisOf(answer);
    expect(header).toMatch(
      /^X-Key-Version 0 was never issued for credit-card of appKey "emulator-appkey" \(no credit-card key was issued yet: GET the public key first\); this emulator's keys date from the reset at (\S+): key pairs are made anew at each reset and at each start \(unless kept in a keys directory or Redis\), so a version from an earlier run is unknown here; GET the public key again$/,
    );
    const at = Date.parse(/reset at (\S+):/.exec(header)![1]!);
    expect(at).toBeLessThanOrEqual(Date.parse(now));
  });

  it('a failed public-key call and an unknown path carry it too; a success does not', async () => {
    const wrong = await request(h.url).get(`/v2.0/appkeys/${APP.appKey}/public-keys/credit-card`).set('Authorization', 'wrong');
    expect(wrong.headers['x-emulator-diagnosis']).toBe(`Authorization is not the secret key of appKey "${APP.appKey}"`);
    const unknown = await request(h.url).get('/v2.0/nothing');
    expect(unknown.body.header.resultCode).toBe(4041007);
    expect(unknown.headers['x-emulator-diagnosis']).toBe('GET /v2.0/nothing is an operation of neither the v2.0 nor the v2.1 guide');
    const ok = await client.creditCard(png);
    expect(ok.resultCode).toBe(0);
    expect(ok.headers.get('x-emulator-diagnosis')).toBeNull();
  });

  it('answers express refuses before routing (a bad escape) and Node refuses (an unknown method)', async () => {
    const badEscape = await request(h.url).post(`/v2.0/appkeys/%E0%A4/credit-card`).set('Authorization', APP.secretKey);
    expect(badEscape.body.header.resultCode).toBe(4000001);
    expect(badEscape.headers['x-emulator-diagnosis']).toMatch(/^the request could not be parsed: /);
    // Journaled like every other answer, so the dashboard shows it too.
    const journal = (await request(h.url).get('/__emulator/requests?limit=1').expect(200)).body as {
      requests: { path: string; resultCode: number; diagnosis: string }[];
    };
    expect(journal.requests.at(-1)).toMatchObject({
      path: '/v2.0/appkeys/%E0%A4/credit-card',
      resultCode: 4000001,
      diagnosis: expect.stringMatching(/^the request could not be parsed: /),
    });
    const brew = await rawRequest(h.url, `BREW /v2.0/appkeys/${APP.appKey}/credit-card HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
    expect(brew).toMatch(/"resultCode":4041007/);
    expect(brew).toMatch(/\r\nX-Emulator-Diagnosis: method BREW is not one of the API's/);
  });
});

describe('the header is safe to show', () => {
  it('one line of ASCII: other characters escaped, control characters too', async () => {
    const res = await request(h.url)
      .get(`/v2.0/appkeys/${encodeURIComponent('키\u0007')}/public-keys/id-card`)
      .set('Authorization', 'x');
    expect(res.headers['x-emulator-diagnosis']).toBe('appKey "\\ud0a4\\u0007" is not known to this emulator');
  });

  it('bounded: a long app key is cut, with ...', async () => {
    const res = await request(h.url)
      .get(`/v2.0/appkeys/${'k'.repeat(3000)}/public-keys/id-card`)
      .set('Authorization', 'x');
    const header = res.headers['x-emulator-diagnosis'] as string;
    expect(header.length).toBeLessThanOrEqual(400);
    expect(header).toMatch(/^appKey "kkk+\.\.\.$/);
  });

  it('never a secret key, a symmetric key or a Request-Key', async () => {
    const secret = 'my-real-secret-key-0123';
    const bad = await request(h.url).get(`/v2.0/appkeys/${APP.appKey}/public-keys/credit-card`).set('Authorization', secret);
    expect(bad.headers['x-emulator-diagnosis']).not.toContain(secret);
    const { key } = await client.publicKey('id-card');
    const wrapped = wrapSymmetricKey(key, KEY.subarray(0, 16));
    const short = await client.creditCard(png, { symmetricKeyHeader: wrapped });
    const requestKey = '3f9c2b7e-5d41-4a8e-9c1f-6b2d8e7a0c53';
    const stale = await client.authenticity(requestKey, { idType: 'resident', name: 'x', residentNumber: '1', issueDate: '2' });
    expect(stale.resultCode).toBe(4000122);
    for (const answer of [short, stale]) {
      const header = answer.headers.get('x-emulator-diagnosis')!;
      for (const secretText of [wrapped, KEY.toString('hex'), KEY.toString('base64'), requestKey, requestKey.slice(0, 8)])
        expect(header).not.toContain(secretText);
    }
  });
});

describe('diagnosisHeader: false (EMULATOR_DIAGNOSIS_HEADER=off)', () => {
  let emulator: RunningEmulator;
  beforeAll(async () => {
    emulator = await startEmulator({ port: 0, keyFactory: fixedKeyFactory(), diagnosisHeader: false, watchScenarios: false });
  });
  afterAll(async () => {
    await emulator?.close();
  });

  it('leaves the header out, through express and the fast lane alike, and keeps the journal', async () => {
    const off = createOcrClient({ baseUrl: emulator.url, ...APP, fetch: validatingFetch });
    const answer = await off.creditCard(png, { iv: Buffer.alloc(16) });
    expect(answer.resultCode).toBe(4000003);
    expect(answer.headers.get('x-emulator-diagnosis')).toBeNull();
    expect((await last(emulator.url)).diagnosis).toMatch(/all-zero IV/);
    const path = `/v2.0/appkeys/${APP.appKey}/public-keys/credit-card`;
    const head = `Host: 127.0.0.1\r\nAuthorization: wrong\r\nConnection: close\r\n\r\n`;
    const lane = await rawRequest(emulator.url, `GET ${path} HTTP/1.1\r\n${head}`);
    const viaExpress = await rawRequest(emulator.url, `GET ${path}? HTTP/1.1\r\n${head}`);
    expect(lane).toMatch(/"resultCode":4010001/);
    expect(lane).not.toMatch(/X-Emulator-Diagnosis/i);
    expect(lane.replace(/^Date: .*\r\n/m, '')).toBe(viaExpress.replace(/^Date: .*\r\n/m, ''));
    const brew = await rawRequest(emulator.url, `BREW ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
    expect(brew).toMatch(/"resultCode":4041007/);
    expect(brew).not.toMatch(/X-Emulator-Diagnosis/i);
  });
});

/** Sends raw bytes and reads the raw answer until the server closes the connection. */
function rawRequest(url: string, text: string): Promise<string> {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1', () => socket.write(text));
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
    socket.on('close', () => resolve(answer));
    socket.on('error', reject);
  });
}

describe('v2.1 and the token issuer', () => {
  it('a v2.0 secret key sent as a v2.1 Bearer token, and a token sent to v2.0, are named as such', async () => {
    const v21 = await request(h.url).get(`/v2.1/appkeys/${APP.appKey}/public-keys/id-card`).set('X-NHN-Authorization', `Bearer ${APP.secretKey}`);
    expect(v21.body.header.resultCode).toBe(4010006);
    expect(v21.headers['x-emulator-diagnosis']).toMatch(/is the v2\.0 secret key of appKey .*POST \/oauth2\/token\/create/);
    const v20 = await request(h.url).get(`/v2.0/appkeys/${APP.appKey}/public-keys/id-card`).set('Authorization', 'Bearer abc');
    expect(v20.body.header.resultCode).toBe(4010001);
    expect(v20.headers['x-emulator-diagnosis']).toMatch(/Bearer token.*v2\.1/);
  });

  it('a JWT from another issuer is named as such', async () => {
    const res = await request(h.url)
      .get(`/v2.1/appkeys/${APP.appKey}/public-keys/id-card`)
      .set('X-NHN-Authorization', 'Bearer eyJhbGciOiJIUzI1NiJ9.eyJ4IjoxfQ.c2ln');
    expect(res.headers['x-emulator-diagnosis']).toMatch(/^token is a JWT: not one this issuer made/);
  });

  it('a refused token request carries it too, next to its RFC 6749 error', async () => {
    const res = await request(h.url)
      .post('/oauth2/token/create')
      .type('form')
      .send('grant_type=password')
      .auth('emulator-user-access-key', 'emulator-secret-access-key');
    expect(res.status).toBe(400);
    expect(res.headers['x-emulator-diagnosis']).toBe('HTTP 400 unsupported_grant_type: the only grant type is client_credentials');
  });
});
