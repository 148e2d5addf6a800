/**
 * The authenticity call (guide, "Verify Authenticity API"; docs/emulated-api.md, "The authenticity request
 * body"): the fields per idType, encrypted except idType and passport expirationDate, and the
 * boolean answer; required fields and JSON syntax are checked before the Request-Key.
 */
import { defineCases } from '../lib/case.js';
import { apiPath, authenticityFields, DOC, envelopeFor, issueRequestKey, sendAuthenticity, unknownRequestKey, type IdReading } from './support.js';
import type { CaseContext } from '../lib/case.js';

const BODY_DOC = `${DOC.guide}, Verify Authenticity API [Field]; docs/emulated-api.md, "The authenticity request body"`;

/** Reads a card on /id-card, sends what it read, and checks the boolean answer. */
async function verify(
  ctx: CaseContext,
  type: 'resident' | 'driver',
  adjust: (fields: Record<string, string>, reading: IdReading) => Record<string, string> = (f) => f,
): Promise<void> {
  const { reading, requestKey } = await issueRequestKey(ctx, type);
  const answer = await sendAuthenticity(ctx, requestKey, adjust(authenticityFields(reading), reading));
  ctx.expectSuccess('authenticity', answer);
  const result = answer.body.result as { isAuthenticity?: unknown };
  ctx.check(
    typeof result.isAuthenticity === 'boolean',
    `result.isAuthenticity is ${JSON.stringify(result.isAuthenticity)}, not a Boolean (${DOC.guide}, Verify Authenticity API [Field])`,
  );
  if (ctx.target.control) ctx.check(result.isAuthenticity === true, 'the values the emulator read itself were answered not authentic');
}

