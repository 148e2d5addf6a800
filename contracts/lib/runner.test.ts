import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createOcrClient } from '../client/index.js';
import { CallMeter } from './budget.js';
import { defineCases, type ContractCase, type TargetInfo } from './case.js';
import { suiteControl } from './control.js';
import { loadImages } from './images.js';
import { Recorder } from './recorder.js';
import { exitStatus, markdownReport, reportSections, summaryLine } from './report.js';
import { writeSnapshot } from './snapshots.js';
import { appliesTo, resultLine, runCases, selected } from './runner.js';

const TARGET: TargetInfo = { kind: 'custom', baseUrl: 'http://fake.invalid', appKey: 'k', lenient: false, control: false };
const ok = { header: { isSuccessful: false, resultCode: 4010001, resultMessage: 'Invalid appKey or secretKey.' } };

function setup(limit?: number, body: unknown = ok, target: TargetInfo = TARGET) {
  const recorder = new Recorder(new CallMeter(limit), async () => new Response(JSON.stringify(body), { headers: { 'content-type': 'application/json' } }));
  const client = createOcrClient({ baseUrl: target.baseUrl, appKey: 'k', secretKey: 's', fetch: recorder.fetch });
  return { recorder, client, images: loadImages(), control: suiteControl(target.baseUrl, false), target };
}

