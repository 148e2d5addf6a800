/**
 * The dashboard in a real browser (headless Chromium): a failing request shows up with its
 * diagnosis without a reload, a scenario queued from the page plays on the next call, a clock
 * advance expires a Request-Key, a token typed into the page opens a protected emulator, the
 * page fits a phone, and no request the page makes leaves the emulator's origin.
 *
 * The 1280-pixel screenshot docs/admin-api.md shows is taken here; `DASHBOARD_SCREENSHOT=write` saves
 * it over test/dashboard/screenshot.png (otherwise it goes to the temporary directory, so a test
 * run leaves the working tree alone).
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Locator, Page } from 'playwright-core';
import request from 'supertest';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createOcrClient, type OcrClient } from '../../contracts/client/index.js';
import { startEmulator, type RunningEmulator } from '../../server/index.js';
import { chromiumMissing, launchChromium, type Chromium } from '../support/browser.js';
import { fixture, fixedKeyFactory } from '../support/fixtures.js';
import { REDIS_SERVER, startRedis } from '../support/redis-server.js';
import { APP, useEmulator } from '../support/harness.js';

const missing = chromiumMissing();
const h = useEmulator({ watchScenarios: false });
const png = fixture('card-428x270.png');
const jpeg = fixture('card-856x540.jpg');
const resident = fixture('id-resident-900x570.jpg');
/** Long enough for a poll (every second) on a busy machine. */
const SEEN = { timeout: 15_000 };
const SCREENSHOT =
  process.env['DASHBOARD_SCREENSHOT'] === 'write'
    ? fileURLToPath(new URL('./screenshot.png', import.meta.url))
    : join(tmpdir(), 'nhn-ocr-emulator-dashboard.png');

