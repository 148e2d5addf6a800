/**
 * One model for every refusal the emulator answers: a {@link Refusal} has a status, a code, a
 * message and headers, and {@link refusalOf} is the one table that maps what the core and the
 * libraries throw into it: the API's result codes (OcrError, on HTTP 200 with the body's
 * `header`: docs/emulated-api.md, "Responses"), the token issuer's RFC 6749 errors, the
 * emulator's refusals of a scenario or an admin call, a registration refused, a clock step out of
 * range, a request express could not read, and the emulator's own faults. {@link renderRefusal}
 * is the one renderer; answer.ts writes the result.
 */
import { ClockLimitError, RegistrationError } from '../core/engine.js';
import { ERROR_CATALOGUE, failureBody, OAuthError, OcrError, type ErrorKey } from '../core/errors.js';
import { KeyPersistenceError } from '../core/key-store.js';
import { ScenarioError } from '../core/scenarios/book.js';
import { isStoreUnavailable } from '../core/stores/unavailable.js';
import type { Answer } from './answer.js';
import { API_METHODS } from './api-routes.js';
import { DIAGNOSIS_HEADER, diagnosisHeaderValue } from './diagnosis-header.js';

/**
 * How a refusal's body looks: the API's failure body on HTTP 200 (`api`), RFC 6749's
 * `{error, error_description}` (`oauth`), or the emulator's own `{error, message}` (`emulator`).
 */
export type RefusalShape = 'api' | 'oauth' | 'emulator';

/** Which side of the emulator refuses: it decides what a fault or an unreadable request becomes. */
export type Surface = 'api' | 'token' | 'admin';

/**
 * A refusal, whatever refused. `code` is an ErrorKey for the `api` shape, the RFC 6749 error for
 * `oauth`, the emulator's error code (`bad_request`, `not_found`, ...) for `emulator`.
 * @example throw new Refusal('emulator', 404, 'not_found', 'appKey "w1" is not registered')
 */
export class Refusal extends Error {
  override name = 'Refusal';
  constructor(
    readonly shape: RefusalShape,
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }

  /** The API's result code, for the `api` shape. */
  get resultCode(): number | undefined {
    return this.shape === 'api' ? ERROR_CATALOGUE[this.code as ErrorKey].code : undefined;
  }

  /** What the journal and `X-Emulator-Diagnosis` say of it. */
  get diagnosis(): string {
    if (this.shape === 'api') return this.message;
    return this.shape === 'oauth' ? `HTTP ${this.status} ${this.code}: ${this.message}` : `HTTP ${this.status}: ${this.message}`;
  }
}

/**
 * An admin refusal (`{error, message}` with its status).
 * @example throw adminRefusal(400, 'bad_request', 'resultCode must be a whole number')
 */
export function adminRefusal(status: number, code: string, message: string): Refusal {
  return new Refusal('emulator', status, code, message);
}

/** RFC 6749 section 5.1: the token issuer's answers are never cached, refusals included. */
const NO_STORE = { 'Cache-Control': 'no-store', Pragma: 'no-cache' } as const;

/** The diagnosis of a fault: the details go to the log, never to the client. */
const FAULT = 'internal fault (see the emulator log)';

/**
 * The refusal for anything thrown while serving `surface`; a fault of the emulator's own (not a
 * refusal of the client) is told to `onFault`.
 * @example refusalOf(new OcrError('INVALID_KEY_VERSION'), 'api', log).status // 200
 */
export function refusalOf(error: unknown, surface: Surface, onFault: (error: unknown) => void): Refusal {
  if (error instanceof Refusal) return error;
  if (error instanceof ScenarioError) return new Refusal('emulator', error.status, 'scenario', error.message);
  if (error instanceof OAuthError) {
    // RFC 6749 section 5.2: a 401 names the authentication scheme the client must use.
    const headers = error.status === 401 ? { ...NO_STORE, 'WWW-Authenticate': 'Basic realm="nhn-ocr-emulator token issuer"' } : NO_STORE;
    return new Refusal('oauth', error.status, error.code, error.description, headers);
  }
  if (error instanceof RegistrationError) return registrationRefusal(error);
  if (error instanceof ClockLimitError) return adminRefusal(400, 'bad_request', error.message);
  // Out of reach or refusing (out of memory, a read-only replica): the message says which
  // (docs/shared-state.md, "Several emulators as one"). A token call answers as the issuer does, never with an
  // OCR body on HTTP 200 (a client would take that for success).
  if (isStoreUnavailable(error) && surface !== 'api') {
    return surface === 'token' ? oauthRefusal('temporarily_unavailable', error.diagnosis) : adminRefusal(503, 'unavailable', error.diagnosis);
  }
  // The API's result codes are the API's (and the token issuer's before v2.1 existed: 4041007).
  if (error instanceof OcrError && surface !== 'admin') return new Refusal('api', 200, error.key, error.diagnosis);
  const status = clientErrorStatus(error);
  if (status !== undefined) return unreadable(error, status, surface);
  if (surface === 'admin' && error instanceof KeyPersistenceError) return adminRefusal(500, 'internal', error.message);
  onFault(error);
  if (surface === 'token') return oauthRefusal('server_error', FAULT);
  return surface === 'admin' ? adminRefusal(500, 'internal', 'internal error') : new Refusal('api', 200, 'FAIL', FAULT);
}

