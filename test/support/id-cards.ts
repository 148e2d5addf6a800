/**
 * Builds an authenticity body from a decrypted ID-card result, the way a client that shows the
 * user what was read and sends it back would.
 */
import type { AuthenticityFields, IdCardResult } from '../../contracts/client/index.js';

const digits = (v: string | undefined) => (v ?? '').replace(/\D/g, '');

/**
 * The authenticity fields for a recognised card (docs/emulated-api.md, "The authenticity request body").
 * @example const fields = authenticityFieldsFor(answer.result!)
 */
export function authenticityFieldsFor(result: IdCardResult): AuthenticityFields {
  const v = Object.fromEntries(result.keyValues.map((kv) => [kv.key, kv.value]));
  if (result.idType === 'resident') {
    return { idType: 'resident', name: v['name']!, residentNumber: digits(v['residentNumber']), issueDate: digits(v['issueDate']) };
  }
  if (result.idType === 'driver') {
    return {
      idType: 'driver',
      name: v['name']!,
      residentNumber: digits(v['residentNumber']).slice(0, 7),
      driverLicenseNumber: digits(v['driverLicenseNumber']),
      serialNum: v['serialNum']!,
    };
  }
  return {
    idType: 'passport',
    name: v['koreanName']!,
    passportNumber: v['passportNo']!,
    issueDate: v['dateOfIssueYMD']!,
    birthDate: v['dateOfBirthYMD']!,
    expirationDate: v['dateOfExpiryYMD']!,
  };
}
