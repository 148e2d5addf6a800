import { describe, expect, it } from 'vitest';
import { OAuthError, OcrError } from './errors.js';
import { seededRandom } from './random.js';
import { MemoryTokenStore } from './stores/memory-tokens.js';
import { basicCredentials, TokenIssuer } from './token-issuer.js';

const keys = new Map([
  ['id', { id: 'id', secret: 'secret' }],
  ['narrow', { id: 'narrow', secret: 's2', appKeys: ['b'] }],
]);
const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
const grant = { grant_type: 'client_credentials' };

/** The issuer with a clock to move and the appKeys a and b known. */
function issuer(maxTokens?: number) {
  let now = Date.UTC(2026, 11, 1);
  const store = new MemoryTokenStore(maxTokens);
  const issuer = new TokenIssuer({ keys, store, random: seededRandom('tokens'), ttlSeconds: 60 });
  const tokens = {
    create: async (authorization: string | undefined, form: Parameters<TokenIssuer['create']>[1]) => issuer.create(authorization, form, now),
    revoke: (authorization: string | undefined, form: Parameters<TokenIssuer['revoke']>[1]) => issuer.revoke(authorization, form),
    verify: (token: string, appKey: string) => issuer.verify(token, appKey, now, ['a', 'b'].includes(appKey)),
    size: () => store.size(),
  };
  return { tokens, clock: { advance: (ms: number) => (now += ms) } };
}

async function codeOf(run: () => Promise<unknown>): Promise<number | string> {
  try {
    await run();
    return 0;
  } catch (error) {
    if (error instanceof OcrError) return error.code;
    if (error instanceof OAuthError) return `${error.status} ${error.code}`;
    throw error;
  }
}

describe('TokenIssuer', () => {
  it('verifies its tokens until they expire on its clock', async () => {
    const { tokens, clock } = issuer();
    const { access_token, expires_in } = await tokens.create(basic('id', 'secret'), grant);
    expect(expires_in).toBe(60);
    expect(await codeOf(() => tokens.verify(access_token, 'a'))).toBe(0);
    clock.advance(59_999);
    expect(await codeOf(() => tokens.verify(access_token, 'a'))).toBe(0);
    clock.advance(1);
    expect(await codeOf(() => tokens.verify(access_token, 'a'))).toBe(4010006);
  });

  it('refuses a restricted key on other appKeys (4010007) and unknown appKeys for everyone', async () => {
    const { tokens } = issuer();
    const narrow = (await tokens.create(basic('narrow', 's2'), grant)).access_token;
    expect(await codeOf(() => tokens.verify(narrow, 'b'))).toBe(0);
    expect(await codeOf(() => tokens.verify(narrow, 'a'))).toBe(4010007);
    const wide = (await tokens.create(basic('id', 'secret'), grant)).access_token;
    expect(await codeOf(() => tokens.verify(wide, 'zzz'))).toBe(4010007);
  });

  it('forgets the oldest token past its bound; a forgotten token answers 4010006', async () => {
    const { tokens } = issuer(3);
    const made: string[] = [];
    for (let i = 0; i < 4; i++) made.push((await tokens.create(basic('id', 'secret'), grant)).access_token);
    expect(await tokens.size()).toBe(3);
    expect(await codeOf(() => tokens.verify(made[0]!, 'a'))).toBe(4010006);
    expect(await codeOf(() => tokens.verify(made[3]!, 'a'))).toBe(0);
  });

  it('purges expired tokens when new ones are made', async () => {
    const { tokens, clock } = issuer();
    for (let i = 0; i < 5; i++) await tokens.create(basic('id', 'secret'), grant);
    clock.advance(61_000);
    await tokens.create(basic('id', 'secret'), grant);
    expect(await tokens.size()).toBe(1);
  });

  it('answers the RFC 6749 errors in the order client, form, grant', async () => {
    const { tokens } = issuer();
    expect(await codeOf(() => tokens.create(undefined, grant))).toBe('401 invalid_client');
    expect(await codeOf(() => tokens.create(basic('id', 'nope'), { grant_type: 'password' }))).toBe('401 invalid_client');
    expect(await codeOf(() => tokens.create(basic('id', 'secret'), undefined))).toBe('400 invalid_request');
    expect(await codeOf(() => tokens.create(basic('id', 'secret'), {}))).toBe('400 invalid_request');
    expect(await codeOf(() => tokens.create(basic('id', 'secret'), { grant_type: 'password' }))).toBe('400 unsupported_grant_type');
  });

  it("revokes only the caller key's tokens", async () => {
    const { tokens } = issuer();
    const mine = (await tokens.create(basic('id', 'secret'), grant)).access_token;
    await tokens.revoke(basic('narrow', 's2'), { token: mine });
    expect(await codeOf(() => tokens.verify(mine, 'a'))).toBe(0);
    await tokens.revoke(basic('id', 'secret'), { token: mine });
    expect(await codeOf(() => tokens.verify(mine, 'a'))).toBe(4010006);
  });
});

describe('basicCredentials', () => {
  it('splits at the first colon and refuses what is not Basic base64(id:secret)', () => {
    expect(basicCredentials(basic('id', 'a:b'))).toEqual({ id: 'id', secret: 'a:b' });
    expect(basicCredentials(`basic ${Buffer.from('x:y').toString('base64')}`)).toEqual({ id: 'x', secret: 'y' });
    expect(basicCredentials('Basic !!!')).toBeUndefined();
    expect(basicCredentials(basic('', 'secret'))).toBeUndefined();
    expect(basicCredentials(undefined)).toBeUndefined();
  });
});