describe.skipIf(missing)(`the dashboard in Chromium${missing ? ` (skipped: ${missing})` : ''}`, () => {
  let browser: Chromium;
  /** Every URL any page of the browser requested. */
  const requested: string[] = [];

  beforeAll(async () => {
    browser = await launchChromium();
    browser.context.on('request', (req) => requested.push(req.url()));
  });
  afterAll(async () => {
    await browser?.close();
  });
  /** A client per test: a reset forgets the keys a client would have cached. */
  let client: OcrClient;
  beforeEach(async () => {
    await request(h.url).post('/__emulator/reset').expect(200);
    client = h.clientFor(APP);
  });

  /** Script errors of the pages, checked after each test. */
  const pageErrors: Error[] = [];
  afterEach(() => {
    expect(pageErrors).toEqual([]);
  });

  /** Opens the dashboard and waits until it has loaded the emulator's state. */
  async function open(url = h.url): Promise<Page> {
    const page = await browser.context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error));
    await page.goto(`${url}/__emulator/`);
    await page.locator('#status[data-kind="ok"]').waitFor(SEEN);
    return page;
  }

  /** The text of what a locator finds, polled until the expectation holds (or SEEN passes). */
  const textOf = (locator: Locator) => expect.poll(async () => ((await locator.count()) ? await locator.first().textContent() : null), SEEN);
  const countOf = (locator: Locator) => expect.poll(() => locator.count(), SEEN);

  it('shows a failing request and its diagnosis as it happens, without a reload; then its details', async () => {
    // One failure before the page opens: an unencrypted PNG.
    const plain = await client.creditCard(png, { imageCiphertext: png });
    expect(plain.headers.get('x-emulator-diagnosis')).toMatch(/^the image is a plain PNG .*: encrypt it with AES-256-CBC first/);
    const page = await open();
    await textOf(page.locator('#request-rows tr', { hasText: 'the image is a plain PNG' }).locator('.badge')).toBe('4000303');
    // Page expressions as strings: the tests are type-checked without the DOM library.
    await page.evaluate('window.marker = 42');

    // One while it is open: a zero IV.
    const zero = await client.creditCard(png, { iv: Buffer.alloc(16) });
    expect(zero.resultCode).toBe(4000003);
    expect(zero.headers.get('x-emulator-diagnosis')).toMatch(/all-zero IV; the IV must be the first 16 bytes of the symmetric key/);
    const row = page.locator('#request-rows tr', { hasText: 'all-zero IV' });
    await row.waitFor(SEEN);
    await textOf(row.locator('.badge')).toBe('4000003');
    expect(await page.locator('#request-rows tr').first().textContent()).toContain('all-zero IV'); // newest first
    expect(await page.evaluate('window.marker')).toBe(42); // not reloaded

    // Its details, chosen with the keyboard.
    await row.getByRole('button').focus();
    await page.keyboard.press('Enter');
    expect(await page.evaluate('document.activeElement.id')).toBe('detail-title');
    await textOf(page.locator('#detail-diagnosis')).toBe(zero.headers.get('x-emulator-diagnosis')!);
    const facts = page.locator('#detail-facts');
    await textOf(facts).toContain('X-Key-Version0');
    await textOf(facts).toContain('Symmetric key32 bytes unwrapped');
    await textOf(facts).toContain('Result code4000003');

    // A good request's image facts; the filter hides it again.
    await client.creditCard(jpeg);
    const good = page.locator('#request-rows tr', { hasText: 'credit-card' }).filter({ has: page.locator('.badge.ok') });
    await good.first().waitFor(SEEN);
    await good.first().getByRole('button').click();
    await textOf(facts).toContain('ImageJPG, 856 × 540 px');
    await page.locator('#filter-code').selectOption('failed');
    await countOf(page.locator('#request-rows .badge.ok')).toBe(0);
    await countOf(page.locator('#request-rows tr')).toBe(2);
    await page.locator('#filter-code').selectOption('4000303');
    await countOf(page.locator('#request-rows tr')).toBe(1);
    await page.close();
  });

  it('queues a scenario from the page, and the next API call follows it', async () => {
    const page = await open();
    await page.getByLabel('Scenario', { exact: true }).selectOption('credit-card/not-found');
    await textOf(page.locator('#queue-description')).toContain('credit-card');
    await page.getByRole('button', { name: 'Queue', exact: true }).click();
    await textOf(page.locator('#queue-list')).toContain('credit-card/not-found × 1');

    const answer = await client.creditCard(jpeg);
    expect(answer.resultCode).toBe(4000111);
    expect(answer.headers.get('x-emulator-diagnosis')).toBe('scripted by scenario "credit-card/not-found" (call 1)');
    const row = page.locator('#request-rows tr', { hasText: 'scripted by scenario "credit-card/not-found"' });
    await row.waitFor(SEEN);
    await textOf(row.locator('.badge')).toBe('4000111');
    await page.locator('#queue-empty').waitFor({ state: 'visible', ...SEEN });
    await page.close();
  });

  it('advances the clock, and a Request-Key turns expired', async () => {
    const read = await client.idCard(resident);
    const tail = read.requestKey!.slice(-4);
    const page = await open();
    const key = page.locator('#rk-rows tr', { hasText: tail });
    await textOf(key.locator('.badge')).toBe('valid');
    await page.locator('#request-rows tr', { hasText: 'id-card' }).getByRole('button').click();
    await textOf(page.locator('#detail-facts')).toContain(`Request-Key…${tail} issued; now valid`);

    await page.getByLabel('Advance by (seconds)').fill('3600');
    await page.getByRole('button', { name: 'Advance', exact: true }).click();
    await textOf(key.locator('.badge')).toBe('expired');
    await textOf(page.locator('#clock-offset')).toContain('1 h 0 min ahead of real time');
    await textOf(page.locator('#detail-facts')).toContain(`Request-Key…${tail} issued; now expired`);
    // The emulator agrees: the key is refused.
    const values = Object.fromEntries(read.result!.keyValues.map((kv) => [kv.key, kv.value]));
    const late = await client.authenticity(read.requestKey!, {
      idType: 'resident',
      name: values['name']!,
      residentNumber: values['residentNumber']!,
      issueDate: values['issueDate']!,
    });
    expect(late.headers.get('x-emulator-diagnosis')).toMatch(/^Request-Key expired \d+ s ago/);
    await page.close();
  });

  it('rotates and revokes key versions', async () => {
    await client.publicKey('credit-card');
    const page = await open();
    await page.getByRole('button', { name: `Rotate the credit-card key of ${APP.appKey}` }).click();
    await page.getByRole('button', { name: `Revoke credit-card key version 0 of ${APP.appKey}` }).click();
    await textOf(page.locator('#key-rows tr', { hasText: 'credit-card' }).first()).toContain('0 revoked');
    const keys = (await request(h.url).get('/__emulator/keys').expect(200)).body.keys as {
      appKey: string;
      service: string;
      versions: { version: string; revoked: boolean }[];
    }[];
    expect(keys.find((k) => k.appKey === APP.appKey && k.service === 'credit-card')?.versions.map((v) => [v.version, v.revoked])).toEqual([
      ['0', true],
      ['1', false],
    ]);
    await page.close();
  });

  it('offers at most the 200 appKeys seen last, with a note of how many more, however many arrive', async () => {
    const page = await open();
    /** Public-key calls of unique appKeys (each a journal entry with its appKey), 100 at a time. */
    const callAs = async (from: number, to: number) => {
      for (let start = from; start < to; start += 100) {
        await Promise.all(
          Array.from({ length: Math.min(100, to - start) }, (_, i) =>
            fetch(`${h.url}/v2.0/appkeys/many-${String(start + i).padStart(4, '0')}/public-keys/credit-card`, {
              headers: { Authorization: 'not-the-secret' },
            }).then((res) => res.arrayBuffer()),
          ),
        );
      }
    };
    await callAs(0, 600);
    const filter = page.locator('#filter-appkey');
    const note = filter.locator('option[disabled]');
    await textOf(note).toMatch(/^\d+ more not listed \(the 200 seen last are\)$/);
    // The newest is offered; the list holds 200 appKeys, "any" and the note, not 600.
    await countOf(filter.locator('option[value="many-0599"]')).toBe(1);
    expect(await filter.locator('option').count()).toBe(202);
    expect(await page.locator('#queue-appkey option').count()).toBe(202);
    const more = () => note.textContent().then((text) => Number(text!.split(' ')[0]!.replace(/,/g, '')));
    expect((await more()) + 200).toBeGreaterThanOrEqual(500);

    // A chosen appKey stays chosen (and offered) when newer ones push it out of the 200.
    await filter.selectOption('many-0599');
    await countOf(page.locator('#request-rows tr')).toBe(1);
    const before = await more();
    await callAs(600, 900);
    await expect.poll(more, SEEN).toBeGreaterThanOrEqual(before + 250);
    expect(await filter.inputValue()).toBe('many-0599');
    expect(await filter.locator('option').count()).toBe(203);
    await page.close();
  });

  it('fits a 390-pixel phone screen', async () => {
    await client.creditCard(png, { iv: Buffer.alloc(16) });
    const page = await open();
    await page.setViewportSize({ width: 390, height: 844 });
    await page.locator('#request-rows tr').first().waitFor(SEEN);
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await textOf(page.locator('#request-rows tr').first()).toContain('all-zero IV');
    await page.close();
  });

  it('asks for the admin token when the emulator has one, and keeps it for the tab', async () => {
    const guarded: RunningEmulator = await startEmulator({ port: 0, keyFactory: fixedKeyFactory(), adminToken: 'let-me-in', watchScenarios: false });
    try {
      await createOcrClient({ baseUrl: guarded.url, ...APP }).creditCard(png, { imageCiphertext: png });
      const page = await browser.context.newPage();
      await page.goto(`${guarded.url}/__emulator/`);
      const token = page.getByLabel('Token');
      await token.waitFor({ state: 'visible', ...SEEN });
      await token.fill('wrong');
      await page.getByRole('button', { name: 'Use token' }).click();
      await textOf(page.locator('#status')).toBe('That token was refused.');
      await token.fill('let-me-in');
      await page.getByRole('button', { name: 'Use token' }).click();
      await countOf(page.locator('#request-rows tr', { hasText: 'plain PNG' })).toBe(1);
      expect(await page.evaluate("sessionStorage.getItem('nhn-ocr-emulator.admin-token')")).toBe('let-me-in');
      await page.close();
    } finally {
      // The page's last poll may still hold a keep-alive connection: close it rather than wait it out.
      guarded.server.closeAllConnections();
      await guarded.close();
    }
  });

  it.skipIf(!REDIS_SERVER)('works on an emulator whose state is in Redis: Request-Keys listed, stats say they are not counted', async () => {
    const redis = await startRedis();
    const shared = await startEmulator({ port: 0, redisUrl: redis.url, redisSecret: 'dashboard-test-secret', watchScenarios: false });
    try {
      const read = await createOcrClient({ baseUrl: shared.url, ...APP }).idCard(resident);
      const page = await open(shared.url);
      await textOf(page.locator('#rk-rows tr', { hasText: read.requestKey!.slice(-4) }).locator('.badge')).toBe('valid');
      await textOf(page.locator('#stats')).toContain('shared in Redis, not counted');
      await page.close();
    } finally {
      shared.server.closeAllConnections();
      await shared.close();
      await redis.stop();
    }
  });

  it('loads with no request leaving the machine; the screenshot', async () => {
    // A little of everything, for the picture.
    await client.creditCard(jpeg);
    await client.creditCard(png, { iv: Buffer.alloc(16) });
    await client.creditCard(png, { imageCiphertext: png });
    await client.creditCard(png, { keyVersion: '7' });
    await client.idCard(resident);
    await client.creditCard(jpeg, { scenario: 'credit-card/not-found' });
    await request(h.url).post('/__emulator/queue').send({ scenario: 'errors/flaky', times: 2 }).expect(201);

    const before = requested.length;
    const page = await open();
    const responses: { url: string; csp: string | undefined }[] = [];
    page.on('response', (res) => responses.push({ url: res.url(), csp: res.headers()['content-security-policy'] }));
    await page.reload();
    await page.locator('#status[data-kind="ok"]').waitFor(SEEN);
    await page.locator('#request-rows tr', { hasText: 'plain PNG' }).getByRole('button').click();
    await page.mouse.move(0, 0);
    await page.waitForTimeout(2_500); // a few polls, so they are recorded too
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(page.viewportSize()?.width).toBe(1280);

    const made = requested.slice(before);
    expect(made.length).toBeGreaterThan(10);
    const origin = new URL(h.url).origin;
    expect(made.filter((url) => new URL(url).origin !== origin)).toEqual([]);
    // The page and its files carry the policy that keeps it so.
    const files = responses.filter(({ url }) => {
      const path = new URL(url).pathname;
      return path === '/__emulator/' || path.startsWith('/__emulator/dashboard/');
    });
    expect(files.length).toBeGreaterThanOrEqual(3);
    for (const file of files)
      expect(file.csp, file.url).toMatch(/^default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self';/);
    await page.close();
  }, 60_000);
});
