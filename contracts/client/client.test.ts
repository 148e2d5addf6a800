import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createOcrClient, type OcrClientOptions } from './client.js';
import { encryptValue } from './envelope.js';

describe('EnvelopeOptions.decrypt', () => {
  const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const key = randomBytes(32);
  const result = {
    fileType: 'jpg',
    resolution: 'normal',
    cardNums: [{ value: encryptValue(key, '4111'), conf: 0.9 }],
    totalCardNum: encryptValue(key, '4111'),
    cardNumBoxes: [],
    validThru: { value: encryptValue(key, '12/30'), conf: 0.9 },
    validThruBox: { x1: 0, y1: 0, x2: 1, y2: 0, x3: 1, y3: 1, x4: 0, y4: 1 },
  };
  const fakeFetch: typeof fetch = async (input) => {
    const url = String(input);
    const body = url.includes('/public-keys/')
      ? {
          header: { isSuccessful: true, resultCode: 0, resultMessage: 'SUCCESS' },
          result: { key: publicKey.export({ type: 'spki', format: 'der' }).toString('base64'), version: '0' },
        }
      : { header: { isSuccessful: true, resultCode: 0, resultMessage: 'SUCCESS' }, result };
    return new Response(JSON.stringify(body), { headers: { 'content-type': 'application/json' } });
  };
  const client = createOcrClient({ baseUrl: 'http://fake', appKey: 'a', secretKey: 's', fetch: fakeFetch });

  it('decrypts by default', async () => {
    const answer = await client.creditCard(Buffer.from('image'), { symmetricKey: key });
    expect(answer.result?.totalCardNum).toBe('4111');
    expect(answer.result?.validThru.value).toBe('12/30');
  });

  it('leaves values as sent with decrypt: false', async () => {
    const answer = await client.creditCard(Buffer.from('image'), { symmetricKey: key, decrypt: false });
    expect(answer.result?.totalCardNum).toBe(result.totalCardNum);
    expect(answer.symmetricKey).toBe(key);
  });
});

/** A fake service: an issuer and the API on one fetch, recording every request. */
const SERVICE_KEY = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey;
function fakeService(options: { expiresIn?: unknown; rejectTokens?: Set<string>; rejectAll?: boolean } = {}) {
  const publicKey = SERVICE_KEY;
  const requests: Array<{ method: string; url: string; headers: Headers; body: string }> = [];
  let issued = 0;
  const ok = (result: unknown) => ({ header: { isSuccessful: true, resultCode: 0, resultMessage: 'SUCCESS' }, result });
  const fetchFn: typeof fetch = async (input, init) => {
    const url = String(input);
    const headers = new Headers(init?.headers);
    const body = typeof init?.body === 'string' ? init.body : '';
    requests.push({ method: init?.method ?? 'GET', url, headers, body });
    const json = (value: unknown, status = 200) => new Response(JSON.stringify(value), { status, headers: { 'content-type': 'application/json' } });
    if (url.endsWith('/oauth2/token/create')) {
      if (headers.get('authorization') !== `Basic ${Buffer.from('uak:sak').toString('base64')}`)
        return json({ error: 'invalid_client', error_description: 'bad' }, 401);
      issued++;
      return json({
        access_token: `token-${issued}`,
        token_type: 'Bearer',
        ...('expiresIn' in options ? { expires_in: options.expiresIn } : { expires_in: 86400 }),
      });
    }
    if (url.endsWith('/oauth2/token/revoke')) return new Response('', { status: 200 });
    const bearer = headers.get('x-nhn-authorization')?.replace(/^Bearer /, '') ?? '';
    if (url.includes('/v2.1/') && (options.rejectAll || options.rejectTokens?.has(bearer))) {
      return json({ header: { isSuccessful: false, resultCode: 4010006, resultMessage: 'Invalid token.' } });
    }
    if (url.includes('/public-keys/')) return json(ok({ key: publicKey.export({ type: 'spki', format: 'der' }).toString('base64'), version: '0' }));
    return json(ok({ isAuthenticity: true }));
  };
  return {
    fetch: fetchFn,
    requests,
    api: () => requests.filter((r) => !r.url.includes('/oauth2/')),
    tokenCalls: () => requests.filter((r) => r.url.includes('/oauth2/')),
  };
}

