/**
 * Scenarios through the wire: the X-Emulator-Scenario header, image match, the built-in error,
 * latency and fault scenarios on every endpoint, and the admin queue, defaults and reset.
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { createOcrClient, type OcrClient } from '../../contracts/client/index.js';
import type { JournalEntry } from '../../server/core/journal.js';
import { fixture } from '../support/fixtures.js';
import { APP, OTHER_APP, useEmulator } from '../support/harness.js';

/** A scenario directory of this file's own: an image-matched scenario and a public-key one. */
const dir = mkdtempSync(join(tmpdir(), 'api-scenarios-'));
mkdirSync(join(dir, 'test'));
copyFileSync(new URL('../fixtures/card-428x270.png', import.meta.url), join(dir, 'test', 'registered.png'));
writeFileSync(
  join(dir, 'test', 'registered-card.yaml'),
  'description: The registered sample image reads as an Amex card.\nendpoints: [credit-card]\noutcome:\n  creditCard: { cardNumber: 3782 822463 10005, validThru: 09/29 }\nmatch:\n  sampleImages: [registered.png]\n',
);
/** The error-code page's codes a credit-card or ID-card call can get that the emulator never answers by itself. */
const PLAYED: [number, string][] = [
  [400, 'Bad Request'],
  [401, 'Unauthorized'],
  [403, 'Forbidden'],
  [404, 'Not Found'],
  [405, 'Method Not Allowed'],
  [415, 'Unsupported Media Type'],
  [4000401, 'Service not enabled. Please submit service use request.'],
  [4010002, 'Invalid uuid.'],
  [4010003, 'Not allowed user.'],
  [4010004, 'Invalid project.'],
  [4010005, 'Unauthorized role.'],
  [5000001, 'Internal Api fail.'],
  [5000002, 'Error parsing fail.'],
  [5000003, 'Database server error.'],
  [5000004, 'All or some resource delete fail.'],
  [5000005, 'File read fail.'],
  [5003011, 'Document(credit card) OCR Api fail.'],
  [5003012, 'Document(credit card) OCR Api returned empty body.'],
  [5003021, 'Document(id card) OCR Api fail.'],
  [5003022, 'Document(id card) OCR Api returned empty body.'],
];
writeFileSync(
  join(dir, 'test', 'every-code.yaml'),
  `description: Each call answers the next documented code.\nendpoints: [credit-card]\nsequence:\n${PLAYED.map(([code]) => `  - error: ${code}\n`).join('')}`,
);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const h = useEmulator({ scenarioDirs: [dir], watchScenarios: false });
const card = fixture('card-428x270.jpg');
const resident = fixture('id-resident-900x570.jpg');
const admin = () => request(h.url);

/** Each test starts from a reset emulator and fresh clients (a reset forgets the keys they cache). */
let client: OcrClient;
let other: OcrClient;
beforeEach(async () => {
  await admin().post('/__emulator/reset').expect(200);
  client = h.clientFor(APP);
  other = h.clientFor(OTHER_APP);
});

async function journal(query = ''): Promise<JournalEntry[]> {
  const res = await admin().get(`/__emulator/requests${query}`).expect(200);
  return (res.body as { requests: JournalEntry[] }).requests;
}

/** A Request-Key and the values to send back with it (a resident card read by /id-card). */
async function residentRequestKey(from: OcrClient = client) {
  const answer = await from.idCard(resident);
  expect(answer.resultCode).toBe(0);
  const values = Object.fromEntries(answer.result!.keyValues.map((kv) => [kv.key, kv.value]));
  return {
    requestKey: answer.requestKey!,
    fields: { idType: 'resident' as const, name: values['name']!, residentNumber: values['residentNumber']!, issueDate: values['issueDate']! },
  };
}

