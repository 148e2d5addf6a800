/**
 * server/admin-openapi.yaml, the description of the admin API, proved: served by the emulator,
 * covering every route of server/http/admin.ts, its examples valid, and real admin answers
 * valid against it.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { startEmulator, type RunningEmulator } from '../../server/index.js';
import { fixture, fixedKeyFactory } from '../support/fixtures.js';
import { APP, OTHER_APP, useEmulator } from '../support/harness.js';
import { OpenApiValidator, escapePointerSegment, loadOpenApiDocument } from '../../contracts/lib/openapi-validator.js';

const ADMIN_FILE = fileURLToPath(new URL('../../server/admin-openapi.yaml', import.meta.url));
const ADMIN_SOURCES = ['admin.ts', 'dashboard.ts'].map((file) => fileURLToPath(new URL(`../../server/http/${file}`, import.meta.url)));
const document = loadOpenApiDocument(ADMIN_FILE);
const validator = new OpenApiValidator(document);

const dir = mkdtempSync(join(tmpdir(), 'admin-openapi-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const h = useEmulator({ scenarioDirs: [dir], watchScenarios: false });

/** Sends an admin request with supertest and checks the answer against the document. */
async function checked(method: 'get' | 'post' | 'put' | 'delete', path: string, body?: object, url = h.url, token?: string) {
  let call = request(url)[method](path);
  if (token) call = call.set('Authorization', `Bearer ${token}`);
  const res = body === undefined ? await call : await call.send(body);
  const result = validator.validateResponse({ method, path, status: res.status, headers: res.headers, body: res.body });
  expect(result.errors, `${method.toUpperCase()} ${path} → ${res.status} ${JSON.stringify(res.body)}`).toEqual([]);
  return res;
}

describe('the document', () => {
  it('is served at GET /__emulator/openapi.yaml as is', async () => {
    const res = await request(h.url)
      .get('/__emulator/openapi.yaml')
      .buffer(true)
      .parse((response, done) => {
        let text = '';
        response.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
        response.on('end', () => done(null, text));
      });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/yaml/);
    expect(res.body).toBe(readFileSync(ADMIN_FILE, 'utf8'));
    expect((parse(res.body as string) as { openapi: string }).openapi).toBe('3.1.0');
  });

  it('describes every route of server/http/admin.ts and dashboard.ts, and only those', () => {
    const source = ADMIN_SOURCES.map((file) => readFileSync(file, 'utf8')).join('\n');
    // The dashboard's '/' is described as /__emulator: a described path may not end in a slash.
    const routes = [...source.matchAll(/router\.(get|post|put|delete)\('([^']+)'/g)].map(([, method, path]) =>
      `${method!.toUpperCase()} /__emulator${path!.replace(/:(\w+)/g, '{$1}').replace(/\*(\w+)/g, '{$1}')}`.replace(/\/$/, ''),
    );
    const described = Object.entries(document.paths ?? {}).flatMap(([path, item]) =>
      (['get', 'post', 'put', 'delete'] as const).filter((m) => item?.[m]).map((m) => `${m.toUpperCase()} ${path}`),
    );
    expect(routes.length).toBeGreaterThan(15);
    expect([...described].sort()).toEqual([...routes].sort());
  });

  it('names X-Emulator-Scenario as an extension header', () => {
    expect(document.info.description).toContain('X-Emulator-Scenario');
  });

  it('every example matches its schema', () => {
    const examples: { pointer: string; schema: string }[] = [];
    const visit = (node: unknown, pointer: string) => {
      if (node === null || typeof node !== 'object') return;
      const record = node as Record<string, unknown>;
      if ('schema' in record && 'example' in record) examples.push({ pointer: `${pointer}/example`, schema: `${pointer}/schema` });
      for (const [key, child] of Object.entries(record)) visit(child, `${pointer}/${escapePointerSegment(key)}`);
    };
    visit(document.paths, '/paths');
    visit(document.components?.responses, '/components/responses');
    expect(examples.length).toBeGreaterThan(10);
    for (const { pointer, schema } of examples) {
      const value = pointer
        .split('/')
        .slice(1)
        .reduce<unknown>((node, segment) => (node as Record<string, unknown>)[segment.replace(/~1/g, '/').replace(/~0/g, '~')], document);
      // Media-type and parameter examples alike: each sits next to the schema it illustrates.
      const result = validator.validateSchema(schema, value, pointer);
      expect(result.errors, pointer).toEqual([]);
    }
  });
});

