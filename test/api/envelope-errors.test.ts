/**
 * Every row of the condition-to-code table that applies to the image endpoints, each checked in
 * isolation and against the row after it (the first condition that applies answers).
 * Source: docs/emulated-api.md, "Which condition gets which code".
 */
import { createServer } from 'node:http';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { createOcrClient, decryptBytes, encryptBytes, newSymmetricKey, wrapSymmetricKey } from '../../contracts/client/index.js';
import { createEngine } from '../../server/create-engine.js';
import { Journal } from '../../server/core/journal.js';
import { createApp } from '../../server/http/pipeline.js';
import { fixture, fixedKeyFactory } from '../support/fixtures.js';
import { APP, useEmulator } from '../support/harness.js';

const LIMIT = 64 * 1024;

/**
 * The plaintext encrypted with a key other than `key`, chosen so that decrypting it with `key`
 * fails the PKCS#7 check. Any random other key fails it only about 255 times in 256 (a last
 * block that happens to end in 0x01 is valid padding, and the server then rightly answers
 * 4000003 for a non-image), so the test picks a key that fails it for certain.
 */
function sealedWithAnotherKey(key: Buffer, plaintext: Buffer): Buffer {
  for (;;) {
    const sealed = encryptBytes(newSymmetricKey(), plaintext);
    try {
      decryptBytes(key, sealed);
    } catch {
      return sealed;
    }
  }
}
const h = useEmulator({ maxUploadBytes: LIMIT });
const card = fixture('card-428x270.jpg');

const ENDPOINTS = [
  { path: 'credit-card', service: 'credit-card' as const },
  { path: 'id-card', service: 'id-card' as const },
  { path: 'id-card/stand-alone', service: 'id-card' as const },
];

