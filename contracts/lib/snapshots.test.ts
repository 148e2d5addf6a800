import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ExchangeShape } from './compare.js';
import { compareWithSnapshot, describeParity, makeSnapshot, readSnapshot, snapshotFile, writeSnapshot } from './snapshots.js';

const exchange = (value = '<base64:16>'): ExchangeShape => ({
  label: 'analysis',
  request: 'POST /v2.0/appkeys/{appKey}/credit-card',
  status: 200,
  headers: { 'content-type': 'application/json', 'request-key': '<absent>' },
  body: { header: { resultCode: 0 }, result: { totalCardNum: value } },
});

describe('snapshot files', () => {
  it('writes and reads a snapshot under the case id', () => {
    const dir = mkdtempSync(join(tmpdir(), 'snapshots-'));
    const snapshot = makeSnapshot('credit-card/jpg-normal', [exchange()], 'http://127.0.0.1:4321', 'emulator', new Date('2026-11-26T10:00:00Z'));
    expect(snapshot).toMatchObject({ target: '127.0.0.1', recordedAt: '2026-11-26', source: 'emulator' });
    expect(writeSnapshot(dir, snapshot)).toBe('written');
    expect(readSnapshot(dir, 'credit-card/jpg-normal')).toEqual(snapshot);
    expect(readSnapshot(dir, 'credit-card/none')).toBeUndefined();
  });

  it('never replaces a live snapshot with an emulator one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'snapshots-'));
    writeSnapshot(dir, makeSnapshot('a/b', [exchange()], 'https://ocr.api.nhncloudservice.com', 'live'));
    expect(writeSnapshot(dir, makeSnapshot('a/b', [exchange('<int>')], 'http://127.0.0.1:1', 'emulator'))).toBe('kept-live');
    expect(readSnapshot(dir, 'a/b')?.source).toBe('live');
  });

  it('refuses ids that are not paths', () => {
    expect(() => snapshotFile('/tmp', '../x')).toThrow();
  });
});

describe('compareWithSnapshot', () => {
  const live = makeSnapshot('x/y', [exchange()], 'https://ocr.api.nhncloudservice.com', 'live', new Date('2026-11-20T00:00:00Z'));
  const emulator = { ...live, source: 'emulator' as const };

  it('matches, or reports a missing snapshot without failing', () => {
    expect(compareWithSnapshot(live, [exchange()])).toMatchObject({ status: 'match', failing: false });
    expect(compareWithSnapshot(undefined, [exchange()])).toMatchObject({ status: 'missing', failing: false });
  });

  it('fails structural differences and reports details, whatever the source', () => {
    for (const snapshot of [live, emulator]) {
      expect(compareWithSnapshot(snapshot, [exchange('<base64:32>')])).toMatchObject({ status: 'differs', failing: false });
      expect(compareWithSnapshot(snapshot, [exchange('<digits:16>')]).failing).toBe(true);
    }
  });

  it('describes the outcome in one line', () => {
    expect(describeParity('x/y', compareWithSnapshot(live, [exchange()]))).toBe('x/y: matches the live snapshot of 2026-11-20');
    expect(describeParity('x/y', compareWithSnapshot(live, [exchange('<base64:32>')]))).toBe(
      'x/y: differs from the live snapshot of 2026-11-20 (details only): analysis body.result.totalCardNum: <base64:16> in the snapshot, <base64:32> now (detail)',
    );
  });
});
