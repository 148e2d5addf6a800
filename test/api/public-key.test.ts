import { createPublicKey } from 'node:crypto';
import forge from 'node-forge';
import { describe, expect, it } from 'vitest';
import { APP, useEmulator } from '../support/harness.js';

const h = useEmulator();
const path = (service: string, appKey: string = APP.appKey) => `/v2.0/appkeys/${appKey}/public-keys/${service}`;
const get = (service: string, headers: Record<string, string> = { Authorization: APP.secretKey }, appKey?: string) =>
  h.client.raw({ method: 'GET', path: path(service, appKey), headers });

describe('GET /v2.0/appkeys/{appKey}/public-keys/{serviceName}', () => {
  it.each(['credit-card', 'id-card'])('answers a base64 DER SPKI RSA-2048 key and a string version for %s', async (service) => {
    const { status, body } = await get(service);
    expect(status).toBe(200);
    expect(body.header).toEqual({ isSuccessful: true, resultCode: 0, resultMessage: 'SUCCESS' });
    const result = body.result as { key: string; version: unknown };
    expect(typeof result.version).toBe('string');
    const key = createPublicKey({ key: Buffer.from(result.key, 'base64'), format: 'der', type: 'spki' });
    expect(key.asymmetricKeyDetails?.modulusLength).toBe(2048);
    // An independent parser reads it too (what Java's X509EncodedKeySpec accepts).
    const forgeKey = forge.pki.publicKeyFromAsn1(forge.asn1.fromDer(forge.util.decode64(result.key))) as forge.pki.rsa.PublicKey;
    expect(forgeKey.n.bitLength()).toBe(2048);
  });

  it('answers the same key and version until rotated, and separate keys per service', async () => {
    const a = (await get('credit-card')).body.result as { key: string; version: string };
    const b = (await get('credit-card')).body.result as { key: string; version: string };
    const c = (await get('id-card')).body.result as { key: string; version: string };
    expect(b).toEqual(a);
    expect(c.key).not.toBe(a.key);
  });

  it('answers 4010001 for a wrong secret key or an unknown app key', async () => {
    expect((await get('credit-card', { Authorization: 'wrong' })).body).toEqual({
      header: { isSuccessful: false, resultCode: 4010001, resultMessage: 'Invalid appKey or secretKey.' },
    });
    expect((await get('credit-card', { Authorization: APP.secretKey }, 'nobody')).body.header.resultCode).toBe(4010001);
  });

  it('answers 4000005 without Authorization, before looking at the app key', async () => {
    const { status, body } = await get('credit-card', {}, 'nobody');
    expect(status).toBe(200);
    expect(body.header).toEqual({ isSuccessful: false, resultCode: 4000005, resultMessage: 'Required headers is missing.' });
  });

  it('answers 4000001 for an unknown service, after authentication', async () => {
    expect((await get('passport')).body).toEqual({
      header: { isSuccessful: false, resultCode: 4000001, resultMessage: 'Invalid parameter.' },
    });
    expect((await get('passport', { Authorization: 'wrong' })).body.header.resultCode).toBe(4010001);
  });

  it('answers 4041007 to another method on the same path', async () => {
    const { status, body } = await h.client.raw({ method: 'POST', path: path('credit-card'), headers: { Authorization: APP.secretKey } });
    expect(status).toBe(200);
    expect(body.header).toEqual({ isSuccessful: false, resultCode: 4041007, resultMessage: 'URL Not Found' });
  });
});
