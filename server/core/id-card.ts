/**
 * ID-card readings: the keys per idType exactly as the v2.0 guide lists them
 * (TOAST-DOCS/OCR en/document-ocr-api-guide-v2.0.md, "List included in KeyValues when idType is
 * recognized as resident / driver / passport"), default values derived from the image's SHA-256,
 * and the wire result with every `keyValues[].value` encrypted.
 */
import { confidence, type Recognised } from './credit-card.js';
import { boxIn, type Box } from './geometry.js';
import type { FileType, ImageInfo, Resolution } from './image-info.js';
import { randomInt, seededRandom, type RandomSource } from './random.js';

/** The three documents the service recognises. */
export const ID_TYPES = ['resident', 'driver', 'passport'] as const;
/** `resident`, `driver` or `passport`. */
export type IdType = (typeof ID_TYPES)[number];

/** The keys of `keyValues`, in the guide's order, per idType. */
export const ID_CARD_KEYS: Record<IdType, readonly string[]> = {
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
};

/**
 * Type guard for an idType.
 * @example isIdType('driver') // true
 */
export function isIdType(value: unknown): value is IdType {
  return typeof value === 'string' && (ID_TYPES as readonly string[]).includes(value);
}

/** One recognised key/value. */
export interface IdKeyValue extends Recognised {
  key: string;
  bbox: Box;
}

/** A plaintext ID-card reading. */
export interface IdCardReading {
  idType: IdType;
  keyValues: IdKeyValue[];
  boxes: Box[];
}

/** The wire result. */
export interface IdCardResult extends IdCardReading {
  fileType: FileType;
  resolution: Resolution;
}

/** The wire result before 2024-03-12: no `bbox` on the key values. */
export type IdCardResultWithoutBbox = Omit<IdCardResult, 'keyValues'> & { keyValues: Omit<IdKeyValue, 'bbox'>[] };

const NAMES = [
  ['홍길동', 'HONG', 'GILDONG'],
  ['김민준', 'KIM', 'MINJUN'],
  ['이서연', 'LEE', 'SEOYEON'],
  ['박지훈', 'PARK', 'JIHUN'],
  ['최수아', 'CHOI', 'SUA'],
  ['정우진', 'JEONG', 'WOOJIN'],
  ['강하은', 'KANG', 'HAEUN'],
  ['윤도현', 'YOON', 'DOHYEON'],
] as const;
const ISSUERS = ['서울특별시 종로구청장', '부산광역시 해운대구청장', '경기도 성남시 분당구청장', '대전광역시 유성구청장'];
const POLICE = ['서울지방경찰청장', '경기남부지방경찰청장', '부산지방경찰청장', '대구지방경찰청장'];
const LICENSE_TYPES = ['1종보통', '2종보통', '1종대형', '1종보통/2종소형'];
const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];

