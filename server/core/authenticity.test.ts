import { describe, expect, it } from 'vitest';
import { thrownCode } from '../../test/support/thrown-code.js';
import {
  AUTHENTICITY_MAX_BODY_BYTES,
  AUTHENTICITY_MAX_DEPTH,
  mismatchedFields,
  nestingDepth,
  parseAuthenticityJson,
  readAuthenticityBody,
} from './authenticity.js';
import { encryptValue } from './envelope.js';

const key = Buffer.alloc(32, 7);
const enc = (v: string) => encryptValue(key, v);

describe('readAuthenticityBody', () => {
  it('decrypts encrypted fields and keeps idType and expirationDate plain', () => {
    const passport = readAuthenticityBody(
      {
        idType: 'passport',
        name: enc('HONG GILDONG'),
        passportNumber: enc('M123A4567'),
        issueDate: enc('20200115'),
        birthDate: enc('19900101'),
        expirationDate: '20300115',
      },
      key,
      { passport: true, serialNumRequired: false },
    );
    expect(passport).toEqual({
      idType: 'passport',
      fields: { name: 'HONG GILDONG', passportNumber: 'M123A4567', issueDate: '20200115', birthDate: '19900101', expirationDate: '20300115' },
    });
  });

  it('answers 4000001 for shape faults before 4000303 for undecryptable values', () => {
    expect(thrownCode(() => readAuthenticityBody([], key))).toBe(4000001);
    expect(thrownCode(() => readAuthenticityBody({ idType: 'alien', name: enc('x') }, key))).toBe(4000001);
    expect(thrownCode(() => readAuthenticityBody({ idType: 'resident', name: enc('x'), residentNumber: enc('1') }, key))).toBe(4000001);
    expect(thrownCode(() => readAuthenticityBody({ idType: 'resident', name: 'garbage', residentNumber: enc('1'), issueDate: 5 }, key))).toBe(4000001);
    expect(thrownCode(() => readAuthenticityBody({ idType: 'resident', name: 'garbage', residentNumber: enc('1'), issueDate: enc('2') }, key))).toBe(4000303);
    expect(
      thrownCode(() =>
        readAuthenticityBody({ idType: 'driver', name: enc('a'), residentNumber: enc('9001011'), driverLicenseNumber: enc('111234567890') }, key),
      ),
    ).toBe(0);
  });

  it('follows the emulated date: passports refused since 2026-05-27, serialNum required before 2024-04-09', () => {
    const passport = { idType: 'passport', name: enc('A'), passportNumber: enc('M1'), issueDate: enc('1'), birthDate: enc('2'), expirationDate: '3' };
    expect(thrownCode(() => readAuthenticityBody(passport, key))).toBe(4000001);
    expect(thrownCode(() => readAuthenticityBody(passport, key, { passport: true, serialNumRequired: true }))).toBe(0);
    const driver = { idType: 'driver', name: enc('a'), residentNumber: enc('9001011'), driverLicenseNumber: enc('111234567890') };
    expect(thrownCode(() => readAuthenticityBody(driver, key, { passport: true, serialNumRequired: true }))).toBe(4000001);
    expect(thrownCode(() => readAuthenticityBody({ ...driver, serialNum: enc('1A2B34') }, key, { passport: true, serialNumRequired: true }))).toBe(0);
  });

  it('is not fooled by __proto__ keys', () => {
    const body = JSON.parse('{"idType":"resident","__proto__":{"name":"x"}}');
    expect(thrownCode(() => readAuthenticityBody(body, key))).toBe(4000001);
  });
});

describe('mismatchedFields', () => {
  const resident = { name: '홍길동', residentNumber: '900101-1234568', issueDate: '2020.01.15', issuer: 'x' };
  it('normalises digits and names', () => {
    expect(
      mismatchedFields({ idType: 'resident', fields: { name: ' 홍길동 ', residentNumber: '9001011234568', issueDate: '20200115' } }, 'resident', resident),
    ).toEqual([]);
    expect(
      mismatchedFields({ idType: 'resident', fields: { name: '홍길동', residentNumber: '9001011234568', issueDate: '20200116' } }, 'resident', resident),
    ).toEqual(['issueDate']);
    expect(mismatchedFields({ idType: 'driver', fields: {} }, 'resident', resident)).toEqual(['idType']);
  });

  it('takes the first 7 digits of a driver resident number, and serialNum only when sent', () => {
    const driver = { name: 'A', residentNumber: '900101-1234568', driverLicenseNumber: '11-12-345678-90', serialNum: '1A2B34' };
    expect(
      mismatchedFields({ idType: 'driver', fields: { name: 'A', residentNumber: '9001011', driverLicenseNumber: '111234567890' } }, 'driver', driver),
    ).toEqual([]);
    expect(
      mismatchedFields(
        { idType: 'driver', fields: { name: 'A', residentNumber: '9001011', driverLicenseNumber: '111234567890', serialNum: '1a2b34' } },
        'driver',
        driver,
      ),
    ).toEqual([]);
    expect(
      mismatchedFields({ idType: 'driver', fields: { name: 'A', residentNumber: '9001011234568', driverLicenseNumber: '111234567890' } }, 'driver', driver),
    ).toEqual(['residentNumber']);
  });
});

describe('parseAuthenticityJson', () => {
  it('counts nesting outside strings only, and stops counting past the bound', () => {
    expect(nestingDepth('{"a":[[1]],"b":{}}', 16)).toBe(3);
    expect(nestingDepth('{"a":"[[[{{{\\"[[["}', 16)).toBe(1);
    expect(nestingDepth('['.repeat(1_000_000), 16)).toBe(17);
  });

  it('refuses a text over the byte bound, too deep, or not JSON with 4000001', () => {
    const parsed = (text: string) => thrownCode(() => parseAuthenticityJson(text));
    expect(parsed(`{"idType":"resident"}`)).toBe(0);
    expect(parsed(`{"x":"${'x'.repeat(AUTHENTICITY_MAX_BODY_BYTES)}"}`)).toBe(4000001);
    // Characters under the bound, bytes over it (three bytes each in UTF-8).
    expect(parsed(`{"x":"${'홍'.repeat(AUTHENTICITY_MAX_BODY_BYTES / 2)}"}`)).toBe(4000001);
    expect(parsed(`{"x":${'['.repeat(AUTHENTICITY_MAX_DEPTH)}${']'.repeat(AUTHENTICITY_MAX_DEPTH)}}`)).toBe(4000001);
    expect(parsed(`{"x":${'['.repeat(AUTHENTICITY_MAX_DEPTH - 1)}${']'.repeat(AUTHENTICITY_MAX_DEPTH - 1)}}`)).toBe(0);
    expect(parsed('{')).toBe(4000001);
  });
});
