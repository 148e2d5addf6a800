import { describe, expect, it } from 'vitest';
import {
  authenticityFieldsFrom,
  MissingIdValueError,
  type AuthenticityBody,
  type AuthenticityFieldsOf,
  type ResidentAuthenticityFields,
} from './authenticity-fields.js';
import type { AuthenticityFields, IdCardResult, OcrClient } from './index.js';

const box = { x1: 0, y1: 0, x2: 1, y2: 0, x3: 1, y3: 1, x4: 0, y4: 1 };
function result(idType: IdCardResult['idType'], values: Record<string, string>): IdCardResult {
  return {
    fileType: 'jpg',
    resolution: 'normal',
    idType,
    keyValues: Object.entries(values).map(([key, value]) => ({ key, value, conf: 0.99, bbox: box })),
    boxes: [box],
  } as IdCardResult;
}

describe('authenticityFieldsFrom', () => {
  it('builds a resident body: name, 13-digit residentNumber, issueDate as digits', () => {
    const fields = authenticityFieldsFrom(
      result('resident', { name: '홍길동', residentNumber: '900101-1234567', issueDate: '2020.01.15', issuer: '서울특별시 종로구청장' }),
    );
    expect(fields).toEqual({ idType: 'resident', name: '홍길동', residentNumber: '9001011234567', issueDate: '20200115' });
  });

  it('builds a driver body: the first 7 digits of residentNumber, the license number as digits, serialNum when read', () => {
    const values = { name: '김철수', residentNumber: '850315-1234567', driverLicenseNumber: '11-12-345678-90', serialNum: 'A1B2C3', issueDate: '2019.05.01' };
    expect(authenticityFieldsFrom(result('driver', values))).toEqual({
      idType: 'driver',
      name: '김철수',
      residentNumber: '8503151',
      driverLicenseNumber: '111234567890',
      serialNum: 'A1B2C3',
    });
    const { serialNum: _, ...withoutSerial } = values;
    expect(authenticityFieldsFrom(result('driver', withoutSerial))).not.toHaveProperty('serialNum');
  });

  it('builds a passport body for dated emulation', () => {
    const values = {
      koreanName: '홍길동',
      surName: 'HONG',
      givenName: 'GILDONG',
      passportNo: 'M12345678',
      dateOfIssueYMD: '20200101',
      dateOfBirthYMD: '19900101',
      dateOfExpiryYMD: '20300101',
    };
    expect(authenticityFieldsFrom(result('passport', values))).toEqual({
      idType: 'passport',
      name: '홍길동',
      passportNumber: 'M12345678',
      issueDate: '20200101',
      birthDate: '19900101',
      expirationDate: '20300101',
    });
    const { koreanName: _, ...latinOnly } = values;
    expect(authenticityFieldsFrom(result('passport', latinOnly)).name).toBe('HONG GILDONG');
  });

  it('refuses a result without a value the body needs, naming it', () => {
    expect(() => authenticityFieldsFrom(result('resident', { name: '홍길동', residentNumber: '9001011234567' }))).toThrow(MissingIdValueError);
    expect(() => authenticityFieldsFrom(result('resident', { name: '홍길동', residentNumber: '9001011234567', issueDate: ' ' }))).toThrow(
      'the resident result has no "issueDate" value',
    );
  });

  it('types the body by the idType it was given', () => {
    const resident = authenticityFieldsFrom(result('resident', { name: 'a', residentNumber: '1', issueDate: '2' }) as IdCardResult & { idType: 'resident' });
    const typed: ResidentAuthenticityFields = resident;
    expect(typed.issueDate).toBe('2');
  });
});

describe('the authenticity body types (checked by tsc)', () => {
  it('reject a misspelt or misplaced field and accept what the guide lists', () => {
    // @ts-expect-error issueDat is not a field
    const misspelt: AuthenticityFields = { idType: 'resident', name: 'a', residentNumber: '1', issueDat: '2' };
    // @ts-expect-error a resident card has no driverLicenseNumber
    const misplaced: AuthenticityFieldsOf<'resident'> = { idType: 'resident', name: 'a', residentNumber: '1', issueDate: '2', driverLicenseNumber: '3' };
    // @ts-expect-error a required field is missing
    const incomplete: AuthenticityFields = { idType: 'resident', name: 'a', residentNumber: '1' };
    const driver: AuthenticityFields = { idType: 'driver', name: 'a', residentNumber: '1234567', driverLicenseNumber: '111234567890' };
    expect([misspelt, misplaced, incomplete, driver]).toHaveLength(4);
  });

  it('let OcrClient.authenticity send an incomplete body on purpose, but no unknown field', () => {
    const send = (_body: Parameters<OcrClient['authenticity']>[1]) => undefined;
    send({ idType: 'resident', residentNumber: '9001011234567' });
    send({ name: 'no idType' });
    // @ts-expect-error issueDat is not a field
    send({ idType: 'resident', name: 'a', residentNumber: '1', issueDat: '2' });
    // @ts-expect-error idType must be one of resident, driver, passport
    send({ idType: 'alien', name: 'a' });
    const body: AuthenticityBody = { idType: 'driver', name: 'a' };
    expect(body.idType).toBe('driver');
  });
});
