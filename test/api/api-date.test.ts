/**
 * EMULATOR_API_DATE through the wire: every row of the dated table (server/core/api-date.ts),
 * the day before it and the day of it, and the settings around it.
 */
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { createOcrClient, encryptBytes } from '../../contracts/client/index.js';
import { ConfigError, startEmulator } from '../../server/index.js';
import { fixture } from '../support/fixtures.js';
import { APP, useEmulator } from '../support/harness.js';
import { authenticityFieldsFor } from '../support/id-cards.js';
import { issueToken } from '../support/v21.js';

const resident = fixture('id-resident-900x570.jpg');
const MB = 1024 * 1024;

/** A client without the openapi check: before 2024-03-12 answers lack today's `bbox`. */
const plainClient = (url: string) => createOcrClient({ baseUrl: url, ...APP });

describe('2024-03-12: bbox on keyValues', () => {
  const before = useEmulator({ apiDate: '2024-03-11' });
  const on = useEmulator({ apiDate: '2024-03-12' });
  it('is absent the day before and present from the day', async () => {
    const old = await plainClient(before.url).idCard(resident);
    expect(old.resultCode).toBe(0);
    for (const kv of old.result!.keyValues) expect(kv).not.toHaveProperty('bbox');
    const now = await on.client.idCard(resident);
    for (const kv of now.result!.keyValues) expect(kv.bbox).toMatchObject({ x1: expect.any(Number) });
  });
});

describe('2024-04-09: driver serialNum optional', () => {
  const before = useEmulator({ apiDate: '2024-04-08' });
  const on = useEmulator({ apiDate: '2024-04-09' });
  async function withoutSerial(h: typeof before) {
    const read = await plainClient(h.url).idCard(resident, { scenario: 'id-card/driver' });
    const { serialNum: _omitted, ...fields } = authenticityFieldsFor(read.result!) as Record<string, string>;
    return { read, answer: await plainClient(h.url).authenticity(read.requestKey!, fields) };
  }
  it('is required the day before (4000001), and the key stays usable with it', async () => {
    const { read, answer } = await withoutSerial(before);
    expect(answer.resultCode).toBe(4000001);
    const full = await plainClient(before.url).authenticity(read.requestKey!, authenticityFieldsFor(read.result!));
    expect(full.result).toEqual({ isAuthenticity: true });
  });
  it('may be left out from the day', async () => {
    expect((await withoutSerial(on)).answer.result).toEqual({ isAuthenticity: true });
  });
});

describe('2024-08-13: the resident lock (4000123)', () => {
  const before = useEmulator({ apiDate: '2024-08-12' });
  const on = useEmulator({ apiDate: '2024-08-13' });
  async function sixWrong(url: string): Promise<number[]> {
    const client = plainClient(url);
    const codes: number[] = [];
    for (let i = 0; i < 6; i++) {
      const read = await client.idCard(resident, { scenario: 'id-card/resident' });
      const fields = authenticityFieldsFor(read.result!);
      codes.push((await client.authenticity(read.requestKey!, { ...fields, issueDate: '19990101' } as typeof fields)).resultCode);
    }
    return codes;
  }
  it('never locks the day before; locks after five wrong issue dates from the day', async () => {
    expect(await sixWrong(before.url)).toEqual([0, 0, 0, 0, 0, 0]);
    expect(await sixWrong(on.url)).toEqual([0, 0, 0, 0, 0, 4000123]);
  });
});

describe('2026-03-10: v2.1 and the token issuer', () => {
  const before = useEmulator({ apiDate: '2026-03-09' });
  const on = useEmulator({ apiDate: '2026-03-10' });
  it.each(['/oauth2/token/create', '/oauth2/token/revoke', `/v2.1/appkeys/${APP.appKey}/public-keys/id-card`])(
    '%s answers 4041007 on HTTP 200 the day before',
    async (path) => {
      const res = await request(before.url)
        [path.startsWith('/v2.1') ? 'get' : 'post'](path)
        .set('X-NHN-Authorization', 'Bearer x')
        .type('form')
        .send('grant_type=client_credentials');
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ header: { isSuccessful: false, resultCode: 4041007, resultMessage: 'URL Not Found' } });
    },
  );
  it('is served from the day', async () => {
    const token = await issueToken(on.url);
    const res = await request(on.url).get(`/v2.1/appkeys/${APP.appKey}/public-keys/id-card`).set('X-NHN-Authorization', `Bearer ${token}`);
    expect(res.body.header.resultCode).toBe(0);
  });
});