export const AUTHENTICITY_CASES = defineCases([
  {
    id: 'authenticity/resident',
    title: 'Verifies a resident card with what /id-card read',
    description: `idType resident with name, residentNumber (13 digits) and issueDate (YYYYMMDD), all but idType encrypted, answers SUCCESS with result.isAuthenticity a Boolean (${BODY_DOC}). Against the emulator the values it read itself are authentic.`,
    basis: 'documented',
    run: (ctx) => verify(ctx, 'resident'),
  },
  {
    id: 'authenticity/driver',
    title: "Verifies a driver's licence",
    description: `idType driver with name, residentNumber (7 digits: the first 6 and the first of the back 7), driverLicenseNumber (12 digits) and serialNum (${BODY_DOC}).`,
    basis: 'documented',
    run: (ctx) => verify(ctx, 'driver'),
  },
  {
    id: 'authenticity/driver-without-serial-num',
    title: "serialNum is optional for a driver's licence",
    description: `serialNum is not required (optional since 2024-04-09: docs/emulated-api.md, "The authenticity request body"; ${DOC.guide}, [Field] Required X).`,
    basis: 'documented',
    run: (ctx) =>
      verify(ctx, 'driver', (fields) => {
        const { serialNum: _dropped, ...rest } = fields;
        return rest;
      }),
  },
  {
    id: 'authenticity/passport',
    title: 'Passport authenticity answers 4000001 since 2026-05-27',
    description: `Passport authenticity was withdrawn on 2026-05-27 ("Since 2026-05-27 idType is resident or driver only": docs/emulated-api.md, "The authenticity request body"; ${DOC.dated}; the current ${DOC.guide} lists resident and driver only). A well-formed passport body (as the 2023-08 guide documented it) with an unknown Request-Key answers 4000001 Invalid parameter: an idType the service no longer takes is an invalid parameter, and that row comes before the Request-Key row (${DOC.table}). The code is this project's reading.`,
    basis: 'reading',
    covers: ['field-missing'],
    async run(ctx) {
      const answer = await ctx.client.authenticity(unknownRequestKey(), {
        idType: 'passport',
        name: '홍길동',
        passportNumber: 'M12345678',
        issueDate: '20200102',
        birthDate: '19900101',
        expirationDate: '20300102',
      });
      ctx.expectCode('answer', answer, 4000001);
    },
  },
  {
    id: 'authenticity/missing-required-field',
    title: 'A missing required field answers 4000001, before the Request-Key is looked at',
    description: `name is required for every idType (${BODY_DOC}); without it 4000001 Invalid parameter, and that row comes before "Request-Key unknown" (${DOC.table}), so an unknown key does not change the answer.`,
    basis: 'reading',
    covers: ['field-missing'],
    async run(ctx) {
      const answer = await ctx.client.authenticity(unknownRequestKey(), { idType: 'resident', residentNumber: '9001011234567', issueDate: '20200102' });
      ctx.expectCode('answer', answer, 4000001);
    },
  },
  {
    id: 'authenticity/unparsable-json',
    title: 'A body that is not JSON answers 4000001',
    description: `The authenticity body is JSON (${DOC.guide}, Verify Authenticity API, Content-Type: application/json); unparsable, it answers 4000001 (${DOC.table}, row "authenticity JSON unparsable").`,
    basis: 'reading',
    covers: ['field-missing'],
    async run(ctx) {
      const { headers } = await envelopeFor(ctx, 'id-card');
      const answer = await ctx.client.raw({
        method: 'POST',
        path: apiPath(ctx, 'id-card/authenticity'),
        headers: { ...headers, 'Request-Key': unknownRequestKey(), 'Content-Type': 'application/json' },
        body: '{"idType": "resident", "name": ',
      });
      ctx.expectCode('answer', answer, 4000001);
    },
  },
  {
    id: 'authenticity/not-authentic',
    title: 'A card the emulator scripts as forged is answered isAuthenticity false',
    description: `Scenario id-card/not-authentic: the authenticity answer is SUCCESS with result.isAuthenticity false (${DOC.guide}, Verify Authenticity API, response example "isAuthenticity": false).`,
    basis: 'documented',
    needs: ['emulator-control'],
    async run(ctx) {
      const { reading, requestKey } = await issueRequestKey(ctx, 'resident', 'id-card/not-authentic');
      const answer = await ctx.client.authenticity(requestKey, authenticityFields(reading), ctx.hint('id-card/not-authentic'));
      ctx.expectSuccess('authenticity', answer);
      ctx.check(
        (answer.body.result as { isAuthenticity?: unknown }).isAuthenticity === false,
        `isAuthenticity is ${JSON.stringify(answer.body.result)}, expected false`,
      );
    },
  },
  {
    id: 'authenticity/locked-after-five-wrong-issue-dates',
    title: 'Five wrong issue dates lock a resident card (4000123)',
    description: `"Five wrong issue dates for a resident card lock it" with 4000123 Registration card authentication is locked (docs/emulated-api.md, "The authenticity request body"; release notes 2024-08-13). Emulator only: on the live service it would lock a real card. Whether the fifth wrong answer or the next call reports the lock is not documented; either is accepted, the sixth call must be 4000123.`,
    basis: 'reading',
    needs: ['emulator-control'],
    async run(ctx) {
      try {
        const first = await issueRequestKey(ctx, 'resident');
        const right = authenticityFields(first.reading);
        const wrong = { ...right, issueDate: right['issueDate'] === '20000101' ? '20000102' : '20000101' };
        let requestKey = first.requestKey;
        let locked = false;
        for (let attempt = 1; attempt <= 5; attempt++) {
          if (attempt > 1) requestKey = (await issueRequestKey(ctx, 'resident')).requestKey;
          const answer = await ctx.client.authenticity(requestKey, wrong);
          if (attempt === 5 && answer.resultCode === 4000123) {
            ctx.expectCode('fifth', answer, 4000123);
            locked = true;
            break;
          }
          ctx.expectSuccess(`wrong-${attempt}`, answer);
          ctx.check(
            (answer.body.result as { isAuthenticity?: unknown }).isAuthenticity === false,
            `attempt ${attempt} with a wrong issue date was answered authentic`,
          );
        }
        if (!locked) ctx.note('the fifth wrong issue date was answered isAuthenticity false; the lock shows on the next call');
        const after = await issueRequestKey(ctx, 'resident');
        ctx.expectCode('locked', await ctx.client.authenticity(after.requestKey, right), 4000123);
      } finally {
        // The lock would leak into later cases that read the same scripted card; a reset also
        // forgets the key pairs, so the client's cached public keys are fetched again.
        try {
          await ctx.control.reset();
          await ctx.client.publicKey('id-card', true);
          await ctx.client.publicKey('credit-card', true);
          if (ctx.secondClient) await ctx.secondClient.publicKey('id-card', true);
        } catch (error) {
          ctx.note(`clean-up after the lock failed: ${(error as Error).message}`);
        }
      }
    },
  },
]);
