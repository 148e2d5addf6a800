import { describe, expect, it } from 'vitest';
import { compareExchanges, compareShapes, formatDifference, isStructural, type ExchangeShape } from './compare.js';

describe('compareShapes', () => {
  it('finds nothing in equal shapes', () => {
    const shape = { header: { resultCode: 0 }, result: { cardNums: [{ value: '<base64:16>' }] } };
    expect(compareShapes(shape, structuredClone(shape))).toEqual([]);
  });

  it('reports missing, extra and differently shaped fields', () => {
    expect(compareShapes({ a: '<int>', b: '<base64:32>', c: '<int>' }, { a: '<int>', b: '<digits:16>', d: true })).toEqual([
      { path: 'b', kind: 'shape', expected: '<base64:32>', actual: '<digits:16>' },
      { path: 'c', kind: 'missing', expected: '<int>' },
      { path: 'd', kind: 'extra', actual: 'true' },
    ]);
  });

  it('calls a different parameter of the same kind a detail', () => {
    const [difference] = compareShapes({ v: '<base64:16>' }, { v: '<base64:32>' });
    expect(difference?.kind).toBe('detail');
    expect(isStructural(difference!)).toBe(false);
  });

  it('treats different literals as a shape difference', () => {
    expect(compareShapes({ header: { resultCode: 0 } }, { header: { resultCode: 4000111 } })).toEqual([
      { path: 'header.resultCode', kind: 'shape', expected: '0', actual: '4000111' },
    ]);
  });

  it('reports an object where a string was, and array lengths as details', () => {
    expect(compareShapes({ x: '<int>' }, { x: { y: 1 } })[0]?.kind).toBe('shape');
    expect(compareShapes(['<int>', '<int>'], ['<int>'])).toEqual([{ path: '', kind: 'detail', expected: 'length 2', actual: 'length 1' }]);
  });

  it('matches key/value arrays by key, not by position', () => {
    const expected = [
      { key: 'name', value: '<base64:16>' },
      { key: 'issuer', value: '<base64:32>' },
    ];
    const actual = [
      { key: 'issuer', value: '<base64:32>' },
      { key: 'name', value: '<base64:16>' },
      { key: 'extra', value: '<base64:16>' },
    ];
    expect(compareShapes(expected, actual, 'result.keyValues')).toEqual([{ path: 'result.keyValues[key=extra]', kind: 'extra', actual: 'object' }]);
    expect(compareShapes(expected, actual.slice(0, 1), 'kv')).toEqual([{ path: 'kv[key=name]', kind: 'missing', expected: 'object' }]);
  });
});

describe('compareExchanges', () => {
  const exchange = (over: Partial<ExchangeShape> = {}): ExchangeShape => ({
    label: 'analysis',
    request: 'POST /v2.0/appkeys/{appKey}/id-card',
    status: 200,
    headers: { 'request-key': '<uuid>' },
    body: { header: { resultCode: 0 } },
    ...over,
  });

  it('matches exchanges by label and compares status, headers and body', () => {
    expect(compareExchanges([exchange()], [exchange()])).toEqual([]);
    const differences = compareExchanges([exchange()], [exchange({ status: 404, headers: { 'request-key': '<absent>' } })]);
    expect(differences.map(formatDifference)).toEqual([
      'analysis status: 200 in the snapshot, 404 now',
      'analysis headers.request-key: <uuid> in the snapshot, <absent> now',
    ]);
  });

  it('reports missing and extra exchanges', () => {
    expect(compareExchanges([exchange()], [exchange({ label: 'other' })]).map((d) => d.kind)).toEqual(['missing', 'extra']);
  });
});
