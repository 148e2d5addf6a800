/**
 * v2.1 and its token (docs/emulated-api.md, "v2.1 and the token issuer" and "The
 * token issuer"; TOAST-DOCS/OCR en/document-ocr-api-guide-v2.1.md): the issuer's answers and
 * errors, and what the five operations answer to a missing, garbage, revoked, expired or
 * unauthorised token. Every case here runs under v2.1 only; the operations themselves run
 * under v2.1 as the other case files' cases (`--api v2.1` or `both`).
 */
import { basicCredentials, type TokenIssuerOptions } from '../client/index.js';
import { defineCases, Divergence, type Answer, type CaseContext } from '../lib/case.js';
import { DOC } from './support.js';

const V21 = ['v2.1'] as const;
const TOKEN_HEADER = 'X-NHN-Authorization';

/** The run's issuer (v2.1 runs always have one). */
function issuerOf(ctx: CaseContext): TokenIssuerOptions {
  return ctx.issuer ?? ctx.fail('a v2.1 case ran without a token issuer');
}

/** An answer of the issuer: the body parsed when it is JSON, else its text. */
async function callIssuer(
  ctx: CaseContext,
  path: '/oauth2/token/create' | '/oauth2/token/revoke',
  request: { authorization?: string | null; contentType?: string; body: string },
): Promise<Answer & { text: string }> {
  const issuer = issuerOf(ctx);
  const headers: Record<string, string> = { 'Content-Type': request.contentType ?? 'application/x-www-form-urlencoded' };
  const authorization = request.authorization === undefined ? basicCredentials(issuer.userAccessKeyId, issuer.secretAccessKey) : request.authorization;
  if (authorization !== null) headers['Authorization'] = authorization;
  const response = await ctx.fetch(`${issuer.oauthBaseUrl.replace(/\/+$/, '')}${path}`, { method: 'POST', headers, body: request.body });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = text === '' ? '' : JSON.parse(text);
  } catch {
    // left as text; the case says what it expected
  }
  return { status: response.status, headers: response.headers, body, text };
}

/** A new token straight from the issuer (not the client's own), checked to be one. */
async function freshToken(ctx: CaseContext, label = 'create'): Promise<string> {
  const answer = await callIssuer(ctx, '/oauth2/token/create', { body: 'grant_type=client_credentials' });
  ctx.observe(label, answer);
  const token = (answer.body as { access_token?: unknown } | null)?.access_token;
  if (answer.status !== 200 || typeof token !== 'string' || token === '') {
    ctx.fail(`token/create answered HTTP ${answer.status} ${answer.text.slice(0, 200)}; expected 200 with an access_token (${DOC.issuer})`);
  }
  return token;
}

/** In a reading case, another answer of the issuer is a divergence (what the emulator must learn). */
function diverge(ctx: CaseContext, expected: string, actual: string, request: string): void {
  if (ctx.basis === 'reading') throw new Divergence(`expected ${expected}, got ${actual}`, expected, actual, request);
}

/** Asserts an RFC 6749 section 5.2 error answer. */
function expectIssuerError(ctx: CaseContext, label: string, answer: Answer & { text: string }, status: number, error: string): void {
  ctx.observe(label, answer);
  const body = answer.body as { error?: unknown; error_description?: unknown } | null;
  if (answer.status !== status || body?.error !== error) {
    const got = `HTTP ${answer.status} ${answer.text.slice(0, 160)}`;
    diverge(ctx, `HTTP ${status} {"error":"${error}"}`, got, 'POST /oauth2/token/create');
    ctx.fail(`expected HTTP ${status} {"error":"${error}"} (RFC 6749 section 5.2; ${DOC.issuer}), got ${got}`);
  }
  ctx.check(
    (answer.headers.get('content-type') ?? '').toLowerCase().startsWith('application/json'),
    `the error answer's Content-Type is ${JSON.stringify(answer.headers.get('content-type'))}, not application/json (RFC 6749 section 5.2)`,
  );
  ctx.check(
    body?.error_description === undefined || typeof body.error_description === 'string',
    `error_description is ${JSON.stringify(body?.error_description)}, not a string`,
  );
}

/** A public-key call (the cheapest operation) with exactly these headers. */
function publicKeyWith(ctx: CaseContext, headers: Record<string, string>, appKey = ctx.target.appKey) {
  return ctx.client.raw({ method: 'GET', path: ctx.client.apiPath('public-keys/credit-card', appKey), headers });
}

const bearer = (token: string) => ({ [TOKEN_HEADER]: `Bearer ${token}` });
const GARBAGE = () => `not-a-token-${Math.random().toString(36).slice(2)}`;

