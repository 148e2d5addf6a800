// A stand-in for the live NHN Cloud Document OCR API v2.0 and v2.1 and the User Access Key token
// issuer, written from the documentation alone (TOAST-DOCS/OCR en/document-ocr-api-guide-v2.0.md,
// -v2.1.md and document-ocr-error-code.md, plus docs/emulated-api.md for where the guides are
// silent). The token issuer listens on the same base URL, as it does on the emulator. It shares no code with the emulator on
// purpose: the contract suite is run against it to show that the suite tests the documented API
// and not the emulator's own habits. STANDIN_BREAK makes it violate exactly one documented rule,
// so that the suite can be shown to notice each violation.
//
// Only node: built-ins; one file; plain JavaScript so it runs without a build step.

import { createServer } from 'node:http';
import { constants as cryptoConstants, createCipheriv, createDecipheriv, createHash, generateKeyPairSync, privateDecrypt, randomBytes } from 'node:crypto';

// ---------------------------------------------------------------------------------------------
// Configuration
// ---------------------------------------------------------------------------------------------

const BREAKS = {
  // Guide, credit card / ID card [Field] tables: "Whether encrypted or not: O" for cardNums[].value,
  // totalCardNum, validThru.value and keyValues[].value.
  'plaintext-values': 'result values must be AES-encrypted (guide: "Encrypted items ... are encrypted with the AES-256/CBC/PKCS7Padding method")',
  // Guide, ID Card Analysis API, [Response Header]: "If you use the Request-Key to make a
  // Authenticity API call and get a normal response, the Request-Key used cannot be reused."
  'request-key-reusable': 'a Request-Key cannot be reused after a normal authenticity response',
  // Guide, ID Card Analysis API, [Response Header]: Request-Key.
  'no-request-key': '/id-card answers with a Request-Key response header',
  // Guide, ID Card Analysis API (Stand alone): "It does not contain the Request-Key".
  'request-key-on-stand-alone': 'stand-alone never carries a Request-Key',
  // Facts page, Responses: every API call answers HTTP 200; the outcome is in header.
  'http-status-on-error': 'failures answer HTTP 200 with isSuccessful false',
  // Facts page, credit card result: totalCardNum is the concatenation of cardNums.
  'total-card-num-mismatch': 'totalCardNum is the concatenation of the cardNums values',
  // Facts page, envelope: IV = the first 16 bytes of the symmetric key.
  'wrong-iv': 'values are encrypted with IV = symmetric key bytes 0..15',
  // Guide, [Request Header] notes: "{symmetricKey} must be encrypted with the RSA/ECB/PKCS1Padding method".
  'accepts-oaep': 'the Symmetric-Key is unwrapped with RSA PKCS#1 v1.5 only',
  // Error-code table: 4000301 INVALID_KEY_VERSION.
  'wrong-error-code': 'an unknown X-Key-Version answers 4000301',
  // Guide, Issue Public Key [Field]: result.version is a String.
  'version-number': 'public key result.version is a string',
  // Guide, [Field] resolution: "normal: ... (760*480px) or above, low: ... below".
  'resolution-ignored': 'resolution is "low" below 760x480',
  // Error-code table: -1 FAIL "Unknown error." is no answer to a documented client mistake;
  // docs/emulated-api.md, condition table: a missing Symmetric-Key answers 4000005.
  'missing-header-unknown-error': 'a missing Symmetric-Key answers 4000005 Required headers is missing.',
  // Facts page, "The token issuer": after revoke "the token is invalid from then on".
  'revoked-token-accepted': 'a revoked token is refused (4010006)',
  // Facts page, "The token issuer": the example `"expires_in":86400` is what clients parse.
  'expires-in-string': 'expires_in is a JSON number',
  // Facts page, "v2.1": an unknown, malformed, expired or revoked token answers 4010006 Invalid token.
  'invalid-token-4010001': 'an invalid token answers 4010006, not the v2.0 credentials code 4010001',
  // v2.1 guide: the same [Field] tables as v2.0, "Whether encrypted: O".
  'plaintext-values-v21': 'result values are AES-encrypted on v2.1 too',
};

const activeBreak = process.env.STANDIN_BREAK ?? '';
if (activeBreak !== '' && !Object.hasOwn(BREAKS, activeBreak)) {
  process.stderr.write(`stand-in: unknown STANDIN_BREAK "${activeBreak}"; known: ${Object.keys(BREAKS).join(', ')}\n`);
  process.exit(1);
}
const isBroken = (name) => activeBreak === name;

function intFromEnv(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw)) {
    process.stderr.write(`stand-in: ${name} must be a non-negative integer, got "${raw}"\n`);
    process.exit(1);
  }
  return Number(raw);
}

