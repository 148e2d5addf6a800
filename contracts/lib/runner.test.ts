import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createOcrClient } from '../client/index.js';
import { CallMeter } from './budget.js';
import { defineCases, type TargetInfo } from './case.js';
import { emulatorControl } from './control.js';
import { loadImages } from './images.js';
import { Recorder } from './recorder.js';
import { reportSections, summaryLine } from './report.js';
import { resultLine, runCases, selected } from './runner.js';

const TARGET: TargetInfo = { kind: 'custom', baseUrl: 'http://fake.invalid', appKey: 'k', lenient: false, control: false };
const ok = { header: { isSuccessful: false, resultCode: 4010001, resultMessage: 'Invalid appKey or secretKey.' } };

function setup(limit?: number, body: unknown = ok) {
  const recorder = new Recorder(new CallMeter(limit), async () => new Response(JSON.stringify(body), { headers: { 'content-type': 'application/json' } }));
  const client = createOcrClient({ baseUrl: TARGET.baseUrl, appKey: 'k', secretKey: 's', fetch: recorder.fetch });
  return { recorder, client, images: loadImages(), control: emulatorControl(TARGET.baseUrl, false), target: TARGET };
}

const cases = defineCases([
  {
    id: 'demo/passes',
    title: 'passes',
    description: 'a documented failure',
    basis: 'documented',
    async run(ctx) {
      ctx.expectCode('answer', await ctx.client.fetchPublicKey('credit-card'), 4010001);
    },
  },
  {
    id: 'demo/fails',
    title: 'fails',
    description: 'expects another code',
    basis: 'documented',
    async run(ctx) {
      ctx.expectCode('answer', await ctx.client.fetchPublicKey('credit-card'), 4000001);
    },
  },
  {
    id: 'demo/soft',
    title: 'soft checks',
    description: 'collects differences',
    basis: 'reading',
    async run(ctx) {
      ctx.check(false, 'first');
      ctx.check(false, 'second');
    },
  },
  { id: 'demo/control', title: 'needs control', description: '', basis: 'reading', needs: ['emulator-control'], async run() {} },
  { id: 'demo/second', title: 'needs a second app key', description: '', basis: 'reading', needs: ['second-appkey'], async run() {} },
]);

describe('runCases', () => {
  it('passes, fails and skips with reasons', async () => {
    const results = await runCases({ cases, ...setup() });
    expect(results.map(resultLine)).toEqual([
      'pass demo/passes',
      'FAIL demo/fails: expected 4000001 Invalid parameter., got 4010001 "Invalid appKey or secretKey."',
      'FAIL demo/soft: first; second',
      'skip demo/control: needs emulator control (X-Emulator-Scenario and /__emulator/*), which this target does not offer',
      'skip demo/second: needs a second app key (OCR_APPKEY2 and OCR_SECRETKEY2, or --appkey2 and --secretkey2)',
    ]);
    expect(summaryLine(results)).toBe('1 passed, 2 failed, 2 skipped');
  });

  it('skips the rest once the call budget is spent', async () => {
    const run = setup(1);
    const results = await runCases({ cases: cases.slice(0, 2), ...run });
    expect(results.map((r) => r.status)).toEqual(['pass', 'skip']);
    expect(results[1]?.message).toMatch(/call budget of 1 calls used up/);
    expect(reportSections(results, run.recorder.meter.summary())).toContain('calls: 1 of a budget of 1');
  });

  it('fails an answer that openapi.yaml does not allow', async () => {
    const run = setup(undefined, { header: { isSuccessful: 'no', resultCode: 4010001, resultMessage: 'Invalid appKey or secretKey.' } });
    const [result] = await runCases({ cases: cases.slice(0, 1), ...run });
    expect(result?.message).toMatch(/does not match openapi.yaml/);
  });

  it('records a snapshot and then compares with it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'runner-'));
    await runCases({ cases: cases.slice(0, 1), ...setup(), record: { dir, source: 'emulator' } });
    const snapshot = JSON.parse(readFileSync(join(dir, 'demo/passes.json'), 'utf8'));
    expect(snapshot).toMatchObject({ case: 'demo/passes', source: 'emulator', target: 'fake.invalid' });
    expect(snapshot.exchanges[0]).toMatchObject({ label: 'answer', request: 'GET /v2.0/appkeys/{appKey}/public-keys/credit-card' });
    const [same] = await runCases({ cases: cases.slice(0, 1), ...setup(), parityDir: dir });
    expect(same?.parity?.status).toBe('match');
    const differentBody = { header: { isSuccessful: false, resultCode: 4010001, resultMessage: 'Invalid appKey or secretKey.' } };
    const changed = defineCases([{ ...cases[0]!, async run(ctx) { ctx.expectCode('renamed', await ctx.client.fetchPublicKey('credit-card'), 4010001); } }]);
    const [differs] = await runCases({ cases: changed, ...setup(undefined, differentBody), parityDir: dir });
    expect(resultLine(differs!)).toMatch(/^FAIL demo\/passes: parity: .*answer: missing/);
  });

  it('skips by substring with a reason', async () => {
    const results = await runCases({ cases: cases.slice(0, 2), ...setup(), skips: ['fails'] });
    expect(results.map(resultLine)).toEqual(['pass demo/passes', 'skip demo/fails: skipped by --skip fails']);
  });

  it('filters by substring', () => {
    expect(selected('credit-card/jpg-normal', ['jpg', 'png'])).toBe(true);
    expect(selected('credit-card/jpg-normal', ['id-card'])).toBe(false);
    expect(selected('anything', [])).toBe(true);
  });
});
