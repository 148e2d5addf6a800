import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { isLuhnValid } from '../../server/core/credit-card.js';
import { fixture } from '../support/fixtures.js';
import { forgeEnvelope } from '../support/forge-client.js';
import { APP, useEmulator } from '../support/harness.js';

const h = useEmulator();

describe('POST /v2.0/appkeys/{appKey}/credit-card', () => {
  it.each([
    ['card-856x540.jpg', 'jpg', 'normal'],
    ['card-856x540.png', 'png', 'normal'],
    ['card-428x270.jpg', 'jpg', 'low'],
    ['card-428x270.png', 'png', 'low'],
  ])('reads %s as %s with %s resolution and a plausible card', async (name, fileType, resolution) => {
    const answer = await h.client.creditCard(fixture(name));
    expect(answer.status).toBe(200);
    expect(answer.body.header).toEqual({ isSuccessful: true, resultCode: 0, resultMessage: 'SUCCESS' });
    const result = answer.result!;
    expect(result.fileType).toBe(fileType);
    expect(result.resolution).toBe(resolution);
    expect(result.cardNums.map((g) => g.value).join('')).toBe(result.totalCardNum);
    expect(result.totalCardNum).toMatch(/^\d{16}$/);
    expect(isLuhnValid(result.totalCardNum)).toBe(true);
    expect(result.validThru.value).toMatch(/^(0[1-9]|1[0-2])\/\d\d$/);
    expect(result.cardNumBoxes).toHaveLength(4);
    const [width, height] = name
      .match(/(\d+)x(\d+)/)!
      .slice(1)
      .map(Number) as [number, number];
    for (const box of [...result.cardNumBoxes, result.validThruBox]) {
      for (const x of [box.x1, box.x2, box.x3, box.x4]) expect(x).toBeLessThan(width);
      for (const y of [box.y1, box.y2, box.y3, box.y4]) expect(y).toBeLessThan(height);
    }
  });

  it('sends encrypted values, never the plaintext', async () => {
    const answer = await h.client.creditCard(fixture('card-856x540.jpg'));
    const wire = answer.body.result as { totalCardNum: string; cardNums: { value: string }[] };
    expect(wire.totalCardNum).not.toBe(answer.result!.totalCardNum);
    expect(wire.totalCardNum).toMatch(/^[A-Za-z0-9+/]+=*$/);
    expect(Buffer.from(wire.totalCardNum, 'base64').length).toBe(32);
    expect(Buffer.from(wire.cardNums[0]!.value, 'base64').length).toBe(16);
  });

  it('works with an envelope built and read by node-forge alone (independent implementation)', async () => {
    const publicKey = await h.client.publicKey('credit-card');
    const envelope = forgeEnvelope(publicKey.key);
    const res = await request(h.url)
      .post(`/v2.0/appkeys/${APP.appKey}/credit-card`)
      .set('Authorization', APP.secretKey)
      .set('X-Key-Version', publicKey.version)
      .set('Symmetric-Key', envelope.symmetricKeyHeader)
      .attach('image', envelope.encrypt(fixture('card-856x540.png')), 'card.png');
    expect(res.status).toBe(200);
    expect(res.body.header.resultCode).toBe(0);
    const groups = (res.body.result.cardNums as { value: string }[]).map((g) => envelope.decryptValue(g.value));
    expect(envelope.decryptValue(res.body.result.totalCardNum)).toBe(groups.join(''));
    expect(envelope.decryptValue(res.body.result.validThru.value)).toMatch(/^\d\d\/\d\d$/);
  });

  it('reads the same image the same way on every call, whatever the key', async () => {
    const a = await h.client.creditCard(fixture('card-856x540.jpg'));
    const b = await h.client.creditCard(fixture('card-856x540.jpg'));
    expect(a.result!.totalCardNum).toBe(b.result!.totalCardNum);
    expect(a.symmetricKey!.equals(b.symmetricKey!)).toBe(false);
  });

  it('answers JSON with HTTP 200 and no ETag', async () => {
    const answer = await h.client.creditCard(fixture('card-428x270.jpg'));
    expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
    expect(answer.headers.get('etag')).toBeNull();
    expect(answer.headers.get('x-powered-by')).toBeNull();
  });
});
