/**
 * The public-key GET and the four POST operations have a fast path past express
 * (server/http/pipeline.ts, step 1). Both paths settle in one function and hand their answers
 * to the one writer (server/http/answer.ts); a few cases of each kind (a success, a refusal, a
 * scripted outcome, a failure after the envelope) prove what a client sees: byte for byte the
 * same. Every case
 * below is sent twice, once as the lane takes it and once with an empty query string, which the
 * lane leaves to express (the router ignores the query, so the engine sees the same call), and
 * the raw answers must match but for `Date` (and a new Request-Key).
 */
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { encryptBytes, encryptValue, newSymmetricKey, wrapSymmetricKey } from '../../contracts/client/index.js';
import type { JournalEntry } from '../../server/core/journal.js';
import { fixture } from '../support/fixtures.js';
import { APP, useEmulator } from '../support/harness.js';

const h = useEmulator({ watchScenarios: false });
const PATH = `/v2.0/appkeys/${APP.appKey}/public-keys/credit-card`;

/** Sends one raw request and reads the raw answer until the server closes (or drops) it. */
function raw(path: string, headers: Record<string, string>, body: string | Buffer = '', method = 'GET'): Promise<string> {
  const { port } = new URL(h.url);
  const lines = Object.entries({ Host: `127.0.0.1:${port}`, ...headers, Connection: 'close' }).map(([name, value]) => `${name}: ${value}\r\n`);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1', () =>
      socket.write(Buffer.concat([Buffer.from(`${method} ${path} HTTP/1.1\r\n${lines.join('')}\r\n`, 'latin1'), Buffer.from(body)])),
    );
    let text = '';
    socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
    socket.on('close', () => resolve(text));
    socket.on('error', reject);
  });
}

/**
 * Both ways: through the lane and through express. A scripted failure's diagnosis header names
 * the scenario's call, which is the next one on the second request.
 */
async function both(path: string, headers: Record<string, string>, body?: string | Buffer, method?: string): Promise<{ lane: string; express: string }> {
  const comparable = (text: string) =>
    text
      .replace(/^Date: .*\r\n/m, '')
      .replace(/\(call \d+\)/, '(call n)')
      .replace(/^Request-Key: .*\r\n/m, 'Request-Key: (new)\r\n');
  return { lane: comparable(await raw(path, headers, body, method)), express: comparable(await raw(`${path}?`, headers, body, method)) };
}

async function lastJournalEntries(count: number): Promise<JournalEntry[]> {
  const res = await fetch(`${h.url}/__emulator/requests?limit=${count}`);
  return ((await res.json()) as { requests: JournalEntry[] }).requests;
}

/** The journal's last two entries, the lane's and express's, but for what differs between any two calls. */
async function lastTwoComparable(): Promise<[unknown, unknown]> {
  const [a, b] = await lastJournalEntries(2);
  const comparable = ({ id: _id, time: _time, durationMs: _duration, ...rest }: JournalEntry & { id?: unknown }) =>
    JSON.parse(
      JSON.stringify(rest)
        .replace(/"call":\d+/g, '"call":"n"')
        .replace(/\(call \d+\)/g, '(call n)')
        .replace(/"ref":"[^"]*"/g, '"ref":"(masked)"'),
    ) as unknown;
  return [comparable(a!), comparable(b!)];
}

