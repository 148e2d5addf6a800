import { describe, expect, it } from 'vitest';
import { AdjustableClock } from './clock.js';
import { OcrError } from './errors.js';
import { seededRandom } from './random.js';
import { RequestKeyLedger } from './request-key-ledger.js';

function setup(ttlSeconds = 3600, maxEntries?: number) {
  let t = Date.UTC(2026, 10, 26);
  const clock = new AdjustableClock(() => t);
  const ledger = new RequestKeyLedger({ clock, random: seededRandom('ledger'), ttlSeconds, ...(maxEntries ? { maxEntries } : {}) });
  return { clock, ledger, tick: (ms: number) => (t += ms) };
}

function diagnosis(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(OcrError);
    expect((error as OcrError).code).toBe(4000122);
    return (error as OcrError).diagnosis;
  }
  throw new Error('expected 4000122');
}

describe('RequestKeyLedger', () => {
  it('issues UUID-shaped keys bound to an app key and the recognised values', () => {
    const { ledger } = setup();
    const key = ledger.issue('app', 'resident', { name: '홍길동' });
    expect(key).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(ledger.check(key, 'app').values).toEqual({ name: '홍길동' });
    expect(diagnosis(() => ledger.check(key, 'other'))).toMatch(/another appKey/);
    expect(diagnosis(() => ledger.check('nope', 'app'))).toMatch(/never issued/);
  });

  it('is single use once consumed, and usable until then', () => {
    const { ledger } = setup();
    const key = ledger.issue('app', 'resident', {});
    ledger.check(key, 'app');
    ledger.check(key, 'app');
    ledger.consume(ledger.check(key, 'app'));
    expect(diagnosis(() => ledger.check(key, 'app'))).toMatch(/already used/);
  });

  it('expires exactly at the TTL, by the injected clock', () => {
    const { ledger, clock, tick } = setup(3600);
    const key = ledger.issue('app', 'resident', {});
    tick(3599_999);
    expect(ledger.check(key, 'app').requestKey).toBe(key);
    tick(1);
    expect(diagnosis(() => ledger.check(key, 'app'))).toMatch(/expired 0 s ago/);
    const second = ledger.issue('app', 'resident', {});
    clock.advance(3600_000);
    expect(diagnosis(() => ledger.check(second, 'app'))).toMatch(/expired/);
  });

  it('purges expired entries and never holds more than maxEntries', () => {
    const { ledger, tick } = setup(10, 50);
    for (let i = 0; i < 40; i++) ledger.issue('app', 'resident', {});
    tick(11_000);
    ledger.issue('app', 'resident', {});
    expect(ledger.size).toBe(1);
    for (let i = 0; i < 200; i++) ledger.issue('app', 'resident', {});
    expect(ledger.size).toBe(50);
  });

  it('keeps a consumed key as a tombstone without its values, counted until it goes', () => {
    const { ledger, tick } = setup(10, 3);
    const first = ledger.issue('app', 'resident', { name: '홍길동', residentNumber: '8001011234567' }, true);
    const entry = ledger.check(first, 'app');
    ledger.consume(entry);
    ledger.consume(entry); // twice is still one
    expect(entry.values).toEqual({});
    expect(entry.verdict).toBeUndefined();
    expect(ledger.consumedCount).toBe(1);
    expect(diagnosis(() => ledger.check(first, 'app'))).toMatch(/already used/);
    // Evicted past maxEntries: no longer counted.
    for (let i = 0; i < 3; i++) ledger.issue('app', 'resident', {});
    expect(ledger.size).toBe(3);
    expect(ledger.consumedCount).toBe(0);
    // Purged on expiry: no longer counted either.
    const second = ledger.issue('app', 'resident', {});
    ledger.consume(ledger.check(second, 'app'));
    expect(ledger.consumedCount).toBe(1);
    tick(10_000);
    ledger.issue('app', 'resident', {});
    expect(ledger.size).toBe(1);
    expect(ledger.consumedCount).toBe(0);
    ledger.consume(ledger.check(ledger.issue('app', 'resident', {}), 'app'));
    ledger.reset();
    expect(ledger.consumedCount).toBe(0);
  });
});
