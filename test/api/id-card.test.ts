import { describe, expect, it } from 'vitest';
import { ID_CARD_KEYS } from '../../server/core/id-card.js';
import { fixture } from '../support/fixtures.js';
import { useEmulator } from '../support/harness.js';

const h = useEmulator();
const resident = fixture('id-resident-900x570.jpg');

describe('POST /id-card and /id-card/stand-alone', () => {
  it.each([
    ['id-card/resident', 'resident'],
    ['id-card/driver', 'driver'],
    ['id-card/passport', 'passport'],
  ] as const)("%s answers exactly the guide's keys for %s, every value encrypted", async (scenario, idType) => {
    for (const call of [h.client.idCard, h.client.idCardStandAlone]) {
      const answer = await call(resident, { scenario });
      expect(answer.body.header).toEqual({ isSuccessful: true, resultCode: 0, resultMessage: 'SUCCESS' });
      const result = answer.result!;
      expect(result.idType).toBe(idType);
      expect(result.keyValues.map((kv) => kv.key)).toEqual(ID_CARD_KEYS[idType]);
      const wire = answer.body.result as { keyValues: { value: string }[]; boxes: unknown[] };
      wire.keyValues.forEach((kv, i) => {
        expect(kv.value).not.toBe(result.keyValues[i]!.value);
        expect(Buffer.from(kv.value, 'base64').length % 16).toBe(0);
      });
      expect(wire.boxes.length).toBeGreaterThan(0);
      for (const kv of result.keyValues) {
        expect(kv.conf).toBeGreaterThan(0);
        expect(kv.conf).toBeLessThanOrEqual(1);
        expect(Object.keys(kv.bbox).sort()).toEqual(['x1', 'x2', 'x3', 'x4', 'y1', 'y2', 'y3', 'y4']);
      }
    }
  });

  it('reads a resident registration card by default, with plausible values', async () => {
    const answer = await h.client.idCard(resident);
    expect(answer.result!.idType).toBe('resident');
    expect(answer.result!.fileType).toBe('jpg');
    expect(answer.result!.resolution).toBe('normal');
    const values = Object.fromEntries(answer.result!.keyValues.map((kv) => [kv.key, kv.value]));
    expect(values['residentNumber']).toMatch(/^\d{6}-[1-4]\d{6}$/);
    expect(values['issueDate']).toMatch(/^\d{4}\.\d\d\.\d\d$/);
    expect(values['name']!.length).toBeGreaterThan(1);
  });

  it('answers a Request-Key on /id-card and never on /id-card/stand-alone', async () => {
    const withKey = await h.client.idCard(resident);
    expect(withKey.requestKey).toMatch(/^[0-9a-f-]{36}$/);
    const other = await h.client.idCard(resident);
    expect(other.requestKey).not.toBe(withKey.requestKey);
    for (const scenario of ['id-card/resident', 'id-card/driver', 'id-card/passport']) {
      const standAlone = await h.client.idCardStandAlone(resident, { scenario });
      expect(standAlone.resultCode).toBe(0);
      expect(standAlone.headers.get('request-key')).toBeNull();
    }
  });

  it('answers a Request-Key for driver results, not for passports (withdrawn 2026-05-27)', async () => {
    expect((await h.client.idCard(resident, { scenario: 'id-card/driver' })).requestKey).toBeDefined();
    const passport = await h.client.idCard(resident, { scenario: 'id-card/passport' });
    expect(passport.resultCode).toBe(0);
    expect(passport.requestKey).toBeUndefined();
  });

  it('sends no Request-Key with a failure', async () => {
    const answer = await h.client.idCard(resident, { scenario: 'id-card/not-found' });
    expect(answer.body.header.resultCode).toBe(4000121);
    expect(answer.headers.get('request-key')).toBeNull();
  });

  it('reads PNG too, and a small image as low resolution', async () => {
    const answer = await h.client.idCardStandAlone(fixture('card-428x270.png'));
    expect(answer.result).toMatchObject({ fileType: 'png', resolution: 'low' });
  });
});
