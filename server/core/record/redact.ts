/**
 * Synthetic stand-ins for the personal values a recording holds (docs/record-live-service.md,
 * "Privacy"): names, resident registration numbers, licence, passport and serial numbers,
 * dates, issuers (which name the holder's district), card numbers and expiry dates. Each
 * replacement has the shape of the value it replaces (length, digits where digits were,
 * separators kept, dates valid dates in the same format) and is deterministic: an HMAC of the
 * value under a salt seeds it, so the same value maps to the same stand-in in every recording
 * made with that salt (a resident number recorded twice stays one number), and nobody without
 * the salt can test a guess against a recording. Check digits are recomputed where the document
 * has them: Luhn for card numbers, the resident registration number's mod-11 digit, ICAO 9303 on
 * the passport's second MRZ line.
 */
import { createHmac } from 'node:crypto';
import { luhnCheckDigit } from '../credit-card.js';
import { mrzCheckDigit, residentNumberCheckDigit } from '../id-card.js';
import { randomInt, seededRandom, type RandomSource } from '../random.js';

/** How a value is replaced; `keep` for what identifies nobody (a licence class, a sex, a country). */
export type ValueKind = 'name' | 'latin-name' | 'resident-number' | 'date' | 'issuer' | 'chars' | 'mrz1' | 'mrz2' | 'keep';

/**
 * The kind of each ID-card key (TOAST-DOCS/OCR en/document-ocr-api-guide-v2.0.md, the keyValues
 * lists per idType). A key not listed (one the service adds later) is replaced character by
 * character: an unknown field is treated as personal until someone says otherwise.
 */
export const ID_CARD_VALUE_KINDS: Readonly<Record<string, ValueKind>> = {
  name: 'name',
  koreanName: 'name',
  surName: 'latin-name',
  givenName: 'latin-name',
  residentNumber: 'resident-number',
  personalNo: 'chars',
  issueDate: 'date',
  dateOfBirth: 'date',
  dateOfBirthYMD: 'date',
  dateOfIssue: 'date',
  dateOfIssueYMD: 'date',
  dateOfExpiry: 'date',
  dateOfExpiryYMD: 'date',
  issuer: 'issuer',
  driverLicenseNumber: 'chars',
  serialNum: 'chars',
  passportNo: 'chars',
  MRZ1: 'mrz1',
  MRZ2: 'mrz2',
  licenseType: 'keep',
  condition: 'keep',
  passportType: 'keep',
  countryCode: 'keep',
  nationality: 'keep',
  sex: 'keep',
};

const SURNAMES = ['김', '이', '박', '최', '정', '강', '조', '윤', '장', '임', '한', '오', '서', '신', '권', '황'];
const GIVEN_SYLLABLES = ['민', '서', '지', '현', '우', '하', '윤', '준', '도', '은', '수', '예', '진', '연', '호', '아', '영', '재', '유', '희'];
const ISSUERS = ['서울특별시 가상구청장', '부산광역시 가상구청장', '경기도 가상시장', '대전광역시 가상구청장', '가상지방경찰청장'];
const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const CONSONANTS = 'BCDGHJKLMNPRSTW';
const VOWELS = 'AEIOU';

/**
 * Makes synthetic values under one salt.
 * @example const redact = new Redactor(salt); redact.idCardValue('name', '홍길동') // '박서준' (the same every time for this salt)
 */
export class Redactor {
  constructor(readonly salt: Buffer) {}

  /** A stand-in for an ID-card key's value. */
  idCardValue(key: string, value: string): string {
    return this.value(ID_CARD_VALUE_KINDS[key] ?? 'chars', value);
  }

