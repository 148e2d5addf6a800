/**
 * Record mode through the envelope (docs/record-live-service.md), against the stand-in of the
 * live service (test/stand-in/) on its own port with its own keys and credentials: v2.0, v2.1
 * and the token issuer forwarded, the stand-in's answers relayed byte for byte, each answer
 * written as a scenario file, an emulator started on those files answering the same images
 * offline, personal values replaced, the caller's secrets in no file, log line or journal
 * entry, and the target's failures answered clearly.
 */
import type { ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { type AddressInfo, createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOcrClient, type OcrClient } from '../../contracts/client/index.js';
import { decryptValue, encryptBytes, newSymmetricKey, wrapSymmetricKey } from '../../contracts/client/envelope.js';
import { isLuhnValid } from '../../contracts/lib/plausible.js';
import { runContracts } from '../../contracts/lib/cli.js';
import { loadOpenApiDocument, OpenApiValidator } from '../../contracts/lib/openapi-validator.js';
import { MAIN, spawnEmulator } from '../../contracts/lib/spawn-emulator.js';
import { startEmulator, type RunningEmulator, type StartOptions } from '../../server/index.js';
import { fixedKeyFactory, fixture } from '../support/fixtures.js';
import { fixturePath, runClient, SHELL_CLIENT, SHELL_CLIENT_V21, V21_CLIENT_SUCCEEDED } from '../support/shell-clients.js';
import { startStandInProcess } from '../support/stand-in.js';

const STAND_IN = {
  appKey: 'standin-appkey',
  secretKey: 'standin-secretkey',
  accessKeyId: 'standin-user-access-key',
  secretAccessKey: 'standin-secret-access-key',
};
const CARD = fixture('card-856x540.jpg');
const RESIDENT = fixture('id-resident-900x570.jpg');
const BOUNDARY = 'record-mode-test';
const multipart = (image: Buffer) =>
  Buffer.concat([
    Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="image"; filename="card.jpg"\r\nContent-Type: application/octet-stream\r\n\r\n`),
    image,
    Buffer.from(`\r\n--${BOUNDARY}--\r\n`),
  ]);
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

const children = new Set<ChildProcess>();
const emulators: RunningEmulator[] = [];
afterAll(async () => {
  for (const emulator of emulators) await emulator.close();
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
});

let standIn: string;
beforeAll(async () => {
  standIn = (await startStandInProcess({}, (child) => children.add(child))).url;
});

/** An emulator in record mode in front of `target`, its log lines kept. */
async function recorder(target: string, options: StartOptions = {}): Promise<{ emulator: RunningEmulator; dir: string; log: string[] }> {
  const dir = join(mkdtempSync(join(tmpdir(), 'record-')), 'recorded');
  const log: string[] = [];
  const emulator = await startEmulator({
    port: 0,
    keyFactory: fixedKeyFactory(),
    prepareKeys: false,
    watchScenarios: false,
    recordTarget: target,
    recordOauthUrl: target,
    recordDir: dir,
    log: 'requests',
    logger: (line) => log.push(line),
    ...options,
  });
  emulators.push(emulator);
  return { emulator, dir, log };
}

function v20(baseUrl: string, credentials = STAND_IN): OcrClient {
  return createOcrClient({ baseUrl, appKey: credentials.appKey, secretKey: credentials.secretKey });
}

function v21(baseUrl: string): OcrClient {
  return createOcrClient({
    baseUrl,
    apiVersion: 'v2.1',
    appKey: STAND_IN.appKey,
    userAccessKeyId: STAND_IN.accessKeyId,
    secretAccessKey: STAND_IN.secretAccessKey,
    oauthBaseUrl: baseUrl,
  });
}

/** Every file of a directory (not recursive), by name. */
function files(dir: string): Map<string, string> {
  return new Map(readdirSync(dir).map((name) => [name, readFileSync(join(dir, name), 'utf8')]));
}

function recording(dir: string, name: string): Record<string, any> {
  return parse(readFileSync(join(dir, name), 'utf8')) as Record<string, any>;
}

const admin = new OpenApiValidator(loadOpenApiDocument(fileURLToPath(new URL('../../server/admin-openapi.yaml', import.meta.url))));

/** An admin answer, checked against server/admin-openapi.yaml. */
async function adminChecked(emulator: RunningEmulator, path: string): Promise<any> {
  const response = await fetch(`${emulator.url}${path}`);
  const body = (await response.json()) as unknown;
  const checked = admin.validateResponse({ method: 'get', path, status: response.status, headers: Object.fromEntries(response.headers), body });
  expect(checked.errors, `${path}: ${JSON.stringify(body)}`).toEqual([]);
  return body;
}

/** The journal, every entry (the forwarded ones included) as the admin API's description has it. */
async function journal(emulator: RunningEmulator): Promise<Array<Record<string, any>>> {
  return ((await adminChecked(emulator, '/__emulator/requests?limit=100')) as { requests: Array<Record<string, any>> }).requests;
}

describe('record mode against the stand-in', () => {
  let rec: Awaited<ReturnType<typeof recorder>>;
  beforeAll(async () => {
    rec = await recorder(standIn);
  });

  it('says at start that it forwards, and where (hosts only), and where recordings go', () => {
    const line = rec.log.find((l) => l.includes('record mode on'));
    expect(line).toContain(`forwarded to ${new URL(standIn).host}`);
    expect(line).toContain(rec.dir);
    expect(line).toContain('replaced by synthetic ones');
  });

  it("takes the admin API's per-appKey calls for the client's appKey, which it only forwards", async () => {
    // A test suite resets its appKey before its first call (examples/*); the live service, not
    // the emulator, knows whether that appKey exists.
    for (const [path, body] of [
      ['/__emulator/reset', { appKey: 'standin-appkey' }],
      ['/__emulator/clock', { advanceSeconds: 0, appKey: 'standin-appkey' }],
    ] as const) {
      const response = await fetch(`${rec.emulator.url}${path}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(response.status, `${path}: ${await response.clone().text()}`).toBeLessThan(300);
    }
  });

  it('hands out its own public key under the target version, and relays a v2.0 credit-card answer byte for byte', async () => {
    const direct = v20(standIn);
    const proxied = v20(rec.emulator.url);
    const theirs = await direct.publicKey('credit-card');
    const ours = await proxied.publicKey('credit-card');
    expect(ours.version).toBe(theirs.version);
    expect(ours.key).not.toBe(theirs.key);
    expect(ours.key).toBe((await rec.emulator.engine.controls.currentKey(STAND_IN.appKey, 'credit-card')).publicKeyBase64);

    // One AES key, one body: the stand-in's answer through the proxy is the very bytes it answers directly.
    const symmetricKey = newSymmetricKey();
    const body = multipart(encryptBytes(symmetricKey, CARD));
    const post = (baseUrl: string, publicKey: string) =>
      fetch(`${baseUrl}/v2.0/appkeys/${STAND_IN.appKey}/credit-card`, {
        method: 'POST',
        headers: {
          Authorization: STAND_IN.secretKey,
          'X-Key-Version': theirs.version,
          'Symmetric-Key': wrapSymmetricKey(publicKey, symmetricKey),
          'Content-Type': `multipart/form-data; boundary=${BOUNDARY}`,
        },
        body: new Uint8Array(body),
      });
    const viaProxy = await post(rec.emulator.url, ours.key);
    const straight = await post(standIn, theirs.key);
    expect([viaProxy.status, viaProxy.headers.get('content-type')]).toEqual([straight.status, straight.headers.get('content-type')]);
    const bytes = Buffer.from(await viaProxy.arrayBuffer());
    expect(bytes.equals(Buffer.from(await straight.arrayBuffer()))).toBe(true);
    const answer = JSON.parse(bytes.toString()) as { header: { resultCode: number }; result: { totalCardNum: string } };
    expect(answer.header.resultCode).toBe(0);
    expect(isLuhnValid(decryptValue(symmetricKey, answer.result.totalCardNum))).toBe(true);

    const entry = (await journal(rec.emulator)).find((e) => e.endpoint === 'credit-card')!;
    expect(entry.forwarded).toMatchObject({
      host: new URL(standIn).host,
      status: 200,
      resultCode: 0,
      recorded: expect.stringMatching(/credit-card-[0-9a-f]{16}\.yaml$/),
    });
    expect(entry.forwarded.latencyMs).toBeGreaterThanOrEqual(0);
  });

  it('writes the answer as a scenario matched by the image, values replaced by synthetic ones of the same shape', async () => {
    const name = `credit-card-${sha256(CARD).slice(0, 16)}.yaml`;
    const file = recording(rec.dir, name);
    const read = (await v20(standIn).creditCard(CARD)).result!;
    expect(file.recorded).toMatchObject({ target: new URL(standIn).host, api: 'v2.0', redacted: true });
    expect(file.endpoints).toEqual(['credit-card']);
    expect(file.match).toEqual({ imageSha256: [sha256(CARD)] });
    const result = file.outcome.result;
    expect(result.cardNums.map((g: { value: string }) => g.value)).not.toEqual(read.cardNums.map((g) => g.value));
    expect(result.cardNums.map((g: { value: string }) => g.value.length)).toEqual(read.cardNums.map((g) => g.value.length));
    expect(result.totalCardNum).toBe(result.cardNums.map((g: { value: string }) => g.value).join(''));
    expect(isLuhnValid(result.totalCardNum)).toBe(true);
    expect(result.validThru.value).toMatch(/^(0[1-9]|1[0-2])\/\d\d$/);
    // What the target read besides the values is kept as it read it.
    expect(result.cardNums.map((g: { conf: number }) => g.conf)).toEqual(read.cardNums.map((g) => g.conf));
    expect(result.cardNumBoxes).toEqual(read.cardNumBoxes);
    expect(result.resolution).toBe(read.resolution);
    expect(readFileSync(join(rec.dir, name), 'utf8')).toMatch(/^# A recording of the live service/);
    expect(readFileSync(join(rec.dir, '.gitignore'), 'utf8')).toContain('.redaction-salt');
    expect(statSync(join(rec.dir, '.redaction-salt')).mode & 0o077).toBe(0);
  });

  it('records /id-card with its Request-Key relayed, and ties the authenticity verdict to the image', async () => {
    const client = v20(rec.emulator.url);
    const read = await client.idCard(RESIDENT);
    expect(read.resultCode).toBe(0);
    expect(read.requestKey).toMatch(/\S{8,}/);
    const values = Object.fromEntries(read.result!.keyValues.map((kv) => [kv.key, kv.value]));
    const verdict = await client.authenticity(read.requestKey!, {
      idType: 'resident',
      name: values['name']!,
      residentNumber: values['residentNumber']!.replace(/\D/g, ''),
      issueDate: values['issueDate']!.replace(/\D/g, ''),
    });
    expect(verdict.resultCode).toBe(0);
    expect(verdict.result!.isAuthenticity).toBe(true);
    const file = recording(rec.dir, `id-card-${sha256(RESIDENT).slice(0, 16)}.yaml`);
    expect(file.outcome.authenticity).toBe(true);
    expect(file.outcome.result.idType).toBe('resident');
    const recorded = Object.fromEntries(file.outcome.result.keyValues.map((kv: { key: string; value: string }) => [kv.key, kv.value]));
    for (const key of ['name', 'residentNumber', 'issueDate', 'issuer']) expect(recorded[key], key).not.toBe(values[key]);
    expect(recorded['residentNumber']).toMatch(/^\d{6}-?\d{7}$/.test(values['residentNumber']!) ? /^\d{6}-?\d{7}$/ : /./);
    const digits = recorded['residentNumber'].replace(/\D/g, '');
    const weights = [2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5];
    const sum = weights.reduce((acc, w, i) => acc + w * Number(digits[i]), 0);
    expect(digits[12]).toBe(String((11 - (sum % 11)) % 10));
    const entries = await journal(rec.emulator);
    expect(entries.find((e) => e.endpoint === 'id-card/authenticity')?.forwarded.recorded).toMatch(/id-card-/);
  });

  it('forwards v2.1 with its token, and the token issuer, recording stand-alone', async () => {
    const client = v21(rec.emulator.url);
    const token = (await client.token()).accessToken;
    const answer = await client.idCardStandAlone(RESIDENT);
    expect(answer.resultCode).toBe(0);
    expect(answer.requestKey).toBeUndefined();
    const file = recording(rec.dir, `id-card-stand-alone-${sha256(RESIDENT).slice(0, 16)}.yaml`);
    expect(file.recorded.api).toBe('v2.1');
    const entries = await journal(rec.emulator);
    expect(entries.find((e) => e.endpoint === 'token/create')?.forwarded).toMatchObject({ host: new URL(standIn).host, status: 200 });
    expect(rec.log).toContainEqual(expect.stringMatching(/^POST \/oauth2\/token\/create -> HTTP 200 .* forwarded=127\.0\.0\.1:\d+\(/));
    // The token issued by the stand-in, not by the emulator: the stand-in accepts it directly.
    const direct = await fetch(`${standIn}/v2.1/appkeys/${STAND_IN.appKey}/public-keys/id-card`, { headers: { 'X-NHN-Authorization': `Bearer ${token}` } });
    expect(((await direct.json()) as { header: { resultCode: number } }).header.resultCode).toBe(0);
  });

  it('keeps no stand-in personal value, no secret, token or Request-Key in any file, log line or journal entry', async () => {
    const client = v20(rec.emulator.url);
    const card = (await client.creditCard(CARD)).result!;
    const id = await client.idCard(RESIDENT);
    const token = (await v21(rec.emulator.url).token()).accessToken;
    const personal = [card.totalCardNum, ...card.cardNums.map((g) => g.value), card.validThru.value, ...id.result!.keyValues.map((kv) => kv.value)];
    const secrets = [STAND_IN.secretKey, STAND_IN.secretAccessKey, token, id.requestKey!];
    const written = [...files(rec.dir).values()].join('\n');
    const logged = rec.log.join('\n');
    const journaled = JSON.stringify(await journal(rec.emulator));
    // A four-digit card group is looked for as a number of its own: inside a longer synthetic
    // number (made under a random salt) the same four digits turn up by chance in a few runs in a
    // hundred, and identify nobody there.
    const values = [...personal, ...personal.map((v) => v.replace(/\D/g, '')).filter((v) => v.length >= 4)];
    for (const value of values) {
      if (/^\d{4}$/.test(value)) expect(written, value).not.toMatch(new RegExp(`(?<!\\d)${value}(?!\\d)`));
      else expect(written, value).not.toContain(value);
    }
    for (const secret of secrets) {
      expect(written, secret).not.toContain(secret);
      expect(logged, secret).not.toContain(secret);
      expect(journaled, secret).not.toContain(secret);
    }
  });

  it('answers offline from the recordings: the same image, any appKey, no header, values encrypted for the new caller', async () => {
    const offline = await startEmulator({ port: 0, keyFactory: fixedKeyFactory(), prepareKeys: false, watchScenarios: false, scenarioDirs: [rec.dir] });
    emulators.push(offline);
    const client = v20(offline.url, { ...STAND_IN, appKey: 'emulator-appkey', secretKey: 'emulator-secretkey' });
    const card = await client.creditCard(CARD);
    const file = recording(rec.dir, `credit-card-${sha256(CARD).slice(0, 16)}.yaml`);
    expect(card.result).toEqual(file.outcome.result);
    const id = await client.idCard(RESIDENT);
    const idFile = recording(rec.dir, `id-card-${sha256(RESIDENT).slice(0, 16)}.yaml`);
    expect(id.result).toEqual(idFile.outcome.result);
    expect(id.requestKey).toBeTruthy();
    // The verdict recorded for the image, whatever is submitted.
    const verdict = await client.authenticity(id.requestKey!, { idType: 'resident', name: 'x', residentNumber: '0000000000000', issueDate: '20000101' });
    expect(verdict.result).toEqual({ isAuthenticity: true });
    const entries = await journal(offline);
    const replayed = entries.find((e) => e.endpoint === 'credit-card')!.scenario;
    expect(replayed).toMatchObject({ name: `credit-card-${sha256(CARD).slice(0, 16)}`, reason: 'image-match' });
    // The admin API shows a recording as server/admin-openapi.yaml describes it.
    await adminChecked(offline, `/__emulator/scenarios/${replayed.name}`);
  });

  it('a curl + openssl client with the stand-in credentials gets the stand-in values unchanged, and its Request-Key', async () => {
    const straight = await runClient('bash', [SHELL_CLIENT, standIn, STAND_IN.appKey, STAND_IN.secretKey, fixturePath('card-856x540.jpg')]);
    const proxied = await runClient('bash', [SHELL_CLIENT, rec.emulator.url, STAND_IN.appKey, STAND_IN.secretKey, fixturePath('card-856x540.jpg')]);
    expect(Object.fromEntries(proxied)).toEqual(Object.fromEntries(straight));
    const url = rec.emulator.url;
    const out = await runClient('bash', [
      SHELL_CLIENT_V21,
      url,
      url,
      STAND_IN.appKey,
      STAND_IN.accessKeyId,
      STAND_IN.secretAccessKey,
      fixturePath('card-856x540.jpg'),
      fixturePath('id-resident-900x570.jpg'),
    ]);
    expect(Object.fromEntries(out)).toMatchObject(V21_CLIENT_SUCCEEDED);
    expect(out.get('creditCard.totalCardNum')).toBe(straight.get('totalCardNum'));
    const requestKey = out.get('idCard.requestKey')!;
    expect(requestKey).not.toBe('none');
    const written = [...files(rec.dir).values()].join('\n');
    expect(written).not.toContain(requestKey);
    expect(JSON.stringify(await journal(rec.emulator))).not.toContain(requestKey);
  });
});