export const TOKEN_CASES = defineCases([
  {
    id: 'token/issue',
    title: 'The issuer gives a Bearer token for client_credentials',
    description: `POST /oauth2/token/create with Basic authentication (UserAccessKeyID:SecretAccessKey) and grant_type=client_credentials answers HTTP 200 {"access_token":"<opaque string>","token_type":"Bearer","expires_in":86400} (${DOC.issuer}).`,
    basis: 'documented',
    apis: V21,
    async run(ctx) {
      const answer = await callIssuer(ctx, '/oauth2/token/create', { body: 'grant_type=client_credentials' });
      ctx.observe('create', answer);
      if (answer.status !== 200) ctx.fail(`token/create answered HTTP ${answer.status} ${answer.text.slice(0, 200)}, expected 200 (${DOC.issuer})`);
      if (answer.body === null || typeof answer.body !== 'object')
        return ctx.fail(`token/create answered ${JSON.stringify(answer.text.slice(0, 120))}, not a JSON object`);
      const body = answer.body as Record<string, unknown>;
      ctx.check(
        (answer.headers.get('content-type') ?? '').toLowerCase().startsWith('application/json'),
        `Content-Type ${JSON.stringify(answer.headers.get('content-type'))}, not application/json`,
      );
      ctx.check(
        typeof body['access_token'] === 'string' && body['access_token'] !== '',
        `access_token is ${JSON.stringify(body['access_token'])}, not a non-empty string`,
      );
      ctx.check(
        typeof body['token_type'] === 'string' && body['token_type'].toLowerCase() === 'bearer',
        `token_type is ${JSON.stringify(body['token_type'])}, expected "Bearer"`,
      );
      ctx.check('expires_in' in body, 'no expires_in: a client cannot tell when to renew');
    },
  },
  {
    id: 'token/expires-in-number',
    title: 'expires_in is a JSON number of seconds',
    description: `The page's table calls expires_in a String, its example shows the number 86400, and the example is what clients parse (${DOC.issuer}); validity is 60..86,400 s. A client that reads a number (Spring's examples) breaks on "86400".`,
    basis: 'documented',
    apis: V21,
    async run(ctx) {
      const answer = await callIssuer(ctx, '/oauth2/token/create', { body: 'grant_type=client_credentials' });
      ctx.observe('create', answer);
      const expiresIn = (answer.body as { expires_in?: unknown } | null)?.expires_in;
      if (typeof expiresIn !== 'number')
        return ctx.fail(
          `expires_in is ${JSON.stringify(expiresIn)}, a ${typeof expiresIn}; expected a JSON number (the page's example: "expires_in":86400; ${DOC.issuer})`,
        );
      ctx.check(
        Number.isInteger(expiresIn) && expiresIn >= 60 && expiresIn <= 86_400,
        `expires_in ${expiresIn} is not a whole number of seconds in 60..86400 (${DOC.issuer})`,
      );
    },
  },
  {
    id: 'token/bad-client-credentials',
    title: 'Wrong or missing client credentials answer HTTP 401 invalid_client',
    description: `Client authentication failure answers HTTP 401 {"error":"invalid_client"} with WWW-Authenticate: Basic (RFC 6749 section 5.2, which the issuer follows: ${DOC.issuer}). Sent: the right id with a wrong secret, then no Authorization at all.`,
    basis: 'documented',
    apis: V21,
    covers: ['issuer-client'],
    async run(ctx) {
      const issuer = issuerOf(ctx);
      for (const [label, authorization] of [
        ['wrong-secret', basicCredentials(issuer.userAccessKeyId, `${issuer.secretAccessKey}-wrong`)],
        ['no-credentials', null],
      ] as const) {
        const answer = await callIssuer(ctx, '/oauth2/token/create', { authorization, body: 'grant_type=client_credentials' });
        expectIssuerError(ctx, label, answer, 401, 'invalid_client');
        const challenge = answer.headers.get('www-authenticate') ?? '';
        ctx.check(
          /^basic\b/i.test(challenge),
          `${label}: WWW-Authenticate is ${JSON.stringify(answer.headers.get('www-authenticate'))}, expected a Basic challenge (RFC 6749 section 5.2)`,
        );
      }
    },
  },
  {
    id: 'token/unsupported-grant',
    title: 'A grant type other than client_credentials answers HTTP 400 unsupported_grant_type',
    description: `client_credentials is the only grant (${DOC.issuer}); grant_type=password answers HTTP 400 {"error":"unsupported_grant_type"} (RFC 6749 section 5.2).`,
    basis: 'documented',
    apis: V21,
    covers: ['issuer-grant'],
    async run(ctx) {
      const answer = await callIssuer(ctx, '/oauth2/token/create', { body: 'grant_type=password&username=a&password=b' });
      expectIssuerError(ctx, 'answer', answer, 400, 'unsupported_grant_type');
    },
  },
  {
    id: 'token/missing-grant-type',
    title: 'A form without grant_type answers HTTP 400 invalid_request',
    description: `grant_type is required (${DOC.issuer}); without it RFC 6749 section 5.2 answers HTTP 400 {"error":"invalid_request"}. That the issuer picks invalid_request rather than another error is this project's reading.`,
    basis: 'reading',
    apis: V21,
    covers: ['issuer-request'],
    async run(ctx) {
      const answer = await callIssuer(ctx, '/oauth2/token/create', { body: 'scope=ocr' });
      expectIssuerError(ctx, 'answer', answer, 400, 'invalid_request');
    },
  },
  {
    id: 'token/revoke-unknown',
    title: 'Revoking a token the issuer never gave answers HTTP 200',
    description: `POST /oauth2/token/revoke answers HTTP 200 (${DOC.issuer}); for an unknown token too, as RFC 7009 section 2.2 has it ("invalid tokens do not cause an error response"): this project's reading.`,
    basis: 'reading',
    apis: V21,
    async run(ctx) {
      const answer = await callIssuer(ctx, '/oauth2/token/revoke', { body: `token=${GARBAGE()}` });
      ctx.observe('revoke', answer);
      if (answer.status !== 200) diverge(ctx, 'HTTP 200', `HTTP ${answer.status} ${answer.text.slice(0, 160)}`, 'POST /oauth2/token/revoke');
    },
  },
  {
    id: 'token/missing-header',
    title: 'A v2.1 call without X-NHN-Authorization answers 4000005',
    description: `Every v2.1 operation takes X-NHN-Authorization: Bearer {token} (${DOC.guide21}, [Request Header]); missing, 4000005 Required headers is missing., as a missing Authorization on v2.0 (${DOC.v21}, "Reading adopted here").`,
    basis: 'reading',
    apis: V21,
    covers: ['token-header-missing'],
    async run(ctx) {
      ctx.expectCode('answer', await publicKeyWith(ctx, {}), 4000005);
    },
  },
  {
    id: 'token/secret-key-ignored',
    title: 'v2.1 does not take the v2.0 Authorization: {secretKey}',
    description: `On v2.1 X-NHN-Authorization replaces Authorization: {secretKey} (${DOC.v21}); a call carrying only an Authorization header has no token header: 4000005 (${DOC.v21}, "Reading adopted here").`,
    basis: 'reading',
    apis: V21,
    covers: ['token-header-missing'],
    async run(ctx) {
      ctx.expectCode('answer', await publicKeyWith(ctx, { Authorization: 'a-v2.0-secret-key' }), 4000005);
    },
  },
  {
    id: 'token/not-bearer',
    title: 'X-NHN-Authorization without "Bearer <token>" answers 4000005',
    description: `The header is "Bearer {token}" (${DOC.guide21}); one that is not of the form "Bearer x" counts as missing: 4000005 (${DOC.v21}, "Reading adopted here"). Sent: Basic credentials, as a client that confused the two headers sends them, then "Bearer " with nothing after it.`,
    basis: 'reading',
    apis: V21,
    covers: ['token-header-missing'],
    async run(ctx) {
      // Made-up credentials: the real secret access key is for the issuer's eyes only.
      ctx.expectCode('basic', await publicKeyWith(ctx, { [TOKEN_HEADER]: basicCredentials('a-user-access-key-id', 'a-secret-access-key') }), 4000005);
      ctx.expectCode('empty', await publicKeyWith(ctx, { [TOKEN_HEADER]: 'Bearer ' }), 4000005);
    },
  },
  {
    id: 'token/missing-header-first',
    title: 'A missing token is reported before an unknown app key',
    description: `Checks run in order, the first that applies answers (${DOC.v21}, "Reading adopted here"): no X-NHN-Authorization (4000005) wins over an app key the token may not use (4010007).`,
    basis: 'reading',
    apis: V21,
    covers: ['token-header-missing'],
    async run(ctx) {
      ctx.expectCode('answer', await publicKeyWith(ctx, {}, 'no-such-appkey-0000'), 4000005);
    },
  },
  {
    id: 'token/garbage-token',
    title: 'A token the issuer never gave answers 4010006',
    description: `4010006 Invalid token. (${DOC.guide21}, common error table; ${DOC.errors}) for an unknown or malformed token (${DOC.v21}, "Reading adopted here").`,
    basis: 'reading',
    apis: V21,
    covers: ['token-invalid'],
    async run(ctx) {
      ctx.expectCode('answer', await publicKeyWith(ctx, bearer(GARBAGE())), 4010006);
    },
  },
  {
    id: 'token/revoked-token',
    title: 'A revoked token answers 4010006',
    description: `After POST /oauth2/token/revoke "the token is invalid from then on" (${DOC.issuer}); a call with it answers 4010006 Invalid token. (${DOC.v21}, "Reading adopted here": unknown, malformed, expired or revoked). The token works before the revoke.`,
    basis: 'reading',
    apis: V21,
    covers: ['token-invalid'],
    async run(ctx) {
      const token = await freshToken(ctx);
      ctx.expectSuccess('before', await publicKeyWith(ctx, bearer(token)));
      const revoke = await callIssuer(ctx, '/oauth2/token/revoke', { body: `token=${encodeURIComponent(token)}` });
      ctx.observe('revoke', revoke);
      if (revoke.status !== 200) ctx.fail(`token/revoke answered HTTP ${revoke.status} ${revoke.text.slice(0, 160)}, expected 200 (${DOC.issuer})`);
      ctx.expectCode('after', await publicKeyWith(ctx, bearer(token)), 4010006);
    },
  },
  {
    id: 'token/expired',
    title: 'A token answers 4010006 once expires_in has passed, and the client kit renews it',
    description: `A token is valid for expires_in seconds (at most 86,400: ${DOC.issuer}); the emulator's clock moved 86,401 s forward, the token answers 4010006 Invalid token. (${DOC.v21}, "Reading adopted here": expired). The client kit then renews its own token and repeats the call once: the next call succeeds.`,
    basis: 'reading',
    apis: V21,
    needs: ['emulator-control'],
    covers: ['token-invalid'],
    async run(ctx) {
      const token = (await ctx.client.token()).accessToken;
      await ctx.control.advanceClock(86_401);
      ctx.expectCode('expired', await publicKeyWith(ctx, bearer(token)), 4010006);
      ctx.expectSuccess('renewed', await ctx.client.fetchPublicKey('credit-card'));
      ctx.check(ctx.client.currentToken()?.accessToken !== token, 'the client kit kept the expired token');
    },
  },
  {
    id: 'token/unknown-appkey',
    title: 'A valid token on an app key nobody has answers 4010007',
    description: `4010007 Permission denied. (${DOC.guide21}, common error table; ${DOC.errors}) when the token's User Access Key may not use the app key in the path, including one that does not exist (${DOC.v21}, "Reading adopted here").`,
    basis: 'reading',
    apis: V21,
    covers: ['token-permission'],
    async run(ctx) {
      ctx.expectCode('answer', await publicKeyWith(ctx, await ctx.client.authHeaders(), 'no-such-appkey-0000'), 4010007);
    },
  },
  {
    id: 'token/restricted-key',
    title: 'A User Access Key that may not use the app key answers 4010007',
    description: `A token valid at the issuer, of a User Access Key without permission on the run's app key, answers 4010007 Permission denied. (${DOC.v21}, "Reading adopted here"). Needs such a key: OCR_USER_ACCESS_KEY_ID2/OCR_SECRET_ACCESS_KEY2, or the spawned emulator's restricted key.`,
    basis: 'reading',
    apis: V21,
    needs: ['restricted-key'],
    covers: ['token-permission'],
    async run(ctx) {
      const restricted = ctx.restrictedClient!;
      const answer = await restricted.raw({ method: 'GET', path: restricted.apiPath('public-keys/credit-card'), headers: await restricted.authHeaders() });
      ctx.expectCode('answer', answer, 4010007);
    },
  },
  {
    id: 'token/v20-ignores-token',
    title: 'v2.0 does not take a token',
    description: `v2.0 authenticates with Authorization: {secretKey} (${DOC.guide}, [Request Header]); X-NHN-Authorization is ignored there, so a v2.0 call carrying only a token has no Authorization: 4000005 (${DOC.table}, row 2; ${DOC.v21}).`,
    basis: 'reading',
    apis: V21,
    covers: ['authorization-missing'],
    async run(ctx) {
      const path = `/v2.0/appkeys/${encodeURIComponent(ctx.target.appKey)}/public-keys/credit-card`;
      ctx.expectCode('answer', await ctx.client.raw({ method: 'GET', path, headers: await ctx.client.authHeaders() }), 4000005);
    },
  },
]);
