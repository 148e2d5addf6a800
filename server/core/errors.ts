/**
 * The one catalogue of result codes the emulated API answers with, and the one place that turns
 * them into response bodies. Codes and messages are copied from the official error-code table
 * (TOAST-DOCS/OCR en/document-ocr-error-code.md).
 */

/**
 * Every result code a call of the v2.0 and v2.1 envelope APIs (credit card, ID card) can get,
 * keyed by its documented name: the error-code page's rows less those of other products and of
 * console operations ({@link FOREIGN_CODES}). The emulator answers only some of them by itself;
 * a scenario can play any of them.
 */
export const ERROR_CATALOGUE = {
  FAIL: { code: -1, message: 'Unknown error.' },
  // HTTP statuses the gateway in front of every product reports as result codes (error-code page).
  BAD_REQUEST: { code: 400, message: 'Bad Request' },
  UNAUTHORIZED: { code: 401, message: 'Unauthorized' },
  FORBIDDEN: { code: 403, message: 'Forbidden' },
  NOT_FOUND: { code: 404, message: 'Not Found' },
  METHOD_NOT_ALLOWED: { code: 405, message: 'Method Not Allowed' },
  UNSUPPORTED_MEDIA_TYPE: { code: 415, message: 'Unsupported Media Type' },
  INVALID_PARAMETER: { code: 4000001, message: 'Invalid parameter.' },
  INVALID_FILE: { code: 4000002, message: 'Invalid file.' },
  INVALID_FILE_TYPE: { code: 4000003, message: 'Invalid file type.' },
  UPLOADED_FILE_IS_EMPTY: { code: 4000004, message: 'Uploaded file is empty.' },
  MISSING_REQUIRED_HEADER: { code: 4000005, message: 'Required headers is missing.' },
  API_CALL_LIMIT_EXCEEDED: {
    code: 4000006,
    message: 'Api call limit exceeded, If you need to adjust the limit, please contact customer service.',
  },
  CREDIT_CARD_INFO_NOT_FOUND: { code: 4000111, message: 'Credit card info not found.' },
  ID_CARD_INFO_NOT_FOUND: { code: 4000121, message: 'Id card info not found.' },
  AUTHENTICITY_REQUEST_KEY_INVALID: { code: 4000122, message: 'Request Key is invalid or expired.' },
  REGISTRATION_CARD_AUTHENTICATION_LOCKED: {
    code: 4000123,
    message: 'Registration card authentication is locked.',
  },
  INVALID_KEY_VERSION: { code: 4000301, message: 'Invalid key version.' },
  INVALID_SYMMETRIC_KEY: { code: 4000302, message: 'Invalid symmetric key.' },
  INVALID_ENCRYPTED_DATA: { code: 4000303, message: 'Invalid encrypted data.' },
  /** A call to an appKey whose OCR service is not enabled in the console. */
  SERVICE_NOT_ENABLED: { code: 4000401, message: 'Service not enabled. Please submit service use request.' },
  INVALID_APPKEY_SECRETKEY: { code: 4010001, message: 'Invalid appKey or secretKey.' },
  INVALID_UUID: { code: 4010002, message: 'Invalid uuid.' },
  NOT_ALLOWED_USER: { code: 4010003, message: 'Not allowed user.' },
  INVALID_PROJECT: { code: 4010004, message: 'Invalid project.' },
  UNAUTHORIZED_ROLE: { code: 4010005, message: 'Unauthorized role.' },
  /** v2.1 only (en/document-ocr-api-guide-v2.1.md, "Error Codes > Common"). */
  INVALID_TOKEN: { code: 4010006, message: 'Invalid token.' },
  /** v2.1 only (en/document-ocr-api-guide-v2.1.md, "Error Codes > Common"). */
  PERMISSION_DENIED: { code: 4010007, message: 'Permission denied.' },
  URL_NOT_FOUND: { code: 4041007, message: 'URL Not Found' },
  MAX_UPLOAD_SIZE_EXCEEDED: { code: 4131000, message: 'Request size is larger than permissible limit.' },
  INTERNAL_API_FAIL: { code: 5000001, message: 'Internal Api fail.' },
  ERROR_PARSING_FAIL: { code: 5000002, message: 'Error parsing fail.' },
  DATABASE_FAIL: { code: 5000003, message: 'Database server error.' },
  RESOURCE_DELETE_FAIL: { code: 5000004, message: 'All or some resource delete fail.' },
  FILE_READ_FAIL: { code: 5000005, message: 'File read fail.' },
  DECRYPT_FAIL: { code: 5000006, message: 'Decrypt fail.' },
  ENCRYPT_FAIL: { code: 5000007, message: 'Encrypt fail.' },
  API_TEMPORARILY_UNAVAILABLE: {
    code: 5000503,
    message: 'The API you requested is temporarily unavailable. Please try again later.',
  },
  OCR_DOCUMENT_CREDIT_CARD_API_FAIL: { code: 5003011, message: 'Document(credit card) OCR Api fail.' },
  OCR_DOCUMENT_CREDIT_CARD_API_RETURN_EMPTY: {
    code: 5003012,
    message: 'Document(credit card) OCR Api returned empty body.',
  },
  OCR_DOCUMENT_CREDIT_CARD_RECOGNITION_FAIL: {
    code: 5003013,
    message: 'Document(credit card) OCR failed to recognize the document.',
  },
  OCR_DOCUMENT_ID_CARD_API_FAIL: { code: 5003021, message: 'Document(id card) OCR Api fail.' },
  OCR_DOCUMENT_ID_CARD_API_RETURN_EMPTY: { code: 5003022, message: 'Document(id card) OCR Api returned empty body.' },
  OCR_DOCUMENT_ID_CARD_RECOGNITION_FAIL: {
    code: 5003023,
    message: 'Document(id card) OCR failed to recognize the document.',
  },
} as const satisfies Record<string, { code: number; message: string }>;

