import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { boundedCopy, clip, Journal, JOURNAL_TEXT_LIMIT, ownCopy, type JournalEntry } from './journal.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const liveHeap = () => {
  for (let i = 0; i < 3; i++) gc();
  return process.memoryUsage().heapUsed;
};

const entry = (n: number, extra: Partial<JournalEntry> = {}): Omit<JournalEntry, 'id'> => ({
  time: new Date(Date.UTC(2026, 0, 1) + n).toISOString(),
  method: 'GET',
  path: `/v2.0/appkeys/emulator-appkey/public-keys/credit-card`,
  endpoint: n % 2 ? 'public-key' : 'credit-card',
  appKey: 'emulator-appkey',
  resultCode: n % 3 ? 0 : 4000301,
  ...extra,
});

describe('Journal as a ring', () => {
  it('keeps the newest `capacity` entries in order across many wraps, with ids counting on', () => {
    const journal = new Journal(7);
    for (let n = 0; n < 100; n++) journal.add(entry(n));
    const ids = journal.list().map((e) => e.id);
    expect(ids).toEqual([94, 95, 96, 97, 98, 99, 100]);
    expect(journal.list({ limit: 2 }).map((e) => e.id)).toEqual([99, 100]);
    expect(journal.list({ limit: 0 })).toEqual([]);
    expect(journal.list({ endpoint: 'public-key' }).map((e) => e.id)).toEqual([94, 96, 98, 100]);
    expect(journal.list({ failedOnly: true }).every((e) => e.resultCode !== 0)).toBe(true);
    journal.reset();
    expect(journal.size).toBe(0);
    expect(journal.bytes).toBe(0);
    journal.add(entry(0));
    expect(journal.list().map((e) => e.id)).toEqual([101]);
  });

  it('drops the oldest past the byte budget, and its byte count stays the sum of what it holds', () => {
    const journal = new Journal(1000, 40_000);
    for (let n = 0; n < 200; n++) journal.add(entry(n, { diagnosis: 'd'.repeat(n * 2) }));
    expect(journal.bytes).toBeLessThanOrEqual(40_000);
    expect(journal.size).toBeLessThan(200);
    const held = journal.list();
    expect(held.at(-1)!.id).toBe(200);
    expect(journal.bytes).toBe(held.reduce((sum, e) => sum + boundedCopy(e).bytes, 0));
    // One entry larger than the whole budget is still kept (the newest always is).
    const tiny = new Journal(10, 10);
    tiny.add(entry(1));
    expect(tiny.size).toBe(1);
  });

  it('stores a copy: changing what was added changes nothing held', () => {
    const journal = new Journal(3);
    const added = entry(1, { scenario: { name: 'x', reason: 'header', call: 0 } });
    journal.add(added);
    added.scenario!.name = 'changed';
    expect(journal.list()[0]!.scenario!.name).toBe('x');
  });
});

describe('boundedCopy', () => {
  it('clips every text, keys included, and keeps a "__proto__" key as an own member', () => {
    const long = 'x'.repeat(10_000);
    const { value } = boundedCopy(JSON.parse(`{"a":{"__proto__":"${long}","${long}":[1.5,true,null]}}`) as Record<string, Record<string, unknown>>);
    expect(Object.getPrototypeOf(value['a'])).toBe(Object.prototype);
    expect(Object.hasOwn(value['a']!, '__proto__')).toBe(true);
    // biome-ignore lint/suspicious/noProto: the journal must keep a field named __proto__ as data
    expect(value['a']!['__proto__']).toBe(clip(long));
    expect(Object.keys(value['a']!)[1]).toBe(`${'x'.repeat(JOURNAL_TEXT_LIMIT)}...(10000 chars)`);
  });

  it('estimates within 1.5x of what V8 holds, for ordinary entries and for entries at the limit', () => {
    for (const key of ['emulator-appkey', 'k'.repeat(14_000), '홍'.repeat(14_000)]) {
      const journal = new Journal(100_000, 2 ** 40);
      const before = liveHeap();
      for (let n = 0; n < 20_000; n++)
        journal.add(entry(n, { appKey: `${n}${key}`, path: `/v2.0/appkeys/${n}${key}/credit-card`, diagnosis: `appKey "${n}${key}" is not known` }));
      const held = liveHeap() - before;
      expect(journal.bytes / held).toBeGreaterThan(1 / 1.5);
      expect(journal.bytes / held).toBeLessThan(1.5);
    }
  });
});

describe('ownCopy', () => {
  it('keeps a short part of a huge text without the huge text behind it', () => {
    const parts: string[] = [];
    const before = liveHeap();
    for (let n = 0; n < 200; n++) parts.push(ownCopy(`${n}`.padEnd(1_000_000, 'z').slice(0, 100)));
    // 200 MB if each part held its million-character parent.
    expect(liveHeap() - before).toBeLessThan(5 * 1024 * 1024);
    expect(parts[7]).toBe('7'.padEnd(100, 'z'));
  });
});