describe('real admin answers match it', () => {
  it('health, scenarios, reload', async () => {
    await checked('get', '/__emulator/health');
    const list = await checked('get', '/__emulator/scenarios');
    expect(list.body.scenarios.length).toBeGreaterThan(10);
    const one = await checked('get', '/__emulator/scenarios/errors%2Fflaky');
    expect(one.body.name).toBe('errors/flaky');
    await checked('get', '/__emulator/scenarios/credit-card%2Famex');
    await checked('get', '/__emulator/scenarios/id-card%2Fnot-authentic');
    expect((await checked('get', '/__emulator/scenarios/nope')).status).toBe(404);
    expect((await checked('post', '/__emulator/scenarios/reload')).status).toBe(200);
  });

  it('a reload that fails, and the listing that follows', async () => {
    const file = join(dir, 'broken.yaml');
    writeFileSync(file, 'description: broken\nendpoints: [credit-card]\noutcome: { error: 1 }\n');
    try {
      expect((await checked('post', '/__emulator/scenarios/reload')).status).toBe(422);
      expect((await checked('get', '/__emulator/scenarios')).body.problems).toHaveLength(1);
    } finally {
      rmSync(file);
      await checked('post', '/__emulator/scenarios/reload');
    }
  });

  it('queue, defaults, reset', async () => {
    expect((await checked('post', '/__emulator/queue', { scenario: 'credit-card/not-found', times: 2, appKey: OTHER_APP.appKey })).status).toBe(201);
    await checked('post', '/__emulator/queue', { scenario: 'errors/flaky' });
    await checked('get', '/__emulator/queue');
    expect((await checked('post', '/__emulator/queue', { scenario: 'nope' })).status).toBe(404);
    expect((await checked('post', '/__emulator/queue', { scenario: 'errors/flaky', times: 0 })).status).toBe(400);
    await checked('delete', '/__emulator/queue');
    await checked('put', `/__emulator/defaults/${APP.appKey}`, { scenarios: ['credit-card/amex'] });
    await checked('get', '/__emulator/defaults');
    expect((await checked('put', `/__emulator/defaults/${APP.appKey}`, { scenarios: 'x' })).status).toBe(400);
    expect((await checked('put', '/__emulator/defaults/nobody', { scenarios: [] })).status).toBe(404);
    await checked('delete', `/__emulator/defaults/${APP.appKey}`);
    await checked('post', '/__emulator/reset');
  });

  it('clock and keys', async () => {
    await checked('get', '/__emulator/clock');
    await checked('post', '/__emulator/clock', { advanceSeconds: 1.5 });
    expect((await checked('post', '/__emulator/clock', { advanceSeconds: -1 })).status).toBe(400);
    await checked('get', '/__emulator/keys');
    await h.client.publicKey('credit-card');
    await checked('post', '/__emulator/keys/credit-card/rotate', {});
    await checked('post', '/__emulator/keys/id-card/rotate', { appKey: OTHER_APP.appKey });
    await checked('get', '/__emulator/keys');
    await checked('post', '/__emulator/keys/credit-card/revoke', { version: '0' });
    expect((await checked('post', '/__emulator/keys/credit-card/revoke', { version: '42' })).status).toBe(404);
    expect((await checked('post', '/__emulator/keys/nothing/rotate')).status).toBe(404);
    await checked('post', '/__emulator/reset');
  });

  it('controls scoped to one appKey, and their refusals', async () => {
    await checked('get', `/__emulator/clock?appKey=${OTHER_APP.appKey}`);
    await checked('post', '/__emulator/clock', { advanceSeconds: 60, appKey: OTHER_APP.appKey });
    expect((await checked('get', '/__emulator/clock?appKey=a&appKey=b')).status).toBe(400);
    expect((await checked('post', '/__emulator/clock', { advanceSeconds: 1, appKey: 7 })).status).toBe(400);
    expect((await checked('post', '/__emulator/clock', { advanceSeconds: 1, appKey: 'nobody' })).status).toBe(404);
    expect((await checked('post', '/__emulator/clock', { advanceSeconds: 1e15 })).status).toBe(400);
    await checked('get', `/__emulator/keys?appKey=${APP.appKey}`);
    expect((await checked('get', '/__emulator/keys?appKey=nobody')).status).toBe(404);
    expect((await checked('get', '/__emulator/keys?appKey=a&appKey=b')).status).toBe(400);
    await checked('post', '/__emulator/reset', { appKey: OTHER_APP.appKey });
    expect((await checked('post', '/__emulator/reset', { appKey: 'nobody' })).status).toBe(404);
    expect((await checked('post', '/__emulator/queue', { scenario: 'errors/flaky', appKey: 'nobody' })).status).toBe(404);
    await checked('post', '/__emulator/reset');
  });

  it('appKeys registered at run time', async () => {
    expect((await checked('post', '/__emulator/appkeys', { appKey: 'spec-worker', secretKey: 'spec-secret' })).status).toBe(201);
    expect((await checked('post', '/__emulator/appkeys', { appKey: 'spec-worker', secretKey: 'spec-secret' })).status).toBe(200);
    expect((await checked('post', '/__emulator/appkeys', { appKey: 'spec-worker', secretKey: 'another' })).status).toBe(409);
    expect((await checked('post', '/__emulator/appkeys', { appKey: APP.appKey, secretKey: 'another' })).status).toBe(409);
    expect((await checked('post', '/__emulator/appkeys', { appKey: 'has space', secretKey: 's' })).status).toBe(400);
    await checked('get', '/__emulator/appkeys');
    expect((await checked('delete', `/__emulator/appkeys/${APP.appKey}`)).status).toBe(409);
    expect((await checked('delete', '/__emulator/appkeys/spec-worker')).status).toBe(200);
    expect((await checked('delete', '/__emulator/appkeys/spec-worker')).status).toBe(404);
  });

  it('stats: memory and the fill of each bounded store', async () => {
    const client = h.clientFor(APP);
    await checked('post', '/__emulator/reset');
    const read = await client.idCard(fixture('id-resident-900x570.jpg'));
    const values = Object.fromEntries(read.result!.keyValues.map((kv) => [kv.key, kv.value]));
    await client.idCard(fixture('id-resident-900x570.jpg'));
    await client.authenticity(read.requestKey!, {
      idType: 'resident',
      name: values['name']!,
      residentNumber: values['residentNumber']!,
      issueDate: values['issueDate']!,
    });
    const stats = await checked('get', '/__emulator/stats');
    expect(stats.body.requestKeys).toEqual({ held: 2, consumed: 1, max: 100_000 });
    expect(stats.body.keyCache.misses).toBeGreaterThanOrEqual(3); // three fresh keys: each cost an RSA operation
    expect(stats.body.journal.held).toBeGreaterThanOrEqual(4);
    expect(stats.body.memory.rss).toBeGreaterThan(stats.body.memory.heapUsed);
  });

  it('a journal of every kind of request', async () => {
    const client = h.clientFor(APP);
    const card = fixture('card-428x270.jpg');
    await client.creditCard(card);
    await client.creditCard(card, { keyVersion: '5' });
    await client.creditCard(card, { scenario: 'errors/flaky' });
    const read = await client.idCard(fixture('id-resident-900x570.jpg'));
    const values = Object.fromEntries(read.result!.keyValues.map((kv) => [kv.key, kv.value]));
    await client.authenticity(read.requestKey!, {
      idType: 'resident',
      name: values['name']!,
      residentNumber: values['residentNumber']!,
      issueDate: values['issueDate']!,
    });
    await request(h.url).get(`/v2.0/appkeys/${APP.appKey}/public-keys/id-card`).set('Authorization', APP.secretKey).set('X-Emulator-Scenario', 'nope');
    await request(h.url).get('/v2.0/nothing');
    const journal = await checked('get', '/__emulator/requests');
    expect(journal.body.requests.length).toBeGreaterThanOrEqual(8);
    await checked('get', '/__emulator/requests?limit=2&failed=true');
    await checked('get', '/__emulator/requests?endpoint=credit-card');
    expect((await checked('get', '/__emulator/requests?limit=x')).status).toBe(400);
    await checked('delete', '/__emulator/requests');
  });

  it('the journal since an id, and by result code: what a live view polls', async () => {
    const client = h.clientFor(APP);
    const card = fixture('card-428x270.jpg');
    const { lastId } = (await checked('get', '/__emulator/requests?limit=0')).body as { lastId: number };
    await client.creditCard(card);
    await client.creditCard(card, { keyVersion: '5' });
    const since = await checked('get', `/__emulator/requests?since=${lastId}`);
    const entries = since.body.requests as { id: number; endpoint: string; resultCode: number }[];
    // The client fetched the public key first, then made the two calls.
    expect(entries.map((e) => [e.endpoint, e.resultCode])).toEqual([
      ['public-key', 0],
      ['credit-card', 0],
      ['credit-card', 4000301],
    ]);
    expect(entries.map((e) => e.id)).toEqual([lastId + 1, lastId + 2, lastId + 3]);
    expect(since.body.lastId).toBe(lastId + 3);
    expect((await checked('get', `/__emulator/requests?since=${lastId + 3}`)).body.requests).toEqual([]);
    const byCode = await checked('get', `/__emulator/requests?since=${lastId}&resultCode=4000301`);
    expect(byCode.body.requests.map((e: { resultCode: number }) => e.resultCode)).toEqual([4000301]);
    expect((await checked('get', '/__emulator/requests?since=-1')).status).toBe(400);
    expect((await checked('get', '/__emulator/requests?resultCode=x')).status).toBe(400);
    // Ids are not reused after the journal is emptied: a poller's ?since stays right.
    await checked('delete', '/__emulator/requests');
    await client.creditCard(card);
    const after = await checked('get', `/__emulator/requests?since=${lastId + 3}`);
    expect(after.body.requests.map((e: { id: number }) => e.id)).toEqual([lastId + 4]);
  });

  it('the Request-Keys held: masked, with their state by the emulator clock', async () => {
    const client = h.clientFor(APP);
    await checked('post', '/__emulator/reset');
    const read = await client.idCard(fixture('id-resident-900x570.jpg'));
    const listed = await checked('get', '/__emulator/request-keys');
    expect(listed.body).toMatchObject({ held: 1, max: 100_000, ttlSeconds: 3600 });
    const [view] = listed.body.requestKeys;
    expect(view).toMatchObject({ appKey: APP.appKey, idType: 'resident', state: 'valid' });
    expect(view.requestKey).toBe(`********-****-****-****-********${read.requestKey!.slice(-4)}`);
    expect(JSON.stringify(listed.body)).not.toContain(read.requestKey!.slice(0, 8));
    // The journal names the same key the same way.
    const [entry] = (await checked('get', '/__emulator/requests?limit=1')).body.requests;
    expect(entry.requestKey).toEqual({ issued: true, ref: view.requestKey });
    await checked('post', '/__emulator/clock', { advanceSeconds: 3600 });
    expect((await checked('get', '/__emulator/request-keys')).body.requestKeys[0].state).toBe('expired');
    expect((await checked('get', '/__emulator/request-keys?limit=0')).body.requestKeys).toEqual([]);
    expect((await checked('get', '/__emulator/request-keys?limit=x')).status).toBe(400);
    await checked('post', '/__emulator/reset');
  });

  it('the dashboard page and its files', async () => {
    for (const [path, described, type] of [
      ['/__emulator/', '/__emulator', /^text\/html/],
      ['/__emulator', '/__emulator', /^text\/html/],
      ['/__emulator/dashboard/dashboard.js', '/__emulator/dashboard/dashboard.js', /^text\/javascript/],
      ['/__emulator/dashboard/dashboard.css', '/__emulator/dashboard/dashboard.css', /^text\/css/],
      ['/__emulator/dashboard/icon.svg', '/__emulator/dashboard/icon.svg', /^image\/svg\+xml/],
    ] as const) {
      const res = await request(h.url)
        .get(path)
        .buffer(true)
        .parse((response, done) => {
          let text = '';
          response.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
          response.on('end', () => done(null, text));
        });
      expect(res.status, path).toBe(200);
      expect(res.headers['content-type']).toMatch(type);
      expect(validator.validateResponse({ method: 'get', path: described, status: res.status, headers: res.headers, body: res.body }).errors).toEqual([]);
    }
    const missing = await checked('get', '/__emulator/dashboard/index.html');
    expect(missing.status).toBe(404);
    expect((await checked('get', '/__emulator/dashboard/nope.js')).status).toBe(404);
  });

  it("the admin API's errors: unknown path, bad JSON", async () => {
    const bad = await request(h.url).post('/__emulator/clock').set('Content-Type', 'application/json').send('{');
    expect(validator.validateResponse({ method: 'post', path: '/__emulator/clock', status: bad.status, headers: bad.headers, body: bad.body }).errors).toEqual(
      [],
    );
    expect(bad.status).toBe(400);
    // An unknown path matches no operation: its body is still the documented error shape.
    const unknown = await request(h.url).get('/__emulator/nope').expect(404);
    expect(validator.validateSchema('/components/schemas/AdminError', unknown.body).errors).toEqual([]);
  });

  describe('with a token', () => {
    let emulator: RunningEmulator;
    beforeAll(async () => {
      emulator = await startEmulator({ port: 0, keyFactory: fixedKeyFactory(), adminToken: 'secret', watchScenarios: false });
    });
    afterAll(async () => {
      await emulator?.close();
    });

    it('401 without it, 200 with it, health either way', async () => {
      expect((await checked('get', '/__emulator/clock', undefined, emulator.url)).status).toBe(401);
      expect((await checked('get', '/__emulator/clock', undefined, emulator.url, 'secret')).status).toBe(200);
      expect((await checked('get', '/__emulator/health', undefined, emulator.url)).status).toBe(200);
    });
  });
});
