import { describe, expect, it } from 'vitest';
import { createOcrClient, newSymmetricKey, wrapSymmetricKey } from '../../contracts/client/index.js';
import { fixture } from '../support/fixtures.js';
import { APP, OTHER_APP, useEmulator } from '../support/harness.js';
import { authenticityFieldsFor } from '../support/id-cards.js';

const h = useEmulator({ requestKeyTtlSeconds: 3600 });
const image = fixture('id-resident-900x570.jpg');

async function recognised(scenario?: string) {
  const answer = await h.client.idCard(image, scenario ? { scenario } : {});
  expect(answer.resultCode).toBe(0);
  return { requestKey: answer.requestKey!, fields: authenticityFieldsFor(answer.result!) };
}

describe('POST /id-card/authenticity', () => {
  it.each(['id-card/resident', 'id-card/driver'])('is true for the values %s recognised', async (scenario) => {
    const { requestKey, fields } = await recognised(scenario);
    const answer = await h.client.authenticity(requestKey, fields);
    expect(answer.body).toEqual({ header: { isSuccessful: true, resultCode: 0, resultMessage: 'SUCCESS' }, result: { isAuthenticity: true } });
  });

  it('is false when a value was altered, and still consumes the key (a normal response)', async () => {
    const { requestKey, fields } = await recognised();
    const answer = await h.client.authenticity(requestKey, { ...fields, name: '김철수' });
    expect(answer.result).toEqual({ isAuthenticity: false });
    expect((await h.client.authenticity(requestKey, fields)).resultCode).toBe(4000122);
  });

  it('cannot reuse a key after a successful call: 4000122', async () => {
    const { requestKey, fields } = await recognised();
    expect((await h.client.authenticity(requestKey, fields)).result).toEqual({ isAuthenticity: true });
    const again = await h.client.authenticity(requestKey, fields);
    expect(again.body).toEqual({ header: { isSuccessful: false, resultCode: 4000122, resultMessage: 'Request Key is invalid or expired.' } });
  });

  it('can reuse a key after calls that failed', async () => {
    const { requestKey, fields } = await recognised();
    const missing = { idType: 'resident', name: 'x' } as const;
    expect((await h.client.authenticity(requestKey, missing)).resultCode).toBe(4000001);
    const undecryptable = await h.client.raw({
      method: 'POST',
      path: `/v2.0/appkeys/${APP.appKey}/id-card/authenticity`,
      headers: await envelopeHeaders(requestKey),
      json: { idType: 'resident', name: 'bm90IGVuY3J5cHRlZA==', residentNumber: 'AAAAAAAAAAAAAAAAAAAAAA==', issueDate: 'AAAAAAAAAAAAAAAAAAAAAA==' },
    });
    expect(undecryptable.body.header.resultCode).toBe(4000303);
    expect((await h.client.authenticity(requestKey, fields, { scenario: 'errors/unavailable' })).resultCode).toBe(5000503);
    expect((await h.client.authenticity(requestKey, fields)).result).toEqual({ isAuthenticity: true });
  });

  it('rejects a key issued to another app key with 4000122', async () => {
    const { requestKey, fields } = await recognised();
    const other = h.clientFor(OTHER_APP);
    expect((await other.authenticity(requestKey, fields)).resultCode).toBe(4000122);
    expect((await h.client.authenticity(requestKey, fields)).result).toEqual({ isAuthenticity: true });
  });

  it('rejects unknown keys with 4000122, and a missing Request-Key with 4000005', async () => {
    const { fields } = await recognised();
    expect((await h.client.authenticity('00000000-0000-4000-8000-000000000000', fields)).resultCode).toBe(4000122);
    expect((await h.client.authenticity(null, fields)).resultCode).toBe(4000005);
  });

  it('expires after an hour of emulator clock (POST /__emulator/clock)', async () => {
    const { requestKey, fields } = await recognised();
    const advance = (seconds: number) =>
      fetch(`${h.url}/__emulator/clock`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ advanceSeconds: seconds }),
      });
    expect((await advance(3599)).status).toBe(200);
    const { requestKey: fresh } = await recognised();
    expect((await advance(1)).status).toBe(200);
    expect((await h.client.authenticity(requestKey, fields)).resultCode).toBe(4000122);
    const freshFields = (await recognised()).fields;
    expect((await h.client.authenticity(fresh, freshFields)).result).toEqual({ isAuthenticity: true });
  });

  it('answers 4000001 for bad JSON and a body that is not an object', async () => {
    const { requestKey } = await recognised();
    const headers = await envelopeHeaders(requestKey);
    const path = `/v2.0/appkeys/${APP.appKey}/id-card/authenticity`;
    const bad = await h.client.raw({ method: 'POST', path, headers: { ...headers, 'Content-Type': 'application/json' }, body: '{"idType": "resident",' });
    expect(bad.body.header.resultCode).toBe(4000001);
    const array = await h.client.raw({ method: 'POST', path, headers, json: [1, 2] });
    expect(array.body.header.resultCode).toBe(4000001);
  });

  it('checks headers before the body: 4000301 for a bad version even with a bad body', async () => {
    const { requestKey } = await recognised();
    const headers = { ...(await envelopeHeaders(requestKey)), 'X-Key-Version': '42' };
    const answer = await h.client.raw({ method: 'POST', path: `/v2.0/appkeys/${APP.appKey}/id-card/authenticity`, headers, body: 'not json' });
    expect(answer.body.header.resultCode).toBe(4000301);
  });

  it('lets id-card/not-authentic script a false verdict for matching values', async () => {
    const { requestKey, fields } = await recognised('id-card/not-authentic');
    expect((await h.client.authenticity(requestKey, fields)).result).toEqual({ isAuthenticity: false });
  });

  it('locks a resident card after five wrong issue dates in a row: 4000123', async () => {
    const scenario = 'id-card/resident';
    const attempts: number[] = [];
    let fields = (await recognised(scenario)).fields;
    for (let i = 0; i < 5; i++) {
      const r = await recognised(scenario);
      fields = r.fields;
      const answer = await h.client.authenticity(r.requestKey, { ...fields, issueDate: '19990101' } as typeof fields);
      attempts.push(answer.resultCode);
      expect(answer.result).toEqual({ isAuthenticity: false });
    }
    const sixth = await recognised(scenario);
    const locked = await h.client.authenticity(sixth.requestKey, sixth.fields);
    expect(locked.body).toEqual({ header: { isSuccessful: false, resultCode: 4000123, resultMessage: 'Registration card authentication is locked.' } });
    expect(attempts).toEqual([0, 0, 0, 0, 0]);
    // Reset unlocks (the admin API forgets everything, keys included: fetch a new one).
    await fetch(`${h.url}/__emulator/reset`, { method: 'POST' });
    await h.client.publicKey('id-card', true);
    const after = await recognised(scenario);
    expect((await h.client.authenticity(after.requestKey, after.fields)).result).toEqual({ isAuthenticity: true });
  });

  it('of 100 concurrent calls with one key, exactly one succeeds and 99 answer 4000122', async () => {
    const { requestKey, fields } = await recognised();
    const answers = await Promise.all(Array.from({ length: 100 }, () => h.client.authenticity(requestKey, fields)));
    const codes = answers.map((a) => a.resultCode);
    expect(codes.filter((c) => c === 0)).toHaveLength(1);
    expect(codes.filter((c) => c === 4000122)).toHaveLength(99);
  });

  async function envelopeHeaders(requestKey: string) {
    const key = await h.client.publicKey('id-card');
    const symmetric = newSymmetricKey();
    return { Authorization: APP.secretKey, 'X-Key-Version': key.version, 'Symmetric-Key': wrapSymmetricKey(key.key, symmetric), 'Request-Key': requestKey };
  }
});

