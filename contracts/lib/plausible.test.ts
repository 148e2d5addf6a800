import { describe, expect, it } from 'vitest';
import {
  checkIdValue,
  digitsOf,
  isIdType,
  isLuhnValid,
  isPlausibleDriverLicenseNumber,
  isPlausibleResidentNumber,
  isPlausibleValidThru,
  isReadableText,
  toYyyymmdd,
} from './plausible.js';

describe('card values', () => {
  it('checks Luhn', () => {
    expect(isLuhnValid('4111111111111111')).toBe(true);
    expect(isLuhnValid('4111111111111112')).toBe(false);
    expect(isLuhnValid('378282246310005')).toBe(true);
    expect(isLuhnValid('4111 1111')).toBe(false);
  });

  it('checks expiry formats', () => {
    expect(isPlausibleValidThru('04/19')).toBe(true);
    expect(isPlausibleValidThru('12/2030')).toBe(true);
    expect(isPlausibleValidThru('13/19')).toBe(false);
    expect(isPlausibleValidThru('0419')).toBe(false);
  });
});

describe('ID values', () => {
  it('normalises printed dates', () => {
    expect(toYyyymmdd('2019.03.27')).toBe('20190327');
    expect(toYyyymmdd('2019. 3. 7.')).toBe('20190307');
    expect(toYyyymmdd('20190327')).toBe('20190327');
    expect(toYyyymmdd('2019-02-30')).toBeUndefined();
    expect(toYyyymmdd('hello')).toBeUndefined();
  });

  it('checks resident and licence numbers', () => {
    expect(isPlausibleResidentNumber('9001011234567')).toBe(true);
    expect(isPlausibleResidentNumber('901301-1234567')).toBe(false);
    expect(isPlausibleDriverLicenseNumber('11-12-123456-12')).toBe(true);
    expect(isPlausibleDriverLicenseNumber('11-12-123456')).toBe(false);
    expect(digitsOf('a1-2 3')).toBe('123');
  });

  it('flags garbage from a wrong key or IV', () => {
    expect(isReadableText('\ufffd\u0003abc')).toBe(false);
    expect(checkIdValue('name', '홍길동')).toBeUndefined();
    expect(checkIdValue('issueDate', '2020.01.02')).toBeUndefined();
    expect(checkIdValue('dateOfBirthYMD', '1990-01-01')).toMatch(/YYYYMMDD/);
    expect(checkIdValue('licenseType', '1종보통/')).toMatch(/empty/);
    expect(checkIdValue('residentNumber', '900101-1')).toBeUndefined();
  });

  it('knows the documented id types', () => {
    expect(isIdType('passport')).toBe(true);
    expect(isIdType('toString')).toBe(false);
  });
});