describe('X-Emulator-Scenario', () => {
  /** Refusals of the header are the emulator's own HTTP 4xx, outside openapi.yaml: a client that does not validate. */
  const plain = () => createOcrClient({ baseUrl: h.url, ...APP });

  it('id-card/driver: exactly the driver keys of the guide, decrypted', async () => {
    for (const call of [client.idCard, client.idCardStandAlone]) {
      const answer = await call(fixture('id-driver-900x570.jpg'), { scenario: 'id-card/driver' });
      expect(answer.status).toBe(200);
      expect(answer.resultCode).toBe(0);
      const result = answer.result!;
      expect(result.idType).toBe('driver');
      expect(result.keyValues.map((kv) => kv.key)).toEqual([
        'driverLicenseNumber',
        'licenseType',
        'name',
        'residentNumber',
        'condition',
        'serialNum',
        'issueDate',
        'issuer',
      ]);
      const values = Object.fromEntries(result.keyValues.map((kv) => [kv.key, kv.value]));
      // Decrypted plaintext, not base64 ciphertext.
      expect(values['driverLicenseNumber']).toMatch(/^[\d가-힣]{2}-\d{2}-\d{6}-\d{2}$/);
      expect(values['residentNumber']).toMatch(/^\d{6}-?\d{7}$/);
      expect(values['issueDate']).toMatch(/\d/);
      const wire = (answer.body.result as { keyValues: { value: string }[] }).keyValues;
      expect(wire[2]!.value).not.toBe(values['name']);
    }
  });

  it('credit-card/not-found: 4000111 on HTTP 200, no result', async () => {
    const answer = await client.creditCard(card, { scenario: 'credit-card/not-found' });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ header: { isSuccessful: false, resultCode: 4000111, resultMessage: 'Credit card info not found.' } });
    const [entry] = await journal('?endpoint=credit-card');
    expect(entry).toMatchObject({ resultCode: 4000111, scenario: { name: 'credit-card/not-found', reason: 'header', call: 0 } });
    expect(entry!.diagnosis).toBe('scripted by scenario "credit-card/not-found" (call 1)');
  });

  it('plays every code of the error-code page a call can get, with its exact message', async () => {
    for (const [code, message] of PLAYED) {
      const answer = await client.creditCard(card, { scenario: 'test/every-code' });
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({ header: { isSuccessful: false, resultCode: code, resultMessage: message } });
    }
  });

  it('an unknown name: HTTP 404 JSON naming the known scenarios', async () => {
    const answer = await plain().raw({
      method: 'GET',
      path: `/v2.0/appkeys/${APP.appKey}/public-keys/credit-card`,
      headers: { Authorization: APP.secretKey, 'X-Emulator-Scenario': 'credit-card/nope' },
    });
    expect(answer.status).toBe(404);
    expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
    const body = answer.body as unknown as { error: string; message: string };
    expect(body.error).toBe('scenario');
    expect(body.message).toContain('unknown scenario "credit-card/nope"');
    for (const name of ['credit-card/not-found', 'errors/flaky', 'id-card/driver', 'test/registered-card']) expect(body.message).toContain(name);
    const [entry] = await journal('?limit=1');
    expect(entry).toMatchObject({ endpoint: 'public-key', diagnosis: `HTTP 404: ${body.message}` });
    expect(entry).not.toHaveProperty('resultCode');
  });

  it('an unknown name on a POST is refused the same way, after the envelope checks', async () => {
    const answer = await plain().creditCard(card, { scenario: 'nope' });
    expect(answer.status).toBe(404);
    expect(answer.body).toMatchObject({ error: 'scenario', message: expect.stringContaining('unknown scenario "nope"') });
  });

  it('a scenario that does not serve the endpoint: HTTP 400', async () => {
    const answer = await plain().raw({
      method: 'GET',
      path: `/v2.0/appkeys/${APP.appKey}/public-keys/id-card`,
      headers: { Authorization: APP.secretKey, 'X-Emulator-Scenario': 'credit-card/not-found' },
    });
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({ error: 'scenario', message: 'scenario "credit-card/not-found" serves credit-card, not public-key' });
    const posted = await plain().idCard(resident, { scenario: 'credit-card/not-found' });
    expect(posted.status).toBe(400);
    expect(posted.body).toEqual({ error: 'scenario', message: 'scenario "credit-card/not-found" serves credit-card, not id-card' });
  });

  it('is read only after the envelope checks: a broken envelope sees its own error first', async () => {
    const answer = await client.creditCard(card, { scenario: 'nope', keyVersion: '99' });
    expect(answer.status).toBe(200);
    expect(answer.resultCode).toBe(4000301);
  });
});

