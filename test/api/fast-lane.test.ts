/**
 * The public-key GET has a fast lane past express (server/http/app.ts). It must answer byte for
 * byte what the express route answers: every case below is sent twice, once as the lane takes
 * it and once with an empty query string, which the lane leaves to express (the router ignores
 * the query, so the engine sees the same call), and the raw answers must match but for `Date`.
 */
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import type { JournalEntry } from '../../server/core/journal.js';
import { APP, useEmulator } from '../support/harness.js';

const h = useEmulator({ watchScenarios: false });
const PATH = `/v2.0/appkeys/${APP.appKey}/public-keys/credit-card`;

/** Sends one raw request and reads the raw answer until the server closes (or drops) it. */
function raw(path: string, headers: Record<string, string>, body = ''): Promise<string> {
  const { port } = new URL(h.url);
  const lines = Object.entries({ Host: `127.0.0.1:${port}`, ...headers, Connection: 'close' }).map(([name, value]) => `${name}: ${value}\r\n`);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1', () => socket.write(`GET ${path} HTTP/1.1\r\n${lines.join('')}\r\n${body}`));
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
async function both(path: string, headers: Record<string, string>): Promise<{ lane: string; express: string }> {
  const withoutDate = (text: string) => text.replace(/^Date: .*\r\n/m, '').replace(/\(call \d+\)/, '(call n)');
  return { lane: withoutDate(await raw(path, headers)), express: withoutDate(await raw(`${path}?`, headers)) };
}

async function lastJournalEntries(count: number): Promise<JournalEntry[]> {
  const res = await fetch(`${h.url}/__emulator/requests?limit=${count}`);
  return ((await res.json()) as { requests: JournalEntry[] }).requests;
}

describe('the public-key fast lane answers as the express route does', () => {
  it.each([
    ['a good call', { Authorization: APP.secretKey }, /"resultCode":0/],
    ['a wrong secret key', { Authorization: 'wrong' }, /"resultCode":4010001/],
    ['no Authorization', {}, /"resultCode":4000005/],
    ['a scripted error', { Authorization: APP.secretKey, 'X-Emulator-Scenario': 'errors/unavailable' }, /"resultCode":5000503/],
    ['an unknown scenario', { Authorization: APP.secretKey, 'X-Emulator-Scenario': 'nope' }, /^HTTP\/1\.1 404 /],
    ['a scenario for another endpoint', { Authorization: APP.secretKey, 'X-Emulator-Scenario': 'credit-card/ok' }, /^HTTP\/1\.1 400 /],
  ])('%s', async (_what, headers, expected) => {
    const { lane, express } = await both(PATH, headers);
    expect(lane).toMatch(expected);
    expect(lane).toBe(express);
    // Every failure carries its diagnosis, both ways (compared above).
    if (!/"resultCode":0/.test(lane)) expect(lane).toMatch(/\r\nX-Emulator-Diagnosis: [ -~]+\r\n/);
    // And the journal cannot tell them apart either (but for the time, and for a scenario's call
    // count: the second is its next call).
    const [viaLane, viaExpress] = await lastJournalEntries(2);
    const comparable = ({ id: _id, time: _time, durationMs: _duration, ...rest }: JournalEntry & { id?: unknown }) =>
      JSON.parse(JSON.stringify(rest).replace(/"call":\d+/g, '"call":"n"').replace(/\(call \d+\)/g, '(call n)')) as unknown;
    expect(comparable(viaLane!)).toEqual(comparable(viaExpress!));
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
