/**
 * The admin API under /__emulator/: keys, clock, journal queries, scenario listing, its own
 * errors, and who may use it (token, loopback rule).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { OcrClient } from '../../contracts/client/index.js';
import { createEngine } from '../../server/create-engine.js';
import { Journal, type JournalEntry } from '../../server/core/journal.js';
import { createApp } from '../../server/http/pipeline.js';
import { startEmulator, type RunningEmulator } from '../../server/index.js';
import { fixture, fixedKeyFactory } from '../support/fixtures.js';
import { APP, OTHER_APP, useEmulator } from '../support/harness.js';
import { sendRaw } from '../support/wire-client.js';

const h = useEmulator({ watchScenarios: false });
const card = fixture('card-428x270.jpg');
const admin = () => request(h.url);

let client: OcrClient;
beforeEach(async () => {
  await admin().post('/__emulator/reset').expect(200);
  client = h.clientFor(APP);
});

async function journal(query = ''): Promise<JournalEntry[]> {
  return ((await admin().get(`/__emulator/requests${query}`).expect(200)).body as { requests: JournalEntry[] }).requests;
}

describe('keys', () => {
  it('rotate: the new version is current; the old one works until revoked, then 4000301', async () => {
    expect((await client.publicKey('credit-card')).version).toBe('0');

    const rotated = await admin().post('/__emulator/keys/credit-card/rotate').expect(200);
    expect(rotated.body).toEqual({
      appKey: APP.appKey,
      service: 'credit-card',
      version: '1',
      versions: [
        { version: '0', revoked: false },
        { version: '1', revoked: false },
      ],
    });
    expect((await client.fetchPublicKey('credit-card')).result?.version).toBe('1');

    // The client still holds version 0.
    expect((await client.creditCard(card)).resultCode).toBe(0);
    expect((await journal('?endpoint=credit-card')).at(-1)?.envelope?.keyVersion).toBe('0');

    const revoked = await admin().post('/__emulator/keys/credit-card/revoke').send({ version: '0' }).expect(200);
    expect(revoked.body).toEqual({ appKey: APP.appKey, service: 'credit-card', revoked: '0', current: '1' });
    const refused = await client.creditCard(card);
    expect(refused.body).toEqual({ header: { isSuccessful: false, resultCode: 4000301, resultMessage: 'Invalid key version.' } });
    expect((await journal('?endpoint=credit-card')).at(-1)?.diagnosis).toBe('X-Key-Version 0 was revoked');

    // A client that fetches the key again recovers.
    await client.publicKey('credit-card', true);
    expect((await client.creditCard(card)).resultCode).toBe(0);
  });

  it('revoking the current version issues a new current one', async () => {
    await client.publicKey('id-card');
    const revoked = await admin().post('/__emulator/keys/id-card/revoke').send({ version: '0' }).expect(200);
    expect(revoked.body).toEqual({ appKey: APP.appKey, service: 'id-card', revoked: '0', current: '1' });
    expect((await client.fetchPublicKey('id-card')).result?.version).toBe('1');
    const keys = (await admin().get('/__emulator/keys').expect(200)).body as {
      keys: { appKey: string; service: string; versions: { version: string; revoked: boolean; issuedAt: string }[] }[];
    };
    const ring = keys.keys.find((k) => k.appKey === APP.appKey && k.service === 'id-card')!;
    expect(ring.versions.map(({ version, revoked: r }) => ({ version, revoked: r }))).toEqual([
      { version: '0', revoked: true },
      { version: '1', revoked: false },
    ]);
    expect(Number.isNaN(Date.parse(ring.versions[0]!.issuedAt))).toBe(false);
  });

  it('targets another app key with "appKey" in the body', async () => {
    const rotated = await admin().post('/__emulator/keys/id-card/rotate').send({ appKey: OTHER_APP.appKey }).expect(200);
    expect(rotated.body).toMatchObject({ appKey: OTHER_APP.appKey, service: 'id-card', version: '1' });
    expect((await h.clientFor(OTHER_APP).fetchPublicKey('id-card')).result?.version).toBe('1');
    expect((await client.fetchPublicKey('id-card')).result?.version).toBe('0');
  });

  it('refuses unknown versions, services and app keys, and a body without a version string', async () => {
    await client.publicKey('credit-card');
    const unknown = await admin().post('/__emulator/keys/credit-card/revoke').send({ version: '7' }).expect(404);
    expect(unknown.body).toEqual({ error: 'not_found', message: `version 7 was never issued for credit-card of appKey "${APP.appKey}"` });
    await admin().post('/__emulator/keys/credit-card/revoke').send({ version: 0 }).expect(400);
    await admin().post('/__emulator/keys/credit-card/revoke').send({}).expect(400);
    await admin().post('/__emulator/keys/passport/rotate').expect(404);
    const stranger = await admin().post('/__emulator/keys/credit-card/rotate').send({ appKey: 'nobody' }).expect(404);
    expect(stranger.body).toEqual({ error: 'not_found', message: 'appKey "nobody" is neither configured nor registered' });
  });
});

describe('clock', () => {
  it('GET tells the time; POST moves it forward only', async () => {
    const before = (await admin().get('/__emulator/clock').expect(200)).body as { now: string; offsetSeconds: number };
    expect(before.offsetSeconds).toBe(0);
    const wall = Date.now();
    const moved = (await admin().post('/__emulator/clock').send({ advanceSeconds: 7200 }).expect(200)).body as typeof before;
    expect(moved.offsetSeconds).toBe(7200);
    expect(Date.parse(moved.now)).toBeGreaterThanOrEqual(wall + 7200_000 - 1000);
    expect((await admin().post('/__emulator/clock').send({ advanceSeconds: 0.5 }).expect(200)).body.offsetSeconds).toBe(7200.5);

    for (const bad of [{ advanceSeconds: -1 }, { advanceSeconds: '60' }, {}, { advanceSeconds: null }]) {
      const res = await admin().post('/__emulator/clock').send(bad).expect(400);
      expect(res.body).toEqual({ error: 'bad_request', message: 'body needs "advanceSeconds": a number >= 0' });
    }
    expect((await admin().get('/__emulator/clock')).body.offsetSeconds).toBe(7200.5);
  });

  it('journal times follow the emulator clock', async () => {
    await admin().post('/__emulator/clock').send({ advanceSeconds: 86_400 }).expect(200);
    await client.publicKey('credit-card');
    const [entry] = await journal();
    expect(Date.parse(entry!.time)).toBeGreaterThan(Date.now() + 86_000_000);
  });
});

describe('GET /__emulator/requests', () => {
  beforeEach(async () => {
    await client.publicKey('credit-card'); // 1: public-key, ok
    await client.creditCard(card); // 2: credit-card, ok
    await client.creditCard(card, { keyVersion: '9' }); // 3: credit-card, 4000301
    await h.clientFor(OTHER_APP).creditCard(card); // 4, 5: other app key, public-key and credit-card
    await client.creditCard(card, { scenario: 'credit-card/not-found' }); // 6: credit-card, 4000111
  });

  it('lists every request oldest first, with the capacity', async () => {
    const res = await admin().get('/__emulator/requests').expect(200);
    expect(res.body.capacity).toBe(1000);
    const entries = res.body.requests as JournalEntry[];
    expect(entries.map((e) => [e.endpoint, e.appKey, e.resultCode])).toEqual([
      ['public-key', APP.appKey, 0],
      ['credit-card', APP.appKey, 0],
      ['credit-card', APP.appKey, 4000301],
      ['public-key', OTHER_APP.appKey, 0],
      ['credit-card', OTHER_APP.appKey, 0],
      ['credit-card', APP.appKey, 4000111],
    ]);
    const ids = entries.map((e) => e.id);
    expect([...ids].sort((a, b) => a - b)).toEqual(ids);
    expect(entries[1]).toMatchObject({ method: 'POST', path: `/v2.0/appkeys/${APP.appKey}/credit-card` });
  });

  it('limit keeps the newest; limit=0 gives none', async () => {
    expect((await journal('?limit=2')).map((e) => e.resultCode)).toEqual([0, 4000111]);
    expect(await journal('?limit=0')).toEqual([]);
    expect(await journal('?limit=100')).toHaveLength(6);
    for (const bad of ['-1', 'abc', '1.5']) {
      expect((await admin().get(`/__emulator/requests?limit=${bad}`).expect(400)).body).toEqual({
        error: 'bad_request',
        message: 'limit must be a whole number >= 0',
      });
    }
  });

  it('every query parameter is checked against the admin description, as its schema says', async () => {
    const refused = async (query: string) => (await admin().get(`/__emulator/requests?${query}`).expect(400)).body as unknown;
    expect(await refused('failed=yes')).toEqual({ error: 'bad_request', message: 'failed must be true or false' });
    expect(await refused('endpoint=nope')).toMatchObject({ error: 'bad_request', message: expect.stringMatching(/^endpoint must be one of public-key, /) });
    expect(await refused('resultCode=4.5')).toEqual({ error: 'bad_request', message: 'resultCode must be a whole number' });
    expect(await journal('?failed=false&endpoint=credit-card&limit=1')).toHaveLength(1);
  });

  it('filters by endpoint, app key and failure, combined with limit', async () => {
    expect((await journal('?endpoint=public-key')).map((e) => e.appKey)).toEqual([APP.appKey, OTHER_APP.appKey]);
    expect((await journal(`?appKey=${OTHER_APP.appKey}`)).map((e) => e.endpoint)).toEqual(['public-key', 'credit-card']);
    expect((await journal('?failed=true')).map((e) => e.resultCode)).toEqual([4000301, 4000111]);
    expect((await journal('?failed=true&limit=1')).map((e) => e.resultCode)).toEqual([4000111]);
    expect((await journal(`?endpoint=credit-card&appKey=${APP.appKey}&failed=false`)).map((e) => e.resultCode)).toEqual([0, 4000301, 4000111]);
  });

  it('DELETE empties it', async () => {
    expect((await admin().delete('/__emulator/requests').expect(200)).body).toEqual({ requests: [] });
    expect(await journal()).toEqual([]);
  });
});

describe('scenario listing', () => {
  it('GET /__emulator/scenarios lists name, description, endpoints and source; no problems', async () => {
    const res = await admin().get('/__emulator/scenarios').expect(200);
    expect(res.body.problems).toEqual([]);
    const flaky = (res.body.scenarios as { name: string }[]).find((s) => s.name === 'errors/flaky');
    expect(flaky).toEqual({
      name: 'errors/flaky',
      description: 'Unavailable twice, then a normal answer - for testing client retries.',
      endpoints: ['*'],
      source: expect.stringMatching(/scenarios[/\\]errors[/\\]flaky\.yaml$/),
    });
  });

  it('GET /__emulator/scenarios/{name} shows one whole; unknown names answer 404', async () => {
    const res = await admin().get('/__emulator/scenarios/errors/flaky').expect(200);
    expect(res.body).toMatchObject({
      name: 'errors/flaky',
      sequence: [{ error: 'API_TEMPORARILY_UNAVAILABLE' }, { error: 'API_TEMPORARILY_UNAVAILABLE' }, {}],
      repeat: 'last',
      imageSha256: [],
    });
    const missing = await admin().get('/__emulator/scenarios/errors/nope').expect(404);
    expect(missing.body).toMatchObject({ error: 'scenario', message: expect.stringContaining('unknown scenario "errors/nope"') });
  });
});

describe("the admin API's own errors", () => {
  it('unknown paths and methods: 404 JSON', async () => {
    const res = await admin().get('/__emulator/nope').expect(404);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.body).toEqual({ error: 'not_found', message: 'no admin endpoint GET /__emulator/nope' });
    expect((await admin().delete('/__emulator/clock').expect(404)).body).toEqual({ error: 'not_found', message: 'no admin endpoint DELETE /__emulator/clock' });
  });

  it('a body that is not JSON: 400', async () => {
    const res = await admin().post('/__emulator/queue').set('Content-Type', 'application/json').send('{"scenario": ').expect(400);
    expect(res.body).toEqual({ error: 'bad_request', message: 'body is not valid JSON' });
  });

  it('a body over 1 MB: 413', async () => {
    const res = await admin()
      .post('/__emulator/queue')
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ scenario: 'x'.repeat(1024 * 1024 + 10) }))
      .expect(413);
    expect(res.body).toEqual({ error: 'too_large', message: 'body is larger than 1 MB' });
  });
});

describe('who may use it', () => {
  describe('with a token', () => {
    let emulator: RunningEmulator;
    beforeAll(async () => {
      emulator = await startEmulator({ port: 0, keyFactory: fixedKeyFactory(), adminToken: 't0ken', watchScenarios: false });
    });
    afterAll(async () => {
      await emulator?.close();
    });

    it('answers 401 without Authorization: Bearer <token>, 200 with it; health needs none', async () => {
      const unauthorized = await request(emulator.url).get('/__emulator/scenarios').expect(401);
      expect(unauthorized.body).toEqual({ error: 'unauthorized', message: 'the admin API needs Authorization: Bearer <EMULATOR_ADMIN_TOKEN>' });
      await request(emulator.url).get('/__emulator/scenarios').set('Authorization', 'Bearer wrong').expect(401);
      await request(emulator.url).get('/__emulator/scenarios').set('Authorization', 'Bearer t0ke').expect(401);
      await request(emulator.url).post('/__emulator/reset').expect(401);
      await request(emulator.url).get('/__emulator/nope').expect(401);
      await request(emulator.url).get('/__emulator/scenarios').set('Authorization', 'Bearer t0ken').expect(200);
      expect((await request(emulator.url).get('/__emulator/health').expect(200)).body).toMatchObject({ status: 'ok' });
    });

    it('takes the token only as Bearer <token>: the scheme in any case (RFC 9110 section 11.1), never bare', async () => {
      const scenarios = (authorization: string) => request(emulator.url).get('/__emulator/scenarios').set('Authorization', authorization);
      await scenarios('bearer t0ken').expect(200);
      await scenarios('BEARER  t0ken').expect(200);
      for (const refused of ['t0ken', 'Bearert0ken', 'Basic t0ken', 'Token t0ken', 'Bearer', 'Bearer t0ken extra', 'Bearer\tt0ken']) {
        const answer = await scenarios(refused);
        expect(answer.status, refused).toBe(401);
        expect(answer.body).toMatchObject({ error: 'unauthorized' });
      }
    });

    it('the API itself needs no token', async () => {
      const res = await request(emulator.url).get('/v2.0/appkeys/emulator-appkey/public-keys/credit-card').set('Authorization', 'emulator-secretkey');
      expect(res.body.header.resultCode).toBe(0);
    });
  });

  it('turned off (a non-loopback address without a token): 403 everywhere but health', async () => {
    const engine = createEngine({ credentials: new Map([[APP.appKey, APP.secretKey]]), keyFactory: fixedKeyFactory() });
    const app = createApp(engine, { maxUploadBytes: 1024 * 1024, journal: new Journal(), adminEnabled: false });
    expect((await request(app).get('/__emulator/health').expect(200)).body).toMatchObject({ status: 'ok' });
    for (const [method, path] of [
      ['get', '/__emulator/requests'],
      ['post', '/__emulator/reset'],
      ['get', '/__emulator/openapi.yaml'],
      ['get', '/__emulator/nope'],
    ] as const) {
      const res = await request(app)[method](path).expect(403);
      expect(res.body).toEqual({
        error: 'admin_disabled',
        message: 'the admin API is off: bound to a non-loopback address without EMULATOR_ADMIN_TOKEN',
      });
    }
    const api = await request(app).get(`/v2.0/appkeys/${APP.appKey}/public-keys/id-card`).set('Authorization', APP.secretKey).expect(200);
    expect(api.body.header.resultCode).toBe(0);
  });

  it('mounted in a server of your own (no server-level Host check): two Host lines answer 400, not judged by the first', async () => {
    const engine = createEngine({ credentials: new Map([[APP.appKey, APP.secretKey]]), keyFactory: fixedKeyFactory() });
    const server = createServer(createApp(engine, { maxUploadBytes: 1024 * 1024, journal: new Journal() }));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const answer = await sendRaw(port, {
        bytes: Buffer.from('POST /__emulator/reset HTTP/1.1\r\nHost: 127.0.0.1\r\nHost: evil.example\r\nContent-Length: 0\r\nConnection: close\r\n\r\n'),
      });
      expect(answer.status).toBe(400);
      expect(JSON.parse(answer.body.toString('utf8'))).toEqual({ error: 'bad_request', message: 'more than one Host header (RFC 9112 section 3.2)' });
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await engine.controls.close();
    }
  });

  it('on loopback without a token, refuses web pages: another Origin, a cross-site fetch, a rebinding Host', async () => {
    const port = new URL(h.url).port;
    const refused = [
      { Origin: 'http://evil.example' },
      { Origin: 'null' }, // a file:// page or a sandboxed frame
      { Origin: `http://localhost:${Number(port) + 1}` }, // another local app
      { 'Sec-Fetch-Site': 'cross-site' },
      { 'Sec-Fetch-Site': 'same-site' },
      { Host: `evil.example:${port}`, Origin: `http://evil.example:${port}` }, // DNS rebinding: same origin, foreign Host
      { Host: `evil.example:${port}` },
    ];
    for (const headers of refused) {
      for (const call of [admin().post('/__emulator/reset'), admin().get('/__emulator/requests')]) {
        const res = await call.set(headers);
        expect(res.status, JSON.stringify(headers)).toBe(403);
        expect(res.body.error).toBe('cross_origin');
      }
    }
    // The emulated API and health are not the admin API's to guard: the live service has no such rule.
    const api = await request(h.url)
      .get(`/v2.0/appkeys/${APP.appKey}/public-keys/id-card`)
      .set('Authorization', APP.secretKey)
      .set('Origin', 'http://evil.example');
    expect(api.body.header.resultCode).toBe(0);
    await admin().get('/__emulator/health').set('Origin', 'http://evil.example').expect(200);
    // Tools (no Origin), a page served from the emulator's own origin, and loopback names pass.
    await admin().get('/__emulator/requests').expect(200);
    await admin().get('/__emulator/requests').set('Origin', `http://127.0.0.1:${port}`).set('Sec-Fetch-Site', 'same-origin').expect(200);
    await admin().get('/__emulator/requests').set('Host', `localhost:${port}`).expect(200);
    await admin().get('/__emulator/requests').set('Host', `LOCALHOST:${port}`).set('Origin', `http://localhost:${port}`).expect(200);
    await admin().get('/__emulator/requests').set('Sec-Fetch-Site', 'none').expect(200); // typed in the address bar
  });

  it('with a token, the token decides, whatever the Origin', async () => {
    const guarded = await startEmulator({ port: 0, keyFactory: fixedKeyFactory(), adminToken: 't', watchScenarios: false });
    try {
      await request(guarded.url).get('/__emulator/requests').set('Origin', 'http://tool.example').set('Authorization', 'Bearer t').expect(200);
      await request(guarded.url).get('/__emulator/requests').set('Origin', 'http://tool.example').expect(401);
    } finally {
      await guarded.close();
    }
  });

  it('startEmulator on loopback opens it without a token', async () => {
    expect(h.emulator.host).toBe('127.0.0.1');
    await admin().get('/__emulator/requests').expect(200);
    const named = await startEmulator({ host: 'localhost', port: 0, keyFactory: fixedKeyFactory(), watchScenarios: false });
    try {
      await request(named.url).get('/__emulator/requests').expect(200);
    } finally {
      await named.close();
    }
  });

  it('startEmulator on every address (0.0.0.0): off without a token, on with one', async () => {
    const open = await startEmulator({ host: '0.0.0.0', port: 0, keyFactory: fixedKeyFactory(), watchScenarios: false });
    const guarded = await startEmulator({ host: '0.0.0.0', port: 0, keyFactory: fixedKeyFactory(), adminToken: 't', watchScenarios: false });
    try {
      const off = `http://127.0.0.1:${open.port}`;
      expect((await request(off).get('/__emulator/requests').expect(403)).body.error).toBe('admin_disabled');
      await request(off).get('/__emulator/health').expect(200);
      const on = `http://127.0.0.1:${guarded.port}`;
      await request(on).get('/__emulator/requests').expect(401);
      await request(on).get('/__emulator/requests').set('Authorization', 'Bearer t').expect(200);
    } finally {
      await Promise.all([open.close(), guarded.close()]);
    }
  });
});
