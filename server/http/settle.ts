/**
 * The one place an API call becomes its answer: the engine's reply, or the rendered error, after
 * any scripted delay, journaled, with the diagnosis header on a failure. The express routes and
 * the fast lane both settle through here and differ only in how they read the request and write
 * the answer (test/api/fast-lane.test.ts compares the two).
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { OcrEngine, Reply, Trace } from '../core/engine.js';
import { OAuthError, OcrError } from '../core/errors.js';
import type { Journal, JournalEntry } from '../core/journal.js';
import { ScenarioError } from '../core/scenarios/book.js';
import { isStoreUnavailable } from '../core/stores/unavailable.js';
import { DIAGNOSIS_HEADER, diagnosisHeaderValue } from './diagnosis-header.js';
import { failureFor } from './render.js';

/** What a request is answered with: JSON (or nothing) with a status and headers, or a dropped connection. */
export interface Answer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
  drop?: true;
}

/** Runs an engine call (filling in the trace) to its answer. */
export type Settle = (method: string, path: string, headers: IncomingHttpHeaders, run: (trace: Trace) => Promise<Reply> | Reply) => Promise<Answer>;

/** What settling needs. */
export interface SettleOptions {
  engine: OcrEngine;
  journal: Journal;
  /** Told about server-side faults (answered -1). */
  onFault: (error: unknown) => void;
  /** Told about every finished request (for logging). */
  onRequest?: ((entry: JournalEntry) => void) | undefined;
  /** `false` leaves out `X-Emulator-Diagnosis`. */
  diagnosisHeader: boolean;
}

/** RFC 6749 section 5.1: the token issuer's refusals are never cached either. */
const NO_STORE = { 'Cache-Control': 'no-store', Pragma: 'no-cache' } as const;

/**
 * The diagnosis header of a failed answer, or nothing when it is turned off (docs/admin-api.md, "The journal").
 * @example diagnosisHeaders(true, 'Authorization header is missing') // { 'X-Emulator-Diagnosis': 'Authorization header is missing' }
 */
export function diagnosisHeaders(enabled: boolean, diagnosis: string): Record<string, string> {
  return enabled ? { [DIAGNOSIS_HEADER]: diagnosisHeaderValue(diagnosis) } : {};
}

/**
 * Builds the settle function of an app.
 * @example const settle = settler({ engine, journal, onFault, diagnosisHeader: true }); const answer = await settle('GET', path, req.headers, (trace) => engine.publicKey(trace, call, 'credit-card'))
 */
export function settler(options: SettleOptions): Settle {
  const record = recorder(options);
  return async (method, path, _headers, run) => {
    const started = performance.now();
    const trace: Trace = {};
    let reply: Reply;
    try {
      reply = await run(trace);
    } catch (error) {
      const refused = refusal(tokenFailure(error, trace, options.onFault), trace, options.diagnosisHeader);
      if (refused) {
        record(method, path, trace, undefined, refused.status, started);
        return refused;
      }
      reply = failureReply(error, trace, options.onFault);
    }
    if (reply.delayMs) await new Promise((resolve) => setTimeout(resolve, reply.delayMs));
    const status = reply.status ?? 200;
    const resultCode = (reply.body as { header?: { resultCode?: number } } | undefined)?.header?.resultCode;
    record(method, path, trace, resultCode, status, started);
    if (reply.fault === 'drop-connection') return { status: 0, body: undefined, drop: true };
    // Only failures carry a diagnosis: a success (or a token answer, which has no result code) does not.
    const failed = resultCode !== undefined && resultCode !== 0;
    const answerHeaders = failed
      ? { ...reply.headers, ...diagnosisHeaders(options.diagnosisHeader, trace.diagnosis ?? 'no diagnosis recorded') }
      : reply.headers;
    return { status, body: reply.body, ...(answerHeaders ? { headers: answerHeaders } : {}) };
  };
}

/** Journals a finished request and tells the logger. */
function recorder({ engine, journal, onRequest }: SettleOptions) {
  return (method: string, path: string, trace: Trace, resultCode: number | undefined, status: number, started: number): void => {
    // Journal.add stores a bounded copy: client-derived texts clipped, sharing no memory with the request.
    const entry = journal.add({
      time: new Date(engine.now()).toISOString(),
      method,
      path,
      ...trace,
      resultCode,
      status,
      durationMs: Math.round((performance.now() - started) * 100) / 100,
    });
    onRequest?.(entry);
  };
}

/**
 * An answer with an HTTP status of its own, when the error is one: the emulator's refusal of
 * `X-Emulator-Scenario`, or the token issuer's RFC 6749 errors. Journaled all the same, since the
 * journal is where a developer looks first.
 */
function refusal(error: unknown, trace: Trace, withDiagnosis: boolean): Answer | undefined {
  if (error instanceof ScenarioError) {
    trace.diagnosis = `HTTP ${error.status}: ${error.message}`;
    return { status: error.status, body: { error: 'scenario', message: error.message }, headers: diagnosisHeaders(withDiagnosis, trace.diagnosis) };
  }
  if (error instanceof OAuthError) {
    trace.diagnosis = `HTTP ${error.status} ${error.code}: ${error.description}`;
    const headers: Record<string, string> = { ...NO_STORE, ...diagnosisHeaders(withDiagnosis, trace.diagnosis) };
    // RFC 6749 section 5.2: a 401 names the authentication scheme the client must use.
    if (error.status === 401) headers['WWW-Authenticate'] = 'Basic realm="nhn-ocr-emulator token issuer"';
    return { status: error.status, body: error.body(), headers };
  }
  return undefined;
}

/**
 * A token call that failed on the emulator's side answers as the issuer does, never with an OCR
 * body on HTTP 200 (a client would take that for success): 503 `temporarily_unavailable` while
 * the shared state cannot serve (docs/shared-state.md, "Several emulators as one"), 500 `server_error` for a
 * fault (logged). Other errors pass unchanged, a date before v2.1's 4041007 among them.
 */
function tokenFailure(error: unknown, trace: Trace, onFault: (error: unknown) => void): unknown {
  if (!trace.endpoint?.startsWith('token/') || error instanceof OAuthError || error instanceof ScenarioError) return error;
  if (isStoreUnavailable(error)) return new OAuthError('temporarily_unavailable', error.diagnosis);
  if (error instanceof OcrError) return error;
  onFault(error);
  return new OAuthError('server_error', 'internal fault (see the emulator log)');
}

/** The API failure for an error: a documented code, or -1 for a fault of the emulator's own. */
function failureReply(error: unknown, trace: Trace, onFault: (error: unknown) => void): Reply {
  if (error instanceof OcrError) trace.diagnosis = error.diagnosis;
  else {
    onFault(error);
    trace.diagnosis = 'internal fault (see the emulator log)';
  }
  return { body: failureFor(error) };
}