describe('the public-key fast lane answers as the express route does', () => {
  it.each([
    ['a good call', { Authorization: APP.secretKey }, /"resultCode":0/],
    ['a wrong secret key', { Authorization: 'wrong' }, /"resultCode":4010001/],
    ['an unknown scenario', { Authorization: APP.secretKey, 'X-Emulator-Scenario': 'nope' }, /^HTTP\/1\.1 404 /],
  ])('%s', async (_what, headers, expected) => {
    const { lane, express } = await both(PATH, headers);
    expect(lane).toMatch(expected);
    expect(lane).toBe(express);
    // Every failure carries its diagnosis, both ways (compared above).
    if (!/"resultCode":0/.test(lane)) expect(lane).toMatch(/\r\nX-Emulator-Diagnosis: [ -~]+\r\n/);
    // And the journal cannot tell them apart either (but for the time, and for a scenario's call
    // count: the second is its next call).
    const [viaLane, viaExpress] = await lastTwoComparable();
    expect(viaLane).toEqual(viaExpress);
  });

  it('an unknown service and another app key', async () => {
    for (const path of [`/v2.0/appkeys/${APP.appKey}/public-keys/passport`, '/v2.0/appkeys/someone-else/public-keys/id-card']) {
      const { lane, express } = await both(path, { Authorization: APP.secretKey });
      expect(lane).toMatch(/"isSuccessful":false/);
      expect(lane).toBe(express);
    }
  });

  it('a dropped connection, scripted', async () => {
    const { lane, express } = await both(PATH, { Authorization: APP.secretKey, 'X-Emulator-Scenario': 'errors/dropped-connection' });
    expect(lane).toBe('');
    expect(express).toBe('');
  });

  it('leaves to express what it does not read as express would: escapes, other methods, bodies', async () => {
    // An escaped app key: express decodes it; the lane does not take it.
    const escaped = await raw(`/v2.0/appkeys/${encodeURIComponent(APP.appKey).replace('-', '%2D')}/public-keys/credit-card`, { Authorization: APP.secretKey });
    expect(escaped).toMatch(/"resultCode":0/);
    // HEAD is not one of the guide's operations, with or without the lane.
    const head = await fetch(`${h.url}${PATH}`, { method: 'HEAD', headers: { Authorization: APP.secretKey } });
    expect(head.status).toBe(200);
    // A trailing slash is another path (strict routing): 4041007.
    expect(await raw(`${PATH}/`, { Authorization: APP.secretKey })).toMatch(/"resultCode":4041007/);
    // A GET with a body: express reads it, then answers as the lane would have.
    const withBody = await raw(PATH, { Authorization: APP.secretKey, 'Content-Length': '5' }, 'hello');
    expect(withBody).toMatch(/"resultCode":0/);
    expect(withBody.replace(/^Date: .*\r\n/m, '')).toBe((await both(PATH, { Authorization: APP.secretKey })).lane);
  });
});

const BOUNDARY = '----lane-boundary';

/** A multipart body with one file part (or whatever `part` says) under BOUNDARY. */
function multipart(
  content: Buffer,
  part = 'Content-Disposition: form-data; name="image"; filename="card.jpg"\r\nContent-Type: application/octet-stream',
): Buffer {
  return Buffer.concat([Buffer.from(`--${BOUNDARY}\r\n${part}\r\n\r\n`), content, Buffer.from(`\r\n--${BOUNDARY}--\r\n`)]);
}

/** Envelope headers for a service under a fresh symmetric key. */
async function envelope(service: 'credit-card' | 'id-card', extra: Record<string, string> = {}): Promise<{ key: Buffer; headers: Record<string, string> }> {
  const publicKey = await h.client.publicKey(service);
  const key = newSymmetricKey();
  return {
    key,
    headers: { Authorization: APP.secretKey, 'X-Key-Version': publicKey.version, 'Symmetric-Key': wrapSymmetricKey(publicKey.key, key), ...extra },
  };
}

function upload(headers: Record<string, string>, body: Buffer): Record<string, string> {
  return { ...headers, 'Content-Type': `multipart/form-data; boundary=${BOUNDARY}`, 'Content-Length': String(body.length) };
}

