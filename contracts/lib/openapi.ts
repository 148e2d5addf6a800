/**
 * The one door between the contract suite and the OpenAPI validator
 * (test/support/openapi-validator.ts): every answer the suite receives is checked against
 * openapi.yaml through {@link validateAgainstOpenApi}.
 *
 * The validator is loaded lazily by path so the suite still runs (and says so) where it is
 * missing, e.g. in a checkout that ships contracts/ alone.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** An answer as the validator takes it. */
export interface AnswerToValidate {
  method: string;
  /** Path or whole URL; the validator ignores origin and query. */
  path: string;
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

/** The verdict: `available: false` when the validator could not be loaded. */
export interface OpenApiVerdict {
  available: boolean;
  errors: string[];
  /** The matched operation (`POST /v2.0/appkeys/{appKey}/id-card`) or `unmatched route`. */
  route?: string;
}

/** The part of the validator module the suite uses. */
interface ValidatorModule {
  validateResponse(response: AnswerToValidate): { valid: boolean; errors: string[]; route: string };
}

const VALIDATOR_FILE = fileURLToPath(new URL('../../test/support/openapi-validator.ts', import.meta.url));
let loading: Promise<ValidatorModule | undefined> | undefined;

async function loadValidator(): Promise<ValidatorModule | undefined> {
  // tsx (the suite's runner) and vitest both import .ts files directly.
  if (!existsSync(VALIDATOR_FILE)) return undefined;
  const module = (await import(pathToFileURL(VALIDATOR_FILE).href)) as Partial<ValidatorModule>;
  return typeof module.validateResponse === 'function' ? (module as ValidatorModule) : undefined;
}

/**
 * Validates one answer against openapi.yaml.
 * @example
 * const verdict = await validateAgainstOpenApi({ method: 'GET', path: '/v2.0/appkeys/k/public-keys/id-card', status: 200, headers: {}, body });
 * if (verdict.errors.length) console.log(verdict.errors.join('\n'));
 */
export async function validateAgainstOpenApi(answer: AnswerToValidate): Promise<OpenApiVerdict> {
  loading ??= loadValidator();
  const validator = await loading;
  if (!validator) return { available: false, errors: [] };
  const verdict = validator.validateResponse(answer);
  return { available: true, errors: verdict.errors, route: verdict.route };
}
