/**
 * Slow clients are cut off: a client that trickles its headers (slowloris) gets 408 once the
 * headers deadline passes, one that trickles its body gets 408 at the request deadline, and an
 * idle keep-alive connection is closed. The deadlines are made small here (startEmulator
 * options); what is asserted is that the server hung up before the client was done, never how
 * fast.
 */
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { startEmulator } from '../../server/index.js';
import { fixture } from '../support/fixtures.js';
import { APP, useEmulator } from '../support/harness.js';
import { sendRaw } from '../support/wire-client.js';

const h = useEmulator({ headersTimeoutMs: 300, requestTimeoutMs: 1000, keepAliveTimeoutMs: 200, logger: () => {} });

/** The bytes of a text one at a time. */
function bytewise(text: string): Buffer[] {
  return [...Buffer.from(text, 'latin1')].map((byte) => Buffer.from([byte]));
}

describe('slow clients (headers 300 ms, request 1 s, keep-alive 200 ms)', () => {
  it('headers sent a byte every 50 ms: 408 before the client is done', async () => {
    const request = `GET /v2.0/appkeys/${APP.appKey}/public-keys/credit-card HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ${APP.secretKey}\r\nX-Padding: ${'p'.repeat(100)}\r\n\r\n`;
    const answer = await sendRaw(h.emulator.port, { bytes: bytewise(request), chunkDelayMs: 50, timeoutMs: 30_000 });
    expect(answer.status).toBe(408);
    expect(answer.sentBytes).toBeLessThan(request.length);
  });

  it('a body sent a byte every 50 ms: cut off before the client is done', async () => {
    const head = `POST /v2.0/appkeys/${APP.appKey}/id-card/authenticity HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 400\r\n\r\n`;
    const body = `{"idType":"resident","name":"${'x'.repeat(370)}"}`.slice(0, 400);
    const answer = await sendRaw(h.emulator.port, { bytes: [Buffer.from(head), ...bytewise(body)], chunkDelayMs: 50, timeoutMs: 30_000 });
    // No Authorization: the API answers 4000005 before it reads the body, and Node cuts the
    // connection at the request deadline while the body is still trickling in.
    expect(answer.sentBytes).toBeLessThan(head.length + body.length);
  });

  it('an idle keep-alive connection is closed by the server', async () => {
    const request = `GET /__emulator/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`;
    const socket = connect(h.emulator.port, '127.0.0.1');
    const closed = new Promise<string>((resolve) => {
      let text = '';
      socket.on('data', (data) => (text += data.toString('latin1')));
      socket.on('close', () => resolve(text));
    });
    socket.write(request);
    const text = await closed; // the server closes it: nothing else would
    expect(text).toMatch(/^HTTP\/1\.1 200 OK/);
    expect(text).toMatch(/^Connection: keep-alive/im);
  });

  it('well-behaved clients are unaffected', async () => {
    expect((await h.client.creditCard(fixture('card-428x270.jpg'))).resultCode).toBe(0);
  });
});

describe('the deadlines by default', () => {
  it('are 20 s for headers, 120 s for the whole request, 5 s for an idle keep-alive connection', async () => {
    const emulator = await startEmulator({ port: 0, watchScenarios: false, logger: () => {} });
    try {
      expect(emulator.server.headersTimeout).toBe(20_000);
      expect(emulator.server.requestTimeout).toBe(120_000);
      expect(emulator.server.keepAliveTimeout).toBe(5_000);
    } finally {
      await emulator.close();
    }
  });
});
