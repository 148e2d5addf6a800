/**
 * The journal as a debugging aid: for each classic envelope mistake, the diagnosis text read back
 * from GET /__emulator/requests, and what an entry holds for a good request.
 */
import { createHash } from 'node:crypto';
import request from 'supertest';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createOcrClient, encryptBytes, wrapSymmetricKey, type OcrClient } from '../../contracts/client/index.js';
import type { JournalEntry } from '../../server/core/journal.js';
import { startEmulator, type RunningEmulator } from '../../server/index.js';
import { fixture, fixedKeyFactory } from '../support/fixtures.js';
import { APP, useEmulator } from '../support/harness.js';

const h = useEmulator({ watchScenarios: false });
const png = fixture('card-428x270.png');
const resident = fixture('id-resident-900x570.jpg');

/** Fixed keys, so that every ciphertext below is the same on every run. */
const KEY = Buffer.from('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f', 'hex');
const OTHER_KEY = Buffer.from('1f1e1d1c1b1a191817161514131211100f0e0d0c0b0a09080706050403020100', 'hex');

let client: OcrClient;
beforeEach(async () => {
  await request(h.url).post('/__emulator/reset').expect(200);
  client = h.clientFor(APP);
});

async function journal(url: string, query = ''): Promise<JournalEntry[]> {
  return ((await request(url).get(`/__emulator/requests${query}`).expect(200)).body as { requests: JournalEntry[] }).requests;
}

/** The newest journal entry. */
async function last(url = h.url): Promise<JournalEntry> {
  const [entry] = await journal(url, '?limit=1');
  return entry!;
}