const PORT = intFromEnv('PORT', 0);
const APP_KEY = process.env.STANDIN_APPKEY || 'standin-appkey';
const SECRET_KEY = process.env.STANDIN_SECRETKEY || 'standin-secretkey';
// Facts page: the request body limit is 20 MB since 2026-08-11 (4131000 above it). Overridable
// only so that a test need not upload 20 MB.
const MAX_BODY_BYTES = intFromEnv('STANDIN_MAX_BODY_BYTES', 20 * 1024 * 1024);
// Guide: "Request-Key is valid for 1 hour after issuance". Overridable for expiry tests.
const REQUEST_KEY_TTL_MS = intFromEnv('STANDIN_REQUEST_KEY_TTL_SECONDS', 3600) * 1000;

// v2.1 (docs/emulated-api.md, "The token issuer"): User Access Keys, each with the app keys it may use.
// The main key may use the stand-in's app key; the restricted one may use none of them (4010007).
const USER_ACCESS_KEY_ID = process.env.STANDIN_USER_ACCESS_KEY_ID || 'standin-user-access-key';
const SECRET_ACCESS_KEY = process.env.STANDIN_SECRET_ACCESS_KEY || 'standin-secret-access-key';
const RESTRICTED_ACCESS_KEY = process.env.STANDIN_RESTRICTED_ACCESS_KEY || 'standin-restricted-key:standin-restricted-secret';
const ACCESS_KEYS = new Map([[USER_ACCESS_KEY_ID, { secret: SECRET_ACCESS_KEY, appKeys: [APP_KEY] }]]);
{
  const separator = RESTRICTED_ACCESS_KEY.indexOf(':');
  if (separator < 1) {
    process.stderr.write(`stand-in: STANDIN_RESTRICTED_ACCESS_KEY must be id:secret, got "${RESTRICTED_ACCESS_KEY}"\n`);
    process.exit(1);
  }
  ACCESS_KEYS.set(RESTRICTED_ACCESS_KEY.slice(0, separator), { secret: RESTRICTED_ACCESS_KEY.slice(separator + 1), appKeys: [] });
}
// Facts page: validity is set per User Access Key, 60..86,400 s, default 86,400.
const TOKEN_TTL_SECONDS = intFromEnv('STANDIN_TOKEN_TTL_SECONDS', 86400);
if (TOKEN_TTL_SECONDS < 60 || TOKEN_TTL_SECONDS > 86400) {
  process.stderr.write(`stand-in: STANDIN_TOKEN_TTL_SECONDS must be 60..86400, got ${TOKEN_TTL_SECONDS}\n`);
  process.exit(1);
}

// ---------------------------------------------------------------------------------------------
// Result codes (document-ocr-error-code.md, as quoted on docs/emulated-api.md)
// ---------------------------------------------------------------------------------------------

const CODES = {
  FAIL: [-1, 'Unknown error.'],
  INVALID_PARAMETER: [4000001, 'Invalid parameter.'],
  INVALID_FILE_TYPE: [4000003, 'Invalid file type.'],
  UPLOADED_FILE_IS_EMPTY: [4000004, 'Uploaded file is empty.'],
  MISSING_REQUIRED_HEADER: [4000005, 'Required headers is missing.'],
  AUTHENTICITY_REQUEST_KEY_INVALID: [4000122, 'Request Key is invalid or expired.'],
  INVALID_KEY_VERSION: [4000301, 'Invalid key version.'],
  INVALID_SYMMETRIC_KEY: [4000302, 'Invalid symmetric key.'],
  INVALID_ENCRYPTED_DATA: [4000303, 'Invalid encrypted data.'],
  INVALID_APPKEY_SECRETKEY: [4010001, 'Invalid appKey or secretKey.'],
  // v2.1 only (en v2.1 guide, common error table; error-code page).
  INVALID_TOKEN: [4010006, 'Invalid token.'],
  PERMISSION_DENIED: [4010007, 'Permission denied.'],
  URL_NOT_FOUND: [4041007, 'URL Not Found'],
  MAX_UPLOAD_SIZE_EXCEEDED: [4131000, 'Request size is larger than permissible limit.'],
};

/** Thrown anywhere in a handler to answer with one of the documented failures. */
class ApiFailure extends Error {
  constructor(name) {
    super(name);
    this.entry = CODES[name];
  }
}

// ---------------------------------------------------------------------------------------------
// Keys: one RSA-2048 pair per service, made on first use (docs/emulated-api.md: version "0" first)
// ---------------------------------------------------------------------------------------------

const SERVICES = ['credit-card', 'id-card'];
const KEY_VERSION = '0';
const keyPairs = new Map();

function keyPairFor(service) {
  let pair = keyPairs.get(service);
  if (!pair) {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    // Facts page: result.key is base64 of a DER X.509 SubjectPublicKeyInfo.
    const spki = publicKey.export({ type: 'spki', format: 'der' });
    pair = { privateKey, spkiBase64: spki.toString('base64'), modulusBytes: 256 };
    keyPairs.set(service, pair);
  }
  return pair;
}

