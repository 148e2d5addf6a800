/**
 * How a contract case ends other than by passing: thrown from a case, caught by the runner
 * (runner.ts). Apart from the case model (case.ts) so the admin client (control.ts) can throw
 * them without importing the model that names it.
 */

/** A case failed: the message is the difference. */
export class CaseFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CaseFailure';
  }
}

/**
 * A `reading` case got another answer than the reading (which the emulator implements): against
 * any other target the run reports a divergence, "what the emulator must learn".
 * @example throw new Divergence('expected 4000005 ..., got -1 ...', '4000005 Required headers is missing.', '-1 "Unknown error."', 'POST /v2.0/appkeys/{appKey}/credit-card')
 */
export class Divergence extends CaseFailure {
  /**
   * @param expected What the reading (and the emulator) answers, e.g. `4000005 Required headers is missing.`
   * @param actual What the target answered.
   * @param request The request line, `POST /v2.0/appkeys/{appKey}/credit-card`.
   */
  constructor(
    message: string,
    readonly expected: string,
    readonly actual: string,
    readonly request: string | undefined,
  ) {
    super(message);
    this.name = 'Divergence';
  }
}

/**
 * A case found nothing to check on this target; the runner reports it as skipped.
 * @example ctx.skip('the passport image was read as resident: nothing to check') // throws a SkippedCase
 */
export class SkippedCase extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SkippedCase';
  }
}

/** A case ended on an answer the documentation allows; `record` says whether to snapshot it. */
export class AcceptedAnswer extends Error {
  constructor(
    message: string,
    readonly record: boolean,
  ) {
    super(message);
    this.name = 'AcceptedAnswer';
  }
}