describe('2026-05-27: passport authenticity withdrawn', () => {
  const before = useEmulator({ apiDate: '2026-05-26' });
  const on = useEmulator({ apiDate: '2026-05-27' });
  it('issues a passport Request-Key and verifies it the day before', async () => {
    const read = await before.client.idCard(resident, { scenario: 'id-card/passport' });
    expect(read.requestKey).toMatch(/^[0-9a-f-]{36}$/);
    expect((await before.client.authenticity(read.requestKey!, authenticityFieldsFor(read.result!))).result).toEqual({ isAuthenticity: true });
  });
  it('issues none from the day, and refuses passport authenticity with 4000001', async () => {
    const read = await on.client.idCard(resident, { scenario: 'id-card/passport' });
    expect(read.resultCode).toBe(0);
    expect(read.requestKey).toBeUndefined();
    const other = await on.client.idCard(resident);
    expect((await on.client.authenticity(other.requestKey!, authenticityFieldsFor(read.result!))).resultCode).toBe(4000001);
  });
});

describe('2026-08-11: 20 MB requests (5 MB before)', () => {
  const before = useEmulator({ apiDate: '2026-08-10' });
  const on = useEmulator({ apiDate: '2026-08-11' });
  const overridden = useEmulator({ apiDate: '2023-08-29', maxUploadBytes: 8 * MB });
  // 6 MB of encrypted noise: past the size check it decrypts fine and is no image (4000003).
  const noise = randomBytes(6 * MB);
  const upload = (url: string) => {
    const key = randomBytes(32);
    return plainClient(url).creditCard(noise, { symmetricKey: key, imageCiphertext: encryptBytes(key, noise) });
  };
  it('refuses a 6 MB request with 4131000 the day before', async () => {
    expect((await upload(before.url)).resultCode).toBe(4131000);
  });
  it('takes it from the day (here: 4000003, the noise is no image)', async () => {
    expect((await upload(on.url)).resultCode).toBe(4000003);
  });
  it('EMULATOR_MAX_UPLOAD_BYTES still wins over the dated limit', async () => {
    expect((await upload(overridden.url)).resultCode).toBe(4000003);
  });
});

describe('the setting', () => {
  const dated = useEmulator({ apiDate: '2023-08-29' });
  it('2023-08-29 is the 2023 guide whole: passport Request-Key and authenticity, no v2.1, 5 MB', async () => {
    const passport = await plainClient(dated.url).idCard(resident, { scenario: 'id-card/passport' });
    expect(passport.requestKey).toMatch(/^[0-9a-f-]{36}$/);
    expect((await plainClient(dated.url).authenticity(passport.requestKey!, authenticityFieldsFor(passport.result!))).result).toEqual({ isAuthenticity: true });
    expect((await request(dated.url).get(`/v2.1/appkeys/${APP.appKey}/public-keys/id-card`)).body.header.resultCode).toBe(4041007);
    const noise = randomBytes(6 * MB);
    const key = randomBytes(32);
    expect((await plainClient(dated.url).creditCard(noise, { symmetricKey: key, imageCiphertext: encryptBytes(key, noise) })).resultCode).toBe(4131000);
  });
  it('GET /__emulator/health reports the effective date', async () => {
    expect((await request(dated.url).get('/__emulator/health')).body).toEqual({ status: 'ok', apiDate: '2023-08-29', apiDatePinned: true });
  });
  it('the in-flight upload budget follows the dated limit: 4 x 5 MB in 2023', async () => {
    expect((await request(dated.url).get('/__emulator/stats')).body.uploads.maxBytes).toBe(4 * 5 * MB);
  });
  it('refuses a date before the 2023-08 guide, naming the earliest', async () => {
    await expect(startEmulator({ port: 0, apiDate: '2023-08-28' })).rejects.toThrow(ConfigError);
    await expect(startEmulator({ port: 0, apiDate: '2023-08-28' })).rejects.toThrow(/2023-08-29 or later/);
  });
});