// ---------------------------------------------------------------------------------------------
// Envelope
// ---------------------------------------------------------------------------------------------

const STRICT_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function decodeBase64Strict(text) {
  if (typeof text !== 'string' || text.length === 0 || !STRICT_BASE64.test(text)) return null;
  return Buffer.from(text, 'base64');
}

/**
 * Guide: the 32-byte symmetric key is wrapped with RSA/ECB/PKCS1Padding. Node 20.11+ refuses
 * RSA_PKCS1_PADDING in privateDecrypt (CVE-2023-46809), so the raw RSA operation is done with
 * RSA_NO_PADDING and the PKCS#1 v1.5 type-2 block (00 02 PS(>=8 non-zero) 00 M) is checked here.
 */
function unwrapSymmetricKey(headerValue, service) {
  const wrapped = decodeBase64Strict(headerValue.trim());
  const { privateKey, modulusBytes } = keyPairFor(service);
  if (!wrapped || wrapped.length !== modulusBytes) throw new ApiFailure('INVALID_SYMMETRIC_KEY');

  let block;
  try {
    block = privateDecrypt({ key: privateKey, padding: cryptoConstants.RSA_NO_PADDING }, wrapped);
  } catch {
    // e.g. the number is not below the modulus
    throw new ApiFailure('INVALID_SYMMETRIC_KEY');
  }
  const key = stripPkcs1Type2(block);
  if (key && key.length === 32) return key;

  if (isBroken('accepts-oaep')) {
    // BREAK accepts-oaep: the guide demands RSA/ECB/PKCS1Padding; accepting an OAEP-wrapped key
    // hides a client that uses the wrong padding.
    try {
      const oaepKey = privateDecrypt({ key: privateKey, padding: cryptoConstants.RSA_PKCS1_OAEP_PADDING }, wrapped);
      if (oaepKey.length === 32) return oaepKey;
    } catch {
      // fall through to the documented failure
    }
  }
  throw new ApiFailure('INVALID_SYMMETRIC_KEY');
}

function stripPkcs1Type2(block) {
  if (block.length < 11 || block[0] !== 0x00 || block[1] !== 0x02) return null;
  const separator = block.indexOf(0x00, 2);
  // PS must be at least 8 non-zero bytes (RFC 8017 section 7.2.2).
  if (separator < 0 || separator - 2 < 8) return null;
  return block.subarray(separator + 1);
}

/** Facts page: AES-256-CBC, PKCS#7, IV = symmetric key bytes 0..15. Padding checked by hand. */
function aesDecrypt(key, ciphertext) {
  if (ciphertext.length === 0 || ciphertext.length % 16 !== 0) {
    throw new ApiFailure('INVALID_ENCRYPTED_DATA');
  }
  const decipher = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16));
  decipher.setAutoPadding(false);
  const padded = Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  const pad = padded[padded.length - 1];
  if (pad < 1 || pad > 16) throw new ApiFailure('INVALID_ENCRYPTED_DATA');
  for (let i = padded.length - pad; i < padded.length; i += 1) {
    if (padded[i] !== pad) throw new ApiFailure('INVALID_ENCRYPTED_DATA');
  }
  return padded.subarray(0, padded.length - pad);
}

/** Encrypts one result value to the base64 string the guide marks "Whether encrypted: O". */
function encryptValue(key, text, version) {
  if (isBroken('plaintext-values')) {
    // BREAK plaintext-values: the guide lists these fields as encrypted; here they go out clear.
    return text;
  }
  if (version === 'v2.1' && isBroken('plaintext-values-v21')) {
    // BREAK plaintext-values-v21: the v2.1 guide's fields are encrypted as v2.0's are.
    return text;
  }
  // BREAK wrong-iv: a zero IV instead of the documented key bytes 0..15.
  const iv = isBroken('wrong-iv') ? Buffer.alloc(16) : key.subarray(0, 16);
  const cipher = createCipheriv('aes-256-cbc', key, iv);
  return Buffer.concat([cipher.update(text, 'utf8'), cipher.final()]).toString('base64');
}

// ---------------------------------------------------------------------------------------------
// Request parsing
// ---------------------------------------------------------------------------------------------

/** Reads the body; past the limit it keeps draining (so the client gets an answer) but stores nothing. */
function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        tooLarge = true;
        chunks.length = 0;
      } else {
        chunks.push(chunk);
      }
    });
    req.on('end', () => resolve({ body: tooLarge ? null : Buffer.concat(chunks), tooLarge }));
    req.on('error', reject);
  });
}

const CRLF = Buffer.from('\r\n');

