/**
 * A multipart body busboy never finishes (a part begun after the closing delimiter in one chunk,
 * cut by the next) is answered 4000001 once the body has ended, instead of hanging until the
 * request timeout; the server stays healthy.
 */
import { describe, expect, it } from 'vitest';
import { newSymmetricKey, wrapSymmetricKey } from '../../contracts/client/index.js';
import { APP, useEmulator } from '../support/harness.js';
import { sendRaw } from '../support/wire-client.js';

const h = useEmulator({ watchScenarios: false });

describe('a multipart body that never closes a part', () => {
  it('answers 4000001 soon after the body ends, and a good request still succeeds', async () => {
    const key = await h.client.publicKey('credit-card');
    // A case the generator of test/support/multipart-bodies.ts found, in the chunks it arrives in:
    // a part whose content begins with the delimiter, then data after the closing delimiter.
    const boundary = '----WebKitFormBoundary7MA4YWxkTrZu0gW';
    const chunks = [
      `--${boundary}\r`,
      '\nConte',
      'nt-Disposition: form-data; name="imag',
      'e"; filename="card.jpg"\r\nContent-Type: text/',
      `plain\r\nContent-Type: text/plain\r\n\r\n--${boundary}\r\n--0123456789`,
      `\r\n--${boundary}--\r\n\r\n--b--\r\n`,
    ].map((text) => Buffer.from(text, 'latin1'));
    const length = chunks.reduce((sum, chunk) => sum + chunk.length, 0);
    const head = Buffer.from(
      `POST /v2.0/appkeys/${APP.appKey}/credit-card HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ${APP.secretKey}\r\n` +
        `X-Key-Version: ${key.version}\r\nSymmetric-Key: ${wrapSymmetricKey(key.key, newSymmetricKey())}\r\n` +
        `Content-Type: multipart/form-data; boundary=${boundary}\r\nContent-Length: ${length}\r\nConnection: close\r\n\r\n`,
    );
    const answer = await sendRaw(h.emulator.port, { bytes: [head, ...chunks], chunkDelayMs: 30, timeoutMs: 8_000 });
    expect(answer.timedOut).toBe(false);
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body.toString()).header.resultCode).toBe(4000001);
    expect(answer.headers['x-emulator-diagnosis']).toMatch(/never closed/);
    expect((await h.client.creditCard(Buffer.from('not an image'))).resultCode).toBe(4000003);
  });
});
