// Checks the from-the-docs stand-in with a small client written here from the guide alone
// (node:crypto + fetch), so that neither side borrows from the emulator or its client kit.
import { spawn, type ChildProcess } from 'node:child_process';
import { constants as cryptoConstants, createCipheriv, createDecipheriv, createPublicKey, publicEncrypt, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStandInProcess, type StartedStandIn } from '../support/stand-in.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const APP_KEY = 'standin-appkey';
const SECRET_KEY = 'standin-secretkey';
const fixture = (name: string): Buffer => readFileSync(fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url)));

// ---------------------------------------------------------------------------------------------
// Process handling
// ---------------------------------------------------------------------------------------------

const children = new Set<ChildProcess>();

function startStandIn(env: Record<string, string> = {}): Promise<StartedStandIn> {
  return startStandInProcess(env, (child) => {
    children.add(child);
    child.on('exit', () => children.delete(child));
  });
}

function stop(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) {
      resolve(child.exitCode);
      return;
    }
    child.once('exit', (code) => resolve(code));
    child.kill('SIGTERM');
  });
}

afterAll(async () => {
  await Promise.all([...children].map((child) => stop(child)));
});

/** Starts a stand-in for one test and always stops it. */
async function withStandIn<T>(env: Record<string, string>, body: (client: Client, standIn: StartedStandIn) => Promise<T>): Promise<T> {
  const standIn = await startStandIn(env);
  try {
    return await body(new Client(standIn.url), standIn);
  } finally {
    await stop(standIn.child);
  }
}

// ---------------------------------------------------------------------------------------------
// A minimal client, from the guide: RSA/ECB/PKCS1Padding wrap, AES-256/CBC/PKCS7Padding, IV =
// symmetric key bytes 0..15, base64 on the wire.
// ---------------------------------------------------------------------------------------------

interface ApiHeader {
  isSuccessful: boolean;
  resultCode: number;
  resultMessage: string;
}
interface ApiAnswer {
  status: number;
  headers: Headers;
  header: ApiHeader;
  result: any;
}

type Service = 'credit-card' | 'id-card';

const aesEncrypt = (key: Buffer, plain: Buffer, iv: Buffer = key.subarray(0, 16)): Buffer => {
  const cipher = createCipheriv('aes-256-cbc', key, iv);
  return Buffer.concat([cipher.update(plain), cipher.final()]);
};
const aesDecryptValue = (key: Buffer, base64: string, iv: Buffer = key.subarray(0, 16)): string => {
  const decipher = createDecipheriv('aes-256-cbc', key, iv);
  return Buffer.concat([decipher.update(Buffer.from(base64, 'base64')), decipher.final()]).toString('utf8');
};
const encryptField = (key: Buffer, text: string): string => aesEncrypt(key, Buffer.from(text, 'utf8')).toString('base64');

interface Envelope {
  key: Buffer;
  headers: Record<string, string>;
}

class Client {
  private readonly publicKeys = new Map<Service, string>();

  constructor(readonly baseUrl: string) {}

  async call(method: string, path: string, init: { headers?: Record<string, string>; body?: string | FormData } = {}): Promise<ApiAnswer> {
    const response = await fetch(`${this.baseUrl}${path}`, { method, headers: init.headers, body: init.body ?? null });
    const json = (await response.json()) as { header: ApiHeader; result?: unknown };
    return { status: response.status, headers: response.headers, header: json.header, result: json.result };
  }

  publicKey(service: string, headers: Record<string, string> = { Authorization: SECRET_KEY }): Promise<ApiAnswer> {
    return this.call('GET', `/v2.0/appkeys/${APP_KEY}/public-keys/${service}`, { headers });
  }

