/**
 * The API's types as openapi.yaml describes them (generated into api-types.generated.ts by
 * `npm run generate:types`; a test fails when the file is stale), and compile-time proof that
 * what the server builds fits them. If openapi.yaml and the server drift apart, `npm test`'s
 * type-check fails here, naming the check.
 */
import type { PublicKeyResult } from './engine.js';
import type { CreditCardResult } from './credit-card.js';
import type { ErrorCode, FailureBody } from './errors.js';
import type { IdCardResult } from './id-card.js';
import type { components } from './api-types.generated.js';

/**
 * The schemas of openapi.yaml by name.
 * @example type Box = ApiSchemas['Box']
 */
export type ApiSchemas = components['schemas'];

type Holds<T extends true> = T;
type Fits<A, B> = [A] extends [B] ? true : false;

/** Each entry fails to compile when the server's type and the description disagree. */
export type DescriptionChecks = [
  Holds<Fits<CreditCardResult, ApiSchemas['CreditCardResult']>>,
  Holds<Fits<IdCardResult, ApiSchemas['IdCardResult']>>,
  Holds<Fits<PublicKeyResult, ApiSchemas['PublicKeyResult']>>,
  Holds<Fits<FailureBody, ApiSchemas['FailureResponseBody']>>,
  // The catalogue and the description list the same codes, both ways.
  Holds<Fits<ErrorCode, ApiSchemas['FailureResultCode']>>,
  Holds<Fits<ApiSchemas['FailureResultCode'], ErrorCode>>,
];