describe('image match', () => {
  it('a registered sample image selects its scenario without any header', async () => {
    const answer = await client.creditCard(fixture('card-428x270.png'));
    expect(answer.resultCode).toBe(0);
    expect(answer.result!.totalCardNum).toBe('378282246310005');
    expect(answer.result!.cardNums.map((g) => g.value)).toEqual(['3782', '822463', '10005']);
    expect(answer.result!.validThru.value).toBe('09/29');
    const [entry] = await journal('?endpoint=credit-card');
    expect(entry!.scenario).toEqual({ name: 'test/registered-card', reason: 'image-match', call: 0 });
  });

  it('another image gets the built-in default', async () => {
    const answer = await client.creditCard(card);
    expect(answer.resultCode).toBe(0);
    expect(answer.result!.totalCardNum).toMatch(/^\d{16}$/);
    expect((await journal('?endpoint=credit-card'))[0]!.scenario).toEqual({ name: 'credit-card/ok', reason: 'built-in-default', call: 0 });
  });

  it('the header still beats an image match', async () => {
    expect((await client.creditCard(fixture('card-428x270.png'), { scenario: 'credit-card/not-found' })).resultCode).toBe(4000111);
  });
});

describe('errors/unavailable on every endpoint', () => {
  const UNAVAILABLE = {
    header: {
      isSuccessful: false,
      resultCode: 5000503,
      resultMessage: 'The API you requested is temporarily unavailable. Please try again later.',
    },
  };
  const scenario = 'errors/unavailable';

  it('public-key', async () => {
    for (const service of ['credit-card', 'id-card']) {
      const answer = await client.raw({
        method: 'GET',
        path: `/v2.0/appkeys/${APP.appKey}/public-keys/${service}`,
        headers: { Authorization: APP.secretKey, 'X-Emulator-Scenario': scenario },
      });
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual(UNAVAILABLE);
    }
  });

  it('credit-card, id-card, id-card/stand-alone', async () => {
    for (const answer of [
      await client.creditCard(card, { scenario }),
      await client.idCard(resident, { scenario }),
      await client.idCardStandAlone(resident, { scenario }),
    ]) {
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual(UNAVAILABLE);
      expect(answer.requestKey).toBeUndefined();
    }
  });

  it('id-card/authenticity, and the Request-Key stays usable', async () => {
    const { requestKey, fields } = await residentRequestKey();
    const failed = await client.authenticity(requestKey, fields, { scenario });
    expect(failed.body).toEqual(UNAVAILABLE);
    const retried = await client.authenticity(requestKey, fields);
    expect(retried.resultCode).toBe(0);
    expect(retried.result).toEqual({ isAuthenticity: true });
  });
});

describe('errors/flaky', () => {
  it('answers 5000503 twice, then normally from then on, counted per app key', async () => {
    const codes = [];
    for (let i = 0; i < 4; i++) codes.push((await client.creditCard(card, { scenario: 'errors/flaky' })).resultCode);
    expect(codes).toEqual([5000503, 5000503, 0, 0]);
    expect((await other.creditCard(card, { scenario: 'errors/flaky' })).resultCode).toBe(5000503);
    const calls = (await journal(`?endpoint=credit-card&appKey=${APP.appKey}`)).map((e) => e.scenario?.call);
    expect(calls).toEqual([0, 1, 2, 3]);
  });

  it('starts over after a reset', async () => {
    expect((await client.creditCard(card, { scenario: 'errors/flaky' })).resultCode).toBe(5000503);
  });
});

describe('latency/slow', () => {
  it('answers normally after about 1.5 s', async () => {
    await client.publicKey('credit-card');
    const started = performance.now();
    const answer = await client.creditCard(card, { scenario: 'latency/slow' });
    const elapsed = performance.now() - started;
    expect(answer.resultCode).toBe(0);
    expect(elapsed).toBeGreaterThanOrEqual(1400);
    const [entry] = await journal('?endpoint=credit-card');
    expect(entry!.durationMs).toBeGreaterThanOrEqual(1400);
  });
});

