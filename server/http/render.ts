/**
 * The one place that turns errors into API failure bodies. Every API answer is HTTP 200 with
 * the result in the body's `header` (docs/emulated-api.md, "Responses");
 * anything unexpected answers -1 FAIL, without a stack trace.
 */
import { failureBody, OcrError, type FailureBody } from '../core/errors.js';

/**
 * The failure body for anything thrown.
 * @example failureFor(new OcrError('INVALID_KEY_VERSION')).header.resultCode // 4000301
 * @example failureFor(new TypeError('x')).header.resultCode // -1
 */
export function failureFor(error: unknown): FailureBody {
  return failureBody(error instanceof OcrError ? error.key : 'FAIL');
}
