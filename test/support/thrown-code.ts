/**
 * The result code a synchronous core call refuses with, for tests of the core's rules.
 */
import type { OcrError } from '../../server/core/errors.js';

/**
 * The `OcrError` code `fn` throws, or 0 when it returns.
 * @example expect(thrownCode(() => lock.assertOpen('card'))).toBe(4000123)
 */
export function thrownCode(fn: () => unknown): number {
  try {
    fn();
  } catch (error) {
    return (error as OcrError).code;
  }
  return 0;
}