/**
 * A refusal as the answer to send; `withDiagnosis` adds `X-Emulator-Diagnosis` (on the API's
 * and the token issuer's side, unless EMULATOR_DIAGNOSIS_HEADER=off).
 * @example renderRefusal(new Refusal('api', 200, 'URL_NOT_FOUND', 'GET /x'), true).body // { header: { resultCode: 4041007, ... } }
 */
export function renderRefusal(refusal: Refusal, withDiagnosis: boolean): Answer {
  const headers = withDiagnosis ? { ...refusal.headers, ...diagnosisHeaders(true, refusal.diagnosis) } : refusal.headers;
  return { status: refusal.status, body: bodyOf(refusal), headers };
}

function bodyOf(refusal: Refusal): unknown {
  if (refusal.shape === 'api') return failureBody(refusal.code as ErrorKey);
  if (refusal.shape === 'oauth') return { error: refusal.code, error_description: refusal.message };
  return { error: refusal.code, message: refusal.message };
}

/**
 * The diagnosis header of a failed answer, or nothing when it is turned off (docs/admin-api.md, "The journal").
 * @example diagnosisHeaders(true, 'Authorization header is missing') // { 'X-Emulator-Diagnosis': 'Authorization header is missing' }
 */
export function diagnosisHeaders(enabled: boolean, diagnosis: string): Record<string, string> {
  return enabled ? { [DIAGNOSIS_HEADER]: diagnosisHeaderValue(diagnosis) } : {};
}

/**
 * The one refusal of a path or method the emulator does not have: on the admin API's side 404
 * `not_found`; on the API's 4041007 URL_NOT_FOUND (the condition table, docs/emulated-api.md),
 * its diagnosis naming the method when that is what no route has (methods are case-sensitive),
 * else the path.
 * @example unknownRoute('BREW', '/v2.0/appkeys/k/credit-card').diagnosis // "method BREW is not one of the API's (...)"
 */
export function unknownRoute(method: string, path: string): Refusal {
  const lower = path.toLowerCase();
  if (lower === '/__emulator' || lower.startsWith('/__emulator/') || lower.startsWith('/__emulator?')) {
    return adminRefusal(404, 'not_found', `no admin endpoint ${method} ${path.split('?')[0]}`);
  }
  if (!API_METHODS.includes(method)) {
    return new Refusal('api', 200, 'URL_NOT_FOUND', `method ${method} is not one of the API's (methods are case-sensitive: ${API_METHODS.join(', ')})`);
  }
  return new Refusal('api', 200, 'URL_NOT_FOUND', `${method} ${path} is an operation of neither the v2.0 nor the v2.1 guide`);
}

function oauthRefusal(code: 'temporarily_unavailable' | 'server_error', description: string): Refusal {
  return refusalOf(new OAuthError(code, description), 'token', () => {});
}

/** A refused registration: 400 invalid, 409 conflict, 507 full (with how to make room). */
function registrationRefusal(error: RegistrationError): Refusal {
  if (error.kind === 'invalid') return adminRefusal(400, 'bad_request', `body needs "appKey" and "secretKey": ${error.message}`);
  if (error.kind === 'conflict') return adminRefusal(409, 'conflict', error.message);
  return adminRefusal(507, 'full', `${error.message} (DELETE /__emulator/appkeys/{appKey})`);
}

/**
 * What body-parser or the router refused as the client's fault (a body that is not JSON, too
 * large, a charset or Content-Encoding it cannot read, a path that does not decode, a body cut
 * off): it keeps its 4xx on the admin API (a 500 is for the emulator's own faults only), and is
 * 4000001 on the API's side.
 */
function unreadable(error: unknown, status: number, surface: Surface): Refusal {
  if (surface !== 'admin') return new Refusal('api', 200, 'INVALID_PARAMETER', `the request could not be parsed: ${exposedText(error, 'malformed request')}`);
  if ((error as { type?: string }).type === 'entity.parse.failed') return adminRefusal(400, 'bad_request', 'body is not valid JSON');
  if (status === 413) return adminRefusal(413, 'too_large', 'body is larger than 1 MB');
  return adminRefusal(status, 'bad_request', exposedText(error, 'the request could not be read'));
}

/**
 * The 4xx status of an http-errors error (body-parser, router), if it is one.
 * @example clientErrorStatus({ status: 400, expose: true }) // 400
 */
export function clientErrorStatus(error: unknown): number | undefined {
  const status = (error as { status?: unknown } | undefined)?.status;
  return typeof status === 'number' && status >= 400 && status < 500 ? status : undefined;
}

/** What express or the router said about a request it could not read, if it is meant to be shown. */
function exposedText(error: unknown, otherwise: string): string {
  const { expose, message } = error as { expose?: unknown; message?: unknown };
  return expose === true && typeof message === 'string' ? message.slice(0, 200) : otherwise;
}
