/**
 * The one door between the contract suite and the OpenAPI validator
 * (openapi-validator.ts): every answer the suite receives is checked against
 * openapi.yaml through {@link validateAgainstOpenApi}.
 */
import { defaultValidator, validateResponse } from './openapi-validator.js';

/** An answer as the suite hands it over. */
export interface AnswerToValidate {
  method: string;
  /** Path or whole URL; the validator ignores origin and query. */
  path: string;
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

/** The verdict: one readable line per problem, and the operation the answer was matched to. */
export interface OpenApiVerdict {
  errors: string[];
  /** `POST /v2.0/appkeys/{appKey}/id-card`, or `unmatched route` (checked as 4041007). */
  route: string;
}

/** The codes only v2.1 answers (docs/emulated-api.md, "v2.1 and the token issuer"). */
const V21_ONLY_CODES = new Set([4010006, 4010007]);

let describesV21: boolean | undefined;

/** Whether openapi.yaml describes the /v2.1 operations itself. */
function openApiDescribesV21(): boolean {
  describesV21 ??= Object.keys(defaultValidator().document.paths ?? {}).some((path) => path.startsWith('/v2.1/'));
  return describesV21;
}

/**
 * Validates one answer against openapi.yaml. A v2.1 answer is identical to the v2.0 one except
 * for authentication (docs/emulated-api.md, "v2.1 and the token issuer"), so while openapi.yaml describes v2.0 only, it is
 * checked as the v2.0 operation's answer; its two token codes (4010006, 4010007), which no
 * v2.0 operation answers, are then left to the case.
 * @example
 * const verdict = validateAgainstOpenApi({ method: 'GET', path: '/v2.0/appkeys/k/public-keys/id-card', status: 200, headers: {}, body });
 * if (verdict.errors.length) console.log(verdict.errors.join('\n'));
 */
export function validateAgainstOpenApi(answer: AnswerToValidate): OpenApiVerdict {
  const path = new URL(answer.path, 'http://x').pathname;
  if (path.startsWith('/v2.1/') && !openApiDescribesV21()) {
    const code = (answer.body as { header?: { resultCode?: unknown } } | null | undefined)?.header?.resultCode;
    if (typeof code === 'number' && V21_ONLY_CODES.has(code)) return { errors: [], route: 'v2.1 token failure (not in openapi.yaml)' };
    return validateAgainstOpenApi({ ...answer, path: path.replace(/^\/v2\.1\//, '/v2.0/') });
  }
  const { errors, route } = validateResponse(answer);
  return { errors, route };
}
