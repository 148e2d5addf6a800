/**
 * Readings as a scenario scripts them: the script's values over the image's default reading.
 */
import { confidence, defaultCreditCardReading, type CreditCardReading } from './credit-card.js';
import { boxIn } from './geometry.js';
import { defaultIdCardValues, idCardReading, type IdCardReading } from './id-card.js';
import type { ImageInfo } from './image-info.js';
import { seededRandom } from './random.js';
import type { Outcome, RecordedCreditCard, RecordedIdCard } from './scenarios/schema.js';

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

/** A whole recorded result (`outcome.result`, a recording of the live service). */
export type RecordedResult = NonNullable<Outcome['result']>;

/**
 * A recorded credit-card result as the wire carries it: the same fields in the same order, the
 * values the envelope encrypts (cardNums[].value, totalCardNum, validThru.value) encrypted.
 * @example playedCreditCardResult(scenario.outcome.result, (v) => encryptValue(key, v))
 */
export function playedCreditCardResult(result: RecordedResult, encrypt: (plaintext: string) => string): Record<string, unknown> {
  const card = result as RecordedCreditCard;
  const played: Record<string, unknown> = { ...card };
  if (Array.isArray(card.cardNums)) played['cardNums'] = card.cardNums.map((g) => ({ ...g, value: encrypt(g.value) }));
  if (typeof played['totalCardNum'] === 'string') played['totalCardNum'] = encrypt(played['totalCardNum']);
  const validThru = played['validThru'] as { value: string } | undefined;
  if (validThru) played['validThru'] = { ...validThru, value: encrypt(validThru.value) };
  return played;
}

/**
 * A recorded ID-card result as the wire carries it (every keyValues[].value encrypted, `bbox`
 * left out when the emulated date has none), and its plaintext values, which a Request-Key
 * issued for it holds for the authenticity check.
 * @example playedIdCardResult(scenario.outcome.result, (v) => encryptValue(key, v), { bbox: true }).idType // 'resident'
 */
export function playedIdCardResult(
  result: RecordedResult,
  encrypt: (plaintext: string) => string,
  { bbox }: { bbox: boolean },
): { result: Record<string, unknown>; idType: IdCardReading['idType']; values: Record<string, string> } {
  const card = result as RecordedIdCard;
  if (!Array.isArray(card.keyValues)) throw new TypeError('a credit-card result cannot answer an ID-card call');
  const keyValues = card.keyValues.map(({ bbox: box, ...kv }) => ({ ...kv, value: encrypt(kv.value), ...(bbox && box ? { bbox: box } : {}) }));
  const values = Object.fromEntries(card.keyValues.map((kv) => [kv.key, kv.value]));
  return { result: { ...card, keyValues }, idType: card.idType, values };
}