describe.each(ENDPOINTS)('errors of POST /$path, in table order', ({ path, service }) => {
  const url = `/v2.0/appkeys/${APP.appKey}/${path}`;

  /** A correct envelope's headers; tests knock one thing out at a time. */
  async function goodHeaders(): Promise<{ headers: Record<string, string>; key: Buffer }> {
    const publicKey = await h.client.publicKey(service);
    const key = newSymmetricKey();
    return {
      key,
      headers: { Authorization: APP.secretKey, 'X-Key-Version': publicKey.version, 'Symmetric-Key': wrapSymmetricKey(publicKey.key, key) },
    };
  }

  async function post(headers: Record<string, string>, image?: Buffer, appKey: string = APP.appKey) {
    const { body, status } = await h.client.raw({
      method: 'POST',
      path: `/v2.0/appkeys/${appKey}/${path}`,
      headers,
      ...(image ? { multipart: { image } } : { multipart: { other: 'x' } }),
    });
    expect(status).toBe(200);
    expect(body).not.toHaveProperty('result');
    expect(body.header.isSuccessful).toBe(false);
    return body.header.resultCode;
  }

  const without = (headers: Record<string, string>, name: string) => Object.fromEntries(Object.entries(headers).filter(([n]) => n !== name));

  it('4041007: a method the path does not have', async () => {
    const res = await request(h.url).get(url).set('Authorization', APP.secretKey);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ header: { isSuccessful: false, resultCode: 4041007, resultMessage: 'URL Not Found' } });
  });

  it('4000005: no Authorization, even for an unknown app key and no other header', async () => {
    const { headers, key } = await goodHeaders();
    expect(await post(without(headers, 'Authorization'), encryptBytes(key, card))).toBe(4000005);
    expect(await post({}, undefined, 'nobody')).toBe(4000005);
  });

  it('4010001: wrong secret or unknown app key, before missing envelope headers', async () => {
    const { headers, key } = await goodHeaders();
    expect(await post({ ...headers, Authorization: 'wrong' }, encryptBytes(key, card))).toBe(4010001);
    expect(await post(headers, encryptBytes(key, card), 'nobody')).toBe(4010001);
    expect(await post({ Authorization: 'wrong' })).toBe(4010001);
  });

  it('4000005: X-Key-Version or Symmetric-Key missing (or empty)', async () => {
    const { headers, key } = await goodHeaders();
    expect(await post(without(headers, 'X-Key-Version'), encryptBytes(key, card))).toBe(4000005);
    expect(await post(without(headers, 'Symmetric-Key'), encryptBytes(key, card))).toBe(4000005);
    expect(await post({ ...headers, 'Symmetric-Key': '' }, encryptBytes(key, card))).toBe(4000005);
  });

  it('4000301: a key version never issued, before a bad Symmetric-Key', async () => {
    const { headers, key } = await goodHeaders();
    expect(await post({ ...headers, 'X-Key-Version': '99' }, encryptBytes(key, card))).toBe(4000301);
    expect(await post({ ...headers, 'X-Key-Version': '99', 'Symmetric-Key': 'garbage' })).toBe(4000301);
  });

  it('4000302: Symmetric-Key not base64, OAEP, 16 bytes, base64url, another key; before a missing image', async () => {
    const { headers, key } = await goodHeaders();
    const publicKey = await h.client.publicKey(service);
    const image = encryptBytes(key, card);
    expect(await post({ ...headers, 'Symmetric-Key': 'not*base64' }, image)).toBe(4000302);
    expect(await post({ ...headers, 'Symmetric-Key': wrapSymmetricKey(publicKey.key, key, 'oaep') }, image)).toBe(4000302);
    expect(await post({ ...headers, 'Symmetric-Key': wrapSymmetricKey(publicKey.key, newSymmetricKey(16)) }, image)).toBe(4000302);
    const urlSafe = headers['Symmetric-Key']!.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
    if (urlSafe !== headers['Symmetric-Key']!.replace(/=+$/, '')) expect(await post({ ...headers, 'Symmetric-Key': urlSafe }, image)).toBe(4000302);
    expect(await post({ ...headers, 'Symmetric-Key': Buffer.alloc(256, 0xff).toString('base64') }, image)).toBe(4000302);
    expect(await post({ ...headers, 'Symmetric-Key': 'AAAA' })).toBe(4000302);
  });

  it('4131000: a body over the limit, before a missing or broken image', async () => {
    const { headers, key } = await goodHeaders();
    const big = Buffer.alloc(LIMIT + 1024, 1);
    expect(await post(headers, encryptBytes(key, big))).toBe(4131000);
    expect(await post(headers, big.subarray(0, LIMIT + 1))).toBe(4131000);
  });

  it('4131000 is enforced while streaming when the size is not declared', async () => {
    const { headers, key } = await goodHeaders();
    const boundary = 'b0undary';
    const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="image"; filename="x"\r\n\r\n`);
    const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
    const body = Buffer.concat([head, encryptBytes(key, Buffer.alloc(LIMIT * 2, 3)), tail]);
    const stream = new ReadableStream({
      start(c) {
        c.enqueue(new Uint8Array(body));
        c.close();
      },
    });
    const res = await fetch(`${h.url}${url}`, {
      method: 'POST',
      headers: { ...headers, 'Content-Type': `multipart/form-data; boundary=${boundary}` },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    expect(((await res.json()) as { header: { resultCode: number } }).header.resultCode).toBe(4131000);
  });

  it('4000001: no image field, a non-multipart body, or the image as a text field', async () => {
    const { headers } = await goodHeaders();
    expect(await post(headers)).toBe(4000001);
    const json = await h.client.raw({ method: 'POST', path: url, headers, json: { image: 'x' } });
    expect(json.body.header.resultCode).toBe(4000001);
    const text = await h.client.raw({ method: 'POST', path: url, headers, multipart: { image: 'plain text' } });
    expect(text.body.header.resultCode).toBe(4000001);
  });

  it('4000004: an empty image, before ciphertext checks', async () => {
    const { headers } = await goodHeaders();
    expect(await post(headers, Buffer.alloc(0))).toBe(4000004);
  });

  it('4000303: truncated ciphertext or another key', async () => {
    const { headers, key } = await goodHeaders();
    expect(await post(headers, encryptBytes(key, card).subarray(0, 1001))).toBe(4000303);
    expect(await post(headers, sealedWithAnotherKey(key, card))).toBe(4000303);
  });

  it('4000003: decrypted bytes that are not JPEG or PNG (including a wrong IV)', async () => {
    const { headers, key } = await goodHeaders();
    expect(await post(headers, encryptBytes(key, Buffer.from('GIF89a not an image at all')))).toBe(4000003);
    expect(await post(headers, encryptBytes(key, card, Buffer.alloc(16)))).toBe(4000003);
  });

  it('4000002: a PNG or JPEG cut short, however short (the AES padding behind it is never read as its size)', async () => {
    const { headers, key } = await goodHeaders();
    const png = fixture('card-428x270.png');
    // 16 and 20 bytes end inside IHDR: a whole block of padding follows, 0x10 bytes that once read as 269488144 x 269488144.
    for (const length of [16, 20, 24, 33, 100, png.length - 1]) {
      expect(await post(headers, encryptBytes(key, png.subarray(0, length))), `PNG cut to ${length} bytes`).toBe(4000002);
    }
    for (const length of [4, 20, 200, card.length - 1]) {
      expect(await post(headers, encryptBytes(key, card.subarray(0, length))), `JPEG cut to ${length} bytes`).toBe(4000002);
    }
    const [entry] = h.emulator.journal.list().slice(-1);
    expect(entry!.diagnosis).toBe(`decrypted ${card.length - 1} bytes start like a JPEG but end before its end-of-image marker (truncated?)`);
  });

  it('stays healthy: a good request after all of the above succeeds', async () => {
    const fresh = createOcrClient({ baseUrl: h.url, ...APP });
    expect((await fresh.creditCard(card)).resultCode).toBe(0);
    expect((await fresh.idCard(card)).resultCode).toBe(0);
  });
});

describe('unknown paths', () => {
  it.each([
    '/',
    '/v2.0',
    '/v2.0/appkeys/x/unknown',
    '/v2.1/appkeys/emulator-appkey/credit-card/',
    '/v2.2/appkeys/emulator-appkey/credit-card',
    '/v1.0/appkeys/x/credit-card',
    '/V2.0/appkeys/emulator-appkey/credit-card',
    '/v2.0/appkeys/emulator-appkey/credit-card/',
  ])('%s answers 4041007 on HTTP 200', async (path) => {
    const res = await request(h.url).post(path).set('Authorization', APP.secretKey);
    expect(res.status).toBe(200);
    expect(res.body.header.resultCode).toBe(4041007);
  });

  it('HEAD and OPTIONS are not operations of the guide', async () => {
    const path = `/v2.0/appkeys/${APP.appKey}/public-keys/credit-card`;
    const options = await request(h.url).options(path).set('Authorization', APP.secretKey);
    expect(options.status).toBe(200);
    expect(options.body.header.resultCode).toBe(4041007);
    const head = await request(h.url).head(path).set('Authorization', APP.secretKey);
    expect(head.status).toBe(200);
    expect(Number(head.headers['content-length'])).toBe(
      JSON.stringify({ header: { isSuccessful: false, resultCode: 4041007, resultMessage: 'URL Not Found' } }).length,
    );
  });

  it('a malformed percent-encoding answers a documented code, not a stack trace', async () => {
    const res = await request(h.url).get('/v2.0/appkeys/%E0%A4%A/public-keys/credit-card').set('Authorization', APP.secretKey);
    expect(res.status).toBe(200);
    expect([4000001, 4010001, 4041007]).toContain(res.body.header.resultCode);
    expect(res.text).not.toMatch(/at .*\.js/);
  });
});

describe('server-side faults', () => {
  it('answer -1 without a stack trace, and the server keeps serving', async () => {
    const engine = createEngine({ credentials: new Map([[APP.appKey, APP.secretKey]]), keyFactory: fixedKeyFactory() });
    const faults: unknown[] = [];
    engine.service.analyzeCreditCard = () => {
      throw new TypeError('boom at secret place');
    };
    const app = createApp(engine, { maxUploadBytes: LIMIT, journal: new Journal(), onFault: (e) => faults.push(e) });
    const server = createServer(app).listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      const { port } = server.address() as { port: number };
      const client = createOcrClient({ baseUrl: `http://127.0.0.1:${port}`, ...APP });
      const answer = await client.creditCard(card);
      expect(answer.body).toEqual({ header: { isSuccessful: false, resultCode: -1, resultMessage: 'Unknown error.' } });
      expect(JSON.stringify(answer.body)).not.toMatch(/boom|secret place/);
      expect(faults).toHaveLength(1);
      expect((await client.fetchPublicKey('credit-card')).resultCode).toBe(0);
    } finally {
      server.close();
    }
  });
});