describe('record mode, when the target fails', () => {
  const servers: Server[] = [];
  afterAll(() => {
    for (const server of servers) server.close();
  });

  async function serve(handler: Parameters<typeof createServer>[1]): Promise<string> {
    const server = createServer(handler);
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  async function closedPort(): Promise<number> {
    const server = createNetServer();
    return new Promise((resolve) =>
      server.listen(0, '127.0.0.1', () => {
        const { port } = server.address() as AddressInfo;
        server.close(() => resolve(port));
      }),
    );
  }

  it.each([
    ['unreachable', async () => `http://127.0.0.1:${await closedPort()}`, /could not be reached \(ECONNREFUSED\)/],
    ['slow', async () => serve(() => {}), /did not answer in time/],
    ['unreadable', async () => serve((_req, res) => res.end('<html>502 Bad Gateway</html>')), /not the API's JSON .*502 Bad Gateway/],
  ] as const)('%s: 5000503 on HTTP 200 with a diagnosis, nothing recorded, the journal says why', async (_what, target, why) => {
    const rec = await recorder(await target(), { recordTimeoutMs: 500 });
    const response = await fetch(`${rec.emulator.url}/v2.0/appkeys/${STAND_IN.appKey}/public-keys/credit-card`, {
      headers: { Authorization: STAND_IN.secretKey },
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { header: { resultCode: number; isSuccessful: boolean } };
    expect(body.header).toMatchObject({ isSuccessful: false, resultCode: 5000503 });
    expect(response.headers.get('x-emulator-diagnosis')).toMatch(why);
    expect(existsSync(rec.dir) ? readdirSync(rec.dir).filter((n) => n.endsWith('.yaml')) : []).toEqual([]);
    const entry = (await journal(rec.emulator))[0]!;
    expect(entry.diagnosis).toMatch(why);
    expect(entry.forwarded.host).toMatch(/^127\.0\.0\.1:\d+$/);
  });

  it('past EMULATOR_RECORD_MAX_CALLS answers 4000006 with a diagnosis and forwards nothing', async () => {
    const rec = await recorder(standIn, { recordMaxCalls: 2 });
    const client = v20(rec.emulator.url);
    expect((await client.creditCard(CARD)).resultCode).toBe(0); // the key lookup and the call
    const over = await client.creditCard(CARD);
    expect(over.resultCode).toBe(4000006);
    expect(over.headers.get('x-emulator-diagnosis')).toMatch(/sent its 2 calls .*EMULATOR_RECORD_MAX_CALLS/);
    const entry = (await journal(rec.emulator)).find((e) => e.resultCode === 4000006)!;
    expect(entry.forwarded.calls).toBe(0);
    expect(entry.diagnosis).toMatch(/EMULATOR_RECORD_MAX_CALLS/);
  });

  it('keeps the values read with recordKeepValues, and the file says not to commit it', async () => {
    const rec = await recorder(standIn, { recordKeepValues: true });
    const read = (await v20(rec.emulator.url).creditCard(CARD)).result!;
    const name = `credit-card-${sha256(CARD).slice(0, 16)}.yaml`;
    const file = recording(rec.dir, name);
    expect(file.recorded.redacted).toBe(false);
    expect(file.outcome.result.totalCardNum).toBe(read.totalCardNum);
    expect(readFileSync(join(rec.dir, name), 'utf8')).toContain('do not commit this file');
  });
});

describe('the contract suite through the recording proxy', () => {
  it.each(['v2.0', 'v2.1'] as const)(
    'passes against the stand-in under %s',
    async (api) => {
      const rec = await recorder(standIn, { recordMaxCalls: 100_000 });
      const url = rec.emulator.url;
      const env: Record<string, string> = { OCR_BASE_URL: url, OCR_APPKEY: STAND_IN.appKey, OCR_SECRETKEY: STAND_IN.secretKey, OCR_API_VERSION: api };
      if (api === 'v2.1') {
        Object.assign(env, {
          OCR_USER_ACCESS_KEY_ID: STAND_IN.accessKeyId,
          OCR_SECRET_ACCESS_KEY: STAND_IN.secretAccessKey,
          OCR_OAUTH_URL: url,
          OCR_USER_ACCESS_KEY_ID2: 'standin-restricted-key',
          OCR_SECRET_ACCESS_KEY2: 'standin-restricted-secret',
        });
      }
      let stdout = '';
      const status = await runContracts([], env, { log: (line) => (stdout += `${line}\n`), error: (line) => (stdout += `${line}\n`) });
      expect(
        stdout.split('\n').filter((line) => /^(FAIL|DIVERGED) /.test(line)),
        stdout,
      ).toEqual([]);
      expect(status, stdout).toBe(0);
      expect(readdirSync(rec.dir).filter((n) => n.endsWith('.yaml')).length).toBeGreaterThan(0);
    },
    180_000,
  );
});

describe('the command in record mode', () => {
  it('takes the record flags, says where it forwards (no secret) at start, and records a call', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'record-cli-')), 'out');
    const emulator = await spawnEmulator({ EMULATOR_RECORD_OAUTH_URL: standIn }, 20_000, MAIN, [
      '--record-target',
      standIn,
      '--record-dir',
      dir,
      '--record-keep-values',
      '--record-max-calls',
      '7',
    ]);
    try {
      expect(emulator.output()).toMatch(
        new RegExp(
          `record mode on: the API is forwarded to ${new URL(standIn).host.replace(/\./g, '\\.')} .*at most 7 calls; recordings go to ${dir} \\(personal values KEPT\\)`,
        ),
      );
      expect((await v20(emulator.url).creditCard(CARD)).resultCode).toBe(0);
      expect(readdirSync(dir).filter((n) => n.endsWith('.yaml'))).toHaveLength(1);
      expect(emulator.output()).not.toContain(STAND_IN.secretKey);
    } finally {
      await emulator.stop();
    }
  });
});
