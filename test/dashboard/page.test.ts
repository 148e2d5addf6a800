/**
 * The dashboard's files over HTTP, without a browser: who may load them (the admin API's rules,
 * but with a token the files load without it), the headers that keep the page to its own origin,
 * and that every file the page names is served and shipped in the package.
 */
import { readFileSync } from 'node:fs';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../server/create-engine.js';
import { Journal } from '../../server/core/journal.js';
import { createApp } from '../../server/http/pipeline.js';
import { DASHBOARD_CSP } from '../../server/http/dashboard.js';
import { startEmulator, type RunningEmulator } from '../../server/index.js';
import { fixedKeyFactory } from '../support/fixtures.js';
import { APP, useEmulator } from '../support/harness.js';

const h = useEmulator({ watchScenarios: false });
const html = readFileSync(new URL('../../server/dashboard/index.html', import.meta.url), 'utf8');

describe('the page and its files', () => {
  it('are served with a policy that keeps the page to its own origin', async () => {
    const res = await request(h.url).get('/__emulator/').expect(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers).toMatchObject({
      'content-security-policy': DASHBOARD_CSP,
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'referrer-policy': 'no-referrer',
      'cache-control': 'no-store',
    });
    expect(DASHBOARD_CSP).toMatch(/^default-src 'none';/);
    expect(DASHBOARD_CSP).not.toMatch(/unsafe|https?:|\*/);
    expect(res.text).toBe(html);
    await request(h.url)
      .get('/__emulator')
      .expect(200)
      .expect('Content-Type', /text\/html/);
  });

  it('answers other methods as the admin API answers an unknown route: 404 JSON, not a plain-text OPTIONS list', async () => {
    for (const method of ['options', 'post', 'delete'] as const) {
      const res = await request(h.url)[method]('/__emulator/');
      expect(res.status, method).toBe(404);
      expect(res.body, method).toMatchObject({ error: 'not_found' });
    }
  });

  it('names only files of its own, each served; nothing inline, nothing from elsewhere', async () => {
    const named = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map(([, url]) => url!);
    expect(named.sort()).toEqual(['/__emulator/dashboard/dashboard.css', '/__emulator/dashboard/dashboard.js', '/__emulator/dashboard/icon.svg']);
    for (const url of named) {
      const res = await request(h.url).get(url).expect(200);
      expect(res.headers['content-security-policy']).toBe(DASHBOARD_CSP);
    }
    expect(html).not.toMatch(/<script>|<style|\sstyle="|\son\w+="/);
    const script = readFileSync(new URL('../../server/dashboard/dashboard.js', import.meta.url), 'utf8');
    expect(script).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(|new Function/);
    expect(script).not.toMatch(/https?:\/\//);
  });

  it('ship in the package', () => {
    const files = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { files: string[] }).files;
    expect(files).toContain('server/dashboard');
  });

  it('are refused to web pages of other origins without a token, as the admin API is', async () => {
    const port = new URL(h.url).port;
    for (const headers of [{ Origin: 'http://evil.example' }, { 'Sec-Fetch-Site': 'cross-site' }, { Host: `evil.example:${port}` }]) {
      const res = await request(h.url).get('/__emulator/').set(headers);
      expect(res.status, JSON.stringify(headers)).toBe(403);
      expect(res.body.error).toBe('cross_origin');
    }
    // Opened from the address bar, and the page's own calls: same origin.
    await request(h.url).get('/__emulator/').set('Sec-Fetch-Site', 'none').expect(200);
    await request(h.url)
      .post('/__emulator/queue')
      .set('Origin', `http://127.0.0.1:${port}`)
      .set('Sec-Fetch-Site', 'same-origin')
      .send({ scenario: 'credit-card/not-found' })
      .expect(201);
    await request(h.url).delete('/__emulator/queue').expect(200);
  });

  it('are off with the admin API (a non-loopback address without a token)', async () => {
    const engine = createEngine({ credentials: new Map([[APP.appKey, APP.secretKey]]), keyFactory: fixedKeyFactory() });
    const app = createApp(engine, { maxUploadBytes: 1024, journal: new Journal(), adminEnabled: false });
    for (const path of ['/__emulator/', '/__emulator/dashboard/dashboard.js']) {
      expect((await request(app).get(path).expect(403)).body.error).toBe('admin_disabled');
    }
  });

  describe('with EMULATOR_ADMIN_TOKEN', () => {
    let guarded: RunningEmulator;
    beforeAll(async () => {
      guarded = await startEmulator({ port: 0, keyFactory: fixedKeyFactory(), adminToken: 'let-me-in', watchScenarios: false });
    });
    afterAll(async () => {
      await guarded?.close();
    });

    it('the files load without it (they hold no data); every call of the page needs it', async () => {
      await request(guarded.url).get('/__emulator/').expect(200);
      await request(guarded.url).get('/__emulator/dashboard/dashboard.js').expect(200);
      await request(guarded.url).get('/__emulator/requests?since=0').expect(401);
      await request(guarded.url).get('/__emulator/request-keys').expect(401);
      await request(guarded.url).get('/__emulator/requests?since=0').set('Authorization', 'Bearer let-me-in').expect(200);
    });
  });
});
