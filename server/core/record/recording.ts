/**
 * A live answer as a scenario (docs/record-live-service.md): the target's result with its
 * encrypted values decrypted (replay encrypts them again for whoever calls), personal values
 * replaced unless kept (redact.ts), matched by the decrypted image's SHA-256 for any appKey, in
 * the ordinary scenario format (server/core/scenarios/schema.ts, `outcome.result`).
 */
import { decryptValue } from '../envelope.js';
import type { ApiVersion } from '../auth.js';
import type { Endpoint, ScenarioFile } from '../scenarios/schema.js';
import type { Redactor } from './redact.js';

/** The endpoints whose answers are recorded: those that read an image. */
export type ImageEndpoint = Extract<Endpoint, 'credit-card' | 'id-card' | 'id-card/stand-alone'>;

/**
 * Failures the target reports about the image itself, recorded like a result: replaying them is
 * what a test of "no card in this photo" needs. Other failures are about the request (a bad
 * envelope, credentials, limits) and are not the image's. Codes from TOAST-DOCS/OCR
 * en/document-ocr-error-code.md.
 */
export const RECORDED_FAILURE_CODES: ReadonlySet<number> = new Set([4000111, 4000121, 5003013, 5003023]);

/** Where and when a recording was made, as its `recorded:` block says. */
export interface RecordingFacts {
  /** ISO time of the answer. */
  at: string;
  /** The target's host (never a path, query or credentials). */
  target: string;
  api: ApiVersion;
  /** Whether personal values were replaced by synthetic ones. */
  redacted: boolean;
}

/** What is in a recorded result that the envelope encrypted, by endpoint family (guide, [Field] tables). */
type WireResult = Record<string, unknown>;

/**
 * The result with its encrypted values in plaintext: `cardNums[].value`, `totalCardNum`,
 * `validThru.value` of a credit card; every `keyValues[].value` of an ID card. Other fields are
 * kept as the target sent them, unknown ones included. Throws (an OcrError 4000303) when a value
 * does not decrypt under the key.
 * @example plaintextResult('credit-card', answer.result, symmetricKey).totalCardNum // '4111111111111111'
 */
export function plaintextResult(endpoint: ImageEndpoint, result: WireResult, key: Buffer): WireResult {
  const open = (value: unknown, field: string) => (typeof value === 'string' ? decryptValue(key, value, field) : value);
  if (endpoint === 'credit-card') {
    const validThru = result['validThru'] as Record<string, unknown> | undefined;
    return {
      ...result,
      ...(Array.isArray(result['cardNums'])
        ? { cardNums: (result['cardNums'] as Record<string, unknown>[]).map((g, i) => ({ ...g, value: open(g['value'], `cardNums[${i}].value`) })) }
        : {}),
      ...('totalCardNum' in result ? { totalCardNum: open(result['totalCardNum'], 'totalCardNum') } : {}),
      ...(validThru ? { validThru: { ...validThru, value: open(validThru['value'], 'validThru.value') } } : {}),
    };
  }
  return {
    ...result,
    ...(Array.isArray(result['keyValues'])
      ? { keyValues: (result['keyValues'] as Record<string, unknown>[]).map((kv, i) => ({ ...kv, value: open(kv['value'], `keyValues[${i}].value`) })) }
      : {}),
  };
}

/**
 * The plaintext result with every personal value replaced (redact.ts); confidences, boxes,
 * resolution and the like are kept. `totalCardNum` stays the concatenation of the groups when
 * it was one.
 * @example redactedResult('credit-card', plain, new Redactor(salt)).cardNums[0].value // '4532'
 */
export function redactedResult(endpoint: ImageEndpoint, plain: WireResult, redactor: Redactor): WireResult {
  if (endpoint === 'credit-card') {
    const groups = Array.isArray(plain['cardNums']) ? (plain['cardNums'] as Record<string, unknown>[]) : [];
    const values = groups.map((g) => String(g['value'] ?? ''));
    const made = redactor.cardNumber(values);
    const total = plain['totalCardNum'];
    const validThru = plain['validThru'] as Record<string, unknown> | undefined;
    return {
      ...plain,
      ...(groups.length ? { cardNums: groups.map((g, i) => ({ ...g, value: made[i] })) } : {}),
      ...(typeof total === 'string' ? { totalCardNum: total === values.join('') ? made.join('') : redactor.cardNumber([total])[0] } : {}),
      ...(validThru && typeof validThru['value'] === 'string' ? { validThru: { ...validThru, value: redactor.validThru(validThru['value']) } } : {}),
    };
  }
  const keyValues = Array.isArray(plain['keyValues']) ? (plain['keyValues'] as Record<string, unknown>[]) : undefined;
  if (!keyValues) return plain;
  return {
    ...plain,
    keyValues: keyValues.map((kv) => (typeof kv['value'] === 'string' ? { ...kv, value: redactor.idCardValue(String(kv['key']), kv['value']) } : kv)),
  };
}

/**
 * The file name (without extension) of an image's recording for an endpoint: one file per image
 * and endpoint, so a later recording of the same image replaces the earlier one (the latest wins).
 * @example recordingName('id-card/stand-alone', 'ab12...') // 'id-card-stand-alone-ab12cd34ef56ab12'
 */
export function recordingName(endpoint: ImageEndpoint, imageSha256: string): string {
  return `${endpoint.replace('/', '-')}-${imageSha256.slice(0, 16)}`;
}

/** A recording as written: a scenario file plus its `recorded:` block. */
export type RecordedScenario = ScenarioFile & { recorded: RecordingFacts };

/**
 * The scenario of one recorded answer: a result (values in plaintext) or an image failure code.
 * @example recordedScenario('credit-card', sha, facts, { result: plain })
 */
export function recordedScenario(
  endpoint: ImageEndpoint,
  imageSha256: string,
  facts: RecordingFacts,
  answer: { result: WireResult } | { error: number },
): RecordedScenario {
  const what = 'result' in answer ? 'result' : `result code ${answer.error}`;
  return {
    description: `${endpoint} ${what} recorded from ${facts.target} (${facts.api}) at ${facts.at}${facts.redacted ? ', personal values replaced by synthetic ones' : ''}`,
    recorded: facts,
    endpoints: [endpoint],
    match: { imageSha256: [imageSha256] },
    outcome: 'result' in answer ? { result: answer.result } : { error: errorOf(answer.error) },
  } as RecordedScenario;
}

/**
 * The recording of an /id-card answer with the verdict of the authenticity call that used its
 * Request-Key: replayed, the Request-Key issued for that image gets the same verdict.
 * @example withAuthenticity(scenario, true).outcome.authenticity // true
 */
export function withAuthenticity(scenario: RecordedScenario, isAuthenticity: boolean): RecordedScenario {
  return { ...scenario, outcome: { ...scenario.outcome, authenticity: isAuthenticity } };
}

/** The schema reads a code as a number and turns it into its catalogue name; a recording keeps the number. */
function errorOf(code: number): never {
  return code as never;
}