/** A reading case: the reading is 4000005, the fake target answers 4010001. */
const reading: ContractCase = {
  id: 'demo/reading',
  title: 'a missing header',
  description: 'a reading',
  basis: 'reading',
  async run(ctx) {
    ctx.expectCode('answer', await ctx.client.fetchPublicKey('credit-card'), 4000005);
  },
};

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
    expect(summaryLine(results)).toBe('1 passed, 2 failed, 0 diverged, 2 skipped');
    expect(exitStatus(results)).toBe(1);
  });

  it("fails a case whose admin call the target refuses, naming the call, and quotes the journal's diagnosis of a failure", async () => {
    const admin: typeof fetch = async (input) => {
      const path = new URL(String(input)).pathname;
      const body =
        path === '/__emulator/requests'
          ? {
              requests: [{ id: 1, time: '', method: 'GET', path: '/', endpoint: 'public-key', resultCode: 4010001, diagnosis: 'appKey "k" is not known' }],
              capacity: 1,
            }
          : { error: 'not_found', message: 'no such admin path' };
      return new Response(JSON.stringify(body), { status: path === '/__emulator/requests' ? 200 : 404, headers: { 'content-type': 'application/json' } });
    };
    const target: TargetInfo = { ...TARGET, control: true };
    const withControl = defineCases([
      {
        id: 'demo/reset',
        title: 'resets',
        description: '',
        basis: 'reading',
        needs: ['emulator-control'],
        run: async (ctx) => void (await ctx.control.reset()),
      },
      cases[1]!,
    ]);
    const results = await runCases({ cases: withControl, ...setup(undefined, ok, target), control: suiteControl(target.baseUrl, true, admin) });
    expect(results.map(resultLine)).toEqual([
      'FAIL demo/reset: admin API POST /__emulator/reset: HTTP 404 not_found: no such admin path (emulator journal: public-key 4010001 appKey "k" is not known)',
      'FAIL demo/fails: expected 4000001 Invalid parameter., got 4010001 "Invalid appKey or secretKey." (emulator journal: public-key 4010001 appKey "k" is not known)',
    ]);
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
    const changed = defineCases([
      {
        ...cases[0]!,
        async run(ctx) {
          ctx.expectCode('renamed', await ctx.client.fetchPublicKey('credit-card'), 4010001);
        },
      },
    ]);
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

  it('reports a reading another target answers otherwise as a divergence that fails the run', async () => {
    const results = await runCases({ cases: [reading], ...setup(undefined, ok, { ...TARGET, kind: 'live', lenient: true }) });
    expect(results.map(resultLine)).toEqual([
      'DIVERGED demo/reading: emulator answers 4000005 Required headers is missing., the service answered 4010001 "Invalid appKey or secretKey."',
    ]);
    expect(results[0]?.divergence).toMatchObject({ request: 'GET /v2.0/appkeys/{appKey}/public-keys/credit-card', title: 'a missing header' });
    expect(summaryLine(results)).toBe('0 passed, 0 failed, 1 diverged, 0 skipped');
    expect(exitStatus(results)).toBe(1);
    const custom = await runCases({ cases: [reading], ...setup() });
    expect(custom[0]?.message).toMatch(/the target answered 4010001/);
  });

  it('learns a divergence as a live snapshot, which then holds the emulator and overrules its reading', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'runner-learn-'));
    const live = { ...TARGET, kind: 'live' as const, lenient: true };
    const learned = await runCases({ cases: [reading], ...setup(undefined, ok, live), record: { dir, source: 'live' }, learn: true });
    expect(resultLine(learned[0]!)).toMatch(/^learned demo\/reading: emulator answers 4000005/);
    expect(exitStatus(learned)).toBe(0);
    expect(summaryLine(learned)).toBe('0 passed, 0 failed, 1 diverged (1 learned), 0 skipped');
    expect(JSON.parse(readFileSync(join(dir, 'demo/reading.json'), 'utf8'))).toMatchObject({
      source: 'live',
      exchanges: [{ body: { header: { resultCode: 4010001 } } }],
    });
    const emulator = { ...TARGET, kind: 'emulator' as const };
    // The emulator still answering the reading now fails parity with the live snapshot...
    const reads = { header: { isSuccessful: false, resultCode: 4000005, resultMessage: 'Required headers is missing.' } };
    const [held] = await runCases({ cases: [reading], ...setup(undefined, reads, emulator), parityDir: dir });
    expect(resultLine(held!)).toMatch(/^FAIL demo\/reading: parity: .*4000005.*4010001|^FAIL demo\/reading: parity: .*4010001.*4000005/);
    // ...and once it answers as the service does, the live snapshot overrules the reading.
    const [follows] = await runCases({ cases: [reading], ...setup(undefined, ok, emulator), parityDir: dir });
    expect(follows?.status).toBe('pass');
    expect(follows?.accepted).toMatch(/overruled by the live snapshot/);
  });

  it('fails a divergence on the emulator without a live snapshot', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'runner-emulator-'));
    writeSnapshot(dir, { case: 'demo/reading', source: 'emulator', target: 'h', recordedAt: '2026-01-01', exchanges: [] });
    const [result] = await runCases({ cases: [reading], ...setup(undefined, ok, { ...TARGET, kind: 'emulator' }), parityDir: dir });
    expect(resultLine(result!)).toBe('FAIL demo/reading: expected 4000005 Required headers is missing., got 4010001 "Invalid appKey or secretKey."');
  });

  it('runs only the cases of its API version, suffixes ids, and skips what a case cannot check', async () => {
    const versioned = defineCases([
      { id: 'demo/v20', title: 'v2.0 only', description: '', basis: 'reading', apis: ['v2.0'], async run() {} },
      { id: 'demo/v21', title: 'v2.1 only', description: '', basis: 'reading', apis: ['v2.1'], async run() {} },
      {
        id: 'demo/both',
        title: 'both',
        description: '',
        basis: 'reading',
        async run(ctx) {
          if (ctx.api === 'v2.1') ctx.skip('nothing to check');
        },
      },
      { id: 'demo/restricted', title: 'restricted', description: '', basis: 'reading', needs: ['restricted-key'], async run() {} },
    ]);
    expect(appliesTo(versioned[0]!, 'v2.1')).toBe(false);
    const results = await runCases({ cases: versioned, ...setup(), api: 'v2.1', idSuffix: '@v2.1', filters: ['@v2.1'] });
    expect(results.map(resultLine)).toEqual([
      'pass demo/v21@v2.1',
      'skip demo/both@v2.1: nothing to check',
      expect.stringMatching(/^skip demo\/restricted@v2.1: needs a User Access Key that may not use the app key/),
    ]);
    expect(results[0]).toMatchObject({ caseId: 'demo/v21', api: 'v2.1' });
  });

  it('writes a Markdown report with the counts and each divergence', async () => {
    const run = setup(undefined, ok, { ...TARGET, kind: 'live', lenient: true });
    const results = await runCases({ cases: [...cases.slice(0, 2), reading], ...run });
    const markdown = markdownReport(results, {
      target: 'live https://x',
      apis: ['v2.0'],
      callSummary: run.recorder.meter.summary(),
      at: new Date('2026-12-01T00:00:00Z'),
    });
    expect(markdown).toContain('| 1 | 1 | 1 | 0 | 0 |');
    expect(markdown).toContain(
      '| `demo/reading`: a missing header | `GET /v2.0/appkeys/{appKey}/public-keys/credit-card` | 4000005 Required headers is missing. | 4010001 "Invalid appKey or secretKey." |',
    );
    expect(markdown).toContain('### Failures');
    expect(markdown).toMatch(/^## Contract suite: FAILED/);
  });
});
