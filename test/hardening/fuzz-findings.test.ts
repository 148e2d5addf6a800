/**
 * What the wire fuzzer found, one test each, so that a fix cannot quietly come undone:
 * - Node's parser refused well-formed but unknown method tokens with a bare 400;
 * - an authenticity body whose idType nests thousands of levels overflowed the stack (-1);
 * - a client that went away mid-body was reported as an internal fault;
 * - the admin API answered 500 to requests it could not read (a charset or Content-Encoding it
 *   does not know, a path that does not decode) instead of a 4xx;
 * - POST /__emulator/clock could move the clock past what a Date can print, after which every
 *   request failed with -1.
 */
import { describe, expect, it } from 'vitest';
import { newSymmetricKey, wrapSymmetricKey } from '../../contracts/client/index.js';
import { fixture } from '../support/fixtures.js';
import { APP, useEmulator } from '../support/harness.js';
import { sendRaw } from '../support/wire-client.js';

const faults: unknown[] = [];
const h = useEmulator({ onFault: (error) => faults.push(error), logger: () => {} });

function raw(text: string | Buffer, options: { endAfterWrite?: boolean } = {}) {
  return sendRaw(h.emulator.port, { bytes: typeof text === 'string' ? Buffer.from(text, 'latin1') : text, ...options });
}

function json(answer: { body: Buffer }): unknown {
  return JSON.parse(answer.body.toString('utf8'));
}

async function envelopeHeaders(service: 'credit-card' | 'id-card'): Promise<string> {
  const publicKey = await h.client.publicKey(service);
  return `Authorization: ${APP.secretKey}\r\nX-Key-Version: ${publicKey.version}\r\nSymmetric-Key: ${wrapSymmetricKey(publicKey.key, newSymmetricKey())}\r\n`;
}

