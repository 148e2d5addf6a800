/**
 * The one place that turns outcomes and thrown errors into HTTP answers. Every API answer is
 * HTTP 200 with the result in the body's `header` (../shared/reference/ocr-v2-api-facts.md,
 * "Responses"); anything unexpected answers -1 FAIL, without a stack trace.
 */
import type { Response } from 'express';
import { failureBody, OcrError } from '../core/errors.js';

/** A rendered API answer: a body and optional response headers. */
export interface ApiOutcome {
  body: unknown;
  headers?: Record<string, string>;
}

/** Something that wants to know how a request ended (logging, the journal). */
export type OutcomeListener = (event: { error?: unknown; diagnosis?: string; code: number }) => void;

/**
 * Sends a success outcome.
 * @example sendOutcome(res, { body: successBody(result), headers: { 'Request-Key': key } })
 */
export function sendOutcome(res: Response, outcome: ApiOutcome): void {
  if (outcome.headers) res.set(outcome.headers);
  res.status(200).json(outcome.body);
}

/**
 * Sends the failure body for an error; unknown errors become -1 and are reported to `onFault`.
 * @example sendError(res, new OcrError('INVALID_KEY_VERSION'))
 */
export function sendError(res: Response, error: unknown, onFault: (error: unknown) => void = () => {}): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (error instanceof OcrError) {
    res.status(200).json(failureBody(error.key));
    return;
  }
  onFault(error);
  res.status(200).json(failureBody('FAIL'));
}
