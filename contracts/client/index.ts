/**
 * The client kit's public API (`nhn-ocr-emulator/client`): a typed client of the v2.0 and v2.1
 * API, the User Access Key token calls of v2.1, the low-level envelope pieces for building
 * requests (including deliberately broken ones), the authenticity body from an ID-card result,
 * and a typed client of the emulator's admin API.
 *
 * @example
 * import { createOcrClient } from 'nhn-ocr-emulator/client';
 * const client = createOcrClient({ baseUrl, appKey, secretKey });
 * const card = await client.creditCard(imageBytes);
 * @example
 * const v21 = createOcrClient({ apiVersion: 'v2.1', baseUrl, appKey, userAccessKeyId, secretAccessKey });
 * const card21 = await v21.creditCard(imageBytes); // token obtained, reused and renewed by the client
 */
export { createOcrClient, decryptCreditCard, decryptIdCard } from './client.js';
export type {
  ApiVersion,
  EnvelopeOptions,
  OcrClient,
  OcrClientOptions,
  OcrClientOptionsV20,
  OcrClientOptionsV21,
  RawRequest,
  RawResponse,
} from './client.js';
export {
  basicCredentials,
  DEFAULT_RENEW_BEFORE_SECONDS,
  defaultTokenIssuer,
  issueToken,
  LIVE_OAUTH_BASE_URL,
  readExpiresIn,
  renewalTime,
  revokeAccessToken,
  TokenError,
  TokenKeeper,
} from './token.js';
export type { AccessToken, TokenIssuerOptions } from './token.js';
export { decryptBytes, decryptValue, encryptBytes, encryptValue, newSymmetricKey, wrapSymmetricKey } from './envelope.js';
export type { WrapPadding } from './envelope.js';
export type * from './types.js';
export { authenticityFieldsFrom, MissingIdValueError } from './authenticity-fields.js';
export type {
  AuthenticityBody,
  AuthenticityFieldsOf,
  AuthenticityIdType,
  DriverAuthenticityFields,
  IncompleteAuthenticityFields,
  PassportAuthenticityFields,
  ResidentAuthenticityFields,
} from './authenticity-fields.js';
export { emulatorControl, EmulatorControlError } from './emulator-control.js';
export type {
  AppKeyListing,
  EmulatorClock,
  EmulatorControl,
  EmulatorControlOptions,
  EmulatorStats,
  Journal,
  JournalEntry,
  JournalFilter,
  KeyService,
  KeyVersions,
  QueueEntry,
  ReloadResult,
  RevokedKey,
  RotatedKey,
  ScenarioDefaults,
  ScenarioDetail,
  ScenarioList,
} from './emulator-control.js';