describe('methods the HTTP parser does not know', () => {
  it.each(['post', 'Get', 'BREW', 'X-CUSTOM'])('%s on an API path answers HTTP 200 with 4041007', async (method) => {
    const answer = await raw(`${method} /v2.0/appkeys/${APP.appKey}/credit-card HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n`);
    expect(answer.status).toBe(200);
    expect(json(answer)).toEqual({ header: { isSuccessful: false, resultCode: 4041007, resultMessage: 'URL Not Found' } });
    expect(answer.headers['connection']).toBe('close');
  });

  it('on an admin path answers 404 JSON', async () => {
    const answer = await raw('BREW /__emulator/queue HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    expect(answer.status).toBe(404);
    expect(json(answer)).toMatchObject({ error: 'not_found' });
  });

  it("bytes that are no HTTP at all still get Node's bare 400, and an oversized header section 431", async () => {
    const garbage = await raw('P\u0000ST / HTTP/1.1\r\n\r\n');
    expect(garbage.status).toBe(400);
    expect(garbage.body.length).toBe(0);
    const huge = await raw(`GET /v2.0/appkeys/${APP.appKey}/public-keys/id-card HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    expect(huge.status).toBe(431);
  });
});

describe('authenticity bodies that used to fault', () => {
  const path = `/v2.0/appkeys/${APP.appKey}/id-card/authenticity`;

  it('an idType nested 20,000 levels deep answers 4000001, not -1', async () => {
    const body = `{"idType":${'['.repeat(20_000)}${']'.repeat(20_000)},"name":"x"}`;
    const answer = await raw(
      `POST ${path} HTTP/1.1\r\nHost: x\r\n${await envelopeHeaders('id-card')}Request-Key: 00000000-0000-4000-8000-000000000000\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
    );
    expect((json(answer) as { header: { resultCode: number } }).header.resultCode).toBe(4000001);
    expect(faults).toEqual([]);
  });

  it('a client that closes mid-body is not an internal fault', async () => {
    const answer = await raw(
      `POST ${path} HTTP/1.1\r\nHost: x\r\n${await envelopeHeaders('id-card')}Request-Key: 00000000-0000-4000-8000-000000000000\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{"idType"`,
      { endAfterWrite: true },
    );
    expect(answer.status === 400 || answer.closedWithoutAnswer).toBe(true); // the message is incomplete: Node's parser says so
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(faults).toEqual([]);
    expect((await h.client.creditCard(fixture('card-428x270.jpg'))).resultCode).toBe(0);
  });
});

describe('admin requests the admin API cannot read answer 4xx JSON, never 500', () => {
  const post = (headers: string, body: string) =>
    raw(`POST /__emulator/queue HTTP/1.1\r\nHost: 127.0.0.1\r\n${headers}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);

  it.each([
    ['a charset it does not know', 'Content-Type: application/json; charset=koi8-zz\r\n', '{}', 415],
    ['a Content-Encoding it does not know', 'Content-Type: application/json\r\nContent-Encoding: x-zip\r\n', '{}', 415],
    ['gzip that is not gzip', 'Content-Type: application/json\r\nContent-Encoding: gzip\r\n', 'not gzip at all', 400],
  ])('%s: %i', async (_what, headers, body, status) => {
    const answer = await post(headers, body);
    expect(answer.status).toBe(status);
    expect(json(answer)).toMatchObject({ error: 'bad_request', message: expect.any(String) });
  });

  it('a path parameter that does not decode: 400', async () => {
    const answer = await raw('GET /__emulator/scenarios/%E0%A4 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    expect(answer.status).toBe(400);
    expect(json(answer)).toMatchObject({ error: 'bad_request' });
  });
});

describe('POST /__emulator/clock', () => {
  it('refuses to move the clock past the year 9000, and the emulator keeps answering', async () => {
    const advance = (advanceSeconds: number) =>
      fetch(`${h.url}/__emulator/clock`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ advanceSeconds }) });
    for (const seconds of [1e300, 1e15, 8.64e12]) {
      const refused = await advance(seconds);
      expect(refused.status).toBe(400);
      expect(await refused.json()).toMatchObject({ error: 'bad_request', message: expect.stringContaining('9000') });
    }
    expect((await advance(86_400)).status).toBe(200);
    expect((await h.client.creditCard(fixture('card-428x270.jpg'))).resultCode).toBe(0);
    expect(faults).toEqual([]);
  });
});

describe('an answer ready before the body has arrived (found by the soak)', () => {
  it('waits for the rest of the body, so a client that reads only after sending gets it', async () => {
    // A wrong secret fails before the body is read; the client asked for Connection: close and,
    // like most HTTP clients, reads only once it has sent everything. Closing early reset the
    // connection and the client lost the answer.
    const piece = Buffer.alloc(64 * 1024, 0x41);
    const head = Buffer.from(
      `POST /v2.0/appkeys/${APP.appKey}/credit-card HTTP/1.1\r\nHost: x\r\nAuthorization: wrong\r\nContent-Type: multipart/form-data; boundary=b\r\nContent-Length: ${piece.length * 40}\r\nConnection: close\r\n\r\n`,
    );
    const answer = await sendRaw(h.emulator.port, {
      bytes: [head, ...Array.from({ length: 40 }, () => piece)],
      chunkDelayMs: 5,
      readAfterWrite: true,
      timeoutMs: 20_000,
    });
    expect(answer.closedWithoutAnswer).toBe(false);
    expect((json(answer) as { header: { resultCode: number } }).header.resultCode).toBe(4010001);
  });
});

describe('an unknown method with a body still being sent (found by the soak)', () => {
  it('gets its 4041007 even when the client reads only after sending', async () => {
    const piece = Buffer.alloc(64 * 1024, 0x41);
    const head = Buffer.from(
      `GETS /v2.0/appkeys/${APP.appKey}/credit-card HTTP/1.1\r\nHost: x\r\nContent-Length: ${piece.length * 20}\r\nConnection: close\r\n\r\n`,
    );
    const answer = await sendRaw(h.emulator.port, {
      bytes: [head, ...Array.from({ length: 20 }, () => piece)],
      chunkDelayMs: 5,
      readAfterWrite: true,
      timeoutMs: 20_000,
    });
    expect(answer.closedWithoutAnswer).toBe(false);
    expect(json(answer)).toEqual({ header: { isSuccessful: false, resultCode: 4041007, resultMessage: 'URL Not Found' } });
  });
});

describe('requests found by a longer run under load', () => {
  it('a path that does not decode, with a body still being sent: the client gets its answer', async () => {
    const piece = Buffer.alloc(64 * 1024, 0x41);
    const head = Buffer.from(
      `POST /v2.0/appkeys/%FF/id-card HTTP/1.1\r\nHost: x\r\nAuthorization: x\r\nContent-Length: ${piece.length * 20}\r\nConnection: close\r\n\r\n`,
    );
    const answer = await sendRaw(h.emulator.port, {
      bytes: [head, ...Array.from({ length: 20 }, () => piece)],
      chunkDelayMs: 5,
      readAfterWrite: true,
      timeoutMs: 20_000,
    });
    expect(answer.closedWithoutAnswer).toBe(false);
    expect((json(answer) as { header: { resultCode: number } }).header.resultCode).toBe(4000001);
  });

  it('If-None-Match: * gets the answer, not 304 (API and admin)', async () => {
    // Raw, since fetch adds Cache-Control: no-cache to a conditional request, which hides it.
    const api = await raw(
      `GET /v2.0/appkeys/${APP.appKey}/public-keys/credit-card HTTP/1.1\r\nHost: x\r\nAuthorization: ${APP.secretKey}\r\nIf-None-Match: *\r\n\r\n`,
    );
    expect(api.status).toBe(200);
    expect((json(api) as { header: { resultCode: number } }).header.resultCode).toBe(0);
    const admin = await raw(
      `GET /__emulator/requests?limit=1 HTTP/1.1\r\nHost: 127.0.0.1\r\nIf-None-Match: *\r\nIf-Modified-Since: ${new Date().toUTCString()}\r\n\r\n`,
    );
    expect(admin.status).toBe(200);
  });
});
