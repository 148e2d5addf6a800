import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createOcrClient } from './client.js';
import { encryptValue } from './envelope.js';

describe('EnvelopeOptions.decrypt', () => {
  const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const key = randomBytes(32);
  const result = {
    fileType: 'jpg',
    resolution: 'normal',
    cardNums: [{ value: encryptValue(key, '4111'), conf: 0.9 }],
    totalCardNum: encryptValue(key, '4111'),
    cardNumBoxes: [],
    validThru: { value: encryptValue(key, '12/30'), conf: 0.9 },
    validThruBox: { x1: 0, y1: 0, x2: 1, y2: 0, x3: 1, y3: 1, x4: 0, y4: 1 },
  };
  const fakeFetch: typeof fetch = async (input) => {
    const url = String(input);
    const body = url.includes('/public-keys/')
      ? { header: { isSuccessful: true, resultCode: 0, resultMessage: 'SUCCESS' }, result: { key: publicKey.export({ type: 'spki', format: 'der' }).toString('base64'), version: '0' } }
      : { header: { isSuccessful: true, resultCode: 0, resultMessage: 'SUCCESS' }, result };
    return new Response(JSON.stringify(body), { headers: { 'content-type': 'application/json' } });
  };
  const client = createOcrClient({ baseUrl: 'http://fake', appKey: 'a', secretKey: 's', fetch: fakeFetch });

  it('decrypts by default', async () => {
    const answer = await client.creditCard(Buffer.from('image'), { symmetricKey: key });
    expect(answer.result?.totalCardNum).toBe('4111');
    expect(answer.result?.validThru.value).toBe('12/30');
  });

  it('leaves values as sent with decrypt: false', async () => {
    const answer = await client.creditCard(Buffer.from('image'), { symmetricKey: key, decrypt: false });
    expect(answer.result?.totalCardNum).toBe(result.totalCardNum);
    expect(answer.symmetricKey).toBe(key);
  });
});
