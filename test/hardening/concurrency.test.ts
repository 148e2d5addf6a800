/**
 * State that parallel requests share holds: a queued scenario fires exactly as many times as
 * it was queued, and key rotation during traffic never answers a request with a half-rotated
 * key. (Request-Key single use under parallel calls: test/api/authenticity.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { fixture } from '../support/fixtures.js';
import { useEmulator } from '../support/harness.js';

const card = fixture('card-428x270.jpg');

describe('the scenario queue under 50 parallel requests', () => {
  const h = useEmulator({ logger: () => {} });

  it('a scenario queued 5 times answers exactly 5 of them', async () => {
    await h.client.publicKey('credit-card'); // cached before the burst, so all 50 go at once
    const queued = await fetch(`${h.url}/__emulator/queue`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ scenario: 'credit-card/not-found', times: 5 }),
    });
    expect(queued.status).toBe(201);
    const answers = await Promise.all(Array.from({ length: 50 }, () => h.client.creditCard(card)));
    const codes = answers.map((a) => a.resultCode);
    expect(codes.filter((c) => c === 4000111)).toHaveLength(5);
    expect(codes.filter((c) => c === 0)).toHaveLength(45);
    expect(await (await fetch(`${h.url}/__emulator/queue`)).json()).toEqual({ queue: [] });
  });
});

describe('key rotation during traffic (real RSA-2048 key generation)', () => {
  // No fixed key factory: rotation generates keys as `npm start` does, so it takes real time.
  const h = useEmulator({ keyFactory: undefined, logger: () => {} });

  it('every request wrapped under an issued version answers 0, none answers -1', async () => {
    const rotate = () => fetch(`${h.url}/__emulator/keys/credit-card/rotate`, { method: 'POST' });
    const oldest = await h.client.publicKey('credit-card', true);
    let rotating = true;
    const rotator = (async () => {
      for (let i = 0; i < 8; i++) expect((await rotate()).status).toBe(200);
      rotating = false;
    })();
    const versionsUsed = new Set<string>();
    const codes: number[] = [];
    const worker = async () => {
      // Each worker fetches the then-current key and uses it, while the rotator keeps going.
      while (rotating) {
        const publicKey = await h.client.publicKey('credit-card', true);
        versionsUsed.add(publicKey.version);
        const answer = await h.client.creditCard(card, { publicKey });
        codes.push(answer.resultCode);
        // A version that was current a moment ago is still issued (rotation does not revoke).
        codes.push((await h.client.creditCard(card, { publicKey: oldest })).resultCode);
      }
    };
    await Promise.all([rotator, ...Array.from({ length: 6 }, worker)]);
    expect(codes.length).toBeGreaterThan(8);
    expect(codes.filter((c) => c !== 0)).toEqual([]);
    expect(versionsUsed.size).toBeGreaterThan(1); // the traffic really overlapped the rotation
  });

  it('a revoked version answers 4000301, the current one 0', async () => {
    const stale = await h.client.publicKey('credit-card', true);
    await fetch(`${h.url}/__emulator/keys/credit-card/rotate`, { method: 'POST' });
    const revoked = await fetch(`${h.url}/__emulator/keys/credit-card/revoke`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ version: stale.version }),
    });
    expect(revoked.status).toBe(200);
    expect((await h.client.creditCard(card, { publicKey: stale })).resultCode).toBe(4000301);
    expect((await h.client.creditCard(card, { publicKey: await h.client.publicKey('credit-card', true) })).resultCode).toBe(0);
  });
});
