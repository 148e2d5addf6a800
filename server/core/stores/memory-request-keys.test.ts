import { describe, expect, it } from 'vitest';
import { OcrError } from '../errors.js';
import { seededRandom } from '../random.js';
import { RequestKeyLedger } from './memory-request-keys.js';

function setup(ttlSeconds = 3600, maxEntries?: number) {
  let t = Date.UTC(2026, 10, 26);
  const clock = { now: () => t };
  const ledger = new RequestKeyLedger({ clock, random: seededRandom('ledger'), ttlSeconds, ...(maxEntries ? { maxEntries } : {}) });
  const at = (appKey = 'app', ahead = 0) => ({ appKey, generation: '', now: t + ahead });
  const issue = (values: Record<string, string> = {}, verdict?: boolean) => ledger.issue(at(), { idType: 'resident', values, verdict });
  return { ledger, at, issue, tick: (ms: number) => (t += ms) };
}

async function diagnosis(run: () => Promise<unknown>): Promise<string> {
  try {
    await run();
  } catch (error) {
    expect(error).toBeInstanceOf(OcrError);
    expect((error as OcrError).code).toBe(4000122);
    return (error as OcrError).diagnosis;
  }
  throw new Error('expected 4000122');
}

describe('RequestKeyLedger', () => {
  it('issues UUID-shaped keys bound to an app key and the recognised values', async () => {
    const { ledger, at, issue } = setup();
    const key = await issue({ name: '홍길동' });
    expect(key).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(await diagnosis(() => ledger.claim(at('other'), key))).toMatch(/another appKey/);
    expect(await diagnosis(() => ledger.claim(at(), 'nope'))).toMatch(/never issued/);
    expect((await ledger.claim(at(), key)).values).toEqual({ name: '홍길동' });
  });

  it('is held by one claim at a time; a release hands it back, a consume ends it', async () => {
    const { ledger, at, issue } = setup();
    const key = await issue();
    const claimed = await ledger.claim(at(), key);
    expect(await diagnosis(() => ledger.claim(at(), key))).toMatch(/held by another authenticity call/);
    await ledger.release(claimed);
    await ledger.consume(await ledger.claim(at(), key));
    expect(await diagnosis(() => ledger.claim(at(), key))).toMatch(/already used/);
  });

  it('of concurrent claims exactly one holds the key', async () => {
    const { ledger, at, issue } = setup();
    const key = await issue();
    const outcomes = await Promise.allSettled(Array.from({ length: 100 }, () => ledger.claim(at(), key)));
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
  });

  it("expires exactly at the TTL, by the caller's clock", async () => {
    const { ledger, at, issue, tick } = setup(3600);
    const key = await issue();
    tick(3599_999);
    await ledger.release(await ledger.claim(at(), key));
    tick(1);
    expect(await diagnosis(() => ledger.claim(at(), key))).toMatch(/expired 0 s ago/);
    const second = await issue();
    // An appKey whose own clock runs an hour ahead sees it expired already.
    expect(await diagnosis(() => ledger.claim(at('app', 3600_000), second))).toMatch(/expired/);
  });

  it('purges expired entries and never holds more than maxEntries', async () => {
    const { ledger, issue, tick } = setup(10, 50);
    for (let i = 0; i < 40; i++) await issue();
    tick(11_000);
    await issue();
    expect(ledger.size).toBe(1);
    for (let i = 0; i < 200; i++) await issue();
    expect(ledger.size).toBe(50);
  });

  it('keeps a consumed key as a tombstone without its values, counted until it goes', async () => {
    const { ledger, at, issue, tick } = setup(10, 3);
    const first = await issue({ name: '홍길동', residentNumber: '8001011234567' }, true);
    const claimed = await ledger.claim(at(), first);
    await ledger.consume(claimed);
    await ledger.consume(claimed); // twice is still one
    expect(ledger.consumedCount).toBe(1);
    expect(await diagnosis(() => ledger.claim(at(), first))).toMatch(/already used/);
    // Evicted past maxEntries: no longer counted.
    for (let i = 0; i < 3; i++) await issue();
    expect(ledger.size).toBe(3);
    expect(ledger.consumedCount).toBe(0);
    // Purged on expiry: no longer counted either.
    const second = await issue();
    await ledger.consume(await ledger.claim(at(), second));
    expect(ledger.consumedCount).toBe(1);
    tick(10_000);
    await issue();
    expect(ledger.size).toBe(1);
    expect(ledger.consumedCount).toBe(0);
    await ledger.consume(await ledger.claim(at(), await issue()));
    ledger.reset();
    expect(ledger.consumedCount).toBe(0);
  });

  it("forgets one appKey's keys alone on its reset", async () => {
    const { ledger, at } = setup();
    const mine = await ledger.issue(at('a'), { idType: 'resident', values: {} });
    const theirs = await ledger.issue(at('b'), { idType: 'resident', values: {} });
    ledger.reset('a');
    expect(await diagnosis(() => ledger.claim(at('a'), mine))).toMatch(/never issued/);
    expect((await ledger.claim(at('b'), theirs)).appKey).toBe('b');
  });
});