describe('the POST fast lane answers as the express routes do', () => {
  const card = fixture('card-428x270.jpg');
  const idImage = fixture('id-resident-900x570.jpg');

  it.each([
    ['credit-card', 'credit-card', card, {}, /"resultCode":0/],
    ['id-card', 'id-card', idImage, {}, /^Request-Key: \(new\)\r\n/m],
    ['credit-card, a scripted error', 'credit-card', card, { 'X-Emulator-Scenario': 'errors/unavailable' }, /"resultCode":5000503/],
    ['credit-card, an unknown scenario', 'credit-card', card, { 'X-Emulator-Scenario': 'nope' }, /^HTTP\/1\.1 404 /],
  ] as const)('%s', async (_what, path, image, extra, expected) => {
    const { key, headers } = await envelope(path === 'credit-card' ? 'credit-card' : 'id-card', extra);
    const body = multipart(encryptBytes(key, image));
    const { lane, express } = await both(`/v2.0/appkeys/${APP.appKey}/${path}`, upload(headers, body), body, 'POST');
    expect(lane).toMatch(expected);
    expect(lane).toBe(express);
    const [viaLane, viaExpress] = await lastTwoComparable();
    expect(viaLane).toEqual(viaExpress);
  });

  it.each([
    ['a wrong secret key', (b: Buffer, hs: Record<string, string>) => [upload({ ...hs, Authorization: 'wrong' }, b), b] as const, /"resultCode":4010001/],
    [
      'no image part',
      (_b: Buffer, hs: Record<string, string>) =>
        [
          upload(hs, multipart(Buffer.from('x'), 'Content-Disposition: form-data; name="other"')),
          multipart(Buffer.from('x'), 'Content-Disposition: form-data; name="other"'),
        ] as const,
      /"resultCode":4000001/,
    ],
    [
      'a truncated ciphertext',
      (b: Buffer, hs: Record<string, string>) => {
        const cut = multipart(b.subarray(b.indexOf('\r\n\r\n') + 4, b.indexOf('\r\n\r\n') + 4 + 100));
        return [upload(hs, cut), cut] as const;
      },
      /"resultCode":4000303/,
    ],
  ])('%s', async (_what, make, expected) => {
    const { key, headers } = await envelope('credit-card');
    const [sentHeaders, body] = make(multipart(encryptBytes(key, card)), headers);
    const { lane, express } = await both(`/v2.0/appkeys/${APP.appKey}/credit-card`, sentHeaders, body, 'POST');
    expect(lane).toMatch(expected);
    expect(lane).toMatch(/\r\nX-Emulator-Diagnosis: [ -~]+\r\n/);
    expect(lane).toBe(express);
    const [viaLane, viaExpress] = await lastTwoComparable();
    expect(viaLane).toEqual(viaExpress);
  });

  it('id-card/authenticity, with a Request-Key each', async () => {
    const verdicts: string[] = [];
    for (const query of ['', '?']) {
      const { key, headers } = await envelope('id-card');
      const body = multipart(encryptBytes(key, idImage));
      const answer = await raw(`/v2.0/appkeys/${APP.appKey}/id-card`, upload(headers, body), body, 'POST');
      const requestKey = /^Request-Key: (.*)\r\n/m.exec(answer)![1]!;
      const auth = await envelope('id-card', { 'Request-Key': requestKey });
      const json = JSON.stringify({
        idType: 'resident',
        name: encryptValue(auth.key, 'nobody'),
        residentNumber: encryptValue(auth.key, '0000000000000'),
        issueDate: encryptValue(auth.key, '20200101'),
      });
      const text = await raw(
        `/v2.0/appkeys/${APP.appKey}/id-card/authenticity${query}`,
        { ...auth.headers, 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(json)) },
        json,
        'POST',
      );
      verdicts.push(text.replace(/^Date: .*\r\n/m, ''));
    }
    expect(verdicts[0]).toMatch(/"resultCode":0/);
    expect(verdicts[0]).toBe(verdicts[1]);
  });

  it('leaves to express a POST it does not read as express would', async () => {
    const { key, headers } = await envelope('credit-card');
    const body = multipart(encryptBytes(key, card));
    // An escaped app key: express decodes it; the lane does not take it.
    const escaped = await raw(`/v2.0/appkeys/${APP.appKey.replace('-', '%2D')}/credit-card`, upload(headers, body), body, 'POST');
    expect(escaped).toMatch(/"resultCode":0/);
    // Another case, a trailing slash: other paths (4041007).
    for (const path of [`/v2.0/appkeys/${APP.appKey}/Credit-Card`, `/v2.0/appkeys/${APP.appKey}/credit-card/`]) {
      expect(await raw(path, upload(headers, body), body, 'POST')).toMatch(/"resultCode":4041007/);
    }
  });
});
