/**
 * Parallel uploads are bounded in memory all together (EMULATOR_MAX_INFLIGHT_BYTES), not only
 * one by one: 32 parallel 20 MB uploads used to be buffered at once (698 MB). Past the budget,
 * uploads wait (their sockets are not read) and go on as answered ones give their bytes back;
 * every one is answered, and an upload larger than the whole budget proceeds alone. Checked with
 * the budget's own figures in GET /__emulator/stats, small sizes, and no clocks.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encryptBytes, newSymmetricKey, wrapSymmetricKey } from '../../contracts/client/index.js';
import { ERROR_CATALOGUE } from '../../server/core/errors.js';
import type { UploadBudgetStats } from '../../server/http/upload-budget.js';
import { fixture } from '../support/fixtures.js';
import { APP, useEmulator } from '../support/harness.js';

const MiB = 1024 * 1024;
const UPLOAD_LIMIT = 4 * MiB;
const BUDGET = 1 * MiB;
/** A socket read per request may arrive after it was paused (64 KiB at most on loopback). */
const READ = 64 * 1024;
const DOCUMENTED = new Set(Object.values(ERROR_CATALOGUE).map((e) => e.code as number));

const h = useEmulator({ maxUploadBytes: UPLOAD_LIMIT, maxInflightBytes: BUDGET, logger: () => {} });

async function uploads(): Promise<UploadBudgetStats> {
  return ((await (await fetch(`${h.url}/__emulator/stats`)).json()) as { uploads: UploadBudgetStats }).uploads;
}

/** A credit-card upload of `bytes` of ciphertext under a good envelope. */
async function upload(bytes: number): Promise<number> {
  const { key: publicKey, version } = await h.client.publicKey('credit-card');
  const key = newSymmetricKey();
  const image = Buffer.concat([fixture('card-428x270.jpg'), Buffer.alloc(bytes, 0x20)]).subarray(0, bytes - 16);
  const answer = await h.client.raw({
    method: 'POST',
    path: `/v2.0/appkeys/${APP.appKey}/credit-card`,
    headers: { Authorization: APP.secretKey, 'X-Key-Version': version, 'Symmetric-Key': wrapSymmetricKey(publicKey, key) },
    multipart: { image: encryptBytes(key, image) },
  });
  return answer.body.header.resultCode;
}

describe('uploads against a budget of 1 MiB (upload limit 4 MiB)', () => {
  it('eight parallel 3 MiB uploads: all answered, at most the budget plus one upload held at once', async () => {
    const codes = await Promise.all(Array.from({ length: 8 }, () => upload(3 * MiB)));
    // A JPEG with trailing bytes: a documented answer each (0 or a failure), never -1.
    for (const code of codes) expect(DOCUMENTED.has(code) || code === 0).toBe(true);
    expect(codes).not.toContain(-1);
    const stats = await uploads();
    if (process.env['SHOW_GROWTH']) console.log(codes, stats);
    expect(stats).toMatchObject({ heldBytes: 0, waiting: 0, maxBytes: BUDGET });
    expect(stats.pauses).toBeGreaterThan(0);
    expect(stats.peakBytes).toBeGreaterThan(3 * MiB); // one went past the budget alone
    expect(stats.peakBytes).toBeLessThanOrEqual(BUDGET + UPLOAD_LIMIT + 8 * READ);
  });

  it('one upload larger than the whole budget proceeds alone, and a small one after it too', async () => {
    expect(await upload(3 * MiB)).not.toBe(-1);
    expect(await upload(64 * 1024)).not.toBe(-1);
    expect(await uploads()).toMatchObject({ heldBytes: 0, waiting: 0 });
  });

  it('a good request is answered as before', async () => {
    const answer = await h.client.creditCard(fixture('card-428x270.jpg'));
    expect(answer.resultCode).toBe(0);
  });
});

/**
 * A request waiting out a scenario's `delayMs` holds none of its upload any more: its bytes go
 * back to the budget once the engine is done with the image, not when the answer is sent. Five
 * 17 MB uploads delayed 30 s used to keep a 1.2 KB upload from another client waiting 24.5 s.
 */