  async envelope(service: Service, padding: number = cryptoConstants.RSA_PKCS1_PADDING): Promise<Envelope> {
    let spki = this.publicKeys.get(service);
    if (!spki) {
      const answer = await this.publicKey(service);
      spki = String(answer.result.key);
      this.publicKeys.set(service, spki);
    }
    const publicKey = createPublicKey({ key: Buffer.from(spki, 'base64'), format: 'der', type: 'spki' });
    const key = randomBytes(32);
    const wrapped = publicEncrypt({ key: publicKey, padding }, key);
    return {
      key,
      headers: { Authorization: SECRET_KEY, 'X-Key-Version': '0', 'Symmetric-Key': wrapped.toString('base64') },
    };
  }

  postImage(path: string, envelope: Envelope, ciphertext: Buffer, headers: Record<string, string> = {}): Promise<ApiAnswer> {
    const form = new FormData();
    form.append('image', new Blob([new Uint8Array(ciphertext)]), 'image.bin');
    return this.call('POST', `/v2.0/appkeys/${APP_KEY}/${path}`, {
      headers: { ...envelope.headers, ...headers },
      body: form,
    });
  }

  async analyze(path: 'credit-card' | 'id-card' | 'id-card/stand-alone', image: Buffer) {
    const envelope = await this.envelope(path === 'credit-card' ? 'credit-card' : 'id-card');
    const answer = await this.postImage(path, envelope, aesEncrypt(envelope.key, image));
    return { answer, key: envelope.key };
  }

  async authenticity(requestKey: string | null, fields: Record<string, string>): Promise<ApiAnswer> {
    const envelope = await this.envelope('id-card');
    const body: Record<string, string> = { idType: 'resident' };
    for (const [name, value] of Object.entries(fields)) body[name] = encryptField(envelope.key, value);
    const headers: Record<string, string> = { ...envelope.headers, 'Content-Type': 'application/json' };
    if (requestKey !== null) headers['Request-Key'] = requestKey;
    return this.call('POST', `/v2.0/appkeys/${APP_KEY}/id-card/authenticity`, { headers, body: JSON.stringify(body) });
  }
}

function luhnValid(digits: string): boolean {
  let sum = 0;
  [...digits].reverse().forEach((c, i) => {
    let d = Number(c);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  });
  return sum % 10 === 0;
}

const failure = (code: number, message: string) => ({ isSuccessful: false, resultCode: code, resultMessage: message });

function decryptKeyValues(result: { keyValues: Array<{ key: string; value: string }> }, key: Buffer): Record<string, string> {
  return Object.fromEntries(result.keyValues.map((kv) => [kv.key, aesDecryptValue(key, kv.value)]));
}

// ---------------------------------------------------------------------------------------------
// The documented behaviour
// ---------------------------------------------------------------------------------------------

