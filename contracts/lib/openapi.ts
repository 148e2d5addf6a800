/**
 * The one door between the contract suite and the OpenAPI validator
 * (test/support/openapi-validator.ts): every answer the suite receives is checked against
 * openapi.yaml through {@link validateAgainstOpenApi}.
 */
import { validateResponse } from '../../test/support/openapi-validator.js';

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

/**
 * Validates one answer against openapi.yaml.
 * @example
 * const verdict = validateAgainstOpenApi({ method: 'GET', path: '/v2.0/appkeys/k/public-keys/id-card', status: 200, headers: {}, body });
 * if (verdict.errors.length) console.log(verdict.errors.join('\n'));
 */
export function validateAgainstOpenApi(answer: AnswerToValidate): OpenApiVerdict {
  const { errors, route } = validateResponse(answer);
  return { errors, route };
}
