/**
 * The documented result codes and messages, copied from the official error-code table
 * (TOAST-DOCS/OCR en/document-ocr-error-code.md). The contract suite keeps its own copy on purpose: it must not share a single
 * line with the implementation it checks.
 */

/**
 * Every result code a call of the v2.0 and v2.1 envelope APIs can get and its documented message
 * (the page's business-registration codes and console service-use answers left out).
 */
export const RESULT_MESSAGES: ReadonlyMap<number, string> = new Map([
  [0, 'SUCCESS'],
  [-1, 'Unknown error.'],
  // HTTP statuses the error-code page lists as result codes.
  [400, 'Bad Request'],
  [401, 'Unauthorized'],
  [403, 'Forbidden'],
  [404, 'Not Found'],
  [405, 'Method Not Allowed'],
  [415, 'Unsupported Media Type'],
  [4000001, 'Invalid parameter.'],
  [4000002, 'Invalid file.'],
  [4000003, 'Invalid file type.'],
  [4000004, 'Uploaded file is empty.'],
  [4000005, 'Required headers is missing.'],
  [4000006, 'Api call limit exceeded, If you need to adjust the limit, please contact customer service.'],
  [4000111, 'Credit card info not found.'],
  [4000121, 'Id card info not found.'],
  [4000122, 'Request Key is invalid or expired.'],
  [4000123, 'Registration card authentication is locked.'],
  [4000301, 'Invalid key version.'],
  [4000302, 'Invalid symmetric key.'],
  [4000303, 'Invalid encrypted data.'],
  [4000401, 'Service not enabled. Please submit service use request.'],
  [4010001, 'Invalid appKey or secretKey.'],
  [4010002, 'Invalid uuid.'],
  [4010003, 'Not allowed user.'],
  [4010004, 'Invalid project.'],
  [4010005, 'Unauthorized role.'],
  // v2.1 only (en v2.1 guide's common table and the error-code page; docs/emulated-api.md, "v2.1 and the token issuer").
  [4010006, 'Invalid token.'],
  [4010007, 'Permission denied.'],
  [4041007, 'URL Not Found'],
  [4131000, 'Request size is larger than permissible limit.'],
  [5000001, 'Internal Api fail.'],
  [5000002, 'Error parsing fail.'],
  [5000003, 'Database server error.'],
  [5000004, 'All or some resource delete fail.'],
  [5000005, 'File read fail.'],
  [5000006, 'Decrypt fail.'],
  [5000007, 'Encrypt fail.'],
  [5000503, 'The API you requested is temporarily unavailable. Please try again later.'],
  [5003011, 'Document(credit card) OCR Api fail.'],
  [5003012, 'Document(credit card) OCR Api returned empty body.'],
  [5003013, 'Document(credit card) OCR failed to recognize the document.'],
  [5003021, 'Document(id card) OCR Api fail.'],
  [5003022, 'Document(id card) OCR Api returned empty body.'],
  [5003023, 'Document(id card) OCR failed to recognize the document.'],
]);

/**
 * Codes the live service may answer to any call regardless of the request (rate limit,
 * temporary unavailability): a live run accepts and records them instead of failing.
 */
export const TRANSIENT_CODES: ReadonlySet<number> = new Set([4000006, 5000503]);

/**
 * Names a code for messages: `4000302 Invalid symmetric key.`
 * @example describeCode(4000302) // '4000302 Invalid symmetric key.'
 */
export function describeCode(code: number): string {
  const message = RESULT_MESSAGES.get(code);
  return message === undefined ? `${code} (not a documented code)` : `${code} ${message}`;
}

/** One row of the condition-to-code table. */
export interface ConditionRow {
  id: string;
  condition: string;
  /** Result codes; for the token issuer, `HTTP 401 invalid_client` and the like. */
  codes: ReadonlyArray<number | string>;
  /** The API versions the row applies to (default both). */
  apis?: ReadonlyArray<'v2.0' | 'v2.1'>;
}

/**
 * The condition-to-code table, in the order the service checks it (docs/emulated-api.md, "Which condition
 * gets which code (the reading this project adopts)"). Cases name the rows they cover, and a
 * unit test checks that every row is covered by at least one case.
 */
export const CONDITION_ROWS: readonly ConditionRow[] = [
  { id: 'route', condition: 'path or method not one of the five', codes: [4041007] },
  { id: 'authorization-missing', condition: '`Authorization` header missing', codes: [4000005], apis: ['v2.0'] },
  { id: 'credentials', condition: 'appKey unknown or secretKey wrong', codes: [4010001], apis: ['v2.0'] },
  // v2.1 (docs/emulated-api.md, "v2.1 and the token issuer": "Reading adopted here"), in place of the two rows above.
  { id: 'token-header-missing', condition: '`X-NHN-Authorization` missing, or not of the form `Bearer <token>`', codes: [4000005], apis: ['v2.1'] },
  { id: 'token-invalid', condition: 'token unknown, malformed, expired or revoked', codes: [4010006], apis: ['v2.1'] },
  {
    id: 'token-permission',
    condition: 'token valid but its User Access Key may not use that appKey (or the appKey is unknown)',
    codes: [4010007],
    apis: ['v2.1'],
  },
  { id: 'service-name', condition: 'unknown serviceName on the public-key call', codes: [4000001] },
  { id: 'envelope-header-missing', condition: '`X-Key-Version`, `Symmetric-Key` (or on authenticity `Request-Key`) missing', codes: [4000005] },
  { id: 'key-version', condition: '`X-Key-Version` not a version issued for that appKey and service', codes: [4000301] },
  { id: 'symmetric-key', condition: '`Symmetric-Key` not base64, wrong RSA length, bad padding, or not exactly 32 bytes', codes: [4000302] },
  { id: 'body-too-large', condition: 'request body larger than the limit', codes: [4131000] },
  { id: 'field-missing', condition: 'multipart field `image` missing / authenticity JSON unparsable or a required field missing', codes: [4000001] },
  { id: 'image-empty', condition: '`image` present but 0 bytes', codes: [4000004] },
  { id: 'ciphertext', condition: 'ciphertext not a multiple of 16 bytes, or bad PKCS#7 padding after decryption', codes: [4000303] },
  { id: 'file-type', condition: 'decrypted bytes are not a JPEG or PNG', codes: [4000003] },
  { id: 'request-key', condition: 'Request-Key unknown, expired, already consumed, or issued to another appKey', codes: [4000122] },
  { id: 'not-found', condition: 'no card / ID found in the image (scripted)', codes: [4000111, 4000121] },
];

/**
 * What the token issuer answers to a wrong request (docs/emulated-api.md, "The token issuer": RFC 6749
 * section 5.2). Not ordered: a case sends one mistake at a time. Cases name the rows they cover.
 * @example { id: 'token/unsupported-grant', covers: ['issuer-grant'], ... }
 */
export const ISSUER_ROWS: readonly ConditionRow[] = [
  { id: 'issuer-client', condition: 'Basic credentials missing or garbled, unknown id or wrong secret', codes: ['HTTP 401 invalid_client'] },
  { id: 'issuer-grant', condition: 'grant_type other than client_credentials', codes: ['HTTP 400 unsupported_grant_type'] },
  { id: 'issuer-request', condition: 'grant_type (create) or token (revoke) missing, or a body that is not a form', codes: ['HTTP 400 invalid_request'] },
];
