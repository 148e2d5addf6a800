/**
 * The client kit's helpers for users, through the wire: authenticityFieldsFrom on what the
 * emulator recognised, and emulatorControl on every group of the admin API.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { authenticityFieldsFrom, emulatorControl, EmulatorControlError } from '../../contracts/client/index.js';
import { startEmulator } from '../../server/index.js';
import { fixture, fixedKeyFactory } from '../support/fixtures.js';
import { APP, useEmulator } from '../support/harness.js';

const dir = mkdtempSync(join(tmpdir(), 'client-kit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const h = useEmulator({ scenarioDirs: [dir], watchScenarios: false });
const image = fixture('id-resident-900x570.jpg');

describe('authenticityFieldsFrom', () => {
  it.each(['id-card/resident', 'id-card/driver'])('gives the body the emulator finds authentic for %s', async (scenario) => {
    const read = await h.client.idCard(image, { scenario });
    const verdict = await h.client.authenticity(read.requestKey!, authenticityFieldsFrom(read.result!));
    expect(verdict.result).toEqual({ isAuthenticity: true });
  });
});

describe('emulatorControl', () => {
  const control = () => emulatorControl(h.url);

  it('reads health, moves the clock and resets it', async () => {
    expect(await control().health()).toMatchObject({ status: 'ok' });
    const before = await control().clock();
    const after = await control().advanceClock(3601);
    expect(after.offsetSeconds).toBe(before.offsetSeconds + 3601);
    await control().reset();
    expect((await control().clock()).offsetSeconds).toBe(0);
  });

  it('queues a scenario that the next call plays, and clears the queue', async () => {
    expect(await control().queue.add('credit-card/not-found', { times: 2 })).toEqual([{ scenario: 'credit-card/not-found', remaining: 2 }]);
    expect(await control().queue.list()).toHaveLength(1);
    expect((await h.client.creditCard(fixture('card-856x540.jpg'))).resultCode).toBe(4000111);
    await control().queue.clear();
    expect(await control().queue.list()).toEqual([]);
  });

  it('sets and clears app-key defaults', async () => {
    expect(await control().defaults.set(APP.appKey, ['credit-card/amex'])).toEqual({ [APP.appKey]: ['credit-card/amex'] });
    expect(await control().defaults.list()).toEqual({ [APP.appKey]: ['credit-card/amex'] });
    expect(await control().defaults.clear(APP.appKey)).toEqual({});
  });

  it('filters and clears the journal', async () => {
    await control().journal.clear();
    await h.client.creditCard(fixture('card-856x540.jpg'), { keyVersion: 'never-issued' });
    await h.client.creditCard(fixture('card-856x540.jpg'));
    const failed = await control().journal.list({ failed: true, endpoint: 'credit-card' });
    expect(failed.requests.map((entry) => entry.resultCode)).toEqual([4000301]);
    expect(failed.requests[0]!.diagnosis).toMatch(/X-Key-Version/);
    expect((await control().journal.list({ limit: 1 })).requests).toHaveLength(1);
    await control().journal.clear();
    expect((await control().journal.list()).requests).toEqual([]);
  });

  it('lists, rotates and revokes key versions', async () => {
    await h.client.publicKey('credit-card', true);
    const rotated = await control().keys.rotate('credit-card');
    expect(rotated).toMatchObject({ appKey: APP.appKey, service: 'credit-card' });
    const revoked = await control().keys.revoke('credit-card', rotated.version);
    expect(revoked.revoked).toBe(rotated.version);
    const versions = (await control().keys.list()).find((entry) => entry.appKey === APP.appKey && entry.service === 'credit-card')!.versions;
    expect(versions.find((v) => v.version === rotated.version)?.revoked).toBe(true);
  });

  it('lists, shows and reloads scenarios; a broken file comes back as reloaded: false', async () => {
    const names = (await control().scenarios.list()).scenarios.map((s) => s.name);
    expect(names).toContain('errors/flaky');
    expect((await control().scenarios.get('errors/flaky')).name).toBe('errors/flaky');
    writeFileSync(join(dir, 'broken.yaml'), 'description: [unclosed');
    const reload = await control().scenarios.reload();
    expect(reload.reloaded).toBe(false);
    expect(reload.problems[0]!.file).toMatch(/broken\.yaml$/);
    rmSync(join(dir, 'broken.yaml'));
    expect((await control().scenarios.reload()).reloaded).toBe(true);
  });

  it('reads stats and the description', async () => {
    const stats = await control().stats();
    expect(stats.journal.capacity).toBe(1000);
    expect(await control().description()).toMatch(/^# The emulator's own control plane/);
  });

  it('throws EmulatorControlError with the status and error code of a refusal', async () => {
    const error = await control()
      .scenarios.get('no/such-scenario')
      .catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(EmulatorControlError);
    expect(error).toMatchObject({ status: 404, code: 'scenario' });
  });

  it('sends the token when the admin API needs one', async () => {
    const guarded = await startEmulator({ port: 0, keyFactory: fixedKeyFactory(), watchScenarios: false, adminToken: 'control-token' });
    try {
      await expect(emulatorControl(guarded.url).stats()).rejects.toMatchObject({ status: 401, code: 'unauthorized' });
      expect((await emulatorControl(guarded.url, 'control-token').stats()).journal.held).toBe(0);
    } finally {
      await guarded.close();
    }
  });
});