describe('errors/dropped-connection', () => {
  it('the client sees a network error, the journal the request, and the next request is answered', async () => {
    await client.publicKey('credit-card');
    await expect(client.creditCard(card, { scenario: 'errors/dropped-connection' })).rejects.toThrow();
    expect((await client.creditCard(card)).resultCode).toBe(0);
    const entries = await journal('?endpoint=credit-card');
    expect(entries.map((e) => e.scenario?.name)).toEqual(['errors/dropped-connection', 'credit-card/ok']);
  });

  it('on the public-key call as well', async () => {
    await expect(
      client.raw({
        method: 'GET',
        path: `/v2.0/appkeys/${APP.appKey}/public-keys/id-card`,
        headers: { Authorization: APP.secretKey, 'X-Emulator-Scenario': 'errors/dropped-connection' },
      }),
    ).rejects.toThrow();
    expect((await client.fetchPublicKey('id-card')).resultCode).toBe(0);
  });
});

describe('POST /__emulator/queue', () => {
  it('one shot: the next request it serves, then back to normal', async () => {
    const res = await admin().post('/__emulator/queue').send({ scenario: 'credit-card/not-found' }).expect(201);
    expect(res.body).toEqual({
      queued: { scenario: 'credit-card/not-found', remaining: 1 },
      queue: [{ scenario: 'credit-card/not-found', remaining: 1 }],
    });
    // The public-key call the client makes first is not served by the scenario: it leaves the shot.
    expect((await client.creditCard(card)).resultCode).toBe(4000111);
    expect((await client.creditCard(card)).resultCode).toBe(0);
    expect((await admin().get('/__emulator/queue').expect(200)).body).toEqual({ queue: [] });
    expect((await journal('?endpoint=credit-card'))[0]!.scenario).toEqual({ name: 'credit-card/not-found', reason: 'queue', call: 0 });
  });

  it('N shots', async () => {
    await admin().post('/__emulator/queue').send({ scenario: 'credit-card/recognition-fail', times: 3 }).expect(201);
    const codes = [];
    for (let i = 0; i < 4; i++) codes.push((await client.creditCard(card)).resultCode);
    expect(codes).toEqual([5003013, 5003013, 5003013, 0]);
  });

  it('a "*" scenario is consumed by the public-key call too', async () => {
    await admin().post('/__emulator/queue').send({ scenario: 'errors/rate-limited' }).expect(201);
    expect((await client.fetchPublicKey('credit-card')).resultCode).toBe(4000006);
    expect((await client.creditCard(card)).resultCode).toBe(0);
  });

  it('per app key: another app key is not served', async () => {
    await admin().post('/__emulator/queue').send({ scenario: 'credit-card/not-found', times: 2, appKey: OTHER_APP.appKey }).expect(201);
    expect((await client.creditCard(card)).resultCode).toBe(0);
    expect((await other.creditCard(card)).resultCode).toBe(4000111);
    expect((await admin().get('/__emulator/queue')).body).toEqual({ queue: [{ scenario: 'credit-card/not-found', remaining: 1, appKey: OTHER_APP.appKey }] });
    expect((await other.creditCard(card)).resultCode).toBe(4000111);
    expect((await other.creditCard(card)).resultCode).toBe(0);
  });

  it('refuses unknown scenarios, bad counts, unknown app keys; DELETE empties it', async () => {
    const unknown = await admin().post('/__emulator/queue').send({ scenario: 'nope' }).expect(404);
    expect(unknown.body).toMatchObject({ error: 'scenario', message: expect.stringContaining('unknown scenario "nope"') });
    await admin().post('/__emulator/queue').send({ scenario: 'credit-card/not-found', times: 0 }).expect(400);
    await admin().post('/__emulator/queue').send({ scenario: 'credit-card/not-found', times: 'two' }).expect(400);
    await admin().post('/__emulator/queue').send({}).expect(400);
    const stranger = await admin().post('/__emulator/queue').send({ scenario: 'credit-card/not-found', appKey: 'nobody' }).expect(404);
    expect(stranger.body).toEqual({ error: 'not_found', message: 'appKey "nobody" is neither configured nor registered' });
    await admin().post('/__emulator/queue').send({ scenario: 'credit-card/not-found', times: 5 }).expect(201);
    expect((await admin().delete('/__emulator/queue').expect(200)).body).toEqual({ queue: [] });
    expect((await client.creditCard(card)).resultCode).toBe(0);
  });
});

