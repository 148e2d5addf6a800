import { describe, expect, it } from 'vitest';
import { creditCardResult, defaultCreditCardReading, isLuhnValid, luhnCheckDigit } from './credit-card.js';
import type { ImageInfo } from './image-info.js';

const image = (sha256: string, width = 856, height = 540): ImageInfo => ({
  fileType: 'jpg',
  width,
  height,
  resolution: 'normal',
  bytes: 1000,
  sha256,
});
const NOW = Date.UTC(2026, 10, 26);

describe('Luhn', () => {
  it('computes and checks the check digit', () => {
    expect(luhnCheckDigit('411111111111111')).toBe('1');
    expect(isLuhnValid('4111111111111111')).toBe(true);
    expect(isLuhnValid('4111111111111112')).toBe(false);
    expect(isLuhnValid('5500000000000004')).toBe(true);
  });
});

describe('defaultCreditCardReading', () => {
  it('is a plausible card for any image', () => {
    for (let i = 0; i < 200; i++) {
      const reading = defaultCreditCardReading(image(`sha-${i}`, 400 + i, 250 + i), NOW);
      const digits = reading.cardNums.map((g) => g.value).join('');
      expect(reading.cardNums).toHaveLength(4);
      expect(reading.cardNums.every((g) => /^\d{4}$/.test(g.value))).toBe(true);
      expect(isLuhnValid(digits)).toBe(true);
      const [, mm, yy] = /^(\d\d)\/(\d\d)$/.exec(reading.validThru.value)!;
      expect(Number(mm)).toBeGreaterThanOrEqual(1);
      expect(Number(mm)).toBeLessThanOrEqual(12);
      expect(Number(yy)).toBeGreaterThan(26);
      for (const { conf } of [...reading.cardNums, reading.validThru]) {
        expect(conf).toBeGreaterThan(0);
        expect(conf).toBeLessThanOrEqual(1);
      }
      for (const box of [...reading.cardNumBoxes, reading.validThruBox]) {
        for (const x of [box.x1, box.x2, box.x3, box.x4]) expect(x).toBeLessThan(400 + i);
        for (const y of [box.y1, box.y2, box.y3, box.y4]) expect(y).toBeLessThan(250 + i);
        expect(box.x2).toBeGreaterThan(box.x1);
        expect(box.y4).toBeGreaterThan(box.y1);
      }
    }
  });

  it('reads the same image the same way, and different images differently', () => {
    expect(defaultCreditCardReading(image('a'), NOW)).toEqual(defaultCreditCardReading(image('a'), NOW));
    expect(defaultCreditCardReading(image('a'), NOW).cardNums).not.toEqual(defaultCreditCardReading(image('b'), NOW).cardNums);
  });
});

describe('creditCardResult', () => {
  it('encrypts exactly the documented values and concatenates totalCardNum', () => {
    const reading = defaultCreditCardReading(image('x'), NOW);
    const result = creditCardResult(reading, image('x'), (v) => `enc(${v})`);
    expect(result.totalCardNum).toBe(`enc(${reading.cardNums.map((g) => g.value).join('')})`);
    expect(result.cardNums[0]!.value).toBe(`enc(${reading.cardNums[0]!.value})`);
    expect(result.validThru.value).toBe(`enc(${reading.validThru.value})`);
    expect(result.cardNumBoxes).toEqual(reading.cardNumBoxes);
    expect(result.fileType).toBe('jpg');
  });
});
