/**
 * The header-section limits are the emulator's own (server/http/header-limits.ts), not the
 * running Node version's: 1,000 header lines and 16 KiB pass, one line or byte more gets a bare
 * 431 and a closed connection, and the server serves the next request.
 */
import { describe, expect, it } from 'vitest';
import { MAX_HEADER_BYTES, MAX_HEADER_LINES } from '../../server/http/header-limits.js';
import { APP, useEmulator } from '../support/harness.js';
import { sendRaw, type WireAnswer } from '../support/wire-client.js';

const h = useEmulator();
const port = () => Number(new URL(h.url).port);

/** A public-key GET with `lines` header lines in all (Host and Authorization included). */
function withLines(lines: number, value = 'x', method = 'GET'): Buffer {
  const filler = Array.from({ length: lines - 3 }, (_, i) => `X-Filler-${i}: ${value}\r\n`).join('');
  return Buffer.from(
    `${method} /v2.0/appkeys/${APP.appKey}/public-keys/credit-card HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ${APP.secretKey}\r\n${filler}Connection: close\r\n\r\n`,
  );
}

function expectBare431(answer: WireAnswer): void {
  expect(answer.status).toBe(431);
  expect(answer.headers['content-type']).toBeUndefined();
  expect(answer.body.length).toBe(0);
}

describe('header limits', () => {
  it(`answers a request with ${MAX_HEADER_LINES} header lines`, async () => {
    const answer = await sendRaw(port(), { bytes: withLines(MAX_HEADER_LINES) });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body.toString('utf8')).header.resultCode).toBe(0);
  });

  it(`refuses ${MAX_HEADER_LINES + 1} header lines with a bare 431, and serves the next request`, async () => {
    expectBare431(await sendRaw(port(), { bytes: withLines(MAX_HEADER_LINES + 1) }));
    expect((await fetch(`${h.url}/__emulator/health`)).status).toBe(200);
  });

  it(`holds for a method the parser does not know (found by the wire fuzz): ${MAX_HEADER_LINES} lines 4041007, one more a bare 431`, async () => {
    for (const method of ['post', 'BREW']) {
      const answer = await sendRaw(port(), { bytes: withLines(MAX_HEADER_LINES, 'x', method) });
      expect(answer.status).toBe(200);
      expect(JSON.parse(answer.body.toString('utf8')).header.resultCode).toBe(4041007);
      expectBare431(await sendRaw(port(), { bytes: withLines(MAX_HEADER_LINES + 1, 'x', method) }));
      expectBare431(await sendRaw(port(), { bytes: Buffer.from(`${method} /__emulator/ HTTP/1.1\r\n${'Referer: \r\n'.repeat(MAX_HEADER_LINES + 1)}\r\n`) }));
    }
    expect((await fetch(`${h.url}/__emulator/health`)).status).toBe(200);
  });

  it(`refuses a header section over ${MAX_HEADER_BYTES} bytes with a bare 431`, async () => {
    const long = Buffer.from(`GET /__emulator/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Long: ${'a'.repeat(MAX_HEADER_BYTES)}\r\n\r\n`);
    expectBare431(await sendRaw(port(), { bytes: long }));
    const fits = Buffer.from(
      `GET /__emulator/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Long: ${'a'.repeat(MAX_HEADER_BYTES - 200)}\r\nConnection: close\r\n\r\n`,
    );
    expect((await sendRaw(port(), { bytes: fits })).status).toBe(200);
  });
});
