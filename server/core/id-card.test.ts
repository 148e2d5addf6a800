import { describe, expect, it } from 'vitest';
import { seededRandom } from './random.js';
import { defaultIdCardValues, ID_CARD_KEYS, idCardReading, idCardResult, mrzCheckDigit, residentNumberCheckDigit } from './id-card.js';

const NOW = Date.UTC(2026, 10, 26);

describe('check digits', () => {
  it('computes the ICAO 9303 check digit (the specimen of Doc 9303 part 3)', () => {
    expect(mrzCheckDigit('L898902C3')).toBe('6');
    expect(mrzCheckDigit('740812')).toBe('2');
    expect(mrzCheckDigit('120415')).toBe('9');
  });

  it('computes the resident registration number check digit', () => {
    const first12 = '900101123456';
    const weights = [2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5];
    const sum = weights.reduce((a, w, i) => a + w * Number(first12[i]), 0);
    expect(residentNumberCheckDigit(first12)).toBe(String((11 - (sum % 11)) % 10));
  });
});

describe('defaultIdCardValues', () => {
  it('gives every documented key of each idType, consistently within a card', () => {
    for (let i = 0; i < 50; i++) {
      const resident = defaultIdCardValues('resident', `s${i}`, NOW);
      expect(Object.keys(resident)).toEqual(ID_CARD_KEYS.resident);
      const rrn = resident['residentNumber']!;
      expect(rrn).toMatch(/^\d{6}-[1-4]\d{6}$/);
      const digits = rrn.replace('-', '');
      expect(residentNumberCheckDigit(digits.slice(0, 12))).toBe(digits[12]);
      const [, mm, dd] = /^\d\d(\d\d)(\d\d)/.exec(digits)!;
      expect(Number(mm)).toBeGreaterThanOrEqual(1);
      expect(Number(mm)).toBeLessThanOrEqual(12);
      expect(Number(dd)).toBeGreaterThanOrEqual(1);
      expect(resident['issueDate']).toMatch(/^\d{4}\.\d\d\.\d\d$/);

      const driver = defaultIdCardValues('driver', `s${i}`, NOW);
      expect(Object.keys(driver)).toEqual(ID_CARD_KEYS.driver);
      expect(driver['driverLicenseNumber']!.replace(/\D/g, '')).toHaveLength(12);
      expect(driver['serialNum']).toMatch(/^[0-9A-Z]{5,6}$/);
      expect(['none', 'A']).toContain(driver['condition']);

      const passport = defaultIdCardValues('passport', `s${i}`, NOW);
      expect(Object.keys(passport)).toEqual(ID_CARD_KEYS.passport);
      for (const key of ['dateOfBirthYMD', 'dateOfIssueYMD', 'dateOfExpiryYMD']) expect(passport[key]).toMatch(/^\d{8}$/);
      expect(passport['passportNo']).toMatch(/^[A-Z0-9]{9}$/);
      expect(passport['MRZ1']).toHaveLength(44);
      const mrz2 = passport['MRZ2']!;
      expect(mrz2).toHaveLength(44);
      expect(mrz2.slice(0, 9)).toBe(passport['passportNo']);
      expect(mrzCheckDigit(mrz2.slice(0, 9))).toBe(mrz2[9]);
      expect(mrzCheckDigit(mrz2.slice(13, 19))).toBe(mrz2[19]);
      expect(mrz2.slice(13, 19)).toBe(passport['dateOfBirthYMD']!.slice(2));
      expect(mrz2.slice(21, 27)).toBe(passport['dateOfExpiryYMD']!.slice(2));
      const composite = mrz2.slice(0, 10) + mrz2.slice(13, 20) + mrz2.slice(21, 43);
      expect(mrzCheckDigit(composite)).toBe(mrz2[43]);
      expect(Number(passport['dateOfExpiryYMD'])).toBeGreaterThan(20261126);
    }
  });
});

describe('idCardReading and idCardResult', () => {
  it('keeps the guide order, encrypts every value and nothing else, boxes inside the image', () => {
    const values = defaultIdCardValues('driver', 'x', NOW);
    const reading = idCardReading('driver', values, { width: 900, height: 570 }, seededRandom('l'));
    expect(reading.keyValues.map((kv) => kv.key)).toEqual(ID_CARD_KEYS.driver);
    for (const { bbox, conf } of reading.keyValues) {
      expect(conf).toBeGreaterThan(0);
      expect(conf).toBeLessThanOrEqual(1);
      for (const x of [bbox.x1, bbox.x2, bbox.x3, bbox.x4]) expect(x).toBeLessThan(900);
      for (const y of [bbox.y1, bbox.y2, bbox.y3, bbox.y4]) expect(y).toBeLessThan(570);
    }
    const result = idCardResult(reading, { fileType: 'jpg', resolution: 'normal' }, (v) => `enc(${v})`);
    expect(result.keyValues.map((kv) => kv.value)).toEqual(ID_CARD_KEYS.driver.map((k) => `enc(${values[k]})`));
    expect(result.keyValues[0]!.key).toBe('driverLicenseNumber');
    expect(result.idType).toBe('driver');
  });
});
