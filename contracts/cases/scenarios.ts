/**
 * Outcomes only the emulator can be told to give (`X-Emulator-Scenario`): "no card found",
 * recognition failures, rate limits, temporary unavailability, a slow answer. Each asserts
 * the documented code and message on HTTP 200 with no result, the shape every failure has
 * (docs/emulated-api.md, "Responses"; codes from the error-code table). Also the request journal the
 * suite reads to explain failures.
 */
import { defineCases, type CaseContext, type ContractCase } from '../lib/case.js';
import { CARD_NOT_READ, checkCreditCardResult, DOC, ID_NOT_READ } from './support.js';

/** A scripted failure on an endpoint. */
function scripted(id: string, scenario: string, code: number, endpoint: 'credit-card' | 'id-card', why: string, covers?: string[]): ContractCase {
  return {
    id,
    title: `Scenario ${scenario} answers ${code}`,
    description: `${why} (${DOC.errors}; docs/emulated-api.md, "Responses": HTTP 200, isSuccessful false, no result). Scripted with X-Emulator-Scenario: ${scenario}.`,
    basis: 'documented',
    needs: ['emulator-control'],
    ...(covers ? { covers } : {}),
    async run(ctx: CaseContext) {
      const options = ctx.hint(scenario);
      const answer =
        endpoint === 'credit-card'
          ? await ctx.client.creditCard(ctx.images.get('card-jpg-normal').bytes, options)
          : await ctx.client.idCard(ctx.images.get('id-resident').bytes, options);
      ctx.expectCode('answer', answer, code);
      if (endpoint === 'id-card') ctx.check(answer.requestKey === undefined, 'a failed /id-card answer carried a Request-Key');
    },
  };
}

export const SCENARIO_CASES = defineCases([
  {
    id: 'scenarios/credit-card-ok',
    title: 'Scenario credit-card/ok reads a card',
    description: `The scripted success has the documented credit-card result (${DOC.guide}, Credit Card Analysis API [Field]; docs/emulated-api.md, "Responses").`,
    basis: 'documented',
    needs: ['emulator-control'],
    async run(ctx) {
      const image = ctx.images.get('card-png-normal');
      const answer = await ctx.client.creditCard(image.bytes, { ...ctx.hint('credit-card/ok'), decrypt: false });
      ctx.expectSuccess('analysis', answer, { alternatives: CARD_NOT_READ, image });
      checkCreditCardResult(ctx, answer, image);
    },
  },
  scripted(
    'scenarios/credit-card-not-found',
    'credit-card/not-found',
    CARD_NOT_READ[0],
    'credit-card',
    '4000111 Credit card info not found. for an image without a card',
    ['not-found'],
  ),
  scripted(
    'scenarios/credit-card-recognition-fail',
    'credit-card/recognition-fail',
    CARD_NOT_READ[1],
    'credit-card',
    '5003013 Document(credit card) OCR failed to recognize the document.',
  ),
  scripted(
    'scenarios/id-card-not-found',
    'id-card/not-found',
    ID_NOT_READ[0],
    'id-card',
    '4000121 Id card info not found., and no Request-Key, for an image without an ID card',
    ['not-found'],
  ),
  scripted('scenarios/unavailable', 'errors/unavailable', 5000503, 'credit-card', '5000503 The API you requested is temporarily unavailable.'),
  scripted('scenarios/rate-limited', 'errors/rate-limited', 4000006, 'id-card', '4000006 Api call limit exceeded'),
  {
    id: 'scenarios/latency-slow',
    title: 'Scenario latency/slow still answers correctly',
    description: `A slow answer is still the documented success (${DOC.guide}, Credit Card Analysis API); the time taken is noted.`,
    basis: 'documented',
    needs: ['emulator-control'],
    async run(ctx) {
      const image = ctx.images.get('card-jpg-normal');
      const started = Date.now();
      const answer = await ctx.client.creditCard(image.bytes, { ...ctx.hint('latency/slow'), decrypt: false });
      ctx.note(`answered in ${Date.now() - started} ms`);
      ctx.expectSuccess('analysis', answer);
      checkCreditCardResult(ctx, answer, image);
    },
  },
  {
    id: 'emulator/journal-explains-failures',
    title: 'The request journal records code and diagnosis',
    description: `GET /__emulator/requests lists requests newest last with endpoint, resultCode and diagnosis; the runner quotes the diagnosis when a case fails against the emulator. Not a property of the live API (docs/admin-api.md, "The journal").`,
    basis: 'reading',
    needs: ['emulator-control'],
    async run(ctx) {
      ctx.expectCode('answer', await ctx.client.creditCard(ctx.images.get('card-jpg-low').bytes, { headers: { 'X-Key-Version': 'never-issued' } }), 4000301);
      const last = (await ctx.control.journal.list()).requests.at(-1);
      ctx.check(last?.resultCode === 4000301, `the newest journal entry has resultCode ${JSON.stringify(last?.resultCode)}, expected 4000301`);
      ctx.check(
        typeof last?.endpoint === 'string' && last.endpoint.includes('credit-card'),
        `the newest journal entry's endpoint is ${JSON.stringify(last?.endpoint)}`,
      );
      ctx.check(typeof last?.diagnosis === 'string' && last.diagnosis.length > 0, 'the newest journal entry has no diagnosis');
    },
  },
]);
