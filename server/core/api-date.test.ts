import { describe, expect, it } from 'vitest';
import { ApiDateError, behaviourOn, DATED_CHANGES, EARLIEST_API_DATE, parseApiDate } from './api-date.js';

describe('behaviourOn', () => {
  it('is the 2023-08 guide on the earliest date: passports, 5 MB, no bbox, serialNum required, no lock, no v2.1', () => {
    expect(behaviourOn(EARLIEST_API_DATE)).toEqual({
      date: '2023-08-29',
      pinned: true,
      keyValueBbox: false,
      serialNumOptional: false,
      residentLock: false,
      v21: false,
      passportAuthenticity: true,
      maxUploadBytes: 5 * 1024 * 1024,
    });
  });

  it("is today's service without a date: every row applied", () => {
    expect(behaviourOn()).toMatchObject({
      pinned: false,
      keyValueBbox: true,
      serialNumOptional: true,
      residentLock: true,
      v21: true,
      passportAuthenticity: false,
      maxUploadBytes: 20 * 1024 * 1024,
    });
  });

  it.each(DATED_CHANGES.map((row) => [row.date, row] as const))('row %s changes exactly one behaviour, on its day and not the day before', (date, row) => {
    const dayBefore = new Date(Date.parse(`${date}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
    const before = behaviourOn(dayBefore);
    const after = behaviourOn(date);
    const changed = (Object.keys(after) as (keyof typeof after)[]).filter((key) => key !== 'date' && before[key] !== after[key]);
    expect(changed).toHaveLength(1);
    expect(row.source).toMatch(/release-notes\.md, "[A-Z][a-z]+ \d{1,2}, \d{4}"/);
  });

  it('lists its rows oldest first, each after the seed date', () => {
    const dates = DATED_CHANGES.map((row) => row.date);
    expect([...dates].sort()).toEqual(dates);
    expect(dates.every((d) => d > EARLIEST_API_DATE)).toBe(true);
  });
});

describe('parseApiDate', () => {
  it.each(['2023-08-28', '2023-8-29', '2023-02-29', '29-08-2023', 'today', ''])('refuses %j', (text) => {
    expect(() => parseApiDate(text)).toThrow(ApiDateError);
  });
  it('takes a calendar day from the seed date on', () => {
    expect(parseApiDate('2024-02-29')).toBe('2024-02-29');
  });
});
