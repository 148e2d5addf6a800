/**
 * The public-key call (guide, "Issue Public Key"): a base64 DER SubjectPublicKeyInfo and a
 * string version; an unknown serviceName is refused.
 */
import { createPublicKey } from 'node:crypto';
import type { ServiceName } from '../client/index.js';
import { defineCases, type CaseContext } from '../lib/case.js';
import { DOC } from './support.js';

async function checkPublicKey(ctx: CaseContext, service: ServiceName): Promise<void> {
  const answer = await ctx.client.fetchPublicKey(service);
  ctx.expectSuccess('public-key', answer);
  const result = answer.body.result as { key?: unknown; version?: unknown };
  ctx.check(
    typeof result.version === 'string',
    `result.version is ${JSON.stringify(result.version)}, a ${typeof result.version}; the guide types it String ("0" in its example)`,
  );
  if (typeof result.key !== 'string' || !/^[A-Za-z0-9+/]+={0,2}$/.test(result.key)) {
    ctx.fail(`result.key is not standard base64 (${DOC.guide}, Issue Public Key: "The public key is Base64 encoded")`);
  }
  try {
    const key = createPublicKey({ key: Buffer.from(result.key, 'base64'), format: 'der', type: 'spki' });
    ctx.check(key.asymmetricKeyType === 'rsa', `result.key is a ${key.asymmetricKeyType} key, not RSA (RSA/ECB/PKCS1Padding wraps the symmetric key)`);
    const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
    ctx.check(bits >= 2048, `result.key has a ${bits}-bit modulus; RSA below 2048 bits cannot be what the service issues`);
  } catch (error) {
    ctx.fail(
      `result.key is not a DER SubjectPublicKeyInfo (what Java's X509EncodedKeySpec reads: docs/emulated-api.md, The envelope): ${(error as Error).message}`,
    );
  }
}

export const PUBLIC_KEY_CASES = defineCases([
  {
    id: 'public-key/credit-card',
    title: 'Issues the credit-card public key',
    description: `GET public-keys/credit-card answers SUCCESS with result.key (base64 DER SPKI, RSA) and result.version (a String). ${DOC.guide}, "Issue Public Key" [Field]; docs/emulated-api.md, "The envelope".`,
    basis: 'documented',
    run: (ctx) => checkPublicKey(ctx, 'credit-card'),
  },
  {
    id: 'public-key/id-card',
    title: 'Issues the ID-card public key',
    description: `As for credit-card, serviceName id-card (${DOC.guide}, "Issue Public Key" [Path Variable] serviceName).`,
    basis: 'documented',
    run: (ctx) => checkPublicKey(ctx, 'id-card'),
  },
  {
    id: 'public-key/unknown-service',
    title: 'Refuses an unknown serviceName',
    description: `serviceName is credit-card or id-card (${DOC.guide}); anything else answers 4000001 Invalid parameter: the code is the reading of ${DOC.table}, row "unknown serviceName".`,
    basis: 'reading',
    covers: ['service-name'],
    async run(ctx) {
      const answer = await ctx.client.raw({
        method: 'GET',
        path: ctx.client.apiPath('public-keys/general'),
        headers: await ctx.client.authHeaders(),
      });
      ctx.expectCode('public-key', answer, 4000001);
    },
  },
]);
