import { constants, publicEncrypt, randomBytes } from 'node:crypto';
import forge from 'node-forge';
import { afterAll, describe, expect, it } from 'vitest';
import { wrapSymmetricKey } from '../../contracts/client/envelope.js';
import { FIXED_KEYS, fixedKeyFactory, VECTORS } from '../../test/support/fixtures.js';
import { createEngine } from '../create-engine.js';
import type { CallFailed } from './engine.js';
import { decodeWrappedKey, rsaRawDecrypt, symmetricKeyFromBlock, unwrapSymmetricKey } from './envelope.js';
import { OcrError } from './errors.js';
import { RsaPool } from './rsa-pool.js';

const [a, b] = FIXED_KEYS as [(typeof FIXED_KEYS)[0], (typeof FIXED_KEYS)[0]];
const publicA = a.publicKeyDer.toString('base64');

type Outcome = { key: string } | { code: number; diagnosis: string };

function outcome(fn: () => Buffer): Outcome {
  try {
    return { key: fn().toString('hex') };
  } catch (error) {
    if (error instanceof OcrError) return { code: error.code, diagnosis: error.diagnosis };
    throw error;
  }
}

async function pooledOutcome(pool: RsaPool, header: string): Promise<Outcome> {
  try {
    const block = await pool.decrypt(decodeWrappedKey(header, 256), a.privateKey);
    return { key: symmetricKeyFromBlock(block).toString('hex') };
  } catch (error) {
    if (error instanceof OcrError) return { code: error.code, diagnosis: error.diagnosis };
    throw error;
  }
}

/** Headers that fail in each of the ways unwrapping can fail, and some that succeed. */
function headers(): Record<string, string> {
  const forgeOther = forge.pki.privateKeyFromPem(b.pem);
  const raw = (block: Buffer) => publicEncrypt({ key: a.privateKey, padding: constants.RSA_NO_PADDING }, block).toString('base64');
  const noSeparator = Buffer.alloc(256, 1);
  noSeparator[0] = 0;
  noSeparator[1] = 2;
  const shortPadding = Buffer.alloc(256, 0);
  shortPadding[1] = 2;
  shortPadding.fill(1, 2, 6);
  return {
    'PKCS#1 v1.5, 32 bytes': wrapSymmetricKey(publicA, randomBytes(32)),
    'openssl vector': VECTORS.rsa.pkcs1WrappedKeyBase64,
    'no base64 padding': VECTORS.rsa.pkcs1WrappedKeyBase64.replace(/=+$/, ''),
    OAEP: VECTORS.rsa.oaepWrappedKeyBase64,
    '16-byte key': VECTORS.rsa.pkcs1Wrapped16ByteKeyBase64,
    'another public key': Buffer.from(forge.pki.setRsaPublicKey(forgeOther.n, forgeOther.e).encrypt('k'.repeat(32), 'RSAES-PKCS1-V1_5'), 'binary').toString(
      'base64',
    ),
    'value >= modulus': Buffer.alloc(256, 0xff).toString('base64'),
    'no separator': raw(noSeparator),
    'padding string too short': raw(shortPadding),
    'not base64': 'not base64!',
    'URL-safe alphabet': VECTORS.rsa.pkcs1WrappedKeyBase64.replace(/\+/g, '-').replace(/\//g, '_'),
    'too short': 'AAAA',
  };
}

describe('RsaPool', () => {
  const pool = new RsaPool(2);
  afterAll(() => pool.close());

  it('gives the same raw blocks as the inline operation', async () => {
    await pool.ready();
    const wraps = Array.from({ length: 40 }, () => {
      const key = randomBytes(32);
      return { key, wrapped: decodeWrappedKey(wrapSymmetricKey(publicA, key), 256) };
    });
    const blocks = await Promise.all(wraps.map(({ wrapped }) => pool.decrypt(wrapped, a.privateKey)));
    blocks.forEach((block, i) => {
      expect(Buffer.from(block!).equals(rsaRawDecrypt(wraps[i]!.wrapped, a.privateKey)!)).toBe(true);
      expect(symmetricKeyFromBlock(block).equals(wraps[i]!.key)).toBe(true);
    });
    expect(pool.stats.pooled).toBeGreaterThanOrEqual(40);
  });

  it('keeps key pairs apart', async () => {
    await pool.ready();
    const keyA = randomBytes(32);
    const keyB = randomBytes(32);
    const [blockA, blockB] = await Promise.all([
      pool.decrypt(decodeWrappedKey(wrapSymmetricKey(publicA, keyA), 256), a.privateKey),
      pool.decrypt(decodeWrappedKey(wrapSymmetricKey(b.publicKeyDer.toString('base64'), keyB), 256), b.privateKey),
    ]);
    expect(symmetricKeyFromBlock(blockA).equals(keyA)).toBe(true);
    expect(symmetricKeyFromBlock(blockB).equals(keyB)).toBe(true);
  });

  it('maps every fault to the same 4000302 diagnosis as the inline path', async () => {
    await pool.ready();
    for (const [name, header] of Object.entries(headers())) {
      const inline = outcome(() => unwrapSymmetricKey(header, a.privateKey, 256));
      expect(await pooledOutcome(pool, header), name).toEqual(inline);
      if ('code' in inline) expect(inline.code, name).toBe(4000302);
    }
  });

  it('runs inline with size 0, and finishes owed work inline when its workers stop', async () => {
    const inline = new RsaPool(0);
    const wrapped = decodeWrappedKey(VECTORS.rsa.pkcs1WrappedKeyBase64, 256);
    expect(symmetricKeyFromBlock(await inline.decrypt(wrapped, a.privateKey)).toString('hex')).toBe(VECTORS.symmetricKeyHex);
    expect(inline.stats).toMatchObject({ pooled: 0, inline: 1 });

    const stopping = new RsaPool(1);
    await stopping.ready();
    const owed = Array.from({ length: 20 }, () => stopping.decrypt(wrapped, a.privateKey));
    await stopping.close();
    for (const block of await Promise.all(owed)) expect(symmetricKeyFromBlock(block).toString('hex')).toBe(VECTORS.symmetricKeyHex);
    expect(symmetricKeyFromBlock(await stopping.decrypt(wrapped, a.privateKey)).toString('hex')).toBe(VECTORS.symmetricKeyHex);
  });
});

describe('OcrEngine with RSA workers', () => {
  it('answers exactly as with inline RSA, for good and bad envelopes', async () => {
    const appKey = 'emulator-appkey';
    const secret = 'emulator-secretkey';
    const engines = [0, 1].map((rsaWorkers) => createEngine({ credentials: new Map([[appKey, secret]]), keyFactory: fixedKeyFactory(), rsaWorkers }));
    for (const engine of engines) {
      await engine.controls.currentKey(appKey, 'credit-card');
      await engine.state.rsa.ready();
    }
    for (const [name, header] of Object.entries(headers())) {
      const answers = await Promise.all(
        engines.map(async (engine) => {
          try {
            const envelope = await engine.service.openEnvelope('credit-card', {
              api: 'v2.0',
              appKey,
              headers: { authorization: secret, 'x-key-version': '0', 'symmetric-key': header },
            });
            return { key: envelope.symmetricKey.toString('hex') };
          } catch (error) {
            const reason = (error as CallFailed).reason as OcrError;
            return { code: reason.code, diagnosis: reason.diagnosis };
          }
        }),
      );
      expect(answers[1], name).toEqual(answers[0]);
    }
    expect(engines[1]!.state.rsa.stats.pooled).toBeGreaterThan(0);
    expect(engines[0]!.state.rsa.stats.pooled).toBe(0);
  });
});
