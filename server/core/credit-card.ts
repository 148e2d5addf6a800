/**
 * The default credit-card result: what a real recogniser would plausibly read from a card.
 * It is derived from the image's SHA-256, so the same image always reads the same, as a real
 * OCR does, and snapshot tests stay stable. Field list from TOAST-DOCS/OCR
 * en/document-ocr-api-guide-v2.0.md, "Credit Card Analysis API" response.
 */
import { boxIn, type Box } from './geometry.js';
import type { FileType, ImageInfo, Resolution } from './image-info.js';
import { randomInt, seededRandom, type RandomSource } from './random.js';

/** A recognised value and its confidence (0..1). */
export interface Recognised {
  value: string;
  conf: number;
}

/** A credit-card reading in plaintext, before the envelope encrypts its values. */
export interface CreditCardReading {
  cardNums: Recognised[];
  validThru: Recognised;
  cardNumBoxes: Box[];
  validThruBox: Box;
}

/** The wire result: values encrypted, `totalCardNum` the concatenation of the groups. */
export interface CreditCardResult {
  fileType: FileType;
  resolution: Resolution;
  cardNums: Recognised[];
  totalCardNum: string;
  cardNumBoxes: Box[];
  validThru: Recognised;
  validThruBox: Box;
}

/**
 * The Luhn check digit that completes a number.
 * @example luhnCheckDigit('411111111111111') // '1'
 */
export function luhnCheckDigit(partial: string): string {
  let sum = 0;
  for (let i = 0; i < partial.length; i++) {
    let d = Number(partial[partial.length - 1 - i]);
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return String((10 - (sum % 10)) % 10);
}

/**
 * Whether a digit string passes the Luhn check.
 * @example isLuhnValid('4111111111111111') // true
 */
export function isLuhnValid(digits: string): boolean {
  return /^\d+$/.test(digits) && luhnCheckDigit(digits.slice(0, -1)) === digits.slice(-1);
}

/**
 * A confidence like the recogniser's: two decimals in [min, 0.99].
 * @example confidence(seededRandom('x')) // 0.93
 */
export function confidence(rng: RandomSource, min = 0.8): number {
  return randomInt(rng, Math.round(min * 100), 99) / 100;
}

const ISSUER_PREFIXES = ['4', '51', '52', '53', '54', '55', '9410', '9430'];

/**
 * The default reading for an image: a 16-digit Luhn-valid number in four groups, an expiry
 * one to five years after `now`, boxes inside the image.
 * @example defaultCreditCardReading(imageInfo, Date.now()).cardNums.map((g) => g.value) // ['4532', '0151', '1283', '0366']
 */
export function defaultCreditCardReading(image: ImageInfo, now: number): CreditCardReading {
  const rng = seededRandom(`credit-card:${image.sha256}`);
  const prefix = ISSUER_PREFIXES[randomInt(rng, 0, ISSUER_PREFIXES.length - 1)]!;
  let digits = prefix;
  while (digits.length < 15) digits += String(randomInt(rng, 0, 9));
  digits += luhnCheckDigit(digits);
  const groups = digits.match(/\d{4}/g)!;
  const year = new Date(now).getUTCFullYear() + randomInt(rng, 1, 5);
  const month = randomInt(rng, 1, 12);
  const validThru = `${String(month).padStart(2, '0')}/${String(year % 100).padStart(2, '0')}`;
  const { width, height } = image;
  return {
    cardNums: groups.map((value) => ({ value, conf: confidence(rng) })),
    cardNumBoxes: groups.map((_, i) => boxIn({ left: 0.08 + i * 0.215, top: 0.52, width: 0.19, height: 0.09 }, width, height)),
    validThru: { value: validThru, conf: confidence(rng, 0.5) },
    validThruBox: boxIn({ left: 0.42, top: 0.66, width: 0.14, height: 0.07 }, width, height),
  };
}

/**
 * Builds the wire result from a reading: the recognised values pass through `encrypt`.
 * @example creditCardResult(reading, imageInfo, (v) => encryptValue(key, v))
 */
export function creditCardResult(
  reading: CreditCardReading,
  image: Pick<ImageInfo, 'fileType' | 'resolution'>,
  encrypt: (plaintext: string) => string,
): CreditCardResult {
  return {
    fileType: image.fileType,
    resolution: image.resolution,
    cardNums: reading.cardNums.map(({ value, conf }) => ({ value: encrypt(value), conf })),
    totalCardNum: encrypt(reading.cardNums.map((g) => g.value).join('')),
    cardNumBoxes: reading.cardNumBoxes,
    validThru: { value: encrypt(reading.validThru.value), conf: reading.validThru.conf },
    validThruBox: reading.validThruBox,
  };
}