/** Minimal multipart/form-data reader (RFC 7578): returns the first part per field name, or null. */
function parseMultipart(body, contentType) {
  if (!/^\s*multipart\/form-data\s*;/i.test(contentType ?? '')) return null;
  const match = /;\s*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  if (!match) return null;
  const delimiter = Buffer.from(`--${match[1] ?? match[2]}`);
  const closingDelimiter = Buffer.concat([CRLF, delimiter]);

  const fields = new Map();
  let pos = body.indexOf(delimiter);
  if (pos < 0) return null;
  for (;;) {
    pos += delimiter.length;
    if (body[pos] === 0x2d && body[pos + 1] === 0x2d) break; // "--": the close delimiter
    const lineEnd = body.indexOf(CRLF, pos);
    if (lineEnd < 0) return null;
    const headerStart = lineEnd + 2;
    let headerEnd;
    let contentStart;
    if (body[headerStart] === 0x0d && body[headerStart + 1] === 0x0a) {
      headerEnd = headerStart; // a part without headers
      contentStart = headerStart + 2;
    } else {
      headerEnd = body.indexOf('\r\n\r\n', headerStart);
      if (headerEnd < 0) return null;
      contentStart = headerEnd + 4;
    }
    const next = body.indexOf(closingDelimiter, contentStart);
    if (next < 0) return null;

    const headerText = body.subarray(headerStart, headerEnd).toString('latin1');
    const disposition = headerText.split('\r\n').find((line) => /^content-disposition\s*:/i.test(line));
    const name = disposition ? /;\s*name="([^"]*)"/i.exec(disposition)?.[1] : undefined;
    if (name !== undefined && !fields.has(name)) {
      fields.set(name, body.subarray(contentStart, next));
    }
    pos = next + CRLF.length;
  }
  return fields;
}

// ---------------------------------------------------------------------------------------------
// Images: type from the signature, size from PNG IHDR / JPEG SOFn
// ---------------------------------------------------------------------------------------------

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function inspectImage(bytes) {
  if (bytes.length >= 24 && bytes.subarray(0, 8).equals(PNG_SIGNATURE)) {
    // IHDR is the first chunk: length(4) "IHDR"(4) width(4) height(4)
    const isIhdr = bytes.toString('latin1', 12, 16) === 'IHDR';
    return {
      fileType: 'png',
      width: isIhdr ? bytes.readUInt32BE(16) : 0,
      height: isIhdr ? bytes.readUInt32BE(20) : 0,
    };
  }
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) {
    return { fileType: 'jpg', ...jpegSize(bytes) };
  }
  return null;
}

function jpegSize(bytes) {
  let pos = 2;
  while (pos + 4 <= bytes.length) {
    if (bytes[pos] !== 0xff) return { width: 0, height: 0 };
    const marker = bytes[pos + 1];
    if (marker === 0xff) {
      pos += 1; // fill byte
      continue;
    }
    // Stand-alone markers carry no length.
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd8)) {
      pos += 2;
      continue;
    }
    if (marker === 0xd9 || marker === 0xda) break; // end of image / start of scan before any SOF
    const length = bytes.readUInt16BE(pos + 2);
    // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC): precision(1) height(2) width(2)
    const isSof = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isSof && pos + 9 <= bytes.length) {
      return { height: bytes.readUInt16BE(pos + 5), width: bytes.readUInt16BE(pos + 7) };
    }
    pos += 2 + length;
  }
  return { width: 0, height: 0 };
}

function resolutionOf(width, height) {
  // BREAK resolution-ignored: the guide's 760x480 threshold is not applied.
  if (isBroken('resolution-ignored')) return 'normal';
  // Guide [Field] resolution: normal at the recommended 760*480 px or above, else low.
  return width >= 760 && height >= 480 ? 'normal' : 'low';
}

// ---------------------------------------------------------------------------------------------
// Recognition results, derived from a hash of the image so one image always reads the same
// ---------------------------------------------------------------------------------------------

function digitStream(seed) {
  let counter = 0;
  let pool = [];
  return () => {
    if (pool.length === 0) {
      pool = [...createHash('sha256').update(seed).update(String(counter++)).digest()];
    }
    return pool.shift();
  };
}

