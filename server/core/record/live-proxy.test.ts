import { constants, createHash, createPublicKey, publicEncrypt } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { FIXED_KEYS, fixture } from '../../../test/support/fixtures.js';
import { aesEncrypt, encryptValue, rsaRawDecrypt, stripPkcs1Type2 } from '../envelope.js';
import { issuedKey } from '../key-store.js';
import { LiveProxy, type ProxyCall, type TargetAnswer, type TargetRequest, TargetUnavailable } from './live-proxy.js';
import { Redactor } from './redact.js';
import type { RecordedScenario } from './recording.js';

const OWN = issuedKey('7', FIXED_KEYS[0]!, 0);
const TARGET = FIXED_KEYS[1]!;
const CARD = fixture('card-856x540.jpg');
const json = (body: unknown, headers: Record<string, string> = {}): TargetAnswer => ({
  status: 200,
  headers: { 'content-type': 'application/json', ...headers },
  body: Buffer.from(JSON.stringify(body)),
});

/** A target that answers the public key and a credit-card result encrypted under the key it unwrapped. */
function fakeTarget() {
  const seen: TargetRequest[] = [];
  const fetch = async (request: TargetRequest): Promise<TargetAnswer> => {
    seen.push(request);
    if (request.url.includes('/public-keys/')) {
      return json({
        header: { isSuccessful: true, resultCode: 0, resultMessage: 'SUCCESS' },
        result: { key: TARGET.publicKeyDer.toString('base64'), version: 'v9' },
      });
    }
    if (request.url.includes('/oauth2/')) return json({ access_token: 'tok', token_type: 'Bearer', expires_in: 86400 });
    const block = rsaRawDecrypt(Buffer.from(request.headers['symmetric-key']!, 'base64'), TARGET.privateKey);
    const stripped = block && stripPkcs1Type2(block);
    if (!stripped || !('message' in stripped)) return json({ header: { isSuccessful: false, resultCode: 4000302, resultMessage: 'Invalid symmetric key.' } });
    const key = stripped.message;
    const enc = (v: string) => encryptValue(key, v);
    if (request.url.endsWith('/id-card/authenticity')) {
      return json({ header: { isSuccessful: true, resultCode: 0, resultMessage: 'SUCCESS' }, result: { isAuthenticity: false } });
    }
    if (request.url.endsWith('/id-card')) {
      return json(
        {
          header: { isSuccessful: true, resultCode: 0, resultMessage: 'SUCCESS' },
          result: { fileType: 'jpg', resolution: 'normal', idType: 'resident', keyValues: [{ key: 'name', value: enc('홍길동'), conf: 0.9 }], boxes: [] },
        },
        { 'request-key': 'live-request-key-0001' },
      );
    }
    return json({
      header: { isSuccessful: true, resultCode: 0, resultMessage: 'SUCCESS' },
      result: {
        fileType: 'jpg',
        resolution: 'normal',
        cardNums: ['4111', '1111', '1111', '1111'].map((v) => ({ value: enc(v), conf: 0.9 })),
        totalCardNum: enc('4111111111111111'),
        validThru: { value: enc('09/29'), conf: 0.8 },
      },
    });
  };
  return { seen, fetch };
}

function proxyWith(fetch: (request: TargetRequest) => Promise<TargetAnswer>, maxCalls?: number) {
  const saved = new Map<string, RecordedScenario>();
  const proxy = new LiveProxy({
    target: 'https://ocr.example',
    oauth: 'https://oauth.example',
    fetch,
    ownKey: async () => OWN,
    redactor: new Redactor(Buffer.alloc(32, 1)),
    sink: {
      save: async (name, scenario) => {
        saved.set(name, scenario);
        return `${name}.yaml`;
      },
      load: async (name) => saved.get(name),
    },
    maxCalls,
    now: () => Date.UTC(2026, 11, 7),
  });
  return { proxy, saved };
}

function call(path: string, headers: Record<string, string>): ProxyCall {
  return { api: 'v2.0', appKey: 'app', path, headers: { authorization: 'secret', ...headers } };
}

/** A client's envelope for the emulator's own key. */
function envelope() {
  const key = Buffer.alloc(32, 3);
  const wrapped = publicEncrypt({ key: createPublicKey(FIXED_KEYS[0]!.privateKey), padding: constants.RSA_PKCS1_PADDING }, key);
  return { key, header: wrapped.toString('base64'), image: aesEncrypt(key, CARD) };
}

