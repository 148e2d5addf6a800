/**
 * The authenticity request body and its verdict. Fields, which are encrypted and which are
 * required, per idType: TOAST-DOCS/OCR en/document-ocr-api-guide-v2.0.md, "Verify Authenticity
 * API" [Field] table (serialNum optional since 2024-04-09, release notes).
 */
import { decryptValue } from './envelope.js';
import { OcrError } from './errors.js';
import { isIdType, type IdType } from './id-card.js';

interface FieldRule {
  required: boolean;
  encrypted: boolean;
}

/** The body fields per idType, besides `idType` itself (plain, required). */
export const AUTHENTICITY_FIELDS: Record<IdType, Record<string, FieldRule>> = {
  resident: {
    name: { required: true, encrypted: true },
    residentNumber: { required: true, encrypted: true },
    issueDate: { required: true, encrypted: true },
  },
  driver: {
    name: { required: true, encrypted: true },
    residentNumber: { required: true, encrypted: true },
    driverLicenseNumber: { required: true, encrypted: true },
    serialNum: { required: false, encrypted: true },
  },
  passport: {
    name: { required: true, encrypted: true },
    passportNumber: { required: true, encrypted: true },
    issueDate: { required: true, encrypted: true },
    birthDate: { required: true, encrypted: true },
    expirationDate: { required: true, encrypted: false },
  },
};

/**
 * The largest authenticity body read: 64 KiB. A real one is a few hundred bytes (five short
 * encrypted values), so anything near the upload limit cannot be an authenticity request, and
 * parsing and decrypting it first cost seconds (a 20 MB body of `[` blocked the server 7.5 s).
 * Larger bodies answer 4000001, the condition table's code for a body that is not a valid
 * authenticity request; 4131000 stays the code for a body over the upload limit, which is
 * checked first. docs/what-it-emulates.md, "Which condition gets which code".
 */
export const AUTHENTICITY_MAX_BODY_BYTES = 64 * 1024;

/** Deepest nesting of arrays and objects read; a real body is one flat object (depth 1). */
export const AUTHENTICITY_MAX_DEPTH = 16;

/**
 * The longest field value read, in characters: a name or a number encrypted and base64-encoded
 * is well under 200. Checked before any field is decrypted or masked for the journal.
 */
export const AUTHENTICITY_MAX_FIELD_CHARS = 4096;

/**
 * Parses an authenticity body's text, refusing before any heavy work what cannot be an
 * authenticity request: over AUTHENTICITY_MAX_BODY_BYTES, nested deeper than
 * AUTHENTICITY_MAX_DEPTH, or not JSON (all 4000001).
 * @example parseAuthenticityJson('{"idType":"resident"}') // { idType: 'resident' }
 */
export function parseAuthenticityJson(text: string): unknown {
  // Characters first: a text of more characters than the bound has more bytes than it too.
  if (text.length > AUTHENTICITY_MAX_BODY_BYTES || Buffer.byteLength(text) > AUTHENTICITY_MAX_BODY_BYTES) {
    throw new OcrError(
      'INVALID_PARAMETER',
      `authenticity body is ${Buffer.byteLength(text)} bytes; an authenticity request is at most ${AUTHENTICITY_MAX_BODY_BYTES}`,
    );
  }
  const depth = nestingDepth(text, AUTHENTICITY_MAX_DEPTH);
  if (depth > AUTHENTICITY_MAX_DEPTH) {
    throw new OcrError('INVALID_PARAMETER', `authenticity body nests arrays or objects more than ${AUTHENTICITY_MAX_DEPTH} deep; it is one flat JSON object`);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new OcrError('INVALID_PARAMETER', 'authenticity body is not valid JSON');
  }
}

/**
 * How deep `[` and `{` nest in a JSON text, outside strings; stops counting past `stopAbove`.
 * Not a validator: JSON.parse judges the rest.
 * @example nestingDepth('{"a":[[1]]}', 16) // 3
 */
export function nestingDepth(text: string, stopAbove: number): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // a backslash escapes the next character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > deepest && (deepest = depth) > stopAbove) return deepest;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return deepest;
}

/** A parsed, decrypted authenticity body. */
export interface AuthenticityRequest {
  idType: IdType;
  fields: Record<string, string>;
}

/** What the service accepts on the emulated date (api-date.ts). */
export interface AuthenticityRules {
  /** Passport authenticity (withdrawn 2026-05-27: 4000001 since). */
  passport: boolean;
  /** Driver `serialNum` required (until 2024-04-09). */
  serialNumRequired: boolean;
}

/** Today's service: resident and driver only, `serialNum` optional. */
const TODAY: AuthenticityRules = { passport: false, serialNumRequired: false };

/**
 * Checks shape (4000001; a field longer than AUTHENTICITY_MAX_FIELD_CHARS included) then
 * decrypts the encrypted fields (4000303), in that order, as the condition table has it.
 * @example readAuthenticityBody(JSON.parse(text), symmetricKey) // {idType: 'resident', fields: {name: '홍길동', ...}}
 */