/**
 * The error-code page's rows that no credit-card or ID-card call gets: business registration's
 * codes (the page is shared with that product), and the answers of the console's service-use
 * request (a call to a service that is not enabled gets 4000401, never these).
 */
export const FOREIGN_CODES: ReadonlyArray<{ code: number; key: string; owner: string }> = [
  { code: 4000101, key: 'INVALID_BUSINESS_REGISTRATION_FORMAT', owner: 'business registration OCR' },
  { code: 4000102, key: 'NOT_EXIST_BUSINESS_NUMBER', owner: 'business registration OCR' },
  { code: 4000103, key: 'PDF_PASSWORD_PROTECTED', owner: 'business registration OCR' },
  { code: 4000402, key: 'SERVICE_USE_REQUEST_ALREADY_IN_PROGRESS', owner: "the console's service-use request" },
  { code: 4000403, key: 'SERVICE_USE_REQUEST_NOT_IN_PROGRESS', owner: "the console's service-use request" },
  { code: 4000404, key: 'SERVICE_ALREADY_ENABLED', owner: "the console's service-use request" },
  { code: 5003001, key: 'OCR_DOCUMENT_BUSINESS_API_FAIL', owner: 'business registration OCR' },
  { code: 5003002, key: 'OCR_DOCUMENT_BUSINESS_API_RETURN_EMPTY', owner: 'business registration OCR' },
  { code: 5003003, key: 'OCR_DOCUMENT_BUSINESS_RECOGNITION_FAIL', owner: 'business registration OCR' },
  { code: 5003004, key: 'OCR_DOCUMENT_BUSINESS_STATUS_CHECK_FAIL', owner: 'business registration OCR' },
];

/**
 * Whose code a documented code (or name) of another product is; undefined for any other input.
 * @example foreignCodeOwner(5003001) // { code: 5003001, key: 'OCR_DOCUMENT_BUSINESS_API_FAIL', owner: 'business registration OCR' }
 */
export function foreignCodeOwner(input: number | string): { code: number; key: string; owner: string } | undefined {
  return FOREIGN_CODES.find((row) => row.code === input || row.key === input);
}

/** A documented error name, e.g. `'INVALID_KEY_VERSION'`. */
export type ErrorKey = keyof typeof ERROR_CATALOGUE;

/** A documented failure code, e.g. `4000301`. */
export type ErrorCode = (typeof ERROR_CATALOGUE)[ErrorKey]['code'];