describe('LiveProxy', () => {
  it('hands out its own key under the target version', async () => {
    const { proxy } = proxyWith(fakeTarget().fetch);
    const answer = await proxy.publicKey(call('/v2.0/appkeys/app/public-keys/credit-card', {}), 'credit-card');
    expect(JSON.parse(answer.body.toString()).result).toEqual({ key: OWN.publicKeyBase64, version: 'v9' });
  });

  it('wraps the same AES key again for the target, forwards the rest as sent, and records the values in plaintext, redacted', async () => {
    const target = fakeTarget();
    const { proxy, saved } = proxyWith(target.fetch);
    const { header, image } = envelope();
    const body = Buffer.concat([Buffer.from('--b\r\n'), image]);
    const answer = await proxy.envelopeCall(
      call('/v2.0/appkeys/app/credit-card', { 'x-key-version': 'v9', 'symmetric-key': header }),
      'credit-card',
      body,
      image,
    );
    const sent = target.seen.at(-1)!;
    expect(sent.headers['symmetric-key']).not.toBe(header);
    expect(sent.headers['x-key-version']).toBe('v9');
    expect(sent.headers['authorization']).toBe('secret');
    expect(sent.body).toBe(body);
    expect(answer.resultCode).toBe(0);
    const sha = createHash('sha256').update(CARD).digest('hex');
    const recording = saved.get(`credit-card-${sha.slice(0, 16)}`)!;
    expect(recording.match).toEqual({ imageSha256: [sha] });
    const result = recording.outcome!.result as { totalCardNum: string; cardNums: { value: string }[] };
    expect(result.totalCardNum).toMatch(/^4\d{15}$/);
    expect(result.totalCardNum).not.toBe('4111111111111111');
    expect(JSON.stringify(recording)).not.toContain('secret');
  });

  it('forwards a Symmetric-Key it cannot unwrap as it came, and records nothing', async () => {
    const target = fakeTarget();
    const { proxy, saved } = proxyWith(target.fetch);
    const answer = await proxy.envelopeCall(
      call('/v2.0/appkeys/app/credit-card', { 'x-key-version': 'v9', 'symmetric-key': 'not-base64!' }),
      'credit-card',
      Buffer.alloc(0),
      undefined,
    );
    expect(target.seen.at(-1)!.headers['symmetric-key']).toBe('not-base64!');
    expect(answer.resultCode).toBe(4000302);
    expect(answer.forwarded.notRecorded).toMatch(/did not unwrap/);
    expect(saved.size).toBe(0);
  });

  it('ties an authenticity verdict to the image whose Request-Key it used, and keeps the verdict over a later recording', async () => {
    const { proxy, saved } = proxyWith(fakeTarget().fetch);
    const { header, image } = envelope();
    const headers = { 'x-key-version': 'v9', 'symmetric-key': header };
    await proxy.envelopeCall(call('/v2.0/appkeys/app/id-card', headers), 'id-card', Buffer.alloc(0), image);
    const verdict = await proxy.envelopeCall(
      call('/v2.0/appkeys/app/id-card/authenticity', { ...headers, 'request-key': 'live-request-key-0001' }),
      'id-card/authenticity',
      Buffer.from('{}'),
      undefined,
    );
    expect(verdict.forwarded.recorded).toMatch(/^id-card-/);
    const [name, recording] = [...saved][0]!;
    expect(recording.outcome!.authenticity).toBe(false);
    await proxy.envelopeCall(call('/v2.0/appkeys/app/id-card', headers), 'id-card', Buffer.alloc(0), image);
    expect(saved.get(name)!.outcome!.authenticity).toBe(false);
    expect(JSON.stringify([...saved.values()])).not.toContain('live-request-key-0001');
  });

  it('answers 4000006 past the budget without calling, and 5000503 when the target is away', async () => {
    const target = fakeTarget();
    const { proxy } = proxyWith(target.fetch, 1);
    await proxy.publicKey(call('/v2.0/appkeys/app/public-keys/credit-card', {}), 'credit-card');
    const over = await proxy.publicKey(call('/v2.0/appkeys/app/public-keys/credit-card', {}), 'credit-card');
    expect(over.resultCode).toBe(4000006);
    expect(target.seen).toHaveLength(1);
    const away = proxyWith(async () => {
      throw new TargetUnavailable('timeout', 'no answer within 10 ms');
    }).proxy;
    const failed = await away.publicKey(call('/v2.0/appkeys/app/public-keys/credit-card', {}), 'credit-card');
    expect(failed.resultCode).toBe(5000503);
    expect(failed.diagnosis).toMatch(/ocr\.example did not answer in time/);
  });

  it('forwards token calls to the issuer, uncounted', async () => {
    const target = fakeTarget();
    const { proxy } = proxyWith(target.fetch, 1);
    const answer = await proxy.token(
      '/oauth2/token/create',
      { authorization: 'Basic x', 'content-type': 'application/x-www-form-urlencoded' },
      Buffer.from('grant_type=client_credentials'),
    );
    expect(answer.status).toBe(200);
    expect(target.seen[0]!.url).toBe('https://oauth.example/oauth2/token/create');
    expect(proxy.calls).toBe(0);
  });
});
