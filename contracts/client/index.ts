/**
 * The client kit's public API (`nhn-ocr-emulator/client`): a typed client of the v2.0 API and
 * the low-level envelope pieces for building requests, including deliberately broken ones.
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
