import { describe, expect, it } from 'vitest';
import { CONDITION_ROWS } from '../lib/result-codes.js';
import { ALL_CASES } from './index.js';

describe('the case catalogue', () => {
  it('has unique ids of the form area/name', () => {
    const ids = ALL_CASES.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[a-z0-9-]+\/[a-z0-9-]+$/);
  });

  it('covers every row of the condition-to-code table', () => {
    const covered = new Set(ALL_CASES.flatMap((c) => c.covers ?? []));
    const rows = CONDITION_ROWS.map((row) => row.id);
    expect(rows.filter((row) => !covered.has(row))).toEqual([]);
    expect([...covered].filter((row) => !rows.includes(row))).toEqual([]);
  });

  it('cites the documentation in every description', () => {
    for (const c of ALL_CASES) {
      expect(c.description, c.id).toMatch(/guide|facts page|error-code|README|release notes/);
      expect(c.title.length, c.id).toBeGreaterThan(5);
    }
  });

  it('marks every condition-table case as a reading unless the guide states the rule', () => {
    for (const c of ALL_CASES.filter((x) => (x.covers ?? []).length > 0 && x.basis === 'documented')) {
      expect(c.description, c.id).toMatch(/guide|error-code/);
    }
  });
});
