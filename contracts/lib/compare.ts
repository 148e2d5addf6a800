/**
 * Compares redacted answers (see shape.ts) with a snapshot: which fields are missing, extra, or
 * differently shaped. A difference in a shape's parameter only (`<base64:16>` against
 * `<base64:32>`, an array of 3 against 4) is a `detail`: it follows from the content of the
 * image (a longer name, another card), so against a live snapshot it is reported, not failed.
 */
import type { Shape } from './shape.js';
import { joinPath } from './shape.js';

/** `missing` and `extra` fields, a different `shape`, or only a different parameter (`detail`). */
export type DifferenceKind = 'missing' | 'extra' | 'shape' | 'detail';

/** One difference between a snapshot and an answer. */
export interface Difference {
  path: string;
  kind: DifferenceKind;
  expected?: string;
  actual?: string;
}

/** One recorded call of a case: its label, request line, status, headers and body, redacted. */
export interface ExchangeShape {
  label: string;
  request?: string;
  status: number;
  headers: Record<string, string>;
  body: Shape;
}

/**
 * Whether a difference changes the structure (anything but a `detail`).
 * @example isStructural({ path: 'result.fileType', kind: 'missing' }) // true
 */
export function isStructural(difference: Difference): boolean {
  return difference.kind !== 'detail';
}

/**
 * One line for a difference.
 * @example formatDifference({ path: 'result.totalCardNum', kind: 'shape', expected: '<base64:32>', actual: '<digits:16>' })
 * // 'result.totalCardNum: <base64:32> in the snapshot, <digits:16> now'
 */
export function formatDifference(difference: Difference): string {
  const where = difference.path || '(root)';
  switch (difference.kind) {
    case 'missing':
      return `${where}: missing (snapshot has ${difference.expected})`;
    case 'extra':
      return `${where}: extra (${difference.actual}, not in the snapshot)`;
    default:
      return `${where}: ${difference.expected} in the snapshot, ${difference.actual} now${difference.kind === 'detail' ? ' (detail)' : ''}`;
  }
}

/** `<base64:16>` → kind `base64`, parameter `16`; a literal has no kind. */
function parseShape(value: string): { kind: string; parameter?: string } | undefined {
  const match = /^<([^:>]+)(?::([^>]*))?>$/.exec(value);
  if (!match) return undefined;
  return match[2] === undefined ? { kind: match[1]! } : { kind: match[1]!, parameter: match[2] };
}

function describe(shape: Shape): string {
  if (Array.isArray(shape)) return `array(${shape.length})`;
  if (shape !== null && typeof shape === 'object') return 'object';
  return typeof shape === 'string' ? shape : JSON.stringify(shape);
}

function keyOf(item: Shape): string | undefined {
  if (item === null || typeof item !== 'object' || Array.isArray(item)) return undefined;
  const key = item['key'];
  return typeof key === 'string' && !key.startsWith('<') ? key : undefined;
}

function compareLeaves(expected: Shape, actual: Shape, path: string): Difference[] {
  if (expected === actual) return [];
  const [e, a] = [typeof expected === 'string' ? parseShape(expected) : undefined, typeof actual === 'string' ? parseShape(actual) : undefined];
  const kind: DifferenceKind = e && a && e.kind === a.kind ? 'detail' : 'shape';
  return [{ path, kind, expected: describe(expected), actual: describe(actual) }];
}

function compareArrays(expected: Shape[], actual: Shape[], path: string): Difference[] {
  const keysE = expected.map(keyOf);
  const keysA = actual.map(keyOf);
  // Arrays of key/value objects (`keyValues`) are matched by key: the order of keys is not part
  // of the documented answer, the set of keys is.
  if (expected.length > 0 && actual.length > 0 && [...keysE, ...keysA].every((k) => k !== undefined)) {
    const differences: Difference[] = [];
    const byKey = new Map(actual.map((item, i) => [keysA[i]!, item]));
    expected.forEach((item, i) => {
      const at = `${path}[key=${keysE[i]}]`;
      const other = byKey.get(keysE[i]!);
      if (other === undefined) differences.push({ path: at, kind: 'missing', expected: describe(item) });
      else differences.push(...compareShapes(item, other, at));
    });
    const known = new Set(keysE);
    actual.forEach((item, i) => {
      if (!known.has(keysA[i]!)) differences.push({ path: `${path}[key=${keysA[i]}]`, kind: 'extra', actual: describe(item) });
    });
    return differences;
  }
  const differences: Difference[] = [];
  if (expected.length !== actual.length) {
    differences.push({ path, kind: 'detail', expected: `length ${expected.length}`, actual: `length ${actual.length}` });
  }
  for (let i = 0; i < Math.min(expected.length, actual.length); i++) {
    differences.push(...compareShapes(expected[i]!, actual[i]!, `${path}[${i}]`));
  }
  return differences;
}

