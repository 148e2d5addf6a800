/**
 * Wire types of the v2.0 API as the client sees them, values decrypted. Result shapes come from
 * openapi.yaml (generated types), so the client and the description cannot drift apart; an
 * encrypted value and its plaintext are both strings, so one shape serves both.
 */
import type { components } from '../../server/core/api-types.generated.js';

type Schemas = components['schemas'];

/** The service whose public key encrypts a request. */
export type ServiceName = 'credit-card' | 'id-card';

/** The header every answer carries. */
export interface ResultHeader {
  isSuccessful: boolean;
  resultCode: number;
  resultMessage: string;
}

/** A raw answer body. */
export interface ApiBody<R = unknown> {
  header: ResultHeader;
  result?: R;
}

/** Four corners, clockwise from top-left. */
export type Box = Schemas['Box'];

/** `result` of the public-key call. */
export type PublicKey = Schemas['PublicKeyResult'];

/** A recognised value with its confidence (decrypted by the client). */
export type Recognised = Schemas['RecognisedValue'];

/** `result` of a credit-card analysis, values decrypted. */
export type CreditCardResult = Schemas['CreditCardResult'];

/** One key/value of an ID card, value decrypted. */
export type IdKeyValue = Schemas['IdCardKeyValue'];

/** `result` of an ID-card analysis, values decrypted. */
export type IdCardResult = Schemas['IdCardResult'];

/** `result` of an authenticity call. */
export type AuthenticityResult = Schemas['AuthenticityResult'];

/** The authenticity body in plaintext; the client encrypts what the guide says is encrypted. */
export type AuthenticityFields =
  | { idType: 'resident'; name: string; residentNumber: string; issueDate: string }
  | {
      idType: 'driver';
      name: string;
      residentNumber: string;
      driverLicenseNumber: string;
      serialNum?: string;
    }
  | {
      idType: 'passport';
      name: string;
      passportNumber: string;
      issueDate: string;
      birthDate: string;
      expirationDate: string;
    };

/** A client call's outcome: the raw body, and the result with its values decrypted. */
export interface OcrResponse<R> {
  status: number;
  headers: Headers;
  body: ApiBody<unknown>;
  resultCode: number;
  /** `result` with encrypted values decrypted; absent on failure. */
  result?: R;
  /** The `Request-Key` response header, when the service sent one. */
  requestKey?: string;
  /** The symmetric key the request used (to decrypt anything else by hand). */
  symmetricKey?: Buffer;
}
