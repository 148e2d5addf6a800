/**
 * Requests Node's HTTP server would answer (or drop) before the app sees them:
 * - `CONNECT` goes to the server's `connect` event; without a listener the connection closed
 *   with 0 bytes. On an API path it answers 4041007 on HTTP 200, as every method the API lacks.
 * - An `Expect` other than `100-continue` got Node's bare 417; the expectation is ignored
 *   (RFC 9110 section 10.1.1 makes 417 a MAY) and the request gets the API's own answer.
 * - A second `Host` line: Node kept the first and dropped the rest, so the admin API's Host check
 *   read one Host and a proxy in front might read the other. RFC 9112 section 3.2 requires 400.
 */
import { describe, expect, it } from 'vitest';
import { APP, useEmulator } from '../support/harness.js';
import { sendRaw } from '../support/wire-client.js';

const faults: unknown[] = [];
const h = useEmulator({ onFault: (error) => faults.push(error), logger: () => {} });

function raw(text: string) {
  return sendRaw(h.emulator.port, { bytes: Buffer.from(text, 'latin1') });
}

function json(answer: { body: Buffer }): unknown {
  return JSON.parse(answer.body.toString('utf8'));
}

const NOT_FOUND = { header: { isSuccessful: false, resultCode: 4041007, resultMessage: 'URL Not Found' } };

describe('CONNECT', () => {
  it.each([`/v2.0/appkeys/${APP.appKey}/credit-card`, `/v2.0/appkeys/${APP.appKey}/public-keys/id-card`, '127.0.0.1:443'])(
    'CONNECT %s answers HTTP 200 with 4041007, the body delimited by closing (no Content-Length in a 2xx to CONNECT)',
    async (target) => {
      const answer = await raw(`CONNECT ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ${APP.secretKey}\r\n\r\n`);
      expect(answer.closedWithoutAnswer).toBe(false);
      expect(answer.status).toBe(200);
      expect(answer.headers['content-type']).toMatch(/^application\/json/);
      expect(answer.headers['content-length']).toBeUndefined();
      expect(json(answer)).toEqual(NOT_FOUND);
    },
  );

  it('CONNECT to an admin path answers 404 JSON; the server still serves afterwards', async () => {
    const answer = await raw('CONNECT /__emulator/reset HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    expect(answer.status).toBe(404);
    expect(json(answer)).toMatchObject({ error: 'not_found' });
    expect((await h.client.fetchPublicKey('credit-card')).resultCode).toBe(0);
    expect(faults).toEqual([]);
  });
});

describe('Expect other than 100-continue', () => {
  it.each(['999-bogus', 'x', '100-continued'])('Expect: %s on the public-key call gets the API answer, not 417', async (expectation) => {
    const answer = await raw(
      `GET /v2.0/appkeys/${APP.appKey}/public-keys/credit-card HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ${APP.secretKey}\r\nExpect: ${expectation}\r\n\r\n`,
    );
    expect(answer.status).toBe(200);
    expect((json(answer) as { header: { resultCode: number } }).header.resultCode).toBe(0);
  });

  it('with a wrong secret key the answer is the documented 4010001', async () => {
    const answer = await raw(
      `GET /v2.0/appkeys/${APP.appKey}/public-keys/credit-card HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: wrong\r\nExpect: 999-bogus\r\n\r\n`,
    );
    expect(answer.status).toBe(200);
    expect((json(answer) as { header: { resultCode: number } }).header.resultCode).toBe(4010001);
  });

  it('on an admin path: the admin answer', async () => {
    const answer = await raw('GET /__emulator/health HTTP/1.1\r\nHost: 127.0.0.1\r\nExpect: 999-bogus\r\n\r\n');
    expect(answer.status).toBe(200);
    expect(json(answer)).toMatchObject({ status: 'ok' });
  });
});

describe('more than one Host header', () => {
  const reset = (hosts: string) => raw(`POST /__emulator/reset HTTP/1.1\r\n${hosts}Content-Length: 0\r\n\r\n`);

  it.each([
    ['a loopback Host, then another name', 'Host: 127.0.0.1\r\nHost: evil.example\r\n'],
    ['another name, then a loopback Host', 'host: evil.example\r\nHOST: 127.0.0.1\r\n'],
    ['the same Host twice', 'Host: 127.0.0.1\r\nHost: 127.0.0.1\r\n'],
  ])('%s: a bare 400, the connection closed, the admin call never made', async (_what, hosts) => {
    const journal = async () => ((await (await fetch(`${h.url}/__emulator/requests`)).json()) as { requests: unknown[] }).requests.length;
    await h.client.fetchPublicKey('credit-card');
    const before = await journal();
    expect(before).toBeGreaterThan(0);
    const answer = await reset(hosts);
    expect(answer).toMatchObject({ status: 400, closedWithoutAnswer: false, body: Buffer.alloc(0) });
    expect(answer.headers).toEqual({ connection: 'close' });
    // Not reset: the journal is as it was.
    expect(await journal()).toBe(before);
  });

  it('on an API path: a bare 400, journaled with its diagnosis', async () => {
    const path = `/v2.0/appkeys/${APP.appKey}/public-keys/id-card`;
    const answer = await raw(`GET ${path}?x=1 HTTP/1.1\r\nHost: 127.0.0.1\r\nHost: 127.0.0.2\r\nAuthorization: ${APP.secretKey}\r\n\r\n`);
    expect(answer).toMatchObject({ status: 400, closedWithoutAnswer: false });
    const { requests } = (await (await fetch(`${h.url}/__emulator/requests`)).json()) as {
      requests: { method: string; path: string; status: number; diagnosis: string }[];
    };
    expect(requests.find((entry) => entry.status === 400)).toMatchObject({
      method: 'GET',
      path,
      status: 400,
      diagnosis: 'HTTP 400: more than one Host header (RFC 9112 section 3.2)',
    });
  });

  it('one Host line is answered as before', async () => {
    expect((await reset('Host: 127.0.0.1\r\n')).status).toBe(200);
  });
});

describe('a request target in absolute form (RFC 9112 section 3.2.2: its host wins over Host)', () => {
  const get = (target: string, host: string) => raw(`GET ${target} HTTP/1.1\r\nHost: ${host}\r\n\r\n`);

  it('names another host than a loopback Host: the admin API refuses it as it refuses that Host', async () => {
    const answer = await get('http://evil.example/__emulator/requests', '127.0.0.1');
    expect(answer.status).toBe(403);
    expect(json(answer)).toMatchObject({ error: 'cross_origin', message: expect.stringContaining('"evil.example"') });
  });

  it.each(['http://127.0.0.1/__emulator/requests', 'http://localhost:8080/__emulator/requests', 'http://[::1]/__emulator/requests'])(
    '%s with a loopback Host is answered',
    async (target) => {
      expect((await get(target, '127.0.0.1')).status).toBe(200);
    },
  );
});