/**
 * Lists the differences between a snapshot's shape and an answer's shape.
 * @example compareShapes({ a: '<int>', b: '<digits:4>' }, { a: '<int>', c: 1 })
 * // [{ path: 'b', kind: 'missing', expected: '<digits:4>' }, { path: 'c', kind: 'extra', actual: '1' }]
 */
export function compareShapes(expected: Shape, actual: Shape, path = ''): Difference[] {
  const isObject = (s: Shape): s is { [key: string]: Shape } => s !== null && typeof s === 'object' && !Array.isArray(s);
  if (Array.isArray(expected) && Array.isArray(actual)) return compareArrays(expected, actual, path);
  if (isObject(expected) && isObject(actual)) {
    const differences: Difference[] = [];
    for (const [key, value] of Object.entries(expected)) {
      const at = joinPath(path, key);
      if (!(key in actual)) differences.push({ path: at, kind: 'missing', expected: describe(value) });
      else differences.push(...compareShapes(value, actual[key]!, at));
    }
    for (const [key, value] of Object.entries(actual)) {
      if (!(key in expected)) differences.push({ path: joinPath(path, key), kind: 'extra', actual: describe(value) });
    }
    return differences;
  }
  if (Array.isArray(expected) || Array.isArray(actual) || isObject(expected) || isObject(actual)) {
    return [{ path, kind: 'shape', expected: describe(expected), actual: describe(actual) }];
  }
  return compareLeaves(expected, actual, path);
}

/**
 * A request line without its API version: v2.1 answers are held to the same snapshots as
 * v2.0 ones (the same operations, docs/emulated-api.md "v2.1 and the token issuer").
 * @example sameOperation('POST /v2.1/appkeys/{appKey}/id-card') // 'POST /v2.x/appkeys/{appKey}/id-card'
 */
export function sameOperation(request: string): string {
  return request.replace(/ \/v2\.[01]\//, ' /v2.x/');
}

/**
 * Compares a case's recorded exchanges with its snapshot's, matched by label.
 * @example compareExchanges(snapshot.exchanges, observed) // [] when everything matches
 */
export function compareExchanges(expected: readonly ExchangeShape[], actual: readonly ExchangeShape[]): Difference[] {
  const differences: Difference[] = [];
  const byLabel = new Map(actual.map((exchange) => [exchange.label, exchange]));
  for (const want of expected) {
    const got = byLabel.get(want.label);
    if (!got) {
      differences.push({ path: want.label, kind: 'missing', expected: `exchange ${want.request ?? ''}`.trim() });
      continue;
    }
    if (want.request !== undefined && got.request !== undefined && sameOperation(want.request) !== sameOperation(got.request)) {
      differences.push({ path: `${want.label} request`, kind: 'shape', expected: want.request, actual: got.request });
    }
    if (want.status !== got.status) {
      differences.push({ path: `${want.label} status`, kind: 'shape', expected: String(want.status), actual: String(got.status) });
    }
    differences.push(...compareShapes(want.headers, got.headers, `${want.label} headers`));
    differences.push(...compareShapes(want.body, got.body, `${want.label} body`));
  }
  const known = new Set(expected.map((exchange) => exchange.label));
  for (const got of actual) {
    if (!known.has(got.label)) differences.push({ path: got.label, kind: 'extra', actual: `exchange ${got.request ?? ''}`.trim() });
  }
  return differences;
}