function luhnCheckDigit(first15) {
  let sum = 0;
  for (let i = 0; i < first15.length; i += 1) {
    // Doubling starts at the digit next to the (future) check digit.
    let d = Number(first15[first15.length - 1 - i]);
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return String((10 - (sum % 10)) % 10);
}

const confidence = (byte) => Math.round((0.7 + (byte / 255) * 0.29) * 100) / 100;

function box(x, y, w, h) {
  const left = Math.round(x);
  const top = Math.round(y);
  const right = Math.round(x + w);
  const bottom = Math.round(y + h);
  // Guide bbox figure: 1 top-left, 2 top-right, 3 bottom-right, 4 bottom-left.
  return { x1: left, y1: top, x2: right, y2: top, x3: right, y3: bottom, x4: left, y4: bottom };
}

function creditCardResult(image, info, key, version) {
  const next = digitStream(image);
  let first15 = '4'; // a Visa-like prefix
  while (first15.length < 15) first15 += String(next() % 10);
  const number = first15 + luhnCheckDigit(first15);
  const groups = [0, 4, 8, 12].map((i) => number.slice(i, i + 4));

  // Facts page: totalCardNum is the concatenation of the groups.
  let total = groups.join('');
  if (isBroken('total-card-num-mismatch')) {
    // BREAK total-card-num-mismatch: one digit dropped, like the guide's 15-digit example typo.
    total = groups[0] + groups[1].slice(1) + groups[2] + groups[3];
  }
  const month = String(1 + (next() % 12)).padStart(2, '0');
  const year = String(27 + (next() % 5));

  const w = info.width || 856;
  const h = info.height || 540;
  const groupWidth = w * 0.17;
  return {
    fileType: info.fileType,
    resolution: resolutionOf(info.width, info.height),
    cardNums: groups.map((g) => ({ value: encryptValue(key, g, version), conf: confidence(next()) })),
    totalCardNum: encryptValue(key, total, version),
    cardNumBoxes: groups.map((_, i) => box(w * 0.08 + i * (groupWidth + w * 0.04), h * 0.52, groupWidth, h * 0.09)),
    validThru: { value: encryptValue(key, `${month}/${year}`, version), conf: confidence(next()) },
    validThruBox: box(w * 0.45, h * 0.68, w * 0.14, h * 0.07),
  };
}

const NAMES = ['홍길동', '김민준', '이서연', '박지훈', '최수아', '정하늘'];
const ISSUERS = ['서울특별시 종로구청장', '부산광역시 해운대구청장', '경기도 성남시 분당구청장'];

/** Resident registration card values (guide: keys name, residentNumber, issueDate, issuer). */
function residentValues(image) {
  const next = digitStream(image);
  const birthYear = 1965 + (next() % 40);
  const birthMonth = 1 + (next() % 12);
  const birthDay = 1 + (next() % 28);
  // 7th digit: 1/2 for births in the 1900s, 3/4 for the 2000s.
  const centuryDigit = (birthYear < 2000 ? 1 : 3) + (next() % 2);
  let number = String(birthYear % 100).padStart(2, '0') + String(birthMonth).padStart(2, '0') + String(birthDay).padStart(2, '0') + String(centuryDigit);
  while (number.length < 12) number += String(next() % 10);
  // The traditional check digit, so the number also passes older validators.
  const weights = [2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5];
  const sum = weights.reduce((acc, wt, i) => acc + wt * Number(number[i]), 0);
  number += String((11 - (sum % 11)) % 10);

  // Issued at least 17 years after birth and not in the future.
  const issueYear = Math.min(birthYear + 17 + (next() % 10), 2025);
  const issueDate = String(issueYear) + String(1 + (next() % 12)).padStart(2, '0') + String(1 + (next() % 28)).padStart(2, '0');

  return {
    name: NAMES[next() % NAMES.length],
    residentNumber: number,
    issueDate,
    issuer: ISSUERS[next() % ISSUERS.length],
  };
}

function idCardResult(image, info, key, values, version) {
  const next = digitStream(Buffer.concat([image, Buffer.from('conf')]));
  const w = info.width || 900;
  const h = info.height || 570;
  const layout = {
    name: box(w * 0.1, h * 0.22, w * 0.2, h * 0.07),
    residentNumber: box(w * 0.1, h * 0.32, w * 0.36, h * 0.07),
    issueDate: box(w * 0.4, h * 0.72, w * 0.22, h * 0.06),
    issuer: box(w * 0.3, h * 0.8, w * 0.4, h * 0.08),
  };
  const keyValues = Object.entries(values).map(([k, v]) => ({
    key: k,
    value: encryptValue(key, v, version),
    conf: confidence(next()),
    bbox: layout[k],
  }));
  return {
    fileType: info.fileType,
    resolution: resolutionOf(info.width, info.height),
    idType: 'resident',
    keyValues,
    boxes: keyValues.map((kv) => kv.bbox),
  };
}

// ---------------------------------------------------------------------------------------------
// Request-Keys (guide: valid 1 hour; single use after a normal authenticity response)
// ---------------------------------------------------------------------------------------------

const requestKeys = new Map();

function issueRequestKey(appKey, idType, values) {
  const requestKey = randomBytes(24).toString('base64url');
  requestKeys.set(requestKey, { appKey, idType, values, expiresAt: Date.now() + REQUEST_KEY_TTL_MS });
  return requestKey;
}

function findRequestKey(requestKey, appKey) {
  const entry = requestKeys.get(requestKey);
  if (!entry) return null;
  if (entry.appKey !== appKey || Date.now() >= entry.expiresAt) return null;
  return entry;
}

// ---------------------------------------------------------------------------------------------
// Routing and the documented order of checks
// ---------------------------------------------------------------------------------------------

// The same five operations under /v2.0 and /v2.1 (v2.1 guide; docs/emulated-api.md, "v2.1 and the token issuer").
function route(method, path) {
  const m = /^\/(v2\.[01])\/appkeys\/([^/]+)\/(public-keys\/[^/]+|credit-card|id-card|id-card\/stand-alone|id-card\/authenticity)$/.exec(path);
  if (!m) return null;
  const version = m[1];
  let appKey;
  try {
    appKey = decodeURIComponent(m[2]);
  } catch {
    return null;
  }
  const rest = m[3];
  if (rest.startsWith('public-keys/')) {
    return method === 'GET' ? { kind: 'public-key', version, appKey, serviceName: rest.slice('public-keys/'.length) } : null;
  }
  if (method !== 'POST') return null;
  if (rest === 'credit-card') return { kind: 'credit-card', version, appKey, service: 'credit-card' };
  if (rest === 'id-card') return { kind: 'id-card', version, appKey, service: 'id-card' };
  if (rest === 'id-card/stand-alone') return { kind: 'stand-alone', version, appKey, service: 'id-card' };
  return { kind: 'authenticity', version, appKey, service: 'id-card' };
}

function header(req, name) {
  const value = req.headers[name];
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : null;
}

async function handle(req) {
  const path = (req.url ?? '/').split('?')[0];
  const target = route(req.method, path);
  const { body, tooLarge } = await readBody(req);

  // Facts page, "Which condition gets which code", in that order.
  if (!target) throw new ApiFailure('URL_NOT_FOUND');
  if (target.version === 'v2.1') {
    authenticateToken(req, target.appKey);
  } else {
    const authorization = header(req, 'authorization');
    if (authorization === null) throw new ApiFailure('MISSING_REQUIRED_HEADER');
    if (target.appKey !== APP_KEY || authorization !== SECRET_KEY) {
      throw new ApiFailure('INVALID_APPKEY_SECRETKEY');
    }
  }

  if (target.kind === 'public-key') {
    if (!SERVICES.includes(target.serviceName)) throw new ApiFailure('INVALID_PARAMETER');
    const { spkiBase64 } = keyPairFor(target.serviceName);
    // BREAK version-number: the guide types result.version as a String.
    const version = isBroken('version-number') ? Number(KEY_VERSION) : KEY_VERSION;
    return { result: { key: spkiBase64, version } };
  }

  const keyVersion = header(req, 'x-key-version');
  const wrappedKey = header(req, 'symmetric-key');
  const requestKey = target.kind === 'authenticity' ? header(req, 'request-key') : '';
  if (wrappedKey === null && isBroken('missing-header-unknown-error')) {
    // BREAK missing-header-unknown-error: -1 for a documented mistake instead of 4000005.
    throw new ApiFailure('FAIL');
  }
  if (keyVersion === null || wrappedKey === null || requestKey === null) {
    throw new ApiFailure('MISSING_REQUIRED_HEADER');
  }
  if (keyVersion !== KEY_VERSION) {
    // BREAK wrong-error-code: the error table's 4000301 INVALID_KEY_VERSION replaced by 4000302.
    throw new ApiFailure(isBroken('wrong-error-code') ? 'INVALID_SYMMETRIC_KEY' : 'INVALID_KEY_VERSION');
  }
  const key = unwrapSymmetricKey(wrappedKey, target.service);
  if (tooLarge) throw new ApiFailure('MAX_UPLOAD_SIZE_EXCEEDED');

  if (target.kind === 'authenticity') {
    return { result: authenticity(body, key, requestKey, target.appKey) };
  }

  const fields = parseMultipart(body, req.headers['content-type']);
  const ciphertext = fields?.get('image');
  if (ciphertext === undefined) throw new ApiFailure('INVALID_PARAMETER');
  if (ciphertext.length === 0) throw new ApiFailure('UPLOADED_FILE_IS_EMPTY');
  const image = aesDecrypt(key, ciphertext);
  const info = inspectImage(image);
  if (!info) throw new ApiFailure('INVALID_FILE_TYPE');

  if (target.kind === 'credit-card') return { result: creditCardResult(image, info, key, target.version) };

  const values = residentValues(image);
  const result = idCardResult(image, info, key, values, target.version);
  const headers = {};
  if (target.kind === 'id-card' && !isBroken('no-request-key')) {
    // Guide, ID Card Analysis API [Response Header]: Request-Key.
    // (BREAK no-request-key skips this.)
    headers['Request-Key'] = issueRequestKey(target.appKey, 'resident', values);
  }
  if (target.kind === 'stand-alone' && isBroken('request-key-on-stand-alone')) {
    // BREAK request-key-on-stand-alone: the guide says stand-alone "does not contain the Request-Key".
    headers['Request-Key'] = issueRequestKey(target.appKey, 'resident', values);
  }
  return { result, headers };
}

// Facts page, authenticity request body table. "Since 2026-05-27 idType is resident or driver
// only": passport authenticity was withdrawn, so an idType passport is an invalid parameter.
const AUTHENTICITY_FIELDS = {
  resident: { required: ['name', 'residentNumber', 'issueDate'], optional: [], clear: [] },
  driver: { required: ['name', 'residentNumber', 'driverLicenseNumber'], optional: ['serialNum'], clear: [] },
};

function authenticity(body, key, requestKey, appKey) {
  let request;
  try {
    request = JSON.parse(body.toString('utf8'));
  } catch {
    throw new ApiFailure('INVALID_PARAMETER');
  }
  if (request === null || typeof request !== 'object' || Array.isArray(request)) {
    throw new ApiFailure('INVALID_PARAMETER');
  }
  const spec = typeof request.idType === 'string' ? AUTHENTICITY_FIELDS[request.idType] : undefined;
  if (!spec || !Object.hasOwn(AUTHENTICITY_FIELDS, request.idType)) throw new ApiFailure('INVALID_PARAMETER');
  for (const field of spec.required) {
    if (typeof request[field] !== 'string' || request[field] === '') throw new ApiFailure('INVALID_PARAMETER');
  }
  for (const field of spec.optional) {
    if (request[field] !== undefined && typeof request[field] !== 'string') throw new ApiFailure('INVALID_PARAMETER');
  }

  // Every field but idType (and passport expirationDate) arrives AES-encrypted and base64-encoded.
  const claimed = {};
  for (const field of [...spec.required, ...spec.optional]) {
    if (request[field] === undefined) continue;
    if (spec.clear.includes(field)) {
      claimed[field] = request[field];
      continue;
    }
    const ciphertext = decodeBase64Strict(request[field]);
    if (!ciphertext) throw new ApiFailure('INVALID_ENCRYPTED_DATA');
    claimed[field] = aesDecrypt(key, ciphertext).toString('utf8');
  }

  const entry = findRequestKey(requestKey, appKey);
  if (!entry) throw new ApiFailure('AUTHENTICITY_REQUEST_KEY_INVALID');

  const digits = (s) => String(s).replace(/\D/g, '');
  let authentic = request.idType === entry.idType;
  for (const [field, issued] of Object.entries(entry.values)) {
    if (!authentic || claimed[field] === undefined) continue;
    authentic = field === 'name' || field === 'issuer' ? claimed[field].trim() === issued.trim() : digits(claimed[field]) === digits(issued);
  }

  // Guide: after a normal response the Request-Key cannot be reused.
  // BREAK request-key-reusable: it is kept.
  if (!isBroken('request-key-reusable')) requestKeys.delete(requestKey);
  return { isAuthenticity: authentic };
}

// ---------------------------------------------------------------------------------------------
// v2.1 tokens (docs/emulated-api.md, "v2.1 and the token issuer" and "The token issuer")
// ---------------------------------------------------------------------------------------------

const tokens = new Map();

/** Facts page, "v2.1", reading adopted: 4000005 missing / not "Bearer x", 4010006 invalid, 4010007 not allowed. */
function authenticateToken(req, appKey) {
  const value = header(req, 'x-nhn-authorization');
  const match = value === null ? null : /^bearer\s+(\S+)$/i.exec(value);
  if (!match) throw new ApiFailure('MISSING_REQUIRED_HEADER');
  const entry = tokens.get(match[1]);
  if (!entry || Date.now() >= entry.expiresAt) {
    // BREAK invalid-token-4010001: the v2.0 credentials code instead of 4010006 Invalid token.
    throw new ApiFailure(isBroken('invalid-token-4010001') ? 'INVALID_APPKEY_SECRETKEY' : 'INVALID_TOKEN');
  }
  if (!ACCESS_KEYS.get(entry.keyId).appKeys.includes(appKey)) throw new ApiFailure('PERMISSION_DENIED');
}

/** An RFC 6749 section 5.2 error. */
class OAuthFailure extends Error {
  constructor(status, error, description) {
    super(error);
    this.status = status;
    this.error = error;
    this.description = description;
  }
}

/** Basic credentials of a known User Access Key, else 401 invalid_client (RFC 6749 section 5.2). */
function authenticateClient(req) {
  const value = header(req, 'authorization');
  const match = value === null ? null : /^basic\s+([A-Za-z0-9+/=]+)$/i.exec(value);
  const decoded = match ? Buffer.from(match[1], 'base64').toString('utf8') : '';
  const separator = decoded.indexOf(':');
  const id = separator > 0 ? decoded.slice(0, separator) : '';
  const key = ACCESS_KEYS.get(id);
  if (!key || key.secret !== decoded.slice(separator + 1)) {
    throw new OAuthFailure(401, 'invalid_client', 'Client authentication failed.');
  }
  return id;
}

function readForm(req, body) {
  const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') {
    throw new OAuthFailure(400, 'invalid_request', 'The body must be application/x-www-form-urlencoded.');
  }
  return new URLSearchParams(body.toString('utf8'));
}