describe('uploads waiting out a scripted delay', () => {
  const scenarios = mkdtempSync(join(tmpdir(), 'emulator-delayed-uploads-'));
  writeFileSync(join(scenarios, 'slow.yaml'), 'description: a slow answer\nendpoints: [credit-card]\noutcome:\n  delayMs: 8000\n');
  afterAll(() => rmSync(scenarios, { recursive: true, force: true }));
  // A budget each delayed upload alone fills.
  const d = useEmulator({ maxUploadBytes: UPLOAD_LIMIT, maxInflightBytes: 512 * 1024, scenarioDirs: [scenarios], logger: () => {} });
  const stats = async () => ((await (await fetch(`${d.url}/__emulator/stats`)).json()) as { uploads: UploadBudgetStats }).uploads;
  /** A valid JPEG of about `bytes` (a comment segment after SOI pads it), as the credit-card image. */
  const jpegOf = (bytes: number) => {
    const jpeg = fixture('card-428x270.jpg');
    const segments: Buffer[] = [];
    for (let left = bytes - jpeg.length; left > 4; left -= 65_537) {
      const length = Math.min(65_535, left - 2);
      segments.push(Buffer.concat([Buffer.from([0xff, 0xfe, length >> 8, length & 0xff]), Buffer.alloc(length - 2, 0x20)]));
    }
    return Buffer.concat([jpeg.subarray(0, 2), ...segments, jpeg.subarray(2)]);
  };

  it('a small upload from another client is answered while the delayed ones still wait', async () => {
    const order: string[] = [];
    const big = jpegOf(900 * 1024);
    const delayed = [1, 2].map((n) =>
      d.client.creditCard(big, { scenario: 'slow' }).then((answer) => {
        order.push(`delayed ${n}`);
        return answer.resultCode;
      }),
    );
    // The first delayed upload has been read whole: it waits out its delay now.
    for (const deadline = Date.now() + 20_000; (await stats()).peakBytes < big.length; await new Promise((resolve) => setTimeout(resolve, 20))) {
      expect(Date.now()).toBeLessThan(deadline);
    }
    const small = await d.clientFor(APP).creditCard(fixture('card-428x270.jpg'));
    order.push('small');
    expect(small.resultCode).toBe(0);
    expect(await Promise.all(delayed)).toEqual([0, 0]);
    expect(order[0]).toBe('small');
    expect(await stats()).toMatchObject({ heldBytes: 0, waiting: 0 });
  }, 60_000);
});

describe('a client that stops sending mid-upload', () => {
  const BUDGET_HERE = 512 * 1024;
  const s = useEmulator({ maxUploadBytes: UPLOAD_LIMIT, maxInflightBytes: BUDGET_HERE, logger: () => {} });
  const stats = async () => ((await (await fetch(`${s.url}/__emulator/stats`)).json()) as { uploads: UploadBudgetStats }).uploads;

  it('keeps no other upload waiting: the next one goes on once the stalled one brings nothing', async () => {
    // A good envelope and 400 KiB of a 1 MiB body, then nothing: most of the budget is held, and
    // would be until the request timeout (120 s).
    const { key: publicKey, version } = await s.client.publicKey('credit-card');
    const head = '--b\r\nContent-Disposition: form-data; name="image"; filename="x"\r\n\r\n';
    const stalled = connect(s.emulator.port, '127.0.0.1');
    let stalledClosed = false;
    stalled.on('close', () => (stalledClosed = true)).on('error', () => {});
    stalled.write(
      `POST /v2.0/appkeys/${APP.appKey}/credit-card HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ${APP.secretKey}\r\n` +
        `X-Key-Version: ${version}\r\nSymmetric-Key: ${wrapSymmetricKey(publicKey, newSymmetricKey())}\r\n` +
        `Content-Type: multipart/form-data; boundary=b\r\nContent-Length: ${head.length + 1024 * 1024 + 8}\r\n\r\n${head}`,
    );
    stalled.write(Buffer.alloc(400 * 1024, 0x41));
    try {
      for (const deadline = Date.now() + 20_000; (await stats()).heldBytes < 400 * 1024; await new Promise((resolve) => setTimeout(resolve, 20))) {
        expect(Date.now()).toBeLessThan(deadline);
      }
      // Larger than what is left of the budget: it has to wait for the stalled one, or go alone.
      const jpeg = Buffer.concat([fixture('card-428x270.jpg'), Buffer.alloc(200 * 1024, 0x20)]);
      expect((await s.clientFor(APP).creditCard(jpeg)).resultCode).toBe(0);
      expect(stalledClosed).toBe(false);
    } finally {
      stalled.destroy();
    }
  }, 60_000);
});
