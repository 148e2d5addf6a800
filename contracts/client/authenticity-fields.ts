/**
 * The authenticity request body, typed per `idType`, and how to build it from what an ID-card
 * call recognised. Fields and formats: TOAST-DOCS/OCR en/document-ocr-api-guide-v2.0.md, "Verify
 * Authenticity API" [Field] table (docs/emulated-api.md, "The authenticity request body"): resident
 * name, 13-digit residentNumber, issueDate YYYYMMDD; driver name, residentNumber as 7 digits
 * (the first 6 and the first of the back 7), 12-digit driverLicenseNumber, serialNum optional
 * since 2024-04-09 (release notes). Passport authenticity was withdrawn on 2026-05-27; its type
 * stays for emulating earlier dates (EMULATOR_API_DATE).
 */
import type { AuthenticityFields, IdCardResult } from './types.js';

/** The idTypes an authenticity body names. */
export type AuthenticityIdType = AuthenticityFields['idType'];

/**
 * The authenticity body of one idType.
 * @example const body: AuthenticityFieldsOf<'resident'> = { idType: 'resident', name: '홍길동', residentNumber: '9001011234567', issueDate: '20200115' }
 */
export type AuthenticityFieldsOf<T extends AuthenticityIdType> = Extract<AuthenticityFields, { idType: T }>;

/** A resident registration card's authenticity body. */
export type ResidentAuthenticityFields = AuthenticityFieldsOf<'resident'>;
/** A driver's license's authenticity body (`serialNum` optional). */
export type DriverAuthenticityFields = AuthenticityFieldsOf<'driver'>;
/** A passport's authenticity body: withdrawn from the service on 2026-05-27, kept for earlier dates. */
export type PassportAuthenticityFields = AuthenticityFieldsOf<'passport'>;

/**
 * A body that is incomplete on purpose (to provoke 4000001): any subset of one idType's fields.
 * A field name that no idType has is still a type error.
 * @example client.authenticity(requestKey, { idType: 'resident', residentNumber: '9001011234567' }) // 4000001
 */
export type IncompleteAuthenticityFields = { [T in AuthenticityIdType]: Partial<AuthenticityFieldsOf<T>> }[AuthenticityIdType];

/** What `OcrClient.authenticity` sends: a complete body, or one incomplete on purpose. */
export type AuthenticityBody = AuthenticityFields | IncompleteAuthenticityFields;

/** The recognised result lacks a value the authenticity body needs. */
export class MissingIdValueError extends Error {
  override name = 'MissingIdValueError';
}

/**
 * The authenticity body for what an ID-card call recognised (the result with its values
 * decrypted, as `client.idCard` returns it): the values a client would show the user and send
 * back. Numbers and dates go as digits only. Throws MissingIdValueError when a required value
 * was not recognised.
 * @example
 * const read = await client.idCard(photo);
 * const verdict = await client.authenticity(read.requestKey!, authenticityFieldsFrom(read.result!));
 */
export function authenticityFieldsFrom<T extends AuthenticityIdType>(result: IdCardResult & { idType: T }): AuthenticityFieldsOf<T>;
export function authenticityFieldsFrom(result: IdCardResult): AuthenticityFields;
export function authenticityFieldsFrom(result: IdCardResult): AuthenticityFields {
  const values = new Map(result.keyValues.map((kv) => [kv.key, kv.value]));
  const value = (key: string): string => {
    const found = values.get(key)?.trim();
    if (!found) throw new MissingIdValueError(`the ${result.idType} result has no "${key}" value, which its authenticity body needs`);
    return found;
  };
  switch (result.idType) {
    case 'resident':
      return { idType: 'resident', name: value('name'), residentNumber: digits(value('residentNumber')), issueDate: digits(value('issueDate')) };
    case 'driver': {
      const serialNum = values.get('serialNum')?.trim();
      return {
        idType: 'driver',
        name: value('name'),
        // The guide: "7 digits that comprise of the first 6 digits and the first 1 digit".
        residentNumber: digits(value('residentNumber')).slice(0, 7),
        driverLicenseNumber: digits(value('driverLicenseNumber')),
        ...(serialNum ? { serialNum } : {}),
      };
    }
    case 'passport':
      return {
        idType: 'passport',
        name: values.get('koreanName')?.trim() || `${value('surName')} ${value('givenName')}`,
        passportNumber: value('passportNo'),
        issueDate: digits(value('dateOfIssueYMD')),
        birthDate: digits(value('dateOfBirthYMD')),
        expirationDate: digits(value('dateOfExpiryYMD')),
      };
    default:
      throw new MissingIdValueError(`idType ${JSON.stringify(result.idType)} has no authenticity body`);
  }
}

function digits(value: string): string {
  return value.replace(/\D/g, '');
}
