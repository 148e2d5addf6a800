/**
 * Redaction for parity snapshots: every value is replaced by its shape, so a snapshot records
 * the structure of an answer (fields, types, encodings, lengths) and never a card number, a
 * name or a key. A few fields whose values are structure rather than data (result codes,
 * `fileType`, `idType`, `keyValues[].key`) are kept as they are.
 */

/** A redacted value: the same JSON structure with every leaf replaced by a shape string. */
export type Shape = string | number | boolean | null | Shape[] | { [key: string]: Shape };

/** Options of {@link shapeOf}. */
export interface ShapeOptions {
  /** Paths (as {@link joinPath} writes them) whose values are kept verbatim. */
  literals?: ReadonlySet<string>;
  /** Paths whose non-empty string values are recorded as `<opaque>`: their form is nobody's contract. */
  opaque?: ReadonlySet<string>;
}

/**
 * Fields of an answer body kept verbatim: they are what the contract is about (which code,
 * which file type, which keys), not personal data. Paths use `[]` for any array index.
 */
export const BODY_LITERALS: ReadonlySet<string> = new Set([
  'header.isSuccessful',
  'header.resultCode',
  'header.resultMessage',
  'result.fileType',
  'result.resolution',
  'result.idType',
  'result.keyValues[].key',
  // The token issuer's answers (docs/emulated-api.md, "The token issuer").
  'token_type',
  'error',
]);

/**
 * Fields recorded only as `<opaque>`: the issuer's `access_token` is an opaque string whose
 * length and alphabet are the issuer's business, so one issuer's tokens do not fail another's.
 */
export const BODY_OPAQUE: ReadonlySet<string> = new Set(['access_token']);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const BASE64URL = /^[A-Za-z0-9_-]+={0,2}$/;
const MM_YY = /^(0[1-9]|1[0-2])\/\d{2}$/;

/**
 * Appends a key or an array step to a path.
 * @example joinPath(joinPath('result', 'cardNums'), '[]') // 'result.cardNums[]'
 */
export function joinPath(path: string, key: string): string {
  if (key === '[]') return `${path}[]`;
  return path ? `${path}.${key}` : key;
}

/**
 * Whether eight digits read as a calendar date YYYYMMDD (years 1900..2199).
 * @example isYyyymmdd('20240229') // true
 */
export function isYyyymmdd(value: string): boolean {
  const match = /^(19|2[01])(\d{2})(\d{2})(\d{2})$/.exec(value);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]! + match[2]!), Number(match[3]), Number(match[4])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/**
 * The shape of a string: the most specific of `<empty>`, `<uuid>`, `<yyyymmdd>`, `<digits:N>`,
 * `<mm/yy>`, `<base64:N>` (N decoded bytes), `<base64url:N>`, `<string:N>` (N characters).
 * @example stringShape('4532') // '<digits:4>'
 * @example stringShape('3q2+7w==') // '<string:8>' (too short to tell base64 from a word)
 * @example stringShape(Buffer.alloc(16).toString('base64')) // '<base64:16>'
 */
export function stringShape(value: string): string {
  if (value === '') return '<empty>';
  if (UUID.test(value)) return '<uuid>';
  if (isYyyymmdd(value)) return '<yyyymmdd>';
  if (/^\d+$/.test(value)) return `<digits:${value.length}>`;
  if (MM_YY.test(value)) return '<mm/yy>';
  // Encrypted values are at least one AES block (24 base64 characters); a short word such as
  // "none" or "name" would pass for base64, so short strings without digits or symbols stay strings.
  const looksEncoded = value.length >= 16 && (value.length >= 24 || /[0-9+/=_-]/.test(value));
  if (looksEncoded && value.length % 4 === 0 && BASE64.test(value)) {
    return `<base64:${Buffer.from(value, 'base64').length}>`;
  }
  if (looksEncoded && /[-_]/.test(value) && BASE64URL.test(value)) {
    return `<base64url:${Buffer.from(value, 'base64url').length}>`;
  }
  return `<string:${[...value].length}>`;
}

/**
 * The shape of a number: `<int>`, `<number 0..1>` (a fraction such as a confidence) or `<number>`.
 * @example numberShape(0.93) // '<number 0..1>'
 * @example numberShape(256) // '<int>'
 */
export function numberShape(value: number): string {
  if (Number.isInteger(value)) return '<int>';
  if (value > 0 && value < 1) return '<number 0..1>';
  return '<number>';
}

/**
 * Redacts a JSON value into its shape; paths in `literals` keep their values, paths in
 * `opaque` become `<opaque>`.
 * @example shapeOf({ header: { resultCode: 0 }, result: { totalCardNum: 'AAAA...' } }, { literals: BODY_LITERALS })
 * // { header: { resultCode: 0 }, result: { totalCardNum: '<base64:32>' } }
 */
export function shapeOf(value: unknown, options: ShapeOptions = {}, path = ''): Shape {
  const literals = options.literals ?? new Set<string>();
  if (Array.isArray(value)) return value.map((item) => shapeOf(item, options, joinPath(path, '[]')));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, Shape> = {};
    for (const [key, item] of Object.entries(value)) out[key] = shapeOf(item, options, joinPath(path, key));
    return out;
  }
  if (literals.has(path) && (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')) return value;
  if (options.opaque?.has(path) && typeof value === 'string' && value !== '') return '<opaque>';
  if (typeof value === 'string') return stringShape(value);
  if (typeof value === 'number') return numberShape(value);
  if (typeof value === 'boolean') return '<boolean>';
  if (value === null) return null;
  return `<${typeof value}>`;
}

/** Response headers a snapshot records, lower case. */
// Not X-Emulator-Diagnosis: the emulator's own explanation of a failure, which the live service never sends.
export const RECORDED_HEADERS = ['content-type', 'request-key'] as const;

/**
 * The recorded headers of an answer: the media type verbatim (without parameters), other
 * headers by shape, `<absent>` when missing (an absent `Request-Key` is part of the contract).
 * @example headerShapes(new Headers({ 'Content-Type': 'application/json; charset=utf-8' }))
 * // { 'content-type': 'application/json', 'request-key': '<absent>' }
 */
export function headerShapes(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of RECORDED_HEADERS) {
    const value = headers.get(name);
    if (value === null) out[name] = '<absent>';
    else if (name === 'content-type') out[name] = value.split(';')[0]!.trim().toLowerCase();
    else out[name] = stringShape(value);
  }
  return out;
}
