import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { wrapSymmetricKey } from '../../contracts/client/envelope.js';
import { fixedKeyFactory } from '../../test/support/fixtures.js';
import { OcrEngine, type Trace } from './engine.js';
import { OcrError } from './errors.js';
import { SymmetricKeyCache } from './key-cache.js';

const A = {};
const B = {};
const key = (byte: number) => Buffer.alloc(32, byte);

describe('SymmetricKeyCache', () => {
  it('misses, then hits the same header under the same key pair', () => {
    const cache = new SymmetricKeyCache(10);
    const scope = SymmetricKeyCache.scope('app', 'credit-card', '0');
    expect(cache.get(scope, 'header', A)).toBeUndefined();
    expect(cache.set(scope, 'header', A, key(1))).toEqual(key(1));
    expect(cache.get(scope, 'header', A)).toEqual(key(1));
    expect(cache.stats).toMatchObject({ hits: 1, misses: 1, size: 1 });
  });

  it('misses for another header, version, service, app key or key pair', () => {
    const cache = new SymmetricKeyCache(10);
    const scope = SymmetricKeyCache.scope('app', 'credit-card', '0');
    cache.set(scope, 'header', A, key(1));
    expect(cache.get(scope, 'header2', A)).toBeUndefined();
    expect(cache.get(SymmetricKeyCache.scope('app', 'credit-card', '1'), 'header', A)).toBeUndefined();
    expect(cache.get(SymmetricKeyCache.scope('app', 'id-card', '0'), 'header', A)).toBeUndefined();
    expect(cache.get(SymmetricKeyCache.scope('app2', 'credit-card', '0'), 'header', A)).toBeUndefined();
    // Same version string, another key pair (after a reset): not the same key.
    expect(cache.get(scope, 'header', B)).toBeUndefined();
    expect(cache.stats.hits).toBe(0);
  });

  it('stays within its bound, dropping the least recently used entry', () => {
    const cache = new SymmetricKeyCache(3);
    const scope = 's';
    for (const h of ['a', 'b', 'c']) cache.set(scope, h, A, key(h.charCodeAt(0)));
    cache.get(scope, 'a', A); // a is now the most recent; b the least
    cache.set(scope, 'd', A, key(4));
    expect(cache.stats.size).toBe(3);
    expect(cache.get(scope, 'b', A)).toBeUndefined();
    expect(cache.get(scope, 'a', A)).toEqual(key('a'.charCodeAt(0)));
    expect(cache.get(scope, 'c', A)).toBeDefined();
    expect(cache.get(scope, 'd', A)).toBeDefined();
    for (let i = 0; i < 100; i++) cache.set(scope, `x${i}`, A, key(i));
    expect(cache.stats.size).toBe(3);
  });

  it('stores nothing with a bound of 0', () => {
    const cache = new SymmetricKeyCache(0);
    cache.set('s', 'h', A, key(1));
    expect(cache.get('s', 'h', A)).toBeUndefined();
    expect(cache.stats.size).toBe(0);
  });

  it('clear() forgets entries and counts', () => {
    const cache = new SymmetricKeyCache(3);
    cache.set('s', 'h', A, key(1));
    cache.get('s', 'h', A);
    cache.clear();
    expect(cache.stats).toMatchObject({ hits: 0, misses: 0, size: 0 });
  });
});

describe('OcrEngine.openEnvelope with the key cache', () => {
  const appKey = 'emulator-appkey';
  const secret = 'emulator-secretkey';

  async function setup(rsaWorkers = 0) {
    const engine = new OcrEngine({ credentials: new Map([[appKey, secret]]), keyFactory: fixedKeyFactory(), rsaWorkers });
    const issued = await engine.keys.current(appKey, 'credit-card');
    const symmetricKey = randomBytes(32);
    const headers = { authorization: secret, 'x-key-version': issued.version, 'symmetric-key': wrapSymmetricKey(issued.publicKeyBase64, symmetricKey) };
    const open = (h = headers) => engine.openEnvelope({} as Trace, 'credit-card', appKey, h);
    return { engine, issued, symmetricKey, headers, open };
  }

  async function failure(promise: Promise<unknown>): Promise<{ code: number; diagnosis: string }> {
    try {
      await promise;
    } catch (error) {
      if (error instanceof OcrError) return { code: error.code, diagnosis: error.diagnosis };
      throw error;
    }
    throw new Error('expected an OcrError');
  }

  afterEach(() => vi.restoreAllMocks());

  it('a reused Symmetric-Key costs one RSA operation, however many requests carry it', async () => {
    const { engine, symmetricKey, open } = await setup();
    const rsa = vi.spyOn(engine.rsa, 'decrypt');
    for (let i = 0; i < 5; i++) expect((await open()).symmetricKey.equals(symmetricKey)).toBe(true);
    expect(rsa).toHaveBeenCalledTimes(1);
    expect(engine.keyCache.stats).toMatchObject({ hits: 4, misses: 1, size: 1 });
  });

  it('a fresh wrapping of the same key is a miss (the cache keys on the header)', async () => {
    const { engine, issued, symmetricKey, headers, open } = await setup();
    const rsa = vi.spyOn(engine.rsa, 'decrypt');
    await open();
    await open({ ...headers, 'symmetric-key': wrapSymmetricKey(issued.publicKeyBase64, symmetricKey) });
    expect(rsa).toHaveBeenCalledTimes(2);
  });

  it('a revoked version answers 4000301 even though its key is cached', async () => {
    const { engine, issued, open } = await setup();
    await open();
    expect(engine.keyCache.stats.size).toBe(1);
    engine.keys.revoke(appKey, 'credit-card', issued.version);
    expect(await failure(open())).toEqual({ code: 4000301, diagnosis: `X-Key-Version ${issued.version} was revoked` });
  });

  it('a version revoked while its RSA operation runs answers 4000301', async () => {
    const { engine, issued, open } = await setup();
    vi.spyOn(engine.rsa, 'decrypt').mockImplementationOnce(async (wrapped, privateKey) => {
      engine.keys.revoke(appKey, 'credit-card', issued.version);
      const { rsaRawDecrypt } = await import('./envelope.js');
      return rsaRawDecrypt(wrapped, privateKey);
    });
    expect((await failure(open())).code).toBe(4000301);
  });

  it('failures are never cached: the same bad header fails the same way every time', async () => {
    const { engine, headers, open } = await setup();
    const bad = { ...headers, 'symmetric-key': Buffer.alloc(256, 0xff).toString('base64') };
    const first = await failure(open(bad));
    expect(first.code).toBe(4000302);
    expect(await failure(open(bad))).toEqual(first);
    expect(engine.keyCache.stats.size).toBe(0);
  });

  it('after a reset the same version string is a new key pair: the old entry is not used', async () => {
    const { engine, headers, open } = await setup();
    await open();
    engine.reset();
    const reissued = await engine.keys.current(appKey, 'credit-card');
    expect(reissued.version).toBe(headers['x-key-version']);
    const rsa = vi.spyOn(engine.rsa, 'decrypt');
    // Wrapped under the first pair, opened under the second (fixedKeyFactory alternates): 4000302, not a stale hit.
    expect((await failure(open())).code).toBe(4000302);
    expect(rsa).toHaveBeenCalledTimes(1);
  });
});