/** A person the default readings are about: consistent across every field of one card. */
interface Person {
  korean: string;
  surname: string;
  given: string;
  birth: { y: number; m: number; d: number };
  male: boolean;
  residentNumber: string;
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

function digits(rng: RandomSource, count: number): string {
  let out = '';
  for (let i = 0; i < count; i++) out += String(randomInt(rng, 0, 9));
  return out;
}

/**
 * The check digit of a Korean resident registration number (weights 2..9,2..5, mod 11).
 * @example residentNumberCheckDigit('900101123456') // '8'
 */
export function residentNumberCheckDigit(first12: string): string {
  const weights = [2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5];
  const sum = weights.reduce((acc, w, i) => acc + w * Number(first12[i]), 0);
  return String((11 - (sum % 11)) % 10);
}

function person(rng: RandomSource): Person {
  const [korean, surname, given] = NAMES[randomInt(rng, 0, NAMES.length - 1)]!;
  const birth = { y: randomInt(rng, 1950, 2005), m: randomInt(rng, 1, 12), d: randomInt(rng, 1, 28) };
  const male = randomInt(rng, 0, 1) === 1;
  const genderDigit = (birth.y >= 2000 ? 3 : 1) + (male ? 0 : 1);
  const first12 = `${pad(birth.y % 100)}${pad(birth.m)}${pad(birth.d)}${genderDigit}${digits(rng, 5)}`;
  const number = first12 + residentNumberCheckDigit(first12);
  return { korean, surname, given, birth, male, residentNumber: `${number.slice(0, 6)}-${number.slice(6)}` };
}

function issueDate(rng: RandomSource, p: Person, now: number): { y: number; m: number; d: number } {
  const lastYear = new Date(now).getUTCFullYear() - 1;
  return { y: randomInt(rng, Math.max(p.birth.y + 18, lastYear - 15), lastYear), m: randomInt(rng, 1, 12), d: randomInt(rng, 1, 28) };
}

/**
 * The ICAO 9303 check digit (weights 7, 3, 1; `<` = 0, letters A=10..Z=35).
 * @example mrzCheckDigit('M12345678') // '4'
 */
export function mrzCheckDigit(field: string): string {
  const weights = [7, 3, 1];
  let sum = 0;
  for (let i = 0; i < field.length; i++) {
    const c = field[i]!;
    const value = c === '<' ? 0 : /\d/.test(c) ? Number(c) : c.charCodeAt(0) - 55;
    sum += value * weights[i % 3]!;
  }
  return String(sum % 10);
}

function passportValues(rng: RandomSource, p: Person, now: number): Record<string, string> {
  const issued = issueDate(rng, p, now);
  issued.y = Math.max(issued.y, new Date(now).getUTCFullYear() - 9);
  const expiry = { ...issued, y: issued.y + 10 };
  const passportNo = `M${digits(rng, 3)}${String.fromCharCode(65 + randomInt(rng, 0, 25))}${digits(rng, 4)}`;
  const ymd = (t: { y: number; m: number; d: number }) => `${t.y}${pad(t.m)}${pad(t.d)}`;
  const printed = (t: { y: number; m: number; d: number }) => `${pad(t.d)} ${MONTHS[t.m - 1]} ${t.y}`;
  const yymmdd = (t: { y: number; m: number; d: number }) => ymd(t).slice(2);
  const personalNo = p.residentNumber.replace('-', '').slice(6);
  const sex = p.male ? 'M' : 'F';
  const optional = personalNo.padEnd(14, '<');
  const upper = `${passportNo}${mrzCheckDigit(passportNo)}KOR${yymmdd(p.birth)}${mrzCheckDigit(yymmdd(p.birth))}${sex}${yymmdd(expiry)}${mrzCheckDigit(yymmdd(expiry))}${optional}${mrzCheckDigit(optional)}`;
  const composite = `${upper.slice(0, 10)}${upper.slice(13, 20)}${upper.slice(21, 43)}`;
  const mrz1 = `PMKOR${p.surname}<<${p.given}`.padEnd(44, '<');
  return {
    passportType: 'PM',
    countryCode: 'KOR',
    passportNo,
    surName: p.surname,
    givenName: p.given,
    nationality: 'REPUBLIC OF KOREA',
    dateOfBirth: printed(p.birth),
    dateOfBirthYMD: ymd(p.birth),
    sex,
    dateOfIssue: printed(issued),
    dateOfIssueYMD: ymd(issued),
    dateOfExpiry: printed(expiry),
    dateOfExpiryYMD: ymd(expiry),
    koreanName: p.korean,
    personalNo,
    MRZ1: mrz1,
    MRZ2: `${upper}${mrzCheckDigit(composite)}`,
  };
}

/**
 * Plausible plaintext values for an idType, the same for the same seed.
 * @example defaultIdCardValues('resident', 'image-sha', Date.now()).residentNumber // '900101-1234568'
 */
export function defaultIdCardValues(idType: IdType, seed: string, now: number): Record<string, string> {
  const rng = seededRandom(`id-card:${idType}:${seed}`);
  const p = person(rng);
  const dotted = (t: { y: number; m: number; d: number }) => `${t.y}.${pad(t.m)}.${pad(t.d)}`;
  if (idType === 'resident') {
    return {
      name: p.korean,
      residentNumber: p.residentNumber,
      issueDate: dotted(issueDate(rng, p, now)),
      issuer: ISSUERS[randomInt(rng, 0, ISSUERS.length - 1)]!,
    };
  }
  if (idType === 'driver') {
    const region = pad(randomInt(rng, 11, 28));
    return {
      driverLicenseNumber: `${region}-${pad(randomInt(rng, 0, 24))}-${digits(rng, 6)}-${digits(rng, 2)}`,
      licenseType: LICENSE_TYPES[randomInt(rng, 0, LICENSE_TYPES.length - 1)]!,
      name: p.korean,
      residentNumber: p.residentNumber,
      condition: randomInt(rng, 0, 3) === 0 ? 'A' : 'none',
      serialNum: `${digits(rng, 1)}${String.fromCharCode(65 + randomInt(rng, 0, 25))}${digits(rng, 1)}${String.fromCharCode(65 + randomInt(rng, 0, 25))}${digits(rng, 2)}`,
      issueDate: dotted(issueDate(rng, p, now)),
      issuer: POLICE[randomInt(rng, 0, POLICE.length - 1)]!,
    };
  }
  return passportValues(rng, p, now);
}

/**
 * Lays values out as a reading: confidences and boxes inside the image, keys in the guide's
 * order. Values for keys the idType does not have are dropped; missing ones are left out.
 * @example idCardReading('resident', values, image, seededRandom('x'))
 */
export function idCardReading(
  idType: IdType,
  values: Record<string, string>,
  image: Pick<ImageInfo, 'width' | 'height'>,
  rng: RandomSource,
  confidences: Record<string, number> = {},
): IdCardReading {
  const keys = ID_CARD_KEYS[idType].filter((key) => values[key] !== undefined);
  const rowHeight = Math.min(0.08, 0.9 / Math.max(keys.length, 1));
  const keyValues = keys.map((key, i) => ({
    key,
    value: values[key]!,
    conf: confidences[key] ?? confidence(rng, 0.7),
    bbox: boxIn({ left: 0.06 + (i % 2) * 0.02, top: 0.05 + i * rowHeight, width: 0.5, height: rowHeight * 0.8 }, image.width, image.height),
  }));
  return { idType, keyValues, boxes: keyValues.map((kv) => kv.bbox) };
}

/**
 * The wire result: every `keyValues[].value` passes through `encrypt`. `bbox` on each key value
 * since 2024-03-12 (release notes, "March 12, 2024"); `{ bbox: false }` leaves it out.
 * @example idCardResult(reading, imageInfo, (v) => encryptValue(key, v))
 */
export function idCardResult(
  reading: IdCardReading,
  image: Pick<ImageInfo, 'fileType' | 'resolution'>,
  encrypt: (plaintext: string) => string,
  { bbox = true }: { bbox?: boolean } = {},
): IdCardResult | IdCardResultWithoutBbox {
  return {
    fileType: image.fileType,
    resolution: image.resolution,
    idType: reading.idType,
    keyValues: reading.keyValues.map((kv) => ({ key: kv.key, value: encrypt(kv.value), conf: kv.conf, ...(bbox ? { bbox: kv.bbox } : {}) })),
    boxes: reading.boxes,
  };
}