describe('diagnoses of failed envelopes', () => {
  it('a 16-byte symmetric key', async () => {
    const { key } = await client.publicKey('credit-card');
    const answer = await client.creditCard(png, { symmetricKeyHeader: wrapSymmetricKey(key, KEY.subarray(0, 16)) });
    expect(answer.resultCode).toBe(4000302);
    expect(await last()).toMatchObject({ resultCode: 4000302, diagnosis: 'Symmetric-Key unwrapped to 16 bytes, expected 32' });
  });

  it('a key wrapped with OAEP', async () => {
    // An OAEP block starts 00 and then a random byte: one in 256 starts 00 02 like PKCS#1 v1.5
    // and fails a later check instead. Three tries make that a one-in-16-million miss.
    let diagnosis: string | undefined;
    for (let attempt = 0; attempt < 3 && !diagnosis?.includes('type-2'); attempt++) {
      expect((await client.creditCard(png, { padding: 'oaep' })).resultCode).toBe(4000302);
      diagnosis = (await last()).diagnosis;
    }
    expect(diagnosis).toBe('RSA block does not carry PKCS#1 v1.5 type-2 padding (wrapped with OAEP, with another public key, or not RSA at all?)');
  });

  it('a key in base64url', async () => {
    const { key } = await client.publicKey('credit-card');
    let wrapped = wrapSymmetricKey(key, KEY);
    // PKCS#1 v1.5 padding is random: wrap again until the standard alphabet shows (+ or /).
    while (!/[+/]/.test(wrapped)) wrapped = wrapSymmetricKey(key, KEY);
    const base64url = wrapped.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
    expect((await client.creditCard(png, { symmetricKey: KEY, symmetricKeyHeader: base64url })).resultCode).toBe(4000302);
    expect((await last()).diagnosis).toBe(
      'Symmetric-Key is not base64: it uses the URL-safe alphabet (- and _); the service expects standard base64 (+ and /)',
    );
  });

  it('a ciphertext that is not whole AES blocks', async () => {
    expect((await client.creditCard(png, { imageCiphertext: Buffer.alloc(1001, 0xa5) })).resultCode).toBe(4000303);
    expect((await last()).diagnosis).toBe('image ciphertext is 1001 bytes, not a multiple of 16');
  });

  it('a ciphertext sent as base64 text', async () => {
    const text = Buffer.from(encryptBytes(KEY, png).toString('base64').slice(0, 1000));
    expect((await client.creditCard(png, { symmetricKey: KEY, imageCiphertext: text })).resultCode).toBe(4000303);
    expect((await last()).diagnosis).toBe('image ciphertext is 1000 bytes, not a multiple of 16 (it looks like base64 text: send the raw ciphertext bytes)');
  });

  it('an image encrypted with another key', async () => {
    const answer = await client.creditCard(png, { symmetricKey: KEY, imageCiphertext: encryptBytes(OTHER_KEY, png) });
    expect(answer.resultCode).toBe(4000303);
    expect((await last()).diagnosis).toBe('PKCS#7 padding invalid after decryption: the image was not encrypted with this key');
  });

  it('an IV other than the first 16 bytes of the key', async () => {
    const answer = await client.creditCard(png, { symmetricKey: KEY, iv: OTHER_KEY.subarray(0, 16) });
    expect(answer.resultCode).toBe(4000003);
    expect((await last()).diagnosis).toBe('the first 16 decrypted bytes are garbled but the rest is a PNG: the IV was not the first 16 bytes of the key');
  });

  it('an IV sent in front of the ciphertext', async () => {
    const iv = OTHER_KEY.subarray(0, 16);
    const answer = await client.creditCard(png, { symmetricKey: KEY, imageCiphertext: Buffer.concat([iv, encryptBytes(KEY, png, iv)]) });
    expect(answer.resultCode).toBe(4000003);
    expect((await last()).diagnosis).toBe(
      'decrypted bytes 16.. are a PNG: the client put its own IV in front of the ciphertext; the IV must be the first 16 bytes of the key and is not sent',
    );
  });

  it('decrypted bytes that are no image', async () => {
    const text = Buffer.from('%PDF-1.7 not an image, but encrypted the right way');
    expect((await client.creditCard(text, { symmetricKey: KEY })).resultCode).toBe(4000003);
    expect((await last()).diagnosis).toBe(`decrypted ${text.length} bytes are neither JPEG nor PNG (a PDF)`);
    const noise = Buffer.from('just some words, encrypted the right way');
    expect((await client.creditCard(noise, { symmetricKey: KEY })).resultCode).toBe(4000003);
    expect((await last()).diagnosis).toBe(`decrypted ${noise.length} bytes are neither JPEG nor PNG (no file signature the emulator knows)`);
  });

  it('a key version that was revoked, and one never issued', async () => {
    await client.publicKey('credit-card');
    await request(h.url).post('/__emulator/keys/credit-card/rotate').expect(200);
    await request(h.url).post('/__emulator/keys/credit-card/rotate').expect(200);
    const version2 = await client.publicKey('credit-card', true);
    expect(version2.version).toBe('2');
    expect((await request(h.url).post('/__emulator/keys/credit-card/revoke').send({ version: '2' }).expect(200)).body.current).toBe('3');

    expect((await client.creditCard(png, { publicKey: version2 })).resultCode).toBe(4000301);
    expect(await last()).toMatchObject({ resultCode: 4000301, diagnosis: 'X-Key-Version 2 was revoked', envelope: { keyVersion: '2' } });

    expect((await client.creditCard(png, { keyVersion: '9' })).resultCode).toBe(4000301);
    expect((await last()).diagnosis).toMatch(
      new RegExp(
        `^X-Key-Version 9 was never issued for credit-card of appKey "${APP.appKey}" \\(issued: 0, 1, 2, 3\\); this emulator's keys date from the reset at \\d{4}-`,
      ),
    );
  });

  it('a missing header, and a wrong secret key', async () => {
    await client.creditCard(png, { headers: { 'Symmetric-Key': null } });
    expect(await last()).toMatchObject({ resultCode: 4000005, diagnosis: 'Symmetric-Key header is missing' });
    await client.creditCard(png, { headers: { Authorization: 'wrong' } });
    expect(await last()).toMatchObject({ resultCode: 4010001, diagnosis: `Authorization is not the secret key of appKey "${APP.appKey}"` });
  });

  it('a scripted failure names its scenario and call', async () => {
    await client.creditCard(png, { scenario: 'errors/flaky' });
    await client.creditCard(png, { scenario: 'errors/flaky' });
    expect(await last()).toMatchObject({
      resultCode: 5000503,
      diagnosis: 'scripted by scenario "errors/flaky" (call 2)',
      scenario: { name: 'errors/flaky', reason: 'header', call: 1 },
    });
  });
});

