/**
 * The emulator's controls without HTTP: the clock, resets, key versions, appKeys registered at
 * run time, and the figures.
 */
import { describe, expect, it } from 'vitest';
import { fixedKeyFactory } from '../../test/support/fixtures.js';
import { createEngine } from '../create-engine.js';
import { ClockLimitError, RegistrationError } from './engine.js';

const APP = 'emulator-appkey';
const SECRET = 'emulator-secretkey';

function controls() {
  const wall = { now: () => Date.UTC(2026, 5, 1) };
  return createEngine({ credentials: new Map([[APP, SECRET]]), keyFactory: fixedKeyFactory(), wall }).controls;
}

describe('EmulatorControls', () => {
  it('the clock moves forward globally or for one appKey, never past the year 9000', async () => {
    const c = controls();
    expect(await c.clockState()).toEqual({ now: Date.UTC(2026, 5, 1), offsetMs: 0 });
    await c.advanceClock(60);
    expect(c.now()).toBe(Date.UTC(2026, 5, 1) + 60_000);
    expect(await c.advanceClock(30, APP)).toEqual({ now: Date.UTC(2026, 5, 1) + 90_000, offsetMs: 90_000, appKeyOffsetMs: 30_000 });
    await expect(c.advanceClock(300 * 365 * 86_400 * 1000)).rejects.toBeInstanceOf(ClockLimitError);
  });

  it('keys: rotate, revoke (the current one is replaced first), and a full reset forgets them', async () => {
    const c = controls();
    expect((await c.currentKey(APP, 'credit-card')).version).toBe('0');
    expect((await c.rotateKey(APP, 'credit-card')).version).toBe('1');
    expect((await c.revokeKey(APP, 'credit-card', '1'))?.version).toBe('2');
    expect(await c.revokeKey(APP, 'credit-card', '9')).toBeUndefined();
    expect((await c.keyVersions(APP, 'credit-card')).map((k) => [k.version, k.revoked])).toEqual([
      ['0', false],
      ['1', true],
      ['2', false],
    ]);
    await c.reset();
    expect(await c.keyVersions(APP, 'credit-card')).toEqual([]);
  });

  it('appKeys: registered at run time, refused with a kind, removed with their state; configured ones stay', async () => {
    const c = controls();
    expect(await c.registerAppKey('worker-1', 's1')).toEqual({ outcome: 'created', source: 'registered' });
    expect(await c.registerAppKey('worker-1', 's1')).toEqual({ outcome: 'unchanged', source: 'registered' });
    expect(await c.registerAppKey(APP, SECRET)).toEqual({ outcome: 'unchanged', source: 'configured' });
    await expect(c.registerAppKey('worker-1', 'other')).rejects.toMatchObject({ kind: 'conflict' });
    await expect(c.registerAppKey('worker 2', 's')).rejects.toBeInstanceOf(RegistrationError);
    expect(await c.appKeys()).toEqual([
      { appKey: APP, source: 'configured' },
      { appKey: 'worker-1', source: 'registered' },
    ]);
    expect(await c.isKnownAppKey('worker-1')).toBe(true);
    expect(await c.removeAppKey('worker-1')).toBe('removed');
    expect(await c.removeAppKey('worker-1')).toBe('unknown');
    expect(await c.removeAppKey(APP)).toBe('configured');
    expect(await c.isKnownAppKey('worker-1')).toBe(false);
  });

  it('stats and Request-Keys report the store and its bounds', async () => {
    const c = controls();
    expect(await c.stats()).toMatchObject({ store: 'memory', requestKeys: { held: 0 }, keyCache: { size: 0, maxEntries: 10_000 } });
    expect(await c.requestKeys(10)).toMatchObject({ views: [], ttlSeconds: 3600 });
    expect(c.storeKind).toBe('memory');
    expect(c.defaultAppKey).toBe(APP);
  });
});