/** POST /oauth2/token/create and /oauth2/token/revoke; answers { status, payload } (payload undefined: empty body). */
function issuer(req, path, body) {
  const keyId = authenticateClient(req);
  const form = readForm(req, body);
  if (path === '/oauth2/token/create') {
    const grant = form.get('grant_type');
    if (!grant) throw new OAuthFailure(400, 'invalid_request', 'grant_type is missing.');
    if (grant !== 'client_credentials') throw new OAuthFailure(400, 'unsupported_grant_type', 'Only client_credentials is supported.');
    const accessToken = randomBytes(32).toString('base64url');
    tokens.set(accessToken, { keyId, expiresAt: Date.now() + TOKEN_TTL_SECONDS * 1000 });
    // BREAK expires-in-string: the table's "String" instead of the example's number.
    const expiresIn = isBroken('expires-in-string') ? String(TOKEN_TTL_SECONDS) : TOKEN_TTL_SECONDS;
    return { status: 200, payload: { access_token: accessToken, token_type: 'Bearer', expires_in: expiresIn } };
  }
  const token = form.get('token');
  if (!token) throw new OAuthFailure(400, 'invalid_request', 'token is missing.');
  // RFC 7009 section 2.2: an unknown token is answered 200 as well.
  // BREAK revoked-token-accepted: the token is not forgotten.
  if (!isBroken('revoked-token-accepted')) tokens.delete(token);
  return { status: 200, payload: undefined };
}

