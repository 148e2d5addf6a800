/**
 * The CI share of the wire fuzz: a fixed seed, 3,000 API cases and 1,000 admin cases of raw,
 * mostly malformed HTTP (test/fuzz/arbitraries.ts) against in-process emulators. What each
 * answer must be is in test/fuzz/oracle.ts; in short: HTTP 200 with a documented code on API
 * paths, a 4xx (or a 2xx) JSON answer on admin paths, no stack traces, no internal faults, and
 * Node's own parser may refuse only bytes that are not valid HTTP/1.1 (or a header section at
 * the emulator's limits: 16 KiB, 1,000 lines). A good request is checked every 100 cases and at the end.
 *
 * `npm run fuzz` runs the same generators for 100,000 cases with any seed.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeFault, runSurface, startAdminTarget, startApiTarget, type FuzzTarget } from './fuzz-session.js';
import type { WireCase } from './wire-case.js';

const SEED = 20_261_126;

function report(details: fc.RunDetails<[WireCase]>, surface: string): string {
  if (!details.failed) return '';
  const problem = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
  return `${fc.defaultReportMessage(details)}\n\nproblem: ${problem}\nreplay: npm run fuzz -- --seed ${SEED} --surface ${surface} --path ${details.counterexamplePath}`;
}

describe.each([
  { surface: 'api' as const, numRuns: 3000, start: startApiTarget },
  { surface: 'admin' as const, numRuns: 1000, start: startAdminTarget },
])('wire fuzz of the $surface surface (seed 20261126)', ({ surface, numRuns, start }) => {
  let target: FuzzTarget;
  beforeAll(async () => {
    target = await start();
  });
  afterAll(async () => {
    await target?.close();
  });

  it(`answers ${numRuns} generated requests as documented and still serves a good one`, async () => {
    const details = await runSurface(target, surface, { seed: SEED, numRuns, checkEvery: 100 });
    expect(details.failed, report(details, surface)).toBe(false);
    expect(details.numRuns).toBe(numRuns);
    expect(target.faults.map(describeFault)).toEqual([]);
    expect(await target.alive(true)).toBeUndefined();
  }, 110_000);
});