describe('Request-Key TTL setting', () => {
  const short = useEmulator({ requestKeyTtlSeconds: 60 });
  it('EMULATOR_REQUEST_KEY_TTL_SECONDS shortens validity', async () => {
    const answer = await short.client.idCard(image);
    const fields = authenticityFieldsFor(answer.result!);
    await short.emulator.engine.controls.advanceClock(61);
    expect((await short.client.authenticity(answer.requestKey!, fields)).resultCode).toBe(4000122);
  });
});

describe('passport authenticity before 2026-05-27 (EMULATOR_API_DATE=2026-05-26)', () => {
  const dated = useEmulator({ apiDate: '2026-05-26' });
  it('issues a Request-Key for a passport and verifies it', async () => {
    const passport = await dated.client.idCard(image, { scenario: 'id-card/passport' });
    expect(passport.requestKey).toBeDefined();
    const answer = await dated.client.authenticity(passport.requestKey!, authenticityFieldsFor(passport.result!));
    expect(answer.body).toEqual({ header: { isSuccessful: true, resultCode: 0, resultMessage: 'SUCCESS' }, result: { isAuthenticity: true } });
  });
});

describe('passport authenticity withdrawn (the default: the live service since 2026-05-27)', () => {
  const live = useEmulator();
  it('sends no Request-Key for passports and rejects passport authenticity with 4000001', async () => {
    const passport = await live.client.idCard(image, { scenario: 'id-card/passport' });
    expect(passport.resultCode).toBe(0);
    expect(passport.headers.get('request-key')).toBeNull();
    const residentAnswer = await live.client.idCard(image);
    expect(residentAnswer.requestKey).toBeDefined();
    const answer = await live.client.authenticity(residentAnswer.requestKey!, authenticityFieldsFor(passport.result!));
    expect(answer.resultCode).toBe(4000001);
    const client = createOcrClient({ baseUrl: live.url, ...APP });
    expect((await client.authenticity(residentAnswer.requestKey!, authenticityFieldsFor(residentAnswer.result!))).result).toEqual({ isAuthenticity: true });
  });
});
