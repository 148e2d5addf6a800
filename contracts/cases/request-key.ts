/**
 * Request-Key rules (guide, ID Card Analysis API [Response Header] and "(Stand alone)";
 * docs/emulated-api.md, "Responses"): present on /id-card for resident and driver results, absent on
 * stand-alone, valid one hour, unusable after a successful authenticity answer, and 4000122
 * for a key that is unknown, expired, consumed or another app key's.
 */
import { defineCases } from '../lib/case.js';
import { authenticityFields, DOC, issueRequestKey, readIdCard, sendAuthenticity, unknownRequestKey } from './support.js';

const HEADER_DOC = `${DOC.guide}, ID Card Analysis API [Response Header] "Request-Key to be used when calling the Verify Authenticity API"`;

export const REQUEST_KEY_CASES = defineCases([
  {
    id: 'request-key/present-for-resident',
    title: '/id-card sends a Request-Key with a resident result',
    description: `A resident result on /id-card carries the Request-Key response header (${HEADER_DOC}; docs/emulated-api.md: issued for resident and driver results).`,
    basis: 'documented',
    async run(ctx) {
      await issueRequestKey(ctx, 'resident');
    },
  },
  {
    id: 'request-key/present-for-driver',
    title: '/id-card sends a Request-Key with a driver result',
    description: `As for resident, with a driver's licence (${HEADER_DOC}).`,
    basis: 'documented',
    async run(ctx) {
      await issueRequestKey(ctx, 'driver');
    },
  },
  {
    id: 'request-key/absent-for-passport',
    title: '/id-card sends no Request-Key with a passport result (since 2026-05-27)',
    description: `Passport authenticity was withdrawn on 2026-05-27, and with it the passport Request-Key: the current guides issue it for resident and driver results only (docs/emulated-api.md, "Responses"; ${DOC.dated}). The passport is still read (id-card/passport). Where the target cannot be told to read a passport and reads another type, there is nothing to check and the case skips.`,
    basis: 'documented',
    async run(ctx) {
      const reading = await readIdCard(ctx, 'passport');
      if (reading.idType !== 'passport') ctx.skip(`the passport image was read as ${String(reading.idType)}: nothing to check`);
      ctx.check(
        reading.answer.requestKey === undefined,
        `/id-card answered a passport with a Request-Key header ${JSON.stringify(reading.answer.requestKey)} (withdrawn 2026-05-27: ${DOC.dated})`,
      );
    },
  },
  {
    id: 'request-key/absent-on-stand-alone',
    title: 'Stand-alone never sends a Request-Key',
    description: `"It does not contain the Request-Key required for authenticity verification" (${DOC.guide}, ID Card Analysis API (Stand alone), "Differences").`,
    basis: 'documented',
    async run(ctx) {
      const reading = await readIdCard(ctx, 'resident', { endpoint: 'stand-alone' });
      ctx.check(reading.answer.requestKey === undefined, `stand-alone answered a Request-Key header ${JSON.stringify(reading.answer.requestKey)}`);
    },
  },
  {
    id: 'request-key/single-use',
    title: 'A Request-Key cannot be used again after a successful authenticity answer',
    description: `"If you use the Request-Key to make a Authenticity API call and get a normal response, the Request-Key used cannot be reused" (${DOC.guide}); the second call answers 4000122 "Request Key is invalid or expired." (${DOC.errors}).`,
    basis: 'documented',
    covers: ['request-key'],
    async run(ctx) {
      const { reading, requestKey } = await issueRequestKey(ctx, 'resident');
      const fields = authenticityFields(reading);
      const first = await sendAuthenticity(ctx, requestKey, fields);
      ctx.expectSuccess('first', first);
      // Sent even after a false answer: a used key is refused before any data is compared.
      const again = await ctx.client.authenticity(requestKey, fields);
      ctx.expectCode('again', again, 4000122);
    },
  },
  {
    id: 'request-key/unknown',
    title: 'An unknown Request-Key answers 4000122',
    description: `A Request-Key the service never issued answers 4000122 (${DOC.errors}: AUTHENTICITY_REQUEST_KEY_INVALID "Request Key is invalid or expired."; the condition is row "Request-Key unknown" of ${DOC.table}).`,
    basis: 'reading',
    covers: ['request-key'],
    async run(ctx) {
      const answer = await ctx.client.authenticity(unknownRequestKey(), {
        idType: 'resident',
        name: '홍길동',
        residentNumber: '9001011234567',
        issueDate: '20200102',
      });
      ctx.expectCode('answer', answer, 4000122);
    },
  },
  {
    id: 'request-key/missing',
    title: 'Authenticity without a Request-Key answers 4000005',
    description: `Request-Key is a request header of the authenticity call (${DOC.guide}, Verify Authenticity API [Request Header]); missing, it answers 4000005 (${DOC.table}, row "X-Key-Version, Symmetric-Key (or on authenticity Request-Key) missing").`,
    basis: 'reading',
    covers: ['envelope-header-missing'],
    async run(ctx) {
      const answer = await ctx.client.authenticity(null, { idType: 'resident', name: '홍길동', residentNumber: '9001011234567', issueDate: '20200102' });
      ctx.expectCode('answer', answer, 4000005);
    },
  },
  {
    id: 'request-key/kept-after-a-failed-call',
    title: 'A failed authenticity call does not use up the Request-Key',
    description: `Only "a normal response" makes a Request-Key unusable (${DOC.guide}, ID Card Analysis API [Response Header]); after a 4000001 for a missing field the same key still works. That a failure leaves the key intact is this project's reading of "normal response".`,
    basis: 'reading',
    async run(ctx) {
      const { reading, requestKey } = await issueRequestKey(ctx, 'resident');
      const fields = authenticityFields(reading);
      const withoutName = Object.fromEntries(Object.entries(fields).filter(([name]) => name !== 'name'));
      ctx.expectCode('failed', await sendAuthenticity(ctx, requestKey, withoutName), 4000001);
      ctx.expectSuccess('retried', await sendAuthenticity(ctx, requestKey, fields));
    },
  },
  {
    id: 'request-key/valid-within-the-hour',
    title: 'A Request-Key still works 59 minutes after issue',
    description: `"Request-Key is valid for 1 hour after issuance" (${DOC.guide}); the emulator's clock is moved 3540 s forward.`,
    basis: 'documented',
    needs: ['emulator-control'],
    async run(ctx) {
      const { reading, requestKey } = await issueRequestKey(ctx, 'resident');
      await ctx.control.advanceClock(3540);
      ctx.expectSuccess('authenticity', await sendAuthenticity(ctx, requestKey, authenticityFields(reading)));
    },
  },
  {
    id: 'request-key/expired-after-an-hour',
    title: 'A Request-Key is refused after an hour',
    description: `"Request-Key is valid for 1 hour after issuance and cannot be used after that" (${DOC.guide}); after 3601 s: 4000122 "Request Key is invalid or expired." (${DOC.errors}).`,
    basis: 'documented',
    needs: ['emulator-control'],
    covers: ['request-key'],
    async run(ctx) {
      const { reading, requestKey } = await issueRequestKey(ctx, 'resident');
      await ctx.control.advanceClock(3601);
      ctx.expectCode('authenticity', await sendAuthenticity(ctx, requestKey, authenticityFields(reading)), 4000122);
    },
  },
  {
    id: 'request-key/other-appkey',
    title: 'Another app key cannot use a Request-Key',
    description: `A Request-Key issued to one appKey answers 4000122 for another (${DOC.table}, row "Request-Key ... issued to another appKey").`,
    basis: 'reading',
    needs: ['second-appkey'],
    covers: ['request-key'],
    async run(ctx) {
      const { reading, requestKey } = await issueRequestKey(ctx, 'resident');
      const answer = await sendAuthenticity(ctx, requestKey, authenticityFields(reading), ctx.secondClient!);
      ctx.expectCode('other-appkey', answer, 4000122);
    },
  },
]);