describe('stand-in, unbroken', () => {
  let client: Client;
  let standIn: StartedStandIn;

  beforeAll(async () => {
    standIn = await startStandIn();
    client = new Client(standIn.url);
  });

  it('prints the plain ready line', () => {
    expect(standIn.readyLine).toMatch(/^stand-in ready at http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('issues an RSA-2048 SPKI public key with version "0"', async () => {
    const answer = await client.publicKey('credit-card');
    expect(answer.status).toBe(200);
    expect(answer.header).toEqual({ isSuccessful: true, resultCode: 0, resultMessage: 'SUCCESS' });
    expect(answer.result.version).toBe('0');
    const key = createPublicKey({ key: Buffer.from(answer.result.key, 'base64'), format: 'der', type: 'spki' });
    expect(key.asymmetricKeyType).toBe('rsa');
    expect(key.asymmetricKeyDetails?.modulusLength).toBe(2048);
  });

  it('reads a credit card: four Luhn-valid groups, totalCardNum = concatenation', async () => {
    const { answer, key } = await client.analyze('credit-card', fixture('card-856x540.jpg'));
    expect(answer.header.resultCode).toBe(0);
    const r = answer.result;
    expect(r.fileType).toBe('jpg');
    expect(r.resolution).toBe('normal');
    const groups = (r.cardNums as Array<{ value: string; conf: number }>).map((c) => aesDecryptValue(key, c.value));
    expect(groups).toHaveLength(4);
    for (const g of groups) expect(g).toMatch(/^\d{4}$/);
    const total = aesDecryptValue(key, r.totalCardNum);
    expect(total).toBe(groups.join(''));
    expect(luhnValid(total)).toBe(true);
    expect(aesDecryptValue(key, r.validThru.value)).toMatch(/^(0[1-9]|1[0-2])\/\d{2}$/);
    for (const c of [...r.cardNums, r.validThru]) {
      expect(c.conf).toBeGreaterThanOrEqual(0);
      expect(c.conf).toBeLessThanOrEqual(1);
    }
    expect(r.cardNumBoxes).toHaveLength(4);
    expect(Object.keys(r.validThruBox).sort()).toEqual(['x1', 'x2', 'x3', 'x4', 'y1', 'y2', 'y3', 'y4']);
  });

  it('reads type and size from the decrypted image (760x480 threshold)', async () => {
    const cases: Array<[string, string, string]> = [
      ['card-428x270.png', 'png', 'low'],
      ['card-856x540.png', 'png', 'normal'],
      ['card-428x270.jpg', 'jpg', 'low'],
    ];
    for (const [name, fileType, resolution] of cases) {
      const { answer } = await client.analyze('credit-card', fixture(name));
      expect(answer.header.resultCode).toBe(0);
      expect({ fileType: answer.result.fileType, resolution: answer.result.resolution }).toEqual({ fileType, resolution });
    }
  });

  it('reads a resident card, then verifies it once with its Request-Key', async () => {
    const { answer, key } = await client.analyze('id-card', fixture('id-resident-900x570.jpg'));
    expect(answer.header.resultCode).toBe(0);
    expect(answer.result.idType).toBe('resident');
    expect(answer.result.resolution).toBe('normal');
    for (const kv of answer.result.keyValues) expect(Object.keys(kv.bbox)).toHaveLength(8);
    expect(answer.result.boxes.length).toBeGreaterThan(0);
    const values = decryptKeyValues(answer.result, key);
    expect(Object.keys(values)).toEqual(['name', 'residentNumber', 'issueDate', 'issuer']);
    expect(values.residentNumber).toMatch(/^\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])[1-4]\d{6}$/);
    expect(values.issueDate).toMatch(/^\d{8}$/);

    const requestKey = answer.headers.get('request-key');
    expect(requestKey).toBeTruthy();
    const claim = { name: values.name ?? '', residentNumber: values.residentNumber ?? '', issueDate: values.issueDate ?? '' };
    const first = await client.authenticity(requestKey, claim);
    expect(first.header).toEqual({ isSuccessful: true, resultCode: 0, resultMessage: 'SUCCESS' });
    expect(first.result).toEqual({ isAuthenticity: true });

    const again = await client.authenticity(requestKey, claim);
    expect(again.header).toEqual(failure(4000122, 'Request Key is invalid or expired.'));
    expect(again.result).toBeUndefined();
  });

  it('answers isAuthenticity false for a wrong name, and the key is then spent', async () => {
    const { answer, key } = await client.analyze('id-card', fixture('id-resident-900x570.jpg'));
    const values = decryptKeyValues(answer.result, key);
    const requestKey = answer.headers.get('request-key');
    const claim = { name: 'nobody', residentNumber: values.residentNumber ?? '', issueDate: values.issueDate ?? '' };
    const wrong = await client.authenticity(requestKey, claim);
    expect(wrong.result).toEqual({ isAuthenticity: false });
    expect((await client.authenticity(requestKey, { ...claim, name: values.name ?? '' })).header.resultCode).toBe(4000122);
  });

  it('never sends a Request-Key from stand-alone', async () => {
    const { answer } = await client.analyze('id-card/stand-alone', fixture('id-resident-900x570.jpg'));
    expect(answer.header.resultCode).toBe(0);
    expect(answer.headers.get('request-key')).toBeNull();
  });

  it('answers an unknown X-Key-Version with 4000301 on HTTP 200', async () => {
    const envelope = await client.envelope('credit-card');
    const answer = await client.postImage('credit-card', envelope, aesEncrypt(envelope.key, fixture('card-856x540.jpg')), {
      'X-Key-Version': '99',
    });
    expect(answer.status).toBe(200);
    expect(answer.header).toEqual(failure(4000301, 'Invalid key version.'));
    expect(answer.result).toBeUndefined();
  });

  it('maps the other failures in the documented order', async () => {
    const image = fixture('card-856x540.jpg');
    const envelope = await client.envelope('credit-card');
    const ok = aesEncrypt(envelope.key, image);
    const codeOf = async (p: Promise<ApiAnswer>) => (await p).header.resultCode;

    expect(await codeOf(client.call('GET', `/v2.0/appkeys/${APP_KEY}/credit-card`))).toBe(4041007);
    expect(await codeOf(client.publicKey('credit-card', {}))).toBe(4000005);
    expect(await codeOf(client.publicKey('credit-card', { Authorization: 'wrong' }))).toBe(4010001);
    expect(await codeOf(client.publicKey('passport'))).toBe(4000001);
    expect(await codeOf(client.postImage('credit-card', { key: envelope.key, headers: { Authorization: SECRET_KEY } }, ok))).toBe(4000005);
    const oaep = await client.envelope('credit-card', cryptoConstants.RSA_PKCS1_OAEP_PADDING);
    expect(await codeOf(client.postImage('credit-card', oaep, aesEncrypt(oaep.key, image)))).toBe(4000302);
    expect(await codeOf(client.call('POST', `/v2.0/appkeys/${APP_KEY}/credit-card`, { headers: envelope.headers, body: 'x' }))).toBe(4000001);
    expect(await codeOf(client.postImage('credit-card', envelope, Buffer.alloc(0)))).toBe(4000004);
    expect(await codeOf(client.postImage('credit-card', envelope, ok.subarray(0, ok.length - 1)))).toBe(4000303);
    expect(await codeOf(client.postImage('credit-card', envelope, aesEncrypt(envelope.key, Buffer.from('GIF89a'))))).toBe(4000003);
    expect(await codeOf(client.authenticity(null, { name: 'a', residentNumber: '1', issueDate: '2' }))).toBe(4000005);
    expect(await codeOf(client.authenticity('no-such-key', { name: 'a', residentNumber: '1', issueDate: '2' }))).toBe(4000122);
  });

  it('answers 4131000 above the body limit', async () => {
    await withStandIn({ STANDIN_MAX_BODY_BYTES: '1024' }, async (small) => {
      const answer = await small.analyze('credit-card', fixture('card-856x540.jpg'));
      expect(answer.answer.header).toEqual(failure(4131000, 'Request size is larger than permissible limit.'));
    });
  });
});

describe('stand-in process', () => {
  it('refuses an unknown break with exit code 1', async () => {
    const child = spawn(process.execPath, ['test/stand-in/stand-in-server.mjs'], {
      cwd: repoRoot,
      env: { ...process.env, PORT: '0', STANDIN_BREAK: 'no-such-break' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    children.add(child);
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(1);
    expect(stderr).toContain('no-such-break');
  });

  it('exits 0 on SIGTERM', async () => {
    const standIn = await startStandIn();
    expect(await stop(standIn.child)).toBe(0);
  });
});

// ---------------------------------------------------------------------------------------------
// Each break is observable
// ---------------------------------------------------------------------------------------------

describe('break switches', () => {
  const resident = fixture('id-resident-900x570.jpg');
  const card = fixture('card-856x540.jpg');

  it('plaintext-values: values arrive unencrypted', async () => {
    await withStandIn({ STANDIN_BREAK: 'plaintext-values' }, async (client, standIn) => {
      expect(standIn.readyLine).toMatch(/^stand-in ready at http:\/\/127\.0\.0\.1:\d+ \(break: plaintext-values\)$/);
      const { answer } = await client.analyze('credit-card', card);
      for (const c of answer.result.cardNums) expect(c.value).toMatch(/^\d{4}$/);
    });
  });

  it('request-key-reusable: a spent Request-Key works again', async () => {
    await withStandIn({ STANDIN_BREAK: 'request-key-reusable' }, async (client) => {
      const { answer, key } = await client.analyze('id-card', resident);
      const v = decryptKeyValues(answer.result, key);
      const claim = { name: v.name ?? '', residentNumber: v.residentNumber ?? '', issueDate: v.issueDate ?? '' };
      const requestKey = answer.headers.get('request-key');
      expect((await client.authenticity(requestKey, claim)).result).toEqual({ isAuthenticity: true });
      const again = await client.authenticity(requestKey, claim);
      expect(again.header.resultCode).toBe(0);
    });
  });

  it('no-request-key: /id-card has no Request-Key header', async () => {
    await withStandIn({ STANDIN_BREAK: 'no-request-key' }, async (client) => {
      const { answer } = await client.analyze('id-card', resident);
      expect(answer.header.resultCode).toBe(0);
      expect(answer.headers.get('request-key')).toBeNull();
    });
  });

  it('request-key-on-stand-alone: stand-alone sends a Request-Key', async () => {
    await withStandIn({ STANDIN_BREAK: 'request-key-on-stand-alone' }, async (client) => {
      const { answer } = await client.analyze('id-card/stand-alone', resident);
      expect(answer.headers.get('request-key')).toBeTruthy();
    });
  });

  it('http-status-on-error: a failure comes with HTTP 400', async () => {
    await withStandIn({ STANDIN_BREAK: 'http-status-on-error' }, async (client) => {
      const answer = await client.publicKey('credit-card', { Authorization: 'wrong' });
      expect(answer.status).toBe(400);
      expect(answer.header.resultCode).toBe(4010001);
    });
  });

  it('total-card-num-mismatch: totalCardNum differs from the groups', async () => {
    await withStandIn({ STANDIN_BREAK: 'total-card-num-mismatch' }, async (client) => {
      const { answer, key } = await client.analyze('credit-card', card);
      const groups = answer.result.cardNums.map((c: { value: string }) => aesDecryptValue(key, c.value)).join('');
      expect(aesDecryptValue(key, answer.result.totalCardNum)).not.toBe(groups);
    });
  });

  it('wrong-iv: values decrypt only with a zero IV', async () => {
    await withStandIn({ STANDIN_BREAK: 'wrong-iv' }, async (client) => {
      const { answer, key } = await client.analyze('credit-card', card);
      const value: string = answer.result.cardNums[0].value;
      expect(aesDecryptValue(key, value, Buffer.alloc(16))).toMatch(/^\d{4}$/);
      // With the documented IV the single block comes out scrambled (usually a padding error).
      let withDocumentedIv = '';
      try {
        withDocumentedIv = aesDecryptValue(key, value);
      } catch {
        withDocumentedIv = '<bad padding>';
      }
      expect(withDocumentedIv).not.toMatch(/^\d{4}$/);
    });
  });

  it('accepts-oaep: an OAEP-wrapped Symmetric-Key is accepted', async () => {
    await withStandIn({ STANDIN_BREAK: 'accepts-oaep' }, async (client) => {
      const envelope = await client.envelope('credit-card', cryptoConstants.RSA_PKCS1_OAEP_PADDING);
      const answer = await client.postImage('credit-card', envelope, aesEncrypt(envelope.key, card));
      expect(answer.header.resultCode).toBe(0);
    });
  });

  it('wrong-error-code: an unknown X-Key-Version answers 4000302', async () => {
    await withStandIn({ STANDIN_BREAK: 'wrong-error-code' }, async (client) => {
      const envelope = await client.envelope('credit-card');
      const answer = await client.postImage('credit-card', envelope, aesEncrypt(envelope.key, card), { 'X-Key-Version': '99' });
      expect(answer.header.resultCode).toBe(4000302);
    });
  });

  it('version-number: the public key version is a number', async () => {
    await withStandIn({ STANDIN_BREAK: 'version-number' }, async (client) => {
      const answer = await client.publicKey('id-card');
      expect(answer.result.version).toBe(0);
    });
  });

  it('resolution-ignored: a 428x270 image is "normal"', async () => {
    await withStandIn({ STANDIN_BREAK: 'resolution-ignored' }, async (client) => {
      const { answer } = await client.analyze('credit-card', fixture('card-428x270.jpg'));
      expect(answer.result.resolution).toBe('normal');
    });
  });
});

// ---------------------------------------------------------------------------------------------
// v2.1 and the token issuer (docs/emulated-api.md, "v2.1 and the token issuer" and "The token issuer")
// ---------------------------------------------------------------------------------------------

const ACCESS = { id: 'standin-user-access-key', secret: 'standin-secret-access-key' };
const RESTRICTED = { id: 'standin-restricted-key', secret: 'standin-restricted-secret' };
const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

interface IssuerAnswer {
  status: number;
  headers: Headers;
  text: string;
  json: any;
}

async function issuerCall(
  baseUrl: string,
  path: string,
  body: string,
  headers: Record<string, string> = { Authorization: basic(ACCESS.id, ACCESS.secret), 'Content-Type': 'application/x-www-form-urlencoded' },
): Promise<IssuerAnswer> {
  const response = await fetch(`${baseUrl}${path}`, { method: 'POST', headers, body });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, json: text ? JSON.parse(text) : undefined };
}

async function newToken(baseUrl: string, who = ACCESS): Promise<string> {
  const answer = await issuerCall(baseUrl, '/oauth2/token/create', 'grant_type=client_credentials', {
    Authorization: basic(who.id, who.secret),
    'Content-Type': 'application/x-www-form-urlencoded',
  });
  return answer.json.access_token as string;
}

/** A v2.1 call: the v2.0 request with the token header instead of the secret key. */
async function v21(client: Client, path: string, headers: Record<string, string>, appKey = APP_KEY): Promise<ApiAnswer> {
  return client.call('GET', `/v2.1/appkeys/${appKey}/${path}`, { headers });
}

async function v21CreditCard(client: Client, token: string): Promise<{ answer: ApiAnswer; key: Buffer }> {
  const envelope = await client.envelope('credit-card');
  const { Authorization: _secret, ...envelopeHeaders } = envelope.headers;
  const form = new FormData();
  form.append('image', new Blob([new Uint8Array(aesEncrypt(envelope.key, fixture('card-856x540.jpg')))]), 'image.bin');
  const answer = await client.call('POST', `/v2.1/appkeys/${APP_KEY}/credit-card`, {
    headers: { ...envelopeHeaders, 'X-NHN-Authorization': `Bearer ${token}` },
    body: form,
  });
  return { answer, key: envelope.key };
}

describe('stand-in v2.1 and token issuer, unbroken', () => {
  let client: Client;
  let url: string;

  beforeAll(async () => {
    const standIn = await startStandIn();
    url = standIn.url;
    client = new Client(url);
  });

  it('issues a Bearer token with a numeric expires_in, not to be cached', async () => {
    const answer = await issuerCall(url, '/oauth2/token/create', 'grant_type=client_credentials');
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
    expect(answer.headers.get('cache-control')).toBe('no-store');
    expect(answer.json).toEqual({ access_token: expect.any(String), token_type: 'Bearer', expires_in: 86400 });
    expect(answer.json.access_token.length).toBeGreaterThan(20);
  });

  it('answers RFC 6749 errors: 401 invalid_client with a Basic challenge, 400 for the grant and the form', async () => {
    const form = { 'Content-Type': 'application/x-www-form-urlencoded' };
    const wrong = await issuerCall(url, '/oauth2/token/create', 'grant_type=client_credentials', { ...form, Authorization: basic(ACCESS.id, 'wrong') });
    expect([wrong.status, wrong.json.error]).toEqual([401, 'invalid_client']);
    expect(wrong.headers.get('www-authenticate')).toMatch(/^Basic realm="/);
    const none = await issuerCall(url, '/oauth2/token/create', 'grant_type=client_credentials', form);
    expect([none.status, none.json.error]).toEqual([401, 'invalid_client']);
    const grant = await issuerCall(url, '/oauth2/token/create', 'grant_type=password');
    expect([grant.status, grant.json.error]).toEqual([400, 'unsupported_grant_type']);
    const missing = await issuerCall(url, '/oauth2/token/create', '');
    expect([missing.status, missing.json.error]).toEqual([400, 'invalid_request']);
    const json = await issuerCall(url, '/oauth2/token/create', '{"grant_type":"client_credentials"}', {
      Authorization: basic(ACCESS.id, ACCESS.secret),
      'Content-Type': 'application/json',
    });
    expect([json.status, json.json.error]).toEqual([400, 'invalid_request']);
    const revokeNothing = await issuerCall(url, '/oauth2/token/revoke', '');
    expect([revokeNothing.status, revokeNothing.json.error]).toEqual([400, 'invalid_request']);
  });

  it('reads a credit card on v2.1 with the token, values encrypted as on v2.0', async () => {
    const { answer, key } = await v21CreditCard(client, await newToken(url));
    expect(answer.header.resultCode).toBe(0);
    expect(aesDecryptValue(key, answer.result.totalCardNum)).toMatch(/^\d{16}$/);
  });

  it('checks the token in the documented order', async () => {
    const token = await newToken(url);
    const codeOf = async (p: Promise<ApiAnswer>) => (await p).header.resultCode;
    expect(await codeOf(client.call('GET', `/v2.1/appkeys/${APP_KEY}/nothing`, { headers: { 'X-NHN-Authorization': `Bearer ${token}` } }))).toBe(4041007);
    expect(await codeOf(v21(client, 'public-keys/credit-card', {}))).toBe(4000005);
    expect(await codeOf(v21(client, 'public-keys/credit-card', { Authorization: SECRET_KEY }))).toBe(4000005);
    expect(await codeOf(v21(client, 'public-keys/credit-card', { 'X-NHN-Authorization': token }))).toBe(4000005);
    expect(await codeOf(v21(client, 'public-keys/credit-card', { 'X-NHN-Authorization': 'Bearer nope' }))).toBe(4010006);
    expect(await codeOf(v21(client, 'public-keys/credit-card', { 'x-nhn-authorization': `bearer ${token}` }))).toBe(0);
    expect(await codeOf(v21(client, 'public-keys/credit-card', { 'X-NHN-Authorization': `Bearer ${token}` }, 'other-appkey'))).toBe(4010007);
    expect(await codeOf(v21(client, 'public-keys/credit-card', { 'X-NHN-Authorization': `Bearer ${await newToken(url, RESTRICTED)}` }))).toBe(4010007);
    expect(await codeOf(v21(client, 'public-keys/passport', { 'X-NHN-Authorization': `Bearer ${token}` }))).toBe(4000001);
    expect(await codeOf(client.publicKey('credit-card', { 'X-NHN-Authorization': `Bearer ${token}` }))).toBe(4000005);
  });

  it('refuses a revoked token, and answers 200 to revoking an unknown one', async () => {
    const token = await newToken(url);
    expect((await v21(client, 'public-keys/id-card', { 'X-NHN-Authorization': `Bearer ${token}` })).header.resultCode).toBe(0);
    const revoke = await issuerCall(url, '/oauth2/token/revoke', `token=${encodeURIComponent(token)}`);
    expect([revoke.status, revoke.text]).toEqual([200, '']);
    expect((await v21(client, 'public-keys/id-card', { 'X-NHN-Authorization': `Bearer ${token}` })).header).toEqual(failure(4010006, 'Invalid token.'));
    expect((await issuerCall(url, '/oauth2/token/revoke', 'token=never-issued')).status).toBe(200);
  });

  it('answers passport authenticity with 4000001 (withdrawn 2026-05-27)', async () => {
    const envelope = await client.envelope('id-card');
    const body = {
      idType: 'passport',
      name: encryptField(envelope.key, 'a'),
      passportNumber: encryptField(envelope.key, 'M12345678'),
      issueDate: encryptField(envelope.key, '20200101'),
      birthDate: encryptField(envelope.key, '19900101'),
      expirationDate: '20300101',
    };
    const answer = await client.call('POST', `/v2.0/appkeys/${APP_KEY}/id-card/authenticity`, {
      headers: { ...envelope.headers, 'Content-Type': 'application/json', 'Request-Key': 'unknown' },
      body: JSON.stringify(body),
    });
    expect(answer.header).toEqual(failure(4000001, 'Invalid parameter.'));
  });
});

describe('break switches of v2.1 and the envelope', () => {
  it('missing-header-unknown-error: a missing Symmetric-Key answers -1', async () => {
    await withStandIn({ STANDIN_BREAK: 'missing-header-unknown-error' }, async (client) => {
      const envelope = await client.envelope('credit-card');
      const { 'Symmetric-Key': _dropped, ...headers } = envelope.headers;
      const answer = await client.postImage('credit-card', { key: envelope.key, headers }, aesEncrypt(envelope.key, fixture('card-856x540.jpg')));
      expect(answer.header).toEqual(failure(-1, 'Unknown error.'));
    });
  });

  it('revoked-token-accepted: a revoked token still works', async () => {
    await withStandIn({ STANDIN_BREAK: 'revoked-token-accepted' }, async (client, standIn) => {
      const token = await newToken(standIn.url);
      expect((await issuerCall(standIn.url, '/oauth2/token/revoke', `token=${token}`)).status).toBe(200);
      expect((await v21(client, 'public-keys/id-card', { 'X-NHN-Authorization': `Bearer ${token}` })).header.resultCode).toBe(0);
    });
  });

  it('expires-in-string: expires_in is "86400"', async () => {
    await withStandIn({ STANDIN_BREAK: 'expires-in-string' }, async (_client, standIn) => {
      const answer = await issuerCall(standIn.url, '/oauth2/token/create', 'grant_type=client_credentials');
      expect(answer.json.expires_in).toBe('86400');
    });
  });

  it('invalid-token-4010001: a garbage token answers 4010001', async () => {
    await withStandIn({ STANDIN_BREAK: 'invalid-token-4010001' }, async (client) => {
      expect((await v21(client, 'public-keys/id-card', { 'X-NHN-Authorization': 'Bearer nope' })).header.resultCode).toBe(4010001);
    });
  });

  it('plaintext-values-v21: v2.1 values arrive unencrypted, v2.0 ones do not', async () => {
    await withStandIn({ STANDIN_BREAK: 'plaintext-values-v21' }, async (client, standIn) => {
      const { answer } = await v21CreditCard(client, await newToken(standIn.url));
      expect(answer.result.totalCardNum).toMatch(/^\d{16}$/);
      const { answer: v20, key } = await client.analyze('credit-card', fixture('card-856x540.jpg'));
      expect(aesDecryptValue(key, v20.result.totalCardNum)).toMatch(/^\d{16}$/);
    });
  });
});
