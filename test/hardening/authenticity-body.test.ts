/**
 * The authenticity body is refused before any heavy work when it cannot be an authenticity
 * request. A 20 MB body of `[` used to be read whole, parsed and its fields decrypted before the
 * Request-Key was looked at: 7.7 s for its 4000001, the server blocked meanwhile. Now:
 * - a body over 64 KiB (AUTHENTICITY_MAX_BODY_BYTES) answers 4000001 and is never kept, with a
 *   Content-Length or chunked; over the upload limit it is still 4131000 (checked first);
 * - arrays or objects nested deeper than 16 answer 4000001 before JSON.parse;
 * - a field longer than 4096 characters answers 4000001 before it is decrypted or masked.
 * Each case passes every earlier check, so the code shows which check answered.
 */
import { describe, expect, it } from 'vitest';
import { encryptValue, newSymmetricKey, wrapSymmetricKey } from '../../contracts/client/index.js';
import { AUTHENTICITY_MAX_BODY_BYTES } from '../../server/core/authenticity.js';
import type { JournalEntry } from '../../server/core/journal.js';
import { fixture } from '../support/fixtures.js';
import { authenticityFieldsFor } from '../support/id-cards.js';
import { APP, useEmulator } from '../support/harness.js';
import { sendRaw } from '../support/wire-client.js';

const LIMIT = 1024 * 1024;
const faults: unknown[] = [];
const h = useEmulator({ maxUploadBytes: LIMIT, onFault: (error) => faults.push(error), logger: () => {} });
const UNKNOWN_KEY = '00000000-0000-4000-8000-000000000000';
const PATH = `/v2.0/appkeys/${APP.appKey}/id-card/authenticity`;

async function envelope(requestKey = UNKNOWN_KEY) {
  const publicKey = await h.client.publicKey('id-card');
  const key = newSymmetricKey();
  const headers = `Authorization: ${APP.secretKey}\r\nX-Key-Version: ${publicKey.version}\r\nSymmetric-Key: ${wrapSymmetricKey(publicKey.key, key)}\r\nRequest-Key: ${requestKey}\r\nContent-Type: application/json\r\n`;
  return { key, headers };
}

/** A well-formed resident body with encrypted fields, plus whatever members are given. */
function residentBody(key: Buffer, extra = '', fields = { name: '홍길동', residentNumber: '9001011234567', issueDate: '20200115' }): string {
  const encrypted = Object.entries(fields).map(([name, value]) => `"${name}":${JSON.stringify(encryptValue(key, value))}`);
  return `{"idType":"resident",${encrypted.join(',')}${extra}}`;
}

async function post(headers: string, body: string | Buffer, framing: 'length' | 'chunked' = 'length') {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  const head = `POST ${PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\n${headers}`;
  const chunks =
    framing === 'length'
      ? [Buffer.from(`${head}Content-Length: ${bytes.length}\r\n\r\n`), bytes]
      : [Buffer.from(`${head}Transfer-Encoding: chunked\r\n\r\n`), ...chunked(bytes, 32 * 1024)];
  const answer = await sendRaw(h.emulator.port, { bytes: chunks, timeoutMs: 20_000 });
  expect(answer.status).toBe(200);
  return (JSON.parse(answer.body.toString('utf8')) as { header: { resultCode: number } }).header.resultCode;
}

function* chunked(body: Buffer, size: number): Generator<Buffer> {
  for (let at = 0; at < body.length; at += size) {
    const piece = body.subarray(at, at + size);
    yield Buffer.from(`${piece.length.toString(16)}\r\n`);
    yield piece;
    yield Buffer.from('\r\n');
  }
  yield Buffer.from('0\r\n\r\n');
}

async function lastDiagnosis(): Promise<string | undefined> {
  const { requests } = (await (await fetch(`${h.url}/__emulator/requests?limit=1`)).json()) as { requests: JournalEntry[] };
  return requests[0]?.diagnosis;
}

describe('the size bound', () => {
  it('a well-formed body padded to exactly 64 KiB is read: the Request-Key check answers (4000122)', async () => {
    const { key, headers } = await envelope();
    const body = residentBody(key);
    const padded = body.replace(/^\{/, `{${' '.repeat(AUTHENTICITY_MAX_BODY_BYTES - Buffer.byteLength(body))}`);
    expect(Buffer.byteLength(padded)).toBe(AUTHENTICITY_MAX_BODY_BYTES);
    expect(await post(headers, padded)).toBe(4000122);
  });

  it.each(['length', 'chunked'] as const)('one byte more (%s) answers 4000001 and says why in the journal', async (framing) => {
    const { key, headers } = await envelope();
    const body = residentBody(key);
    const padded = body.replace(/^\{/, `{${' '.repeat(AUTHENTICITY_MAX_BODY_BYTES + 1 - Buffer.byteLength(body))}`);
    expect(await post(headers, padded, framing)).toBe(4000001);
    expect(await lastDiagnosis()).toBe(`request body is ${AUTHENTICITY_MAX_BODY_BYTES + 1} bytes; this endpoint reads at most ${AUTHENTICITY_MAX_BODY_BYTES}`);
  });

  it.each(['length', 'chunked'] as const)('a body of `[` under the upload limit (%s): 4000001; over it: 4131000, as the table orders them', async (framing) => {
    const { headers } = await envelope();
    expect(await post(headers, Buffer.alloc(LIMIT, '['), framing)).toBe(4000001);
    expect(await post(headers, Buffer.alloc(LIMIT + 1, '['), framing)).toBe(4131000);
    expect(faults).toEqual([]);
  });
});

describe('nesting and field bounds', () => {
  it('nesting 16 deep (the body and 15 arrays) is read, 17 deep answers 4000001 (in a member the body does not need: only the bound refuses it)', async () => {
    const { key, headers } = await envelope();
    expect(await post(headers, residentBody(key, `,"x":${'['.repeat(15)}${']'.repeat(15)}`))).toBe(4000122);
    expect(await post(headers, residentBody(key, `,"x":${'['.repeat(16)}${']'.repeat(16)}`))).toBe(4000001);
    expect(await lastDiagnosis()).toMatch(/nests arrays or objects more than 16 deep/);
    // Brackets inside strings are text, not nesting.
    expect(await post(headers, residentBody(key, `,"x":"${'['.repeat(100)}\\"{{{"`))).toBe(4000122);
  });

  it('a field over 4096 characters answers 4000001 before it is decrypted; at 4096 it is decrypted (4000303: not ciphertext)', async () => {
    const { key, headers } = await envelope();
    const at = residentBody(key).replace(/"name":"[^"]*"/, `"name":"${'A'.repeat(4096)}"`);
    expect(await post(headers, at)).toBe(4000303);
    const over = residentBody(key).replace(/"name":"[^"]*"/, `"name":"${'A'.repeat(4097)}"`);
    expect(await post(headers, over)).toBe(4000001);
    expect(await lastDiagnosis()).toBe('field "name" is 4097 characters; a value of an ID card is at most 4096');
  });

  it('a good authenticity call still succeeds', async () => {
    const id = await h.client.idCard(fixture('id-resident-900x570.jpg'), { scenario: 'id-card/resident' });
    expect(id.requestKey).toBeDefined();
    const verdict = await h.client.authenticity(id.requestKey!, authenticityFieldsFor(id.result!));
    expect(verdict.resultCode).toBe(0);
    expect(verdict.result?.isAuthenticity).toBe(true);
  });
});
