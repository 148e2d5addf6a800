import { describe, expect, it } from 'vitest';
import { CONDITION_ROWS, ISSUER_ROWS } from '../lib/result-codes.js';
import { ALL_CASES } from './index.js';

describe('the case catalogue', () => {
  it('has unique ids of the form area/name', () => {
    const ids = ALL_CASES.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[a-z0-9-]+\/[a-z0-9-]+$/);
  });

  it('covers every row of the condition-to-code table and of the token issuer', () => {
    const covered = new Set(ALL_CASES.flatMap((c) => c.covers ?? []));
    const rows = [...CONDITION_ROWS, ...ISSUER_ROWS].map((row) => row.id);
    expect(rows.filter((row) => !covered.has(row))).toEqual([]);
    expect([...covered].filter((row) => !rows.includes(row))).toEqual([]);
  });

  it('cites the documentation in every description', () => {
    for (const c of ALL_CASES) {
      expect(c.description, c.id).toMatch(/guide|docs\/[a-z-]+\.md|error-code|release notes/);
      expect(c.title.length, c.id).toBeGreaterThan(5);
    }
  });

  it('marks every condition-table case as a reading unless the guide (or, for the issuer, RFC 6749) states the rule', () => {
    for (const c of ALL_CASES.filter((x) => (x.covers ?? []).length > 0 && x.basis === 'documented')) {
      expect(c.description, c.id).toMatch(/guide|error-code|RFC 6749/);
    }
  });

  it('covers each v2.1 row with a v2.1 case and each v2.0-only row with a v2.0 case', () => {
    for (const row of CONDITION_ROWS.filter((r) => r.apis?.length === 1)) {
      const api = row.apis![0]!;
      const covering = ALL_CASES.filter((c) => (c.covers ?? []).includes(row.id) && (!c.apis || c.apis.includes(api)));
      expect(covering.length, row.id).toBeGreaterThan(0);
    }
  });

  it('runs the token cases under v2.1 only, and the secret-key cases under v2.0 only', () => {
    for (const c of ALL_CASES.filter((x) => x.id.startsWith('token/'))) expect(c.apis, c.id).toEqual(['v2.1']);
    for (const c of ALL_CASES.filter((x) => x.id.startsWith('auth/'))) expect(c.apis, c.id).toEqual(['v2.0']);
  });
});
