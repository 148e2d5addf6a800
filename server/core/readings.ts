/**
 * Readings as a scenario scripts them: the script's values over the image's default reading.
 */
import { confidence, defaultCreditCardReading, type CreditCardReading } from './credit-card.js';
import { boxIn } from './geometry.js';
import { defaultIdCardValues, idCardReading, type IdCardReading } from './id-card.js';
import type { ImageInfo } from './image-info.js';
import { seededRandom } from './random.js';
import type { Outcome } from './scenarios/schema.js';

/**
 * The credit-card reading for an image, with a scenario's `creditCard` values applied.
 * @example creditCardReadingFor(info, now, { cardNumber: '3782 822463 10005' }).cardNums.length // 3
 */
export function creditCardReadingFor(image: ImageInfo, now: number, script: Outcome['creditCard'] = {}): CreditCardReading {
  const reading = defaultCreditCardReading(image, now);
  const rng = seededRandom(`credit-card-script:${image.sha256}`);
  const groups =
    script.cardNums ??
    (script.cardNumber
      ? script.cardNumber.includes(' ') || script.cardNumber.includes('-')
        ? script.cardNumber.split(/[ -]+/).filter(Boolean)
        : (script.cardNumber.match(/\d{1,4}/g) ?? [])
      : undefined);
  if (groups) {
    const width = 0.84 / groups.length;
    reading.cardNums = groups.map((value) => ({ value, conf: script.conf ?? confidence(rng) }));
    reading.cardNumBoxes = groups.map((_, i) => boxIn({ left: 0.08 + i * width, top: 0.52, width: width * 0.9, height: 0.09 }, image.width, image.height));
  } else if (script.conf !== undefined) {
    reading.cardNums = reading.cardNums.map((g) => ({ ...g, conf: script.conf! }));
  }
  if (script.validThru) reading.validThru = { value: script.validThru, conf: script.conf ?? reading.validThru.conf };
  return reading;
}

/**
 * The ID-card reading for an image, with a scenario's `idCard` values applied (resident by default).
 * @example idCardReadingFor(info, now, { idType: 'driver' }).keyValues[0].key // 'driverLicenseNumber'
 */
export function idCardReadingFor(image: ImageInfo, now: number, script: Outcome['idCard'] = {}): IdCardReading {
  const idType = script.idType ?? 'resident';
  const values = { ...defaultIdCardValues(idType, image.sha256, now), ...script.values };
  for (const key of script.omit ?? []) delete values[key];
  const confidences = script.conf === undefined ? {} : Object.fromEntries(Object.keys(values).map((k) => [k, script.conf!]));
  return idCardReading(idType, values, image, seededRandom(`id-card-layout:${image.sha256}`), confidences);
}
