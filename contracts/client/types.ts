/**
 * Wire types of the v2.0 API as the client sees them, values decrypted.
 * Field lists from TOAST-DOCS/OCR en/document-ocr-api-guide-v2.0.md.
 */

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
export interface Box {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  x3: number;
  y3: number;
  x4: number;
  y4: number;
}

/** `result` of the public-key call. */
export interface PublicKey {
  key: string;
  version: string;
}

/** A recognised value with its confidence. */
export interface Recognised {
  value: string;
  conf: number;
}

/** `result` of a credit-card analysis. */
export interface CreditCardResult {
  fileType: string;
  resolution: string;
  cardNums: Recognised[];
  totalCardNum: string;
  cardNumBoxes: Box[];
  validThru: Recognised;
  validThruBox: Box;
}

/** One key/value of an ID card. */
export interface IdKeyValue {
  key: string;
  value: string;
  conf: number;
  bbox: Box;
}

/** `result` of an ID-card analysis. */
export interface IdCardResult {
  fileType: string;
  resolution: string;
  idType: 'resident' | 'driver' | 'passport';
  keyValues: IdKeyValue[];
  boxes: Box[];
}

/** `result` of an authenticity call. */
export interface AuthenticityResult {
  isAuthenticity: boolean;
}

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
