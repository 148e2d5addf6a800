import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { wrapSymmetricKey } from '../../contracts/client/envelope.js';
import { fixedKeyFactory } from '../../test/support/fixtures.js';
import { createEngine } from '../create-engine.js';
import { CallFailed } from './engine.js';
import { OcrError } from './errors.js';
import { SymmetricKeyCache } from './key-cache.js';

const A = {};
const B = {};
const key = (byte: number) => Buffer.alloc(32, byte);

describe('SymmetricKeyCache', () => {
  /** Stores a key and reads it once, which moves it to the LRU tier. */
  const promote = (cache: SymmetricKeyCache, header: string, owner: object, value: Buffer) => {
    cache.set(header, owner, value);
    return cache.get(header, owner);
  };

  it('misses, then hits the same header under the same key pair', () => {
    const cache = new SymmetricKeyCache(10);
    expect(cache.get('header', A)).toBeUndefined();
    expect(cache.set('header', A, key(1))).toEqual(key(1));
    expect(cache.get('header', A)).toEqual(key(1)); // from the first-sighting table, now promoted
    expect(cache.get('header', A)).toEqual(key(1)); // from the LRU tier
    expect(cache.stats).toMatchObject({ hits: 2, misses: 1, size: 1 });
  });

  it('keeps each header apart when lookups and stores of several headers interleave', () => {
    const cache = new SymmetricKeyCache(10);
    const headers = ['h0', 'h1', 'h2', 'h3'];
    for (const h of headers) expect(cache.get(h, A)).toBeUndefined();
    // Stored in another order than looked up, each right after a lookup of another header.
    for (const i of [2, 0, 3, 1]) {
      cache.get(headers[(i + 1) % 4]!, A);
      cache.set(headers[i]!, A, key(i));
    }
    for (const i of [3, 1, 0, 2, 2, 0]) expect(cache.get(headers[i]!, A)).toEqual(key(i));
  });

  it('misses for another header or another key pair (app key, service, version or key material)', () => {
    const cache = new SymmetricKeyCache(10);
    cache.set('first', A, key(1));
    expect(cache.get('other', A)).toBeUndefined();
    expect(cache.get('first', B)).toBeUndefined();
    promote(cache, 'promoted', A, key(2));
    expect(cache.get('promoted', B)).toBeUndefined();
    expect(cache.stats.hits).toBe(1);
    // The same header unwrapped under another pair is remembered for that pair.
    promote(cache, 'promoted', B, key(3));
    expect(cache.get('promoted', A)).toBeUndefined();
    expect(cache.get('promoted', B)).toEqual(key(3));
  });

  it('a newcomer overwrites its first-sighting slot; a key seen twice stays in the LRU tier', () => {
    const cache = new SymmetricKeyCache(10, 1);
    promote(cache, 'reused', A, key(9));
    cache.set('a', A, key(1));
    cache.set('b', A, key(2)); // the only slot: a is gone
    expect(cache.get('a', A)).toBeUndefined();
    expect(cache.get('b', A)).toEqual(key(2));
    expect(cache.get('reused', A)).toEqual(key(9));
  });

  it('hands out copies: a reused slot does not change a key already handed out', () => {
    const cache = new SymmetricKeyCache(1, 1);
    const held = promote(cache, 'a', A, key(1))!;
    promote(cache, 'b', A, key(2)); // evicts a, reuses its slots
    expect(held).toEqual(key(1));
    held.fill(9);
    expect(cache.get('b', A)).toEqual(key(2));
  });

  it('keeps the LRU tier within its bound, dropping the least recently used entry', () => {
    const cache = new SymmetricKeyCache(3);
    for (const h of ['a', 'b', 'c']) promote(cache, h, A, key(h.charCodeAt(0)));
    cache.get('a', A); // a is now the most recent; b the least
    promote(cache, 'd', A, key(4));
    expect(cache.stats.size).toBe(3);
    expect(cache.get('b', A)).toBeUndefined();
    expect(cache.get('a', A)).toEqual(key('a'.charCodeAt(0)));
    expect(cache.get('c', A)).toEqual(key('c'.charCodeAt(0)));
    expect(cache.get('d', A)).toEqual(key(4));
    for (let i = 0; i < 100; i++) promote(cache, `x${i}`, A, key(i));
    expect(cache.stats.size).toBe(3);
    expect(cache.get('x99', A)).toEqual(key(99));
    expect(cache.get('x97', A)).toEqual(key(97));
    expect(cache.get('x96', A)).toBeUndefined();
  });

  it('stores nothing with a bound of 0, and only 32-byte keys', () => {
    const cache = new SymmetricKeyCache(0);
    cache.set('h', A, key(1));
    expect(cache.get('h', A)).toBeUndefined();
    expect(cache.stats.size).toBe(0);
    const other = new SymmetricKeyCache(2);
    other.set('h', A, Buffer.alloc(16));
    expect(other.get('h', A)).toBeUndefined();
  });

  it('clear() forgets entries and counts', () => {
    const cache = new SymmetricKeyCache(3);
    promote(cache, 'h', A, key(1));
    cache.set('g', A, key(2));
    cache.clear();
    expect(cache.stats).toMatchObject({ hits: 0, misses: 0, size: 0 });
    expect(cache.get('h', A)).toBeUndefined();
    expect(cache.get('g', A)).toBeUndefined();
  });
});