// ---------------------------------------------------------------------------------------------
// HTTP
// ---------------------------------------------------------------------------------------------

function send(res, status, payload, extraHeaders = {}) {
  const text = JSON.stringify(payload);
  res.writeHead(status, {
    'Content-Type': 'application/json;charset=UTF-8',
    'Content-Length': Buffer.byteLength(text),
    ...extraHeaders,
  });
  res.end(text);
}

const ISSUER_PATHS = new Set(['/oauth2/token/create', '/oauth2/token/revoke']);

function serveIssuer(req, res, path) {
  readBody(req).then(
    ({ body, tooLarge }) => {
      try {
        if (tooLarge) throw new OAuthFailure(400, 'invalid_request', 'The body is too large.');
        const { status, payload } = issuer(req, path, body);
        // RFC 6749 section 5.1: token answers are not to be cached.
        const headers = { 'Cache-Control': 'no-store', Pragma: 'no-cache' };
        if (payload === undefined) {
          res.writeHead(status, { ...headers, 'Content-Length': 0 });
          res.end();
        } else {
          send(res, status, payload, headers);
        }
      } catch (error) {
        if (!(error instanceof OAuthFailure)) process.stderr.write(`stand-in: unexpected error: ${error?.stack ?? error}\n`);
        const failure = error instanceof OAuthFailure ? error : new OAuthFailure(500, 'server_error', 'Unexpected error.');
        const headers = failure.status === 401 ? { 'WWW-Authenticate': 'Basic realm="stand-in"' } : {};
        send(res, failure.status, { error: failure.error, error_description: failure.description }, headers);
      }
    },
    () => res.destroy(),
  );
}