describe('PUT /__emulator/defaults/{appKey}', () => {
  it('sets an app key default per endpoint, below queue and header', async () => {
    const res = await admin()
      .put(`/__emulator/defaults/${OTHER_APP.appKey}`)
      .send({ scenarios: ['credit-card/amex', 'id-card/passport'] })
      .expect(200);
    expect(res.body).toEqual({ defaults: { [OTHER_APP.appKey]: ['credit-card/amex', 'id-card/passport'] } });
    expect((await other.creditCard(card)).result!.totalCardNum).toBe('378282246310005');
    expect((await other.idCardStandAlone(resident)).result!.idType).toBe('passport');
    expect((await client.idCardStandAlone(resident)).result!.idType).toBe('resident');
    expect((await other.creditCard(card, { scenario: 'credit-card/not-found' })).resultCode).toBe(4000111);
    await admin().post('/__emulator/queue').send({ scenario: 'credit-card/recognition-fail' }).expect(201);
    expect((await other.creditCard(card)).resultCode).toBe(5003013);
    expect((await journal(`?appKey=${OTHER_APP.appKey}&endpoint=id-card/stand-alone`))[0]!.scenario?.reason).toBe('app-default');
    expect((await admin().get('/__emulator/defaults').expect(200)).body).toEqual(res.body);
  });

  it('DELETE or an empty list removes them; bad bodies and names are refused', async () => {
    await admin()
      .put(`/__emulator/defaults/${APP.appKey}`)
      .send({ scenarios: ['credit-card/not-found'] })
      .expect(200);
    expect((await client.creditCard(card)).resultCode).toBe(4000111);
    expect((await admin().delete(`/__emulator/defaults/${APP.appKey}`).expect(200)).body).toEqual({ defaults: {} });
    expect((await client.creditCard(card)).resultCode).toBe(0);
    await admin()
      .put(`/__emulator/defaults/${APP.appKey}`)
      .send({ scenarios: ['credit-card/not-found'] })
      .expect(200);
    expect((await admin().put(`/__emulator/defaults/${APP.appKey}`).send({ scenarios: [] }).expect(200)).body).toEqual({ defaults: {} });
    await admin().put(`/__emulator/defaults/${APP.appKey}`).send({ scenarios: 'credit-card/not-found' }).expect(400);
    await admin()
      .put(`/__emulator/defaults/${APP.appKey}`)
      .send({ scenarios: ['nope'] })
      .expect(404);
    await admin()
      .put('/__emulator/defaults/nobody')
      .send({ scenarios: ['credit-card/not-found'] })
      .expect(404);
  });
});

describe('POST /__emulator/reset', () => {
  it('clears queue, defaults, journal, keys, clock and sequence positions', async () => {
    const before = await client.publicKey('credit-card');
    await admin().post('/__emulator/keys/credit-card/rotate').send({}).expect(200);
    await admin().post('/__emulator/queue').send({ scenario: 'credit-card/not-found', times: 3 }).expect(201);
    await admin()
      .put(`/__emulator/defaults/${APP.appKey}`)
      .send({ scenarios: ['credit-card/amex'] })
      .expect(200);
    await admin().post('/__emulator/clock').send({ advanceSeconds: 3600 }).expect(200);
    await client.creditCard(card, { scenario: 'errors/flaky' });
    expect(await journal()).not.toHaveLength(0);

    expect((await admin().post('/__emulator/reset').expect(200)).body).toEqual({ reset: true });

    expect((await admin().get('/__emulator/queue')).body).toEqual({ queue: [] });
    expect((await admin().get('/__emulator/defaults')).body).toEqual({ defaults: {} });
    expect(await journal()).toEqual([]);
    expect((await admin().get('/__emulator/clock')).body).toMatchObject({ offsetSeconds: 0 });
    const keys = (await admin().get('/__emulator/keys')).body as { keys: { versions: unknown[] }[] };
    expect(keys.keys.every((k) => k.versions.length === 0)).toBe(true);
    const fresh = h.clientFor(APP);
    expect((await fresh.publicKey('credit-card')).version).toBe('0');
    expect(before.version).toBe('0');
    expect((await fresh.creditCard(card, { scenario: 'errors/flaky' })).resultCode).toBe(5000503);
    expect((await fresh.creditCard(card)).resultCode).toBe(0);
    // Scenarios stay loaded.
    expect(((await admin().get('/__emulator/scenarios')).body as { scenarios: unknown[] }).scenarios.length).toBeGreaterThan(10);
  });
});
