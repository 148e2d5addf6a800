import { describe, expect, it } from 'vitest';
import { AdjustableClock } from './clock.js';
import { OAuthError, OcrError } from './errors.js';
import { seededRandom } from './random.js';
import { basicCredentials, TokenIssuer } from './token-issuer.js';

const keys = new Map([
  ['id', { id: 'id', secret: 'secret' }],
  ['narrow', { id: 'narrow', secret: 's2', appKeys: ['b'] }],
]);
const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
const grant = { grant_type: 'client_credentials' };

function issuer(maxTokens?: number) {
  const clock = new AdjustableClock(() => Date.UTC(2026, 11, 1));
  const tokens = new TokenIssuer({ keys, appKeys: new Set(['a', 'b']), random: seededRandom('tokens'), clock, ttlSeconds: 60, ...(maxTokens ? { maxTokens } : {}) });
  return { tokens, clock };
}

function codeOf(run: () => void): number | string {
  try {
    run();
    return 0;
  } catch (error) {
    if (error instanceof OcrError) return error.code;
    if (error instanceof OAuthError) return `${error.status} ${error.code}`;
    throw error;
  }
}

describe('TokenIssuer', () => {
  it('verifies its tokens until they expire on its clock', () => {
    const { tokens, clock } = issuer();
    const { access_token, expires_in } = tokens.create(basic('id', 'secret'), grant);
    expect(expires_in).toBe(60);
    expect(codeOf(() => tokens.verify(access_token, 'a'))).toBe(0);
    clock.advance(59_999);
    expect(codeOf(() => tokens.verify(access_token, 'a'))).toBe(0);
    clock.advance(1);
    expect(codeOf(() => tokens.verify(access_token, 'a'))).toBe(4010006);
  });

  it('refuses a restricted key on other appKeys (4010007) and unknown appKeys for everyone', () => {
    const { tokens } = issuer();
    const narrow = tokens.create(basic('narrow', 's2'), grant).access_token;
    expect(codeOf(() => tokens.verify(narrow, 'b'))).toBe(0);
    expect(codeOf(() => tokens.verify(narrow, 'a'))).toBe(4010007);
    const wide = tokens.create(basic('id', 'secret'), grant).access_token;
    expect(codeOf(() => tokens.verify(wide, 'zzz'))).toBe(4010007);
  });

  it('forgets the oldest token past its bound; a forgotten token answers 4010006', () => {
    const { tokens } = issuer(3);
    const made = Array.from({ length: 4 }, () => tokens.create(basic('id', 'secret'), grant).access_token);
    expect(tokens.size).toBe(3);
    expect(codeOf(() => tokens.verify(made[0]!, 'a'))).toBe(4010006);
    expect(codeOf(() => tokens.verify(made[3]!, 'a'))).toBe(0);
  });

  it('purges expired tokens when new ones are made', () => {
    const { tokens, clock } = issuer();
    for (let i = 0; i < 5; i++) tokens.create(basic('id', 'secret'), grant);
    clock.advance(61_000);
    tokens.create(basic('id', 'secret'), grant);
    expect(tokens.size).toBe(1);
  });

  it('answers the RFC 6749 errors in the order client, form, grant', () => {
    const { tokens } = issuer();
    expect(codeOf(() => tokens.create(undefined, grant))).toBe('401 invalid_client');
    expect(codeOf(() => tokens.create(basic('id', 'nope'), { grant_type: 'password' }))).toBe('401 invalid_client');
    expect(codeOf(() => tokens.create(basic('id', 'secret'), undefined))).toBe('400 invalid_request');
    expect(codeOf(() => tokens.create(basic('id', 'secret'), {}))).toBe('400 invalid_request');
    expect(codeOf(() => tokens.create(basic('id', 'secret'), { grant_type: 'password' }))).toBe('400 unsupported_grant_type');
  });

  it("revokes only the caller key's tokens", () => {
    const { tokens } = issuer();
    const mine = tokens.create(basic('id', 'secret'), grant).access_token;
    tokens.revoke(basic('narrow', 's2'), { token: mine });
    expect(codeOf(() => tokens.verify(mine, 'a'))).toBe(0);
    tokens.revoke(basic('id', 'secret'), { token: mine });
    expect(codeOf(() => tokens.verify(mine, 'a'))).toBe(4010006);
  });
});

describe('basicCredentials', () => {
  it('splits at the first colon and refuses what is not Basic base64(id:secret)', () => {
    expect(basicCredentials(basic('id', 'a:b'))).toEqual({ id: 'id', secret: 'a:b' });
    expect(basicCredentials('basic ' + Buffer.from('x:y').toString('base64'))).toEqual({ id: 'x', secret: 'y' });
    expect(basicCredentials('Basic !!!')).toBeUndefined();
    expect(basicCredentials(basic('', 'secret'))).toBeUndefined();
    expect(basicCredentials(undefined)).toBeUndefined();
  });
});