const server = createServer((req, res) => {
  const path = (req.url ?? '/').split('?')[0];
  if (req.method === 'POST' && ISSUER_PATHS.has(path)) {
    serveIssuer(req, res, path);
    return;
  }
  handle(req).then(
    ({ result, headers }) => {
      send(res, 200, { header: { isSuccessful: true, resultCode: 0, resultMessage: 'SUCCESS' }, result }, headers);
    },
    (error) => {
      let entry = CODES.FAIL;
      if (error instanceof ApiFailure) entry = error.entry;
      else process.stderr.write(`stand-in: unexpected error: ${error?.stack ?? error}\n`);
      // Facts page: every API call answers HTTP 200, success or failure.
      // BREAK http-status-on-error: failures get HTTP 400.
      const status = isBroken('http-status-on-error') ? 400 : 200;
      send(res, status, { header: { isSuccessful: false, resultCode: entry[0], resultMessage: entry[1] } });
    },
  );
});

server.on('error', (error) => {
  process.stderr.write(`stand-in: cannot listen on port ${PORT}: ${error.message}\n`);
  process.exit(1);
});

server.listen(PORT, '127.0.0.1', () => {
  const { port } = server.address();
  const suffix = activeBreak ? ` (break: ${activeBreak})` : '';
  process.stdout.write(`stand-in ready at http://127.0.0.1:${port}${suffix}\n`);
});

function shutdown() {
  server.close(() => process.exit(0));
  server.closeAllConnections();
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
