/**
 * Paths, methods and credentials: the first three rows of the condition-to-code table
 * (docs/emulated-api.md, "Which condition gets which code"), checked before anything else. The
 * credential rows are v2.0's (`Authorization: {secretKey}`); v2.1's token rows are in token.ts.
 */
import { defineCases, type CaseContext } from '../lib/case.js';
import { apiPath, DOC, envelopeFor } from './support.js';

/** The secret key of a v2.0 run's client. */
function v20SecretKey(ctx: CaseContext): string {
  const options = ctx.client.options;
  return 'secretKey' in options ? options.secretKey : ctx.fail('a v2.0 case ran with a v2.1 client');
}

export const ROUTING_CASES = defineCases([
  {
    id: 'routing/unknown-path',
    title: 'An unknown path answers 4041007 on HTTP 200',
    description: `A path that is none of the five operations answers HTTP 200 with 4041007 URL Not Found (${DOC.table}, first row; code and message from ${DOC.errors}).`,
    basis: 'reading',
    covers: ['route'],
    async run(ctx) {
      const answer = await ctx.client.raw({ method: 'GET', path: apiPath(ctx, 'no-such-operation'), headers: await ctx.client.authHeaders() });
      ctx.expectCode('answer', answer, 4041007);
    },
  },
  {
    id: 'routing/wrong-method',
    title: 'GET on the credit-card path answers 4041007',
    description: `The credit-card operation is POST only (${DOC.guide}, Credit Card API [URI]); another method is "path or method not one of the five" (${DOC.table}).`,
    basis: 'reading',
    covers: ['route'],
    async run(ctx) {
      const answer = await ctx.client.raw({ method: 'GET', path: apiPath(ctx, 'credit-card'), headers: await ctx.client.authHeaders() });
      ctx.expectCode('answer', answer, 4041007);
    },
  },
  {
    id: 'auth/missing-authorization',
    title: 'No Authorization header answers 4000005',
    description: `Authorization: {secretKey} is required on every call (${DOC.guide}, [Request Header]); without it 4000005 Required headers is missing (${DOC.table}, row 2).`,
    basis: 'reading',
    apis: ['v2.0'],
    covers: ['authorization-missing'],
    async run(ctx) {
      const answer = await ctx.client.raw({ method: 'GET', path: apiPath(ctx, 'public-keys/credit-card') });
      ctx.expectCode('answer', answer, 4000005);
    },
  },
  {
    id: 'auth/missing-authorization-first',
    title: 'A missing Authorization is reported before an unknown app key',
    description: `Rows are checked in order, the first that applies answers (${DOC.table}): no Authorization (row 2) wins over an unknown appKey (row 3).`,
    basis: 'reading',
    apis: ['v2.0'],
    covers: ['authorization-missing'],
    async run(ctx) {
      const answer = await ctx.client.raw({ method: 'POST', path: apiPath(ctx, 'credit-card', 'no-such-appkey-0000'), multipart: { image: Buffer.alloc(16) } });
      ctx.expectCode('answer', answer, 4000005);
    },
  },
  {
    id: 'auth/wrong-secret-key',
    title: 'A wrong secret key answers 4010001',
    description: `4010001 Invalid appKey or secretKey (${DOC.errors}) when Authorization is not the app key's secret key (${DOC.table}, row 3).`,
    basis: 'reading',
    apis: ['v2.0'],
    covers: ['credentials'],
    async run(ctx) {
      const answer = await ctx.client.raw({
        method: 'GET',
        path: apiPath(ctx, 'public-keys/credit-card'),
        headers: { Authorization: `${v20SecretKey(ctx)}-wrong` },
      });
      ctx.expectCode('answer', answer, 4010001);
    },
  },
  {
    id: 'auth/unknown-appkey',
    title: 'An unknown app key answers 4010001, before any envelope check',
    description: `An appKey the service does not know answers 4010001 (${DOC.table}, row 3), ahead of the envelope rows: here the envelope is for another app key.`,
    basis: 'reading',
    apis: ['v2.0'],
    covers: ['credentials'],
    async run(ctx) {
      const { headers } = await envelopeFor(ctx, 'credit-card');
      const answer = await ctx.client.raw({
        method: 'POST',
        path: apiPath(ctx, 'credit-card', 'no-such-appkey-0000'),
        headers,
        multipart: { image: Buffer.alloc(16) },
      });
      ctx.expectCode('answer', answer, 4010001);
    },
  },
]);