describe('errors of POST /id-card/authenticity, in table order', () => {
  const path = `/v2.0/appkeys/${APP.appKey}/id-card/authenticity`;
  async function headers(): Promise<Record<string, string>> {
    const publicKey = await h.client.publicKey('id-card');
    return {
      Authorization: APP.secretKey,
      'X-Key-Version': publicKey.version,
      'Symmetric-Key': wrapSymmetricKey(publicKey.key, newSymmetricKey()),
      'Request-Key': '00000000-0000-4000-8000-000000000000',
    };
  }
  const code = async (h2: Record<string, string>, body: string) =>
    (await h.client.raw({ method: 'POST', path, headers: { ...h2, 'Content-Type': 'application/json' }, body })).body.header.resultCode;

  it('4000005 for a missing Request-Key comes before 4000301', async () => {
    const { 'Request-Key': _, ...rest } = await headers();
    expect(await code({ ...rest, 'X-Key-Version': '77' }, '{}')).toBe(4000005);
  });

  it('4131000 for a body over the limit, before JSON is parsed', async () => {
    expect(await code(await headers(), `{"idType":"resident","name":"${'A'.repeat(LIMIT)}"}`)).toBe(4131000);
  });

  it('4000001 (bad body) comes before 4000122 (unknown Request-Key)', async () => {
    expect(await code(await headers(), '{"idType":"resident"}')).toBe(4000001);
  });

  it('4000303 (undecryptable field) comes before 4000122', async () => {
    const body = JSON.stringify({
      idType: 'resident',
      name: 'AAAAAAAAAAAAAAAAAAAAAA==',
      residentNumber: 'AAAAAAAAAAAAAAAAAAAAAA==',
      issueDate: 'AAAAAAAAAAAAAAAAAAAAAA==',
    });
    expect(await code(await headers(), body)).toBe(4000303);
  });
});