/** The `header` object every answer carries. */
export interface ResponseHeader {
  isSuccessful: boolean;
  resultCode: number;
  resultMessage: string;
}

/** A failure answer: a header and no `result`. */
export interface FailureBody {
  header: { isSuccessful: false; resultCode: ErrorCode; resultMessage: string };
}

/** A success answer. */
export interface SuccessBody<T> {
  header: ResponseHeader & { isSuccessful: true; resultCode: 0; resultMessage: 'SUCCESS' };
  result: T;
}

const byCode = new Map<number, ErrorKey>((Object.keys(ERROR_CATALOGUE) as ErrorKey[]).map((key) => [ERROR_CATALOGUE[key].code, key]));

/**
 * Finds the catalogue name of a numeric result code.
 * @example errorKeyForCode(4000301) // 'INVALID_KEY_VERSION'
 */
export function errorKeyForCode(code: number): ErrorKey | undefined {
  return byCode.get(code);
}

/**
 * A failure the API reports in its body. `diagnosis` is for people (the journal, logs), never
 * for the wire: the live service answers only the catalogue message.
 * @example throw new OcrError('INVALID_SYMMETRIC_KEY', 'Symmetric-Key unwrapped to 16 bytes, expected 32')
 */
export class OcrError extends Error {
  readonly key: ErrorKey;
  readonly code: ErrorCode;
  readonly diagnosis: string;

  constructor(key: ErrorKey, diagnosis?: string) {
    super(`${ERROR_CATALOGUE[key].code} ${key}${diagnosis ? `: ${diagnosis}` : ''}`);
    this.name = 'OcrError';
    this.key = key;
    this.code = ERROR_CATALOGUE[key].code;
    this.diagnosis = diagnosis ?? ERROR_CATALOGUE[key].message;
  }
}

/**
 * Renders a failure body exactly as the live service does (HTTP 200, no `result`).
 * @example failureBody('URL_NOT_FOUND')
 * // {header: {isSuccessful: false, resultCode: 4041007, resultMessage: 'URL Not Found'}}
 */
export function failureBody(key: ErrorKey): FailureBody {
  const { code, message } = ERROR_CATALOGUE[key];
  return { header: { isSuccessful: false, resultCode: code, resultMessage: message } };
}

/**
 * Renders a success body.
 * @example successBody({ isAuthenticity: true })
 */
export function successBody<T>(result: T): SuccessBody<T> {
  return { header: { isSuccessful: true, resultCode: 0, resultMessage: 'SUCCESS' }, result };
}

/**
 * The token issuer's errors (NHN Cloud "User Access Key token" page; RFC 6749 section 5.2): an
 * HTTP status and an `error` code, unlike the OCR API's HTTP 200 result codes.
 */
export const OAUTH_ERRORS = {
  invalid_client: { status: 401 },
  invalid_request: { status: 400 },
  unsupported_grant_type: { status: 400 },
  /**
   * The emulator's own: RFC 6749 names these two for the authorization endpoint (section
   * 4.1.2.1); a token endpoint that cannot answer says so with them, never with an HTTP 200.
   */
  temporarily_unavailable: { status: 503 },
  server_error: { status: 500 },
} as const satisfies Record<string, { status: number }>;

/** An RFC 6749 `error` code the token issuer answers. */
export type OAuthErrorCode = keyof typeof OAUTH_ERRORS;

/** The body of a token-issuer error (RFC 6749 section 5.2). */
export interface OAuthErrorBody {
  error: OAuthErrorCode;
  error_description: string;
}

/**
 * A refusal of the token issuer. `description` goes on the wire as `error_description` (RFC
 * 6749 allows a human-readable text there), so it never holds a secret.
 * @example throw new OAuthError('unsupported_grant_type', 'only grant_type=client_credentials is supported')
 */
export class OAuthError extends Error {
  readonly status: number;

  constructor(
    readonly code: OAuthErrorCode,
    readonly description: string,
  ) {
    super(`${code}: ${description}`);
    this.name = 'OAuthError';
    this.status = OAUTH_ERRORS[code].status;
  }

  /** The JSON body. */
  body(): OAuthErrorBody {
    return { error: this.code, error_description: this.description };
  }
}