describe('v2.0 requests', () => {
  it('carry Authorization: {secretKey} and no token header, on /v2.0 paths', async () => {
    const service = fakeService();
    const client = createOcrClient({ baseUrl: 'http://fake/', appKey: 'app key', secretKey: 's', fetch: service.fetch });
    expect(client.apiVersion).toBe('v2.0');
    await client.authenticity('rk', { idType: 'resident', name: 'n', residentNumber: '1', issueDate: '20200101' }, { scenario: 'x' });
    const [keyCall, call] = service.requests;
    expect(keyCall!.url).toBe('http://fake/v2.0/appkeys/app%20key/public-keys/id-card');
    expect([...keyCall!.headers.keys()]).toEqual(['authorization']);
    expect(call!.url).toBe('http://fake/v2.0/appkeys/app%20key/id-card/authenticity');
    expect([...call!.headers.keys()].sort()).toEqual(['authorization', 'content-type', 'request-key', 'symmetric-key', 'x-emulator-scenario', 'x-key-version']);
    expect(call!.headers.get('authorization')).toBe('s');
    expect(service.tokenCalls()).toEqual([]);
    await expect(client.token()).rejects.toThrow(/v2\.0 client/);
    expect(client.currentToken()).toBeUndefined();
  });
});

describe('v2.1 tokens', () => {
  const v21 = (service: ReturnType<typeof fakeService>, now = () => 0) =>
    createOcrClient({
      apiVersion: 'v2.1',
      baseUrl: 'http://api',
      oauthBaseUrl: 'http://oauth/',
      appKey: 'k',
      userAccessKeyId: 'uak',
      secretAccessKey: 'sak',
      fetch: service.fetch,
      now,
    });

  it('obtains a token with Basic auth and client_credentials, and sends it as X-NHN-Authorization on /v2.1 paths', async () => {
    const service = fakeService();
    const client = v21(service);
    await client.publicKey('credit-card');
    const [create, call] = service.requests;
    expect(create!.url).toBe('http://oauth/oauth2/token/create');
    expect(create!.method).toBe('POST');
    expect(create!.headers.get('content-type')).toBe('application/x-www-form-urlencoded');
    expect(create!.body).toBe('grant_type=client_credentials');
    expect(call!.url).toBe('http://api/v2.1/appkeys/k/public-keys/credit-card');
    expect(call!.headers.get('x-nhn-authorization')).toBe('Bearer token-1');
    expect(call!.headers.has('authorization')).toBe(false);
    expect(client.currentToken()).toMatchObject({ accessToken: 'token-1', tokenType: 'Bearer', expiresIn: 86400, issuedAt: 0 });
  });

  it('reuses the token, and renews it shortly before expires_in runs out', async () => {
    const service = fakeService();
    let now = 0;
    const client = v21(service, () => now);
    await client.fetchPublicKey('credit-card');
    now = 86_339_000;
    await client.fetchPublicKey('id-card');
    expect(service.tokenCalls()).toHaveLength(1);
    now = 86_341_000; // 59 s before the end: within the 60 s margin
    await client.fetchPublicKey('id-card');
    expect(service.tokenCalls()).toHaveLength(2);
    expect(service.api().at(-1)!.headers.get('x-nhn-authorization')).toBe('Bearer token-2');
  });

  it('reads expires_in given as a string, and keeps a token without one until it is refused', async () => {
    const asString = fakeService({ expiresIn: '120' });
    const client = v21(asString);
    expect((await client.token()).expiresIn).toBe(120);
    const without = fakeService({ expiresIn: undefined });
    expect((await v21(without, () => 1e15).token()).expiresIn).toBeUndefined();
  });

  it('after a 4010006 renews the token and sends the call once more', async () => {
    const rejected = new Set<string>();
    const service = fakeService({ rejectTokens: rejected });
    const client = v21(service);
    await client.publicKey('id-card');
    rejected.add('token-1'); // revoked or expired early, while the client still holds it
    const answer = await client.authenticity('rk', { idType: 'resident', name: 'n', residentNumber: '1', issueDate: '20200101' });
    expect(answer.resultCode).toBe(0);
    const calls = service.api().filter((r) => r.url.endsWith('/authenticity'));
    expect(calls.map((r) => r.headers.get('x-nhn-authorization'))).toEqual(['Bearer token-1', 'Bearer token-2']);
    expect(calls[0]!.body).toBe(calls[1]!.body);
    expect(calls[1]!.headers.get('request-key')).toBe('rk');
  });

  it('retries only once, and never a call that sets its own token header', async () => {
    const service = fakeService({ rejectAll: true });
    const client = v21(service);
    expect((await client.fetchPublicKey('id-card')).resultCode).toBe(4010006);
    expect(service.api()).toHaveLength(2);
    const before = service.api().length;
    const answer = await client.creditCard(Buffer.from('x'), {
      keyVersion: '0',
      symmetricKeyHeader: 'AAAA',
      headers: { 'x-nhn-authorization': 'Bearer garbage' },
    });
    expect(answer.resultCode).toBe(4010006);
    expect(service.api().length - before).toBe(1);
  });

  it('revokes the held token and obtains a new one afterwards', async () => {
    const service = fakeService();
    const client = v21(service);
    await client.revokeToken(); // nothing held: no call
    expect(service.requests).toEqual([]);
    await client.token();
    await client.revokeToken();
    const revoke = service.requests.at(-1)!;
    expect(revoke.url).toBe('http://oauth/oauth2/token/revoke');
    expect(revoke.body).toBe('token=token-1');
    expect(revoke.headers.get('authorization')).toMatch(/^Basic /);
    expect(client.currentToken()).toBeUndefined();
    expect((await client.token()).accessToken).toBe('token-2');
  });

  it('reports the issuer refusing the credentials as a TokenError', async () => {
    const service = fakeService();
    const client = createOcrClient({
      apiVersion: 'v2.1',
      baseUrl: 'http://api',
      oauthBaseUrl: 'http://oauth',
      appKey: 'k',
      userAccessKeyId: 'uak',
      secretAccessKey: 'wrong',
      fetch: service.fetch,
    });
    await expect(client.token()).rejects.toMatchObject({ name: 'TokenError', status: 401, error: 'invalid_client' });
  });

  it('asks the live issuer for a live API host, and the base URL itself otherwise; is a type error without the access keys', () => {
    const asked = (baseUrl: string) => {
      const service = fakeService();
      const client = createOcrClient({ apiVersion: 'v2.1', baseUrl, appKey: 'k', userAccessKeyId: 'a', secretAccessKey: 'b', fetch: service.fetch });
      void client.token().catch(() => undefined);
      return service.requests[0]?.url;
    };
    expect(asked('https://api-ocr.nhncloudservice.com')).toBe('https://oauth.api.nhncloudservice.com/oauth2/token/create');
    expect(asked('https://OCR.api.nhncloudservice.com/')).toBe('https://oauth.api.nhncloudservice.com/oauth2/token/create');
    expect(asked('http://127.0.0.1:8080/')).toBe('http://127.0.0.1:8080/oauth2/token/create');
    expect(asked('http://api')).toBe('http://api/oauth2/token/create');
    // @ts-expect-error a v2.1 client needs userAccessKeyId and secretAccessKey
    const missing: OcrClientOptions = { apiVersion: 'v2.1', baseUrl: 'http://api', appKey: 'k', secretKey: 's' };
    void missing;
  });
});