describe('what an entry holds', () => {
  it('a good request: image type, size, SHA-256, bytes, key facts, scenario, result code and duration', async () => {
    expect((await client.creditCard(png)).resultCode).toBe(0);
    const entry = await last();
    expect(entry).toEqual({
      id: expect.any(Number),
      time: expect.any(String),
      method: 'POST',
      path: `/v2.0/appkeys/${APP.appKey}/credit-card`,
      api: 'v2.0',
      endpoint: 'credit-card',
      appKey: APP.appKey,
      scenario: { name: 'credit-card/ok', reason: 'built-in-default', call: 0 },
      resultCode: 0,
      status: 200,
      durationMs: expect.any(Number),
      envelope: {
        keyVersion: '0',
        symmetricKeyBytes: 32,
        image: { fileType: 'png', width: 428, height: 270, bytes: png.length, sha256: createHash('sha256').update(png).digest('hex') },
      },
    });
    expect(entry.durationMs).toBeGreaterThanOrEqual(0);
    expect(Number.isNaN(Date.parse(entry.time))).toBe(false);
    expect(entry).not.toHaveProperty('diagnosis');
  });

  it('never the symmetric key or decrypted values', async () => {
    const answer = await client.creditCard(png, { symmetricKey: KEY });
    const text = JSON.stringify(await journal(h.url));
    expect(text).not.toContain(KEY.toString('hex'));
    expect(text).not.toContain(KEY.toString('base64'));
    expect(text).not.toContain(answer.result!.totalCardNum);
  });

  it('an /id-card request: the Request-Key it issued', async () => {
    await client.idCard(resident);
    expect(await last()).toMatchObject({
      endpoint: 'id-card',
      requestKey: { issued: true },
      envelope: { image: { fileType: 'jpg', width: 900, height: 570 } },
    });
  });

  it('authenticity: field names with masked values, length kept', async () => {
    const read = await client.idCard(resident);
    const values = Object.fromEntries(read.result!.keyValues.map((kv) => [kv.key, kv.value]));
    const fields = { idType: 'resident' as const, name: values['name']!, residentNumber: values['residentNumber']!, issueDate: values['issueDate']! };
    expect((await client.authenticity(read.requestKey!, fields)).result).toEqual({ isAuthenticity: true });
    const entry = await last();
    expect(entry).toMatchObject({ endpoint: 'id-card/authenticity', resultCode: 0, requestKey: { used: true } });
    expect(entry.envelope?.authenticity).toEqual({
      idType: 'resident',
      fields: {
        name: '*'.repeat([...fields.name].length),
        residentNumber: '*'.repeat(fields.residentNumber.length),
        issueDate: '*'.repeat(fields.issueDate.length),
      },
    });
  });

  it('authenticity, not authentic: which fields differ, by name only', async () => {
    const read = await client.idCard(resident);
    const values = Object.fromEntries(read.result!.keyValues.map((kv) => [kv.key, kv.value]));
    const fields = { idType: 'resident' as const, name: '아무개', residentNumber: values['residentNumber']!, issueDate: values['issueDate']! };
    expect((await client.authenticity(read.requestKey!, fields)).result).toEqual({ isAuthenticity: false });
    const entry = await last();
    expect(entry.diagnosis).toMatch(/^not authentic: name differ/);
    expect(JSON.stringify(entry)).not.toContain('아무개');
  });
});

describe('journalValues: true', () => {
  let emulator: RunningEmulator;
  beforeAll(async () => {
    emulator = await startEmulator({ port: 0, keyFactory: fixedKeyFactory(), journalValues: true, watchScenarios: false });
  });
  afterAll(async () => {
    await emulator?.close();
  });

  it('shows authenticity values in the journal', async () => {
    const shown = createOcrClient({ baseUrl: emulator.url, ...APP });
    const read = await shown.idCard(resident);
    const values = Object.fromEntries(read.result!.keyValues.map((kv) => [kv.key, kv.value]));
    const fields = { idType: 'resident' as const, name: values['name']!, residentNumber: values['residentNumber']!, issueDate: values['issueDate']! };
    await shown.authenticity(read.requestKey!, fields);
    expect((await last(emulator.url)).envelope?.authenticity).toEqual({
      idType: 'resident',
      fields: { name: fields.name, residentNumber: fields.residentNumber, issueDate: fields.issueDate },
    });
  });
});

describe('journalSize', () => {
  let emulator: RunningEmulator;
  beforeAll(async () => {
    emulator = await startEmulator({ port: 0, keyFactory: fixedKeyFactory(), journalSize: 5, watchScenarios: false });
  });
  afterAll(async () => {
    await emulator?.close();
  });

  it('keeps the newest entries only: 5 of 10', async () => {
    for (let i = 0; i < 10; i++) {
      await request(emulator.url)
        .get(`/v2.0/appkeys/${APP.appKey}/public-keys/credit-card`)
        .set('Authorization', i < 5 ? 'wrong' : APP.secretKey);
    }
    const res = await request(emulator.url).get('/__emulator/requests').expect(200);
    expect(res.body.capacity).toBe(5);
    const entries = res.body.requests as JournalEntry[];
    expect(entries).toHaveLength(5);
    expect(entries.map((e) => e.resultCode)).toEqual([0, 0, 0, 0, 0]);
    expect(entries.map((e) => e.id)).toEqual([6, 7, 8, 9, 10]);
  });
});
