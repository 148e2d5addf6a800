import { describe, expect, it } from 'vitest';
import { isLuhnValid } from '../credit-card.js';
import { defaultIdCardValues, mrzCheckDigit, residentNumberCheckDigit } from '../id-card.js';
import { Redactor } from './redact.js';

const salt = Buffer.alloc(32, 7);
const redactor = new Redactor(salt);
const other = new Redactor(Buffer.alloc(32, 8));

describe('synthetic values', () => {
  it('are deterministic per value and salt, and differ under another salt', () => {
    expect(redactor.idCardValue('name', '홍길동')).toBe(new Redactor(Buffer.from(salt)).idCardValue('name', '홍길동'));
    expect(redactor.idCardValue('residentNumber', '900101-1234568')).not.toBe(other.idCardValue('residentNumber', '900101-1234568'));
  });

  it('make a card number of the same group lengths, Luhn-valid, first digit kept', () => {
    const groups = ['3782', '822463', '10005'];
    const made = redactor.cardNumber(groups);
    expect(made.map((g) => g.length)).toEqual([4, 6, 5]);
    expect(made[0]![0]).toBe('3');
    expect(made.join('')).not.toBe(groups.join(''));
    expect(isLuhnValid(made.join(''))).toBe(true);
    expect(redactor.validThru('09/29')).toMatch(/^(0[1-9]|1[0-2])\/(28|29|30)$/);
  });

  it('make a resident registration number with a real birth date, the seventh digit kept and a valid check digit', () => {
    for (const value of ['900101-1234568', '0502154123453']) {
      const made = redactor.idCardValue('residentNumber', value);
      expect(made.includes('-')).toBe(value.includes('-'));
      const digits = made.replace('-', '');
      expect(digits).toHaveLength(13);
      expect(digits[6]).toBe(value.replace('-', '')[6]);
      expect(Number(digits.slice(2, 4))).toBeGreaterThanOrEqual(1);
      expect(Number(digits.slice(2, 4))).toBeLessThanOrEqual(12);
      expect(digits[12]).toBe(residentNumberCheckDigit(digits.slice(0, 12)));
      expect(digits).not.toBe(value.replace('-', ''));
    }
  });

  it('keep date formats, and one date in two formats stays one date', () => {
    expect(redactor.idCardValue('issueDate', '2019.05.17')).toMatch(/^\d{4}\.\d\d\.\d\d$/);
    expect(redactor.idCardValue('issueDate', '20190517')).toMatch(/^\d{8}$/);
    const printed = redactor.idCardValue('dateOfBirth', '15 MAR 1990');
    const ymd = redactor.idCardValue('dateOfBirthYMD', '19900315');
    expect(printed).toMatch(/^\d\d [A-Z]{3} \d{4}$/);
    const months = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
    const [d, m, y] = printed.split(' ');
    expect(ymd).toBe(`${y}${String(months.indexOf(m!) + 1).padStart(2, '0')}${d}`);
  });

  it('replace every personal value of a passport, keep what identifies nobody, and give MRZ2 valid check digits', () => {
    const values = defaultIdCardValues('passport', 'seed', Date.UTC(2026, 0, 1));
    const made = Object.fromEntries(Object.entries(values).map(([key, value]) => [key, redactor.idCardValue(key, value)]));
    for (const key of ['passportNo', 'surName', 'givenName', 'koreanName', 'personalNo', 'dateOfBirthYMD', 'dateOfExpiryYMD', 'MRZ1', 'MRZ2']) {
      expect(made[key], key).not.toBe(values[key]);
      expect(made[key]!.length, key).toBe(values[key]!.length);
    }
    for (const key of ['passportType', 'countryCode', 'nationality', 'sex']) expect(made[key], key).toBe(values[key]);
    const mrz2 = made['MRZ2']!;
    expect(mrz2[9]).toBe(mrzCheckDigit(mrz2.slice(0, 9)));
    expect(mrz2[19]).toBe(mrzCheckDigit(mrz2.slice(13, 19)));
    expect(mrz2[27]).toBe(mrzCheckDigit(mrz2.slice(21, 27)));
    expect(mrz2.slice(10, 13)).toBe('KOR');
    expect(made['MRZ1']!.slice(0, 5)).toBe('PMKOR');
  });

  it('replace a key it does not know character by character', () => {
    expect(redactor.idCardValue('somethingNew', 'AB-12')).toMatch(/^[A-Z]{2}-\d\d$/);
    expect(redactor.idCardValue('somethingNew', 'AB-12')).not.toBe('AB-12');
  });
});
