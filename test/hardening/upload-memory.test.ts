/**
 * The upload limit holds while streaming: a 200 MB chunked body (no Content-Length, so the size
 * is known only as it arrives) sent to an emulator process with the default 20 MB limit answers
 * 4131000 without the process holding the body. The bound on resident-memory growth is
 * generous on purpose (100 MB, half the body): it separates "streams and discards" from
 * "buffers the body" without depending on the garbage collector's mood. The client sends all
 * 200 MB whatever the answer, so the server must read and drop what is over the limit.
 * SHOW_GROWTH=1 prints the numbers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newSymmetricKey, wrapSymmetricKey } from '../../contracts/client/index.js';
import { rssBytes, sampleRss } from '../support/proc-stats.js';
import { spawnEmulator, type SpawnedEmulator } from '../../contracts/lib/spawn-emulator.js';
import { sendRaw } from '../support/wire-client.js';

const MB = 1024 * 1024;
const TOTAL = 200 * MB;
const APP = { appKey: 'emulator-appkey', secretKey: 'emulator-secretkey' };
const FILLER = Buffer.alloc(MB, 0x5a);

let emu: SpawnedEmulator;
let port: number;

beforeAll(async () => {
  emu = await spawnEmulator();
  port = Number(new URL(emu.url).port);
});
afterAll(async () => {
  await emu?.stop();
});

async function envelopeHeaders(service: 'credit-card' | 'id-card'): Promise<string> {
  const answer = await fetch(`${emu.url}/v2.0/appkeys/${APP.appKey}/public-keys/${service}`, { headers: { Authorization: APP.secretKey } });
  const { result } = (await answer.json()) as { result: { key: string; version: string } };
  return `Authorization: ${APP.secretKey}\r\nX-Key-Version: ${result.version}\r\nSymmetric-Key: ${wrapSymmetricKey(result.key, newSymmetricKey())}\r\n`;
}

/** Chunked transfer coding of a stream of pieces. */
function* chunked(pieces: Iterable<Buffer>): Generator<Buffer> {
  for (const piece of pieces) {
    if (piece.length === 0) continue;
    yield Buffer.from(`${piece.length.toString(16)}\r\n`);
    yield piece;
    yield Buffer.from('\r\n');
  }
  yield Buffer.from('0\r\n\r\n');
}

/** `total` bytes of multipart body in parts of `partBytes` each, all named `image`. */
function* multipart(boundary: string, partBytes: number, total: number): Generator<Buffer> {
  let sent = 0;
  while (sent < total) {
    yield Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="image"; filename="card.jpg"\r\nContent-Type: application/octet-stream\r\n\r\n`);
    for (let inPart = 0; inPart < partBytes && sent < total; inPart += FILLER.length, sent += FILLER.length) {
      yield FILLER.subarray(0, Math.min(FILLER.length, partBytes - inPart));
    }
    yield Buffer.from('\r\n');
  }
  yield Buffer.from(`--${boundary}--\r\n`);
}

function* filler(total: number): Generator<Buffer> {
  for (let sent = 0; sent < total; sent += FILLER.length) yield FILLER;
}

async function sendChunked(path: string, headers: string, body: Iterable<Buffer>) {
  const head = Buffer.from(`POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n${headers}Transfer-Encoding: chunked\r\n\r\n`);
  function* all() {
    yield head;
    yield* chunked(body);
  }
  const baseline = rssBytes(emu.child.pid!);
  const sampler = sampleRss(emu.child.pid!);
  const answer = await sendRaw(port, { bytes: all(), timeoutMs: 60_000, writeAll: true });
  const { peak } = sampler.stop();
  if (process.env['SHOW_GROWTH'])
    console.log(
      `${path}: ${answer.status} ${answer.socketError ?? ''} sent ${(answer.sentBytes / MB).toFixed(0)} MB, RSS ${(baseline / MB).toFixed(0)} MB -> peak ${(peak / MB).toFixed(0)} MB`,
    );
  const code = answer.status === 200 ? (JSON.parse(answer.body.toString('utf8')) as { header: { resultCode: number } }).header.resultCode : undefined;
  return { answer, code, growth: peak - baseline };
}

describe('a 200 MB chunked body against the default 20 MB limit (spawned emulator)', () => {
  const api = `/v2.0/appkeys/${APP.appKey}`;

  it('one 200 MB image part: 4131000, resident memory grows by far less than the body', async () => {
    const { code, growth } = await sendChunked(
      `${api}/credit-card`,
      `${await envelopeHeaders('credit-card')}Content-Type: multipart/form-data; boundary=b0undary\r\n`,
      multipart('b0undary', TOTAL, TOTAL),
    );
    expect(code).toBe(4131000);
    expect(growth).toBeLessThan(100 * MB);
  });

  it('many 19 MB image parts (each under the limit, 200 MB in all): 4131000, not buffered', async () => {
    const { code, growth } = await sendChunked(
      `${api}/id-card`,
      `${await envelopeHeaders('id-card')}Content-Type: multipart/form-data; boundary=b0undary\r\n`,
      multipart('b0undary', 19 * MB, TOTAL),
    );
    expect(code).toBe(4131000);
    expect(growth).toBeLessThan(100 * MB);
  });

  it('a 200 MB authenticity body: 4131000, not buffered', async () => {
    const headers = `${await envelopeHeaders('id-card')}Request-Key: 00000000-0000-4000-8000-000000000000\r\nContent-Type: application/json\r\n`;
    const { code, growth } = await sendChunked(`${api}/id-card/authenticity`, headers, filler(TOTAL));
    expect(code).toBe(4131000);
    expect(growth).toBeLessThan(100 * MB);
  });

  it('a 200 MB body that is not multipart: 4000001 (no image), not buffered', async () => {
    const { code, growth } = await sendChunked(
      `${api}/credit-card`,
      `${await envelopeHeaders('credit-card')}Content-Type: application/octet-stream\r\n`,
      filler(TOTAL),
    );
    expect(code).toBe(4000001);
    expect(growth).toBeLessThan(100 * MB);
  });

  it('still answers afterwards', async () => {
    const health = await fetch(`${emu.url}/__emulator/health`);
    expect(health.status).toBe(200);
  });
});