  /** A stand-in for a value of a kind. */
  value(kind: ValueKind, value: string): string {
    switch (kind) {
      case 'keep':
        return value;
      case 'name':
        return syntheticHangulName(this.#rng('name', value), value);
      case 'latin-name':
        return syntheticLatin(this.#rng('latin-name', value), value);
      case 'resident-number':
        return syntheticResidentNumber(this.#rng('resident-number', value.replace(/\D/g, '')), value);
      case 'date':
        return syntheticDate((seed) => this.#rng('date', seed), value);
      case 'issuer':
        return ISSUERS[randomInt(this.#rng('issuer', value), 0, ISSUERS.length - 1)]!;
      case 'mrz1':
        return syntheticMrz1(this.#rng('mrz1', value), value);
      case 'mrz2':
        return syntheticMrz2(this.#rng('mrz2', value), value);
      default:
        return sameShape(this.#rng('chars', value), value);
    }
  }

  /**
   * Stand-ins for a card number printed in groups: one Luhn-valid number of the same length,
   * cut into groups of the same lengths; the first digit (the card network) is kept.
   * @example redactor.cardNumber(['4111', '1111', '1111', '1111']) // ['4532', '0151', '1283', '0366']
   */
  cardNumber(groups: readonly string[]): string[] {
    const whole = groups.join('');
    const digitsOnly = whole.replace(/\D/g, '');
    if (digitsOnly.length < 2) return groups.map((group) => sameShape(this.#rng('card', group), group));
    const rng = this.#rng('card', digitsOnly);
    let made = digitsOnly[0]!;
    while (made.length < digitsOnly.length - 1) made += String(randomInt(rng, 0, 9));
    made += luhnCheckDigit(made);
    // Back into the groups' shapes: digits from the made number, anything else kept.
    let at = 0;
    return groups.map((group) => group.replace(/\d/g, () => made[at++]!));
  }

  /**
   * A stand-in for an expiry `MM/YY`: another month, a year at most one away.
   * @example redactor.validThru('09/29') // '03/30'
   */
  validThru(value: string): string {
    const match = /^(\d\d)\/(\d\d)$/.exec(value);
    const rng = this.#rng('valid-thru', value);
    if (!match) return sameShape(rng, value);
    const month = randomInt(rng, 1, 12);
    const year = (Number(match[2]) + randomInt(rng, -1, 1) + 100) % 100;
    return `${pad(month)}/${pad(year)}`;
  }

  #rng(kind: string, value: string): RandomSource {
    return seededRandom(createHmac('sha256', this.salt).update(`${kind}\u0000${value}`).digest());
  }
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** Digits for digits, upper-case letters for upper-case letters, lower for lower, Hangul for Hangul; anything else kept. */
function sameShape(rng: RandomSource, value: string): string {
  let out = '';
  for (const c of value) {
    if (/\d/.test(c)) out += String(randomInt(rng, 0, 9));
    else if (/[A-Z]/.test(c)) out += String.fromCharCode(65 + randomInt(rng, 0, 25));
    else if (/[a-z]/.test(c)) out += String.fromCharCode(97 + randomInt(rng, 0, 25));
    else if (/[\uac00-\ud7a3]/.test(c)) out += GIVEN_SYLLABLES[randomInt(rng, 0, GIVEN_SYLLABLES.length - 1)]!;
    else out += c;
  }
  return out;
}

/** A Korean name of as many syllables: a common surname, then given-name syllables. */
function syntheticHangulName(rng: RandomSource, value: string): string {
  const syllables = [...value.replace(/\s/g, '')];
  if (!syllables.every((c) => /[\uac00-\ud7a3]/.test(c))) return sameShape(rng, value);
  let out = SURNAMES[randomInt(rng, 0, SURNAMES.length - 1)]!;
  while ([...out].length < syllables.length) out += GIVEN_SYLLABLES[randomInt(rng, 0, GIVEN_SYLLABLES.length - 1)]!;
  return out;
}

/** A pronounceable upper-case word of the same length (consonant, vowel, ...); spaces and hyphens kept. */
function syntheticLatin(rng: RandomSource, value: string): string {
  let i = 0;
  return value.replace(/[A-Za-z]/g, (c) => {
    const pool = i++ % 2 === 0 ? CONSONANTS : VOWELS;
    const letter = pool[randomInt(rng, 0, pool.length - 1)]!;
    return c === c.toLowerCase() ? letter.toLowerCase() : letter;
  });
}

/**
 * A resident registration number: a real birth date, the century and sex digit kept, then five
 * digits and the check digit (residentNumberCheckDigit). A value that is not 13 digits (with or
 * without the dash) is replaced digit by digit.
 */
function syntheticResidentNumber(rng: RandomSource, value: string): string {
  const digits = value.replace(/\D/g, '');
  if (digits.length !== 13) return sameShape(rng, value);
  const year = randomInt(rng, 0, 99);
  const month = randomInt(rng, 1, 12);
  const day = randomInt(rng, 1, 28);
  let first12 = `${pad(year)}${pad(month)}${pad(day)}${digits[6]}`;
  while (first12.length < 12) first12 += String(randomInt(rng, 0, 9));
  const made = first12 + residentNumberCheckDigit(first12);
  let at = 0;
  return value.replace(/\d/g, () => made[at++]!);
}

/**
 * A date in the same format: `YYYYMMDD`, `YYYY.MM.DD` (any separators, spaces after them
 * included), `DD MMM YYYY`, or `YYMMDD`. The seed is the date itself, whatever its format, so
 * a passport's `dateOfBirth` and `dateOfBirthYMD` stay one date. The year moves at most five
 * years, so an expiry date stays near the future or past it was in.
 */
function syntheticDate(rngFor: (seed: string) => RandomSource, value: string): string {
  const made = (y: number, m: number, d: number) => {
    const rng = rngFor(`${y}-${m}-${d}`);
    return { y: Math.max(1900, y + randomInt(rng, -5, 5)), m: randomInt(rng, 1, 12), d: randomInt(rng, 1, 28) };
  };
  let match = /^(\d{4})(\D*)(\d{2})(\D*)(\d{2})(\D*)$/.exec(value);
  if (match) {
    const t = made(Number(match[1]), Number(match[3]), Number(match[5]));
    return `${t.y}${match[2]}${pad(t.m)}${match[4]}${pad(t.d)}${match[6]}`;
  }
  match = /^(\d{2}) ([A-Z]{3}) (\d{4})$/.exec(value);
  if (match && MONTHS.includes(match[2]!)) {
    const t = made(Number(match[3]), MONTHS.indexOf(match[2]!) + 1, Number(match[1]));
    return `${pad(t.d)} ${MONTHS[t.m - 1]} ${t.y}`;
  }
  match = /^(\d{2})(\d{2})(\d{2})$/.exec(value);
  if (match) {
    const t = made(1900 + Number(match[1]), Number(match[2]), Number(match[3]));
    return `${pad(t.y % 100)}${pad(t.m)}${pad(t.d)}`;
  }
  return sameShape(rngFor(value), value);
}

/** The passport's first MRZ line: document type and issuing state (5 characters) kept, the name replaced letter by letter. */
function syntheticMrz1(rng: RandomSource, value: string): string {
  return value.slice(0, 5) + value.slice(5).replace(/[A-Z]/g, () => String.fromCharCode(65 + randomInt(rng, 0, 25)));
}

/**
 * The passport's second MRZ line (ICAO 9303 TD3, 44 characters): number, birth date, expiry and
 * personal number replaced in their shapes, nationality and sex kept, the five check digits
 * computed again. Another length is replaced character by character.
 */
function syntheticMrz2(rng: RandomSource, value: string): string {
  if (value.length !== 44) return sameShape(rng, value);
  const keep = new Set([10, 11, 12, 20]);
  const chars = [...value].map((c, i) => (keep.has(i) || c === '<' ? c : sameShape(rng, c)));
  const line = chars.join('');
  const check = (from: number, to: number) => mrzCheckDigit(line.slice(from, to));
  const fixed = [...line];
  fixed[9] = check(0, 9);
  fixed[19] = check(13, 19);
  fixed[27] = check(21, 27);
  fixed[42] = check(28, 42);
  const upper = fixed.join('');
  fixed[43] = mrzCheckDigit(`${upper.slice(0, 10)}${upper.slice(13, 20)}${upper.slice(21, 43)}`);
  return fixed.join('');
}
