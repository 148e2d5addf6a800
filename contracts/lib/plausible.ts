/**
 * What plausible recognised content looks like, so a case can tell a decrypted value from
 * garbage (a wrong IV, plaintext sent as ciphertext) without knowing the card it came from.
 * Key lists are from TOAST-DOCS/OCR en/document-ocr-api-guide-v2.0.md ("List included in
 * KeyValues when idType is ..."), also on docs/emulated-api.md ("Responses").
 */

/**
 * The keys of `keyValues` per `idType` (docs/emulated-api.md, "Responses"). Written out from the
 * guide rather than imported from the emulator's `ID_CARD_KEYS`: the suite holds the emulator to
 * the guide, so a wrong list in the emulator must not become the suite's list too.
 */
export const ID_KEYS = {
  resident: ['name', 'residentNumber', 'issueDate', 'issuer'],
  driver: ['driverLicenseNumber', 'licenseType', 'name', 'residentNumber', 'condition', 'serialNum', 'issueDate', 'issuer'],
  passport: [
    'passportType',
    'countryCode',
    'passportNo',
    'surName',
    'givenName',
    'nationality',
    'dateOfBirth',
    'dateOfBirthYMD',
    'sex',
    'dateOfIssue',
    'dateOfIssueYMD',
    'dateOfExpiry',
    'dateOfExpiryYMD',
    'koreanName',
    'personalNo',
    'MRZ1',
    'MRZ2',
  ],
} as const;

/** `resident`, `driver` or `passport`. */
export type IdType = keyof typeof ID_KEYS;

/**
 * Whether a value is one of the documented id types.
 * @example isIdType('driver') // true
 */
export function isIdType(value: unknown): value is IdType {
  return typeof value === 'string' && Object.hasOwn(ID_KEYS, value);
}

/**
 * The Luhn check every payment card number passes (ISO/IEC 7812-1).
 * @example isLuhnValid('4111111111111111') // true
 */
export function isLuhnValid(digits: string): boolean {
  if (!/^\d{2,}$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/**
 * An expiry as printed on cards: `MM/YY` (the guide's example is "04/19"), or `MM/YYYY`.
 * @example isPlausibleValidThru('04/19') // true
 */
export function isPlausibleValidThru(value: string): boolean {
  return /^(0[1-9]|1[0-2])\/(\d{2}|20\d{2})$/.test(value);
}

/**
 * The digits of a value (separators, spaces and hyphens dropped).
 * @example digitsOf('900101-1234567') // '9001011234567'
 */
export function digitsOf(value: string): string {
  return value.replace(/\D/g, '');
}

/**
 * A date as printed on an ID card (`2019.03.27`, `2019. 3. 27.`, `2019-03-27`, `20190327`) as
 * YYYYMMDD, the form the authenticity API takes; `undefined` when it is no date.
 * @example toYyyymmdd('2019. 3. 27.') // '20190327'
 */
export function toYyyymmdd(value: string): string | undefined {
  const match = /^\s*((?:19|20)\d{2})\s*[.\-/]?\s*(\d{1,2})\s*[.\-/]?\s*(\d{1,2})\s*\.?\s*$/.exec(value);
  if (!match) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return undefined;
  return `${year}${String(month).padStart(2, '0')}${String(day).padStart(2, '0')}`;
}

/**
 * A resident registration number: 13 digits, optionally `YYMMDD-NNNNNNN`, a real birth date in
 * the first six.
 * @example isPlausibleResidentNumber('900101-1234567') // true
 */
export function isPlausibleResidentNumber(value: string): boolean {
  if (!/^\d{6}-?\d{7}$/.test(value.trim())) return false;
  const digits = digitsOf(value);
  const yymmdd = digits.slice(0, 6);
  return toYyyymmdd(`19${yymmdd}`) !== undefined || toYyyymmdd(`20${yymmdd}`) !== undefined;
}

/**
 * A driver licence number: 12 digits once separators are dropped (the authenticity API's form).
 * @example isPlausibleDriverLicenseNumber('11-12-123456-12') // true
 */
export function isPlausibleDriverLicenseNumber(value: string): boolean {
  return /^[\d\s-]+$/.test(value) && digitsOf(value).length === 12;
}

/**
 * Whether text is readable: non-empty, no control characters, no U+FFFD from broken UTF-8
 * (what a wrongly decrypted value turns into).
 * @example isReadableText('홍길동') // true
 */
export function isReadableText(value: string): boolean {
  return value.trim().length > 0 && !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffd]/.test(value);
}

/**
 * Checks one key value of an ID card; returns what is implausible about it, or undefined.
 * @example checkIdValue('residentNumber', 'garbage') // 'residentNumber "garbage" is not 13 digits with a birth date'
 */
export function checkIdValue(key: string, value: string): string | undefined {
  if (!isReadableText(value)) return `${key} ${JSON.stringify(value)} is not readable text`;
  const shown = JSON.stringify(value);
  if (key === 'residentNumber' || key === 'personalNo') {
    // A driver licence may print only the first 7 digits; the full number is what the
    // resident card and passport carry.
    if (!isPlausibleResidentNumber(value) && !/^\d{6}-?\d[*xX]{0,6}$/.test(value.trim())) {
      return `${key} ${shown} is not 13 digits with a birth date`;
    }
  }
  if (key === 'driverLicenseNumber' && !isPlausibleDriverLicenseNumber(value)) return `${key} ${shown} is not 12 digits`;
  if (/YMD$/.test(key) && !/^\d{8}$/.test(value)) return `${key} ${shown} is not 8-digit YYYYMMDD`;
  if (key === 'issueDate' && toYyyymmdd(value) === undefined) return `${key} ${shown} is not a date`;
  if (key === 'licenseType' && value.split('/').some((part) => part.trim() === '')) return `${key} ${shown} has an empty "/"-separated part`;
  if (key === 'serialNum' && !/^[0-9A-Za-z]{5,6}$/.test(value.trim())) return `${key} ${shown} is not 5-6 letters or digits`;
  return undefined;
}
