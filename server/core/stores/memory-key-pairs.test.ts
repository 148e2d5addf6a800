import { describe, expect, it, vi } from 'vitest';
import { FIXED_KEYS } from '../../../test/support/fixtures.js';
import type { KeyFactory } from '../model.js';
import { KeyStore } from './memory-key-pairs.js';

function countingFactory(): KeyFactory & { calls: number } {
  const factory = Object.assign(
    async () => {
      factory.calls++;
      return FIXED_KEYS[factory.calls % 2]!;
    },
    { calls: 0 },
  );
  return factory;
}

const app = { appKey: 'app', generation: '', now: 1 };
const other = { ...app, appKey: 'other' };

describe('KeyStore', () => {
  it('makes nothing until asked, then one key per (app key, service), version "0" first', async () => {
    const factory = countingFactory();
    const store = new KeyStore(factory);
    expect(factory.calls).toBe(0);
    const [a, b] = await Promise.all([store.current(app, 'credit-card'), store.current(app, 'credit-card')]);
    expect(a).toBe(b);
    expect(factory.calls).toBe(1);
    expect(a.version).toBe('0');
    expect(a.modulusBytes).toBe(256);
    expect(Buffer.from(a.publicKeyBase64, 'base64').equals(FIXED_KEYS[1]!.publicKeyDer)).toBe(true);
    await store.current(app, 'id-card');
    await store.current(other, 'credit-card');
    expect(factory.calls).toBe(3);
  });

  it('rotates to a new current version and keeps old ones until revoked', async () => {
    const store = new KeyStore(countingFactory());
    const first = await store.current(app, 'id-card');
    const second = await store.rotate(app, 'id-card');
    expect(second.version).toBe('1');
    expect(await store.current(app, 'id-card')).toBe(second);
    expect(await store.find(app, 'id-card', '0')).toBe(first);
    expect(await store.revoke(app, 'id-card', '0')).toBe(true);
    expect((await store.find(app, 'id-card', '0'))?.revoked).toBe(true);
    expect(await store.revoke(app, 'id-card', '7')).toBe(false);
    expect((await store.list(app, 'id-card')).map((k) => k.version)).toEqual(['0', '1']);
  });

  it('forgets everything on reset, including a generation still running', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const factory = vi.fn(async () => {
      await gate;
      return FIXED_KEYS[0]!;
    });
    const store = new KeyStore(factory);
    const pending = store.current(app, 'credit-card');
    store.reset();
    release();
    const key = await pending;
    expect(key.version).toBe('0');
    expect(await store.list(app, 'credit-card')).toHaveLength(1);
  });

  it('forgets one appKey alone on its reset', async () => {
    const store = new KeyStore(countingFactory());
    await store.current(app, 'credit-card');
    await store.rotate(other, 'credit-card');
    store.reset('other');
    expect(await store.list(other, 'credit-card')).toEqual([]);
    expect((await store.list(app, 'credit-card')).map((k) => k.version)).toEqual(['0']);
  });
});
