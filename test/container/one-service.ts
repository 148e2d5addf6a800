/**
 * What "two emulators act as one service" means to a test runner on the host, checked through
 * two base URLs: a Request-Key issued through one is consumed once across both, and the clock
 * moved through one has moved for the other (and expires Request-Keys there). Shared by the
 * two-containers test and the compose test.
 */
import { expect } from 'vitest';
import { createOcrClient } from '../../contracts/client/index.js';
import { fixture } from '../support/fixtures.js';
import { authenticityFieldsFor } from '../support/id-cards.js';

const APP = { appKey: 'emulator-appkey', secretKey: 'emulator-secretkey' };

/**
 * Asserts that `a` and `b` share their state; `adminToken` opens their admin API.
 * @example await expectOneService(containerA.url, containerB.url, 'ci-token')
 */
export async function expectOneService(a: string, b: string, adminToken: string): Promise<void> {
  const admin = { Authorization: `Bearer ${adminToken}` };
  const clientA = createOcrClient({ baseUrl: a, ...APP });
  const clientB = createOcrClient({ baseUrl: b, ...APP });
  expect((await fetch(`${a}/__emulator/reset`, { method: 'POST', headers: admin })).status).toBe(200);

  // The public key fetched through A opens envelopes at B.
  expect((await clientB.fetchPublicKey('id-card')).result).toEqual((await clientA.fetchPublicKey('id-card')).result);

  // Issued through A, consumed through B, then refused through A.
  const read = await clientA.idCard(fixture('id-resident-900x570.jpg'));
  expect(read.resultCode).toBe(0);
  const fields = authenticityFieldsFor(read.result!);
  expect((await clientB.authenticity(read.requestKey!, fields)).resultCode).toBe(0);
  expect((await clientA.authenticity(read.requestKey!, fields)).resultCode).toBe(4000122);

  // The clock moved through B holds at A: A's Request-Key is expired there by B's hour.
  const fresh = await clientA.idCard(fixture('id-resident-900x570.jpg'));
  const advanced = await fetch(`${b}/__emulator/clock`, {
    method: 'POST',
    headers: { ...admin, 'Content-Type': 'application/json' },
    body: JSON.stringify({ advanceSeconds: 3601 }),
  });
  expect(advanced.status).toBe(200);
  const clockA = (await (await fetch(`${a}/__emulator/clock`, { headers: admin })).json()) as { offsetSeconds: number };
  expect(clockA.offsetSeconds).toBe(3601);
  expect((await clientA.authenticity(fresh.requestKey!, authenticityFieldsFor(fresh.result!))).resultCode).toBe(4000122);
  expect((await fetch(`${a}/__emulator/reset`, { method: 'POST', headers: admin })).status).toBe(200);
}
