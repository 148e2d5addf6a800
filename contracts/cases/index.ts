/**
 * Every contract case, in the order a run takes them: cheap and fundamental first, so a live
 * run that runs out of budget has covered the most. The v2.1 token cases come right after
 * routing: without a working token nothing else on v2.1 can pass.
 */
import type { ContractCase } from '../lib/case.js';
import { AUTHENTICITY_CASES } from './authenticity.js';
import { CREDIT_CARD_CASES } from './credit-card.js';
import { ENVELOPE_CASES } from './envelope-errors.js';
import { ID_CARD_CASES } from './id-card.js';
import { PUBLIC_KEY_CASES } from './public-key.js';
import { REQUEST_KEY_CASES } from './request-key.js';
import { ROUTING_CASES } from './routing.js';
import { SCENARIO_CASES } from './scenarios.js';
import { TOKEN_CASES } from './token.js';

/**
 * All cases.
 * @example ALL_CASES.filter((c) => c.id.startsWith('envelope/')).length // 21
 */
export const ALL_CASES: readonly ContractCase[] = [
  ...PUBLIC_KEY_CASES,
  ...ROUTING_CASES,
  ...TOKEN_CASES,
  ...CREDIT_CARD_CASES,
  ...ENVELOPE_CASES,
  ...ID_CARD_CASES,
  ...REQUEST_KEY_CASES,
  ...AUTHENTICITY_CASES,
  ...SCENARIO_CASES,
];
