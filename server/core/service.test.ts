/**
 * The API service without HTTP: what it answers, and what it returns for the journal with its
 * reply (`learned`) or with the CallFailed it fails with.
 */
import { describe, expect, it } from 'vitest';
import { encryptBytes, newSymmetricKey, wrapSymmetricKey } from '../../contracts/client/envelope.js';
import { fixedKeyFactory, fixture } from '../../test/support/fixtures.js';
import { createEngine } from '../create-engine.js';
import { BUILT_IN_SCENARIOS_DIR, loadScenarioDirs } from '../scenario-files.js';
import { CallFailed, type ApiCall } from './engine.js';
import { OcrError } from './errors.js';

const APP = 'emulator-appkey';
const SECRET = 'emulator-secretkey';

function engineWithScenarios() {
  const engine = createEngine({ credentials: new Map([[APP, SECRET]]), keyFactory: fixedKeyFactory() });
  const loaded = loadScenarioDirs([BUILT_IN_SCENARIOS_DIR]);
  if (!loaded.ok) throw new Error('built-in scenarios must load');
  engine.scenarios.replaceAll(loaded.scenarios);
  return engine;
}

function call(headers: ApiCall['headers'] = { authorization: SECRET }): ApiCall {
  return { api: 'v2.0', appKey: APP, headers };
}

/** The CallFailed a promise rejects with. */
async function failure(promise: Promise<unknown>): Promise<CallFailed> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CallFailed);
  return error as CallFailed;
}

describe('OcrService', () => {
  it('publicKey: the current key, and nothing learned when no scenario plays', async () => {
    const { service } = engineWithScenarios();
    const reply = await service.publicKey(call(), 'credit-card');
    expect(reply.body).toMatchObject({ header: { resultCode: 0 }, result: { version: '0' } });
    expect(reply.learned).toEqual({});
  });

  it('publicKey: a wrong secret fails with the OcrError inside a CallFailed', async () => {
    const { service } = engineWithScenarios();
    const failed = await failure(service.publicKey(call({ authorization: 'wrong' }), 'credit-card'));
    expect(failed.reason).toBeInstanceOf(OcrError);
    expect((failed.reason as OcrError).code).toBe(4010001);
  });

  it('publicKey: a scripted failure is a reply, with the scenario and its diagnosis learned', async () => {
    const { service } = engineWithScenarios();
    const reply = await service.publicKey(call({ authorization: SECRET, 'x-emulator-scenario': 'errors/unavailable' }), 'credit-card');
    expect(reply.body).toMatchObject({ header: { resultCode: 5000503 } });
    expect(reply.learned).toMatchObject({
      scenario: { name: 'errors/unavailable', reason: 'header' },
      diagnosis: 'scripted by scenario "errors/unavailable" (call 1)',
    });
  });

  it('a credit card: the envelope and image learned with the reply', async () => {
    const { service, controls } = engineWithScenarios();
    const key = await controls.currentKey(APP, 'credit-card');
    const symmetricKey = newSymmetricKey();
    const headers = { authorization: SECRET, 'x-key-version': key.version, 'symmetric-key': wrapSymmetricKey(key.publicKeyBase64, symmetricKey) };
    const envelope = await service.openEnvelope('credit-card', call(headers));
    const reply = await service.analyzeCreditCard(envelope, { buffer: encryptBytes(symmetricKey, fixture('card-428x270.jpg')) });
    expect(reply.body).toMatchObject({ header: { resultCode: 0 } });
    expect(reply.learned?.envelope).toMatchObject({ keyVersion: key.version, symmetricKeyBytes: 32, image: { fileType: 'jpg', width: 428, height: 270 } });
  });

  it('a failure after the envelope opened carries what was learned by then', async () => {
    const { service, controls } = engineWithScenarios();
    const key = await controls.currentKey(APP, 'credit-card');
    const symmetricKey = newSymmetricKey();
    const headers = { authorization: SECRET, 'x-key-version': key.version, 'symmetric-key': wrapSymmetricKey(key.publicKeyBase64, symmetricKey) };
    const envelope = await service.openEnvelope('credit-card', call(headers));
    const failed = await failure(service.analyzeCreditCard(envelope, undefined));
    expect((failed.reason as OcrError).code).toBe(4000001);
    expect(failed.learned.envelope).toEqual({ keyVersion: key.version, symmetricKeyBytes: 32 });
  });

  it('openEnvelope: an unknown key version fails with the version learned and the reset named', async () => {
    const { service, controls } = engineWithScenarios();
    await controls.reset();
    const failed = await failure(service.openEnvelope('credit-card', call({ authorization: SECRET, 'x-key-version': '7', 'symmetric-key': 'AAAA' })));
    expect((failed.reason as OcrError).code).toBe(4000301);
    expect((failed.reason as OcrError).diagnosis).toMatch(/the reset at/);
    expect(failed.learned).toEqual({ envelope: { keyVersion: '7' } });
  });

  it('before v2.1 was released, v2.1 calls and the token issuer answer 4041007', async () => {
    const { service } = createEngine({ credentials: new Map([[APP, SECRET]]), keyFactory: fixedKeyFactory(), apiDate: '2026-01-01' });
    const failed = await failure(service.publicKey({ ...call(), api: 'v2.1' }, 'credit-card'));
    expect((failed.reason as OcrError).code).toBe(4041007);
    await expect(service.createToken(undefined, {})).rejects.toMatchObject({ code: 4041007 });
  });
});