export function readAuthenticityBody(body: unknown, symmetricKey: Buffer, rules: AuthenticityRules = TODAY): AuthenticityRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new OcrError('INVALID_PARAMETER', 'authenticity body is not a JSON object');
  }
  const record = body as Record<string, unknown>;
  const idType = record['idType'];
  if (!isIdType(idType)) throw new OcrError('INVALID_PARAMETER', `idType ${describeValue(idType)} is not resident, driver or passport`);
  if (idType === 'passport' && !rules.passport) {
    throw new OcrError(
      'INVALID_PARAMETER',
      'passport authenticity was withdrawn on 2026-05-27 (release notes); set EMULATOR_API_DATE before that date to use it',
    );
  }
  const fieldRules = AUTHENTICITY_FIELDS[idType];
  for (const [name, rule] of Object.entries(fieldRules)) {
    const value = Object.hasOwn(record, name) ? record[name] : undefined;
    const required = rule.required || (name === 'serialNum' && rules.serialNumRequired);
    if (value === undefined || value === null || value === '') {
      if (required) throw new OcrError('INVALID_PARAMETER', `${idType} authenticity needs field "${name}"`);
    } else if (typeof value !== 'string') {
      throw new OcrError('INVALID_PARAMETER', `field "${name}" must be a string, got ${typeof value}`);
    } else if (value.length > AUTHENTICITY_MAX_FIELD_CHARS) {
      throw new OcrError(
        'INVALID_PARAMETER',
        `field "${name}" is ${value.length} characters; a value of an ID card is at most ${AUTHENTICITY_MAX_FIELD_CHARS}`,
      );
    }
  }
  const fields: Record<string, string> = {};
  for (const [name, rule] of Object.entries(fieldRules)) {
    const value = record[name];
    if (typeof value !== 'string' || value === '') continue;
    fields[name] = rule.encrypted ? decryptValue(symmetricKey, value, `field "${name}"`) : value;
  }
  return { idType, fields };
}

/**
 * A short description of a client's value for a diagnosis. Never JSON.stringify the value
 * itself: a body nested thousands of levels deep overflows the stack (an internal fault instead
 * of 4000001), and a long string would be kept whole in the journal.
 * @example describeValue('alien') // '"alien"'
 * @example describeValue([[[]]]) // 'an array'
 */
function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (Array.isArray(value)) return 'an array';
  if (value === null || typeof value !== 'object') return String(value);
  return 'an object';
}

/**
 * Keeps the digits only: numbers and dates compare this way ("900101-1234567" = "9001011234567").
 * @example digitsOnly('2020.01.15') // '20200115'
 */
export function digitsOnly(value: string | undefined): string {
  return (value ?? '').replace(/\D/g, '');
}

function sameName(submitted: string | undefined, ...candidates: (string | undefined)[]): boolean {
  const norm = (v: string | undefined) => (v ?? '').trim().replace(/\s+/g, ' ').toUpperCase();
  return candidates.some((c) => c !== undefined && norm(c) !== '' && norm(c) === norm(submitted));
}

function sameText(submitted: string | undefined, recognised: string | undefined): boolean {
  return (submitted ?? '').trim().toUpperCase() === (recognised ?? '').trim().toUpperCase();
}

/** Which submitted fields disagree with what was recognised (empty: authentic). */
export function mismatchedFields(request: AuthenticityRequest, recognisedType: IdType, recognised: Record<string, string>): string[] {
  if (request.idType !== recognisedType) return ['idType'];
  const f = request.fields;
  const wrong: string[] = [];
  const check = (name: string, ok: boolean) => {
    if (!ok) wrong.push(name);
  };
  if (request.idType === 'resident') {
    check('name', sameName(f['name'], recognised['name']));
    check('residentNumber', digitsOnly(f['residentNumber']) === digitsOnly(recognised['residentNumber']));
    check('issueDate', digitsOnly(f['issueDate']) === digitsOnly(recognised['issueDate']));
  } else if (request.idType === 'driver') {
    check('name', sameName(f['name'], recognised['name']));
    // The guide: "7 digits that comprise of the first 6 digits and the first 1 digit" of the number.
    check('residentNumber', digitsOnly(f['residentNumber']) === digitsOnly(recognised['residentNumber']).slice(0, 7));
    check('driverLicenseNumber', digitsOnly(f['driverLicenseNumber']) === digitsOnly(recognised['driverLicenseNumber']));
    if (f['serialNum'] !== undefined) check('serialNum', sameText(f['serialNum'], recognised['serialNum']));
  } else {
    const given = recognised['givenName'];
    const sur = recognised['surName'];
    check('name', sameName(f['name'], recognised['koreanName'], `${sur} ${given}`, `${given} ${sur}`, `${sur}${given}`));
    check('passportNumber', sameText(f['passportNumber'], recognised['passportNo']));
    check('issueDate', digitsOnly(f['issueDate']) === digitsOnly(recognised['dateOfIssueYMD']));
    check('birthDate', digitsOnly(f['birthDate']) === digitsOnly(recognised['dateOfBirthYMD']));
    check('expirationDate', digitsOnly(f['expirationDate']) === digitsOnly(recognised['dateOfExpiryYMD']));
  }
  return wrong;
}

/** Wrong issue dates in a row that lock a resident card (4000123, release notes 2024-08-13). */
export const RESIDENT_LOCK_THRESHOLD = 5;

/**
 * The 4000123 of a locked card, as every lock store words it.
 * @example throw residentCardLocked()
 */
export function residentCardLocked(threshold = RESIDENT_LOCK_THRESHOLD): OcrError {
  return new OcrError('REGISTRATION_CARD_AUTHENTICATION_LOCKED', `resident card was locked after ${threshold} wrong issue dates in a row`);
}

/**
 * What a verdict does to a card's count: a wrong issue date alone counts up, a right answer
 * clears it, anything else leaves it.
 * @example lockEffect(['issueDate']) // 'count'
 */
export function lockEffect(mismatches: readonly string[]): 'count' | 'clear' | 'keep' {
  if (mismatches.length === 1 && mismatches[0] === 'issueDate') return 'count';
  return mismatches.length === 0 ? 'clear' : 'keep';
}