describe('OcrService.openEnvelope with the key cache', () => {
  const appKey = 'emulator-appkey';
  const secret = 'emulator-secretkey';

  async function setup(rsaWorkers = 0) {
    const engine = createEngine({ credentials: new Map([[appKey, secret]]), keyFactory: fixedKeyFactory(), rsaWorkers });
    const issued = await engine.controls.currentKey(appKey, 'credit-card');
    const symmetricKey = randomBytes(32);
    const headers = { authorization: secret, 'x-key-version': issued.version, 'symmetric-key': wrapSymmetricKey(issued.publicKeyBase64, symmetricKey) };
    const open = (h = headers) => engine.service.openEnvelope('credit-card', { api: 'v2.0', appKey, headers: h });
    return { engine, issued, symmetricKey, headers, open };
  }

  async function failure(promise: Promise<unknown>): Promise<{ code: number; diagnosis: string }> {
    try {
      await promise;
    } catch (error) {
      const reason = error instanceof CallFailed ? error.reason : error;
      if (reason instanceof OcrError) return { code: reason.code, diagnosis: reason.diagnosis };
      throw error;
    }
    throw new Error('expected an OcrError');
  }

  afterEach(() => vi.restoreAllMocks());

  it('a reused Symmetric-Key costs one RSA operation, however many requests carry it', async () => {
    const { engine, symmetricKey, open } = await setup();
    const rsa = vi.spyOn(engine.state.rsa, 'decrypt');
    for (let i = 0; i < 5; i++) expect((await open()).symmetricKey.equals(symmetricKey)).toBe(true);
    expect(rsa).toHaveBeenCalledTimes(1);
    expect(engine.state.keyCache.stats).toMatchObject({ hits: 4, misses: 1 });
  });

  it('a fresh wrapping of the same key is a miss (the cache keys on the header)', async () => {
    const { engine, issued, symmetricKey, headers, open } = await setup();
    const rsa = vi.spyOn(engine.state.rsa, 'decrypt');
    await open();
    await open({ ...headers, 'symmetric-key': wrapSymmetricKey(issued.publicKeyBase64, symmetricKey) });
    expect(rsa).toHaveBeenCalledTimes(2);
  });

  it('a revoked version answers 4000301 even though its key is cached', async () => {
    const { engine, issued, open } = await setup();
    await open();
    await open();
    expect(engine.state.keyCache.stats.hits).toBe(1);
    await engine.controls.revokeKey(appKey, 'credit-card', issued.version);
    expect(await failure(open())).toEqual({ code: 4000301, diagnosis: `X-Key-Version ${issued.version} was revoked` });
  });

  it('a version revoked while its RSA operation runs answers 4000301', async () => {
    const { engine, issued, open } = await setup();
    vi.spyOn(engine.state.rsa, 'decrypt').mockImplementationOnce(async (wrapped, privateKey) => {
      await engine.controls.revokeKey(appKey, 'credit-card', issued.version);
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
    expect(engine.state.keyCache.stats.hits).toBe(0);
  });

  it('after a reset the same version string is a new key pair: the old entry is not used', async () => {
    const { engine, headers, open } = await setup();
    await open();
    await engine.controls.reset();
    const reissued = await engine.controls.currentKey(appKey, 'credit-card');
    expect(reissued.version).toBe(headers['x-key-version']);
    const rsa = vi.spyOn(engine.state.rsa, 'decrypt');
    // Wrapped under the first pair, opened under the second (fixedKeyFactory alternates): 4000302, not a stale hit.
    expect((await failure(open())).code).toBe(4000302);
    expect(rsa).toHaveBeenCalledTimes(1);
  });
});
