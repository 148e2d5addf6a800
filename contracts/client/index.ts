/**
 * The client kit's public API (`nhn-ocr-emulator/client`): a typed client of the v2.0 API, the
 * low-level envelope pieces for building requests (including deliberately broken ones), the
 * authenticity body from an ID-card result, and a typed client of the emulator's admin API.
 *
 * @example
 * import { createOcrClient } from 'nhn-ocr-emulator/client';
 * const client = createOcrClient({ baseUrl, appKey, secretKey });
 * const card = await client.creditCard(imageBytes);
 */
export { createOcrClient, decryptCreditCard, decryptIdCard } from './client.js';
export type { EnvelopeOptions, OcrClient, OcrClientOptions, RawRequest, RawResponse } from './client.js';
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