describe('a client shown or serialised', () => {
  it('hides the secret key and the secret access key, and keeps them usable', async () => {
    const { inspect } = await import('node:util');
    const v20 = createOcrClient({ baseUrl: 'http://api', appKey: 'k', secretKey: 'v20-secret-value' });
    const v21 = createOcrClient({ apiVersion: 'v2.1', baseUrl: 'http://api', appKey: 'k', userAccessKeyId: 'uak', secretAccessKey: 'v21-secret-value' });
    for (const [client, secret] of [
      [v20, 'v20-secret-value'],
      [v21, 'v21-secret-value'],
    ] as const) {
      for (const shown of [
        inspect(client, { depth: 5 }),
        JSON.stringify(client),
        inspect(client.options),
        JSON.stringify(client.options),
        `${JSON.stringify({ client })}`,
      ]) {
        expect(shown).not.toContain(secret);
        expect(shown).toContain('(hidden)');
      }
    }
    expect(inspect(v21)).toContain('uak');
    expect(v20.options.apiVersion ?? 'v2.0').toBe('v2.0');
    expect((v20.options as { secretKey: string }).secretKey).toBe('v20-secret-value');
    expect((await v20.authHeaders()).Authorization).toBe('v20-secret-value');
  });
});

describe('a token issuer that cannot be reached', () => {
  it('is a TokenError naming the URL and the cause, not a bare "fetch failed"', async () => {
    const refused: typeof fetch = async () => {
      throw Object.assign(new TypeError('fetch failed'), { cause: new Error('connect ECONNREFUSED 127.0.0.1:9') });
    };
    const client = createOcrClient({
      apiVersion: 'v2.1',
      baseUrl: 'http://127.0.0.1:9',
      appKey: 'k',
      userAccessKeyId: 'a',
      secretAccessKey: 'b',
      fetch: refused,
    });
    await expect(client.token()).rejects.toMatchObject({
      name: 'TokenError',
      message: expect.stringMatching(/http:\/\/127\.0\.0\.1:9\/oauth2\/token\/create could not be reached: connect ECONNREFUSED/),
    });
  });
});
