/**
 * openapi.yaml, the description of the live API, proved on responses: the document and its
 * examples, hand-made answers right and wrong, real answers of the emulator over HTTP, and the
 * generated types kept in step with the document.
 */
import { execFileSync } from 'node:child_process';
import { createDecipheriv, createHash, createPublicKey } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOcrClient } from '../../contracts/client/index.js';
import { ERROR_CATALOGUE } from '../../server/core/errors.js';
import { startEmulator, type RunningEmulator } from '../../server/index.js';
import { fixture } from '../support/fixtures.js';
import {
  OpenApiValidator,
  escapePointerSegment,
  expectValidResponse,
  loadOpenApiDocument,
  validateResponse,
  type ResponseUnderTest,
} from '../../contracts/lib/openapi-validator.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const document = loadOpenApiDocument();
const validator = new OpenApiValidator(document);

/** The key the document's example ciphertexts were made with (see the head of openapi.yaml). */
const EXAMPLE_KEY = createHash('sha256').update('nhn-ocr-emulator openapi example key').digest();

function decrypt(base64: string, key: Buffer = EXAMPLE_KEY): string {
  const decipher = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16));
  return Buffer.concat([decipher.update(Buffer.from(base64, 'base64')), decipher.final()]).toString('utf8');
}

function read(pointer: string): unknown {
  return pointer
    .split('/')
    .slice(1)
    .reduce<unknown>((node, raw) => (node as Record<string, unknown>)[raw.replace(/~1/g, '/').replace(/~0/g, '~')], document);
}

interface FoundExample {
  where: string;
  schemaPointer: string;
  value: unknown;
}

/**
 * Every example of the document with the schema it illustrates: `example`/`examples` beside a
 * `schema` (media types, parameters, headers) and `examples` arrays inside schemas.
 */
function findExamples(node: unknown, pointer: string, found: FoundExample[] = []): FoundExample[] {
  if (node === null || typeof node !== 'object') return found;
  const object = node as Record<string, unknown>;
  if ('schema' in object) {
    if ('example' in object) found.push({ where: `${pointer}/example`, schemaPointer: `${pointer}/schema`, value: object.example });
    if (object.examples && typeof object.examples === 'object' && !Array.isArray(object.examples)) {
      for (const [name, entry] of Object.entries(object.examples as Record<string, { $ref?: string; value?: unknown }>)) {
        const example = (entry.$ref ? read(entry.$ref.slice(1)) : entry) as { value?: unknown };
        found.push({ where: `${pointer}/examples/${name}`, schemaPointer: `${pointer}/schema`, value: example.value });
      }
    }
  }
  if (Array.isArray(object.examples) && (pointer.includes('/schema') || pointer.startsWith('/components/schemas'))) {
    object.examples.forEach((value, i) => found.push({ where: `${pointer}/examples/${i}`, schemaPointer: pointer, value }));
  }
  for (const [key, child] of Object.entries(object)) {
    if (key === 'example' || key === 'examples') continue;
    findExamples(child, `${pointer}/${escapePointerSegment(key)}`, found);
  }
  return found;
}

function mediaExample(pointer: string): Record<string, any> {
  const entry = read(pointer) as { $ref?: string; value: unknown };
  return structuredClone((entry.$ref ? (read(entry.$ref.slice(1)) as { value: unknown }) : entry).value) as Record<string, any>;
}

const SUCCESS = { isSuccessful: true, resultCode: 0, resultMessage: 'SUCCESS' } as const;
const failure = (resultCode: number, resultMessage: string) => ({ header: { isSuccessful: false, resultCode, resultMessage } });
const box = { x1: 10, y1: 20, x2: 110, y2: 20, x3: 110, y3: 50, x4: 10, y4: 50 };
const enc = 'vp7TybOOuPXqvlYrK5I5YQ==';
const API = '/v2.0/appkeys/emulator-appkey';

const creditCardBody = () => ({
  header: { ...SUCCESS },
  result: {
    fileType: 'jpg',
    resolution: 'normal',
    cardNums: [1, 2, 3, 4].map((i) => ({ value: enc, conf: 0.9 + i / 100 })),
    totalCardNum: 'WAkY201jhEPu09m31+SLXogGmbzy3iEMSFyKjEuLWJY=',
    cardNumBoxes: [box, box, box, box],
    validThru: { value: enc, conf: 0.5 },
    validThruBox: box,
  },
});
const idCardBody = (idType = 'driver') => ({
  header: { ...SUCCESS },
  result: {
    fileType: 'png',
    resolution: 'low',
    idType,
    keyValues: [{ key: 'name', value: enc, conf: 0.8, bbox: box }],
    boxes: [box],
  },
});

const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8' };
const answer = (method: string, path: string, body: unknown, headers: Record<string, string> = {}): ResponseUnderTest => ({
  method,
  path,
  status: 200,
  headers: { ...JSON_HEADERS, ...headers },
  body,
});

describe('openapi.yaml', () => {
  it('is OpenAPI 3.1.0 with the five operations as v2.0 and v2.1 on both live hosts, and the token issuer', () => {
    expect(document.openapi).toBe('3.1.0');
    expect(document.servers?.map((s) => s.url)).toEqual(['https://api-ocr.nhncloudservice.com', 'https://ocr.api.nhncloudservice.com']);
    const operations = Object.entries(document.paths ?? {}).flatMap(([path, item]) =>
      (['get', 'post'] as const).filter((m) => item?.[m]).map((m) => `${m.toUpperCase()} ${path} ${item?.[m]?.operationId}`),
    );
    expect(operations.sort()).toEqual(
      [
        'GET /v2.0/appkeys/{appKey}/public-keys/{serviceName} getPublicKey',
        'GET /v2.1/appkeys/{appKey}/public-keys/{serviceName} getPublicKeyV21',
        'POST /oauth2/token/create createToken',
        'POST /oauth2/token/revoke revokeToken',
        'POST /v2.0/appkeys/{appKey}/credit-card analyzeCreditCard',
        'POST /v2.0/appkeys/{appKey}/id-card analyzeIdCard',
        'POST /v2.0/appkeys/{appKey}/id-card/authenticity verifyIdCardAuthenticity',
        'POST /v2.0/appkeys/{appKey}/id-card/stand-alone analyzeIdCardStandAlone',
        'POST /v2.1/appkeys/{appKey}/credit-card analyzeCreditCardV21',
        'POST /v2.1/appkeys/{appKey}/id-card analyzeIdCardV21',
        'POST /v2.1/appkeys/{appKey}/id-card/authenticity verifyIdCardAuthenticityV21',
        'POST /v2.1/appkeys/{appKey}/id-card/stand-alone analyzeIdCardStandAloneV21',
      ].sort(),
    );
    expect(document.components?.securitySchemes?.secretKey).toMatchObject({ type: 'apiKey', in: 'header', name: 'Authorization' });
    expect(document.components?.securitySchemes?.userAccessKeyToken).toMatchObject({ type: 'apiKey', in: 'header', name: 'X-NHN-Authorization' });
    expect(document.components?.securitySchemes?.userAccessKey).toMatchObject({ type: 'http', scheme: 'basic' });
    // The token issuer lives on its own host.
    for (const path of ['/oauth2/token/create', '/oauth2/token/revoke']) {
      expect(document.paths?.[path]?.servers?.map((s) => s.url)).toEqual(['https://oauth.api.nhncloudservice.com']);
    }
    expect(JSON.stringify(document)).not.toContain('__emulator');
  });

  it('declares only HTTP 200 answers for the OCR operations, each a success or a failure; the token issuer 200, 400, 401, and 500, 503 of its own', () => {
    for (const [path, item] of Object.entries(document.paths ?? {})) {
      for (const operation of [item?.get, item?.post].filter(Boolean)) {
        expect(Object.keys(operation!.responses ?? {})).toEqual(path.startsWith('/oauth2/') ? ['200', '400', '401', '500', '503'] : ['200']);
      }
    }
  });

  it('declares the request headers of each operation', () => {
    type Parameter = { name: string; in: string; required: boolean; description: string };
    const headersOf = (path: string) => {
      const parameters = (document.paths?.[path]?.parameters ?? []).map((p) => read((p as { $ref: string }).$ref.slice(1)) as Parameter);
      const headers = parameters.filter((p) => p.in === 'header');
      for (const header of headers) expect(header.required && header.description.length > 0, header.name).toBe(true);
      return headers.map((p) => p.name);
    };
    for (const [version, auth] of [
      ['v2.0', 'Authorization'],
      ['v2.1', 'X-NHN-Authorization'],
    ] as const) {
      expect(headersOf(`/${version}/appkeys/{appKey}/public-keys/{serviceName}`)).toEqual([auth]);
      for (const path of ['credit-card', 'id-card', 'id-card/stand-alone']) {
        expect(headersOf(`/${version}/appkeys/{appKey}/${path}`)).toEqual([auth, 'X-Key-Version', 'Symmetric-Key']);
      }
      expect(headersOf(`/${version}/appkeys/{appKey}/id-card/authenticity`)).toEqual([auth, 'X-Key-Version', 'Symmetric-Key', 'Request-Key']);
    }
  });

  it('lists the same failure codes, keys and messages as the emulator catalogue', () => {
    const schema = document.components?.schemas?.FailureResultCode as {
      enum: number[];
      'x-enum-varnames': string[];
      'x-enum-descriptions': string[];
    };
    const documented = schema.enum.map((code, i) => [schema['x-enum-varnames'][i], code, schema['x-enum-descriptions'][i]]);
    const catalogue = Object.entries(ERROR_CATALOGUE).map(([key, { code, message }]) => [key, code, message]);
    expect(documented).toEqual(catalogue);
    for (const [key, code, message] of documented) {
      expect(schema as unknown as { description: string }).toHaveProperty('description', expect.stringContaining(`| ${code} | ${key} | ${message} |`));
    }
  });

  const examples = findExamples(document, '');

  it('has examples for every operation and schema examples', () => {
    expect(examples.length).toBeGreaterThan(25);
    for (const name of ['PublicKeyAnswer', 'CreditCardAnswer', 'IdCardAnswer', 'IdCardStandAloneAnswer', 'AuthenticityAnswer']) {
      expect(examples.some((e) => e.where.startsWith(`/components/responses/${name}/`))).toBe(true);
    }
    // v2.0 and v2.1 authenticity: resident, driver, passport each.
    expect(examples.filter((e) => e.where.includes('authenticity/post/requestBody'))).toHaveLength(6);
  });

  it.each(examples.map((e) => [e.where, e] as const))('example %s validates against its schema', (_where, example) => {
    expect(validator.validateSchema(example.schemaPointer, example.value, 'example').errors).toEqual([]);
  });

  it('has example ciphertexts that decrypt to what they claim; totalCardNum is the four groups joined', () => {
    const { result } = mediaExample('/components/responses/CreditCardAnswer/content/application~1json/examples/success');
    const groups = (result.cardNums as { value: string }[]).map((g) => decrypt(g.value));
    expect(groups).toEqual(['1111', '2222', '3333', '4444']);
    expect(decrypt(result.totalCardNum)).toBe(groups.join(''));
    expect(decrypt(result.validThru.value)).toBe('04/19');

    const resident = mediaExample('/components/examples/ResidentIdCardSuccess');
    expect(Object.fromEntries(resident.result.keyValues.map((kv: { key: string; value: string }) => [kv.key, decrypt(kv.value)]))).toEqual({
      name: '홍길동',
      residentNumber: '800101-1234567',
      issueDate: '2019.03.15',
      issuer: '서울특별시 종로구청장',
    });
    const driver = mediaExample('/components/examples/DriverIdCardSuccess');
    expect(driver.result.keyValues.map((kv: { key: string }) => kv.key)).toEqual([
      'driverLicenseNumber',
      'licenseType',
      'name',
      'residentNumber',
      'condition',
      'serialNum',
      'issueDate',
      'issuer',
    ]);
    expect(decrypt(driver.result.keyValues[4].value)).toBe('none');

    const requests = '/paths/~1v2.0~1appkeys~1{appKey}~1id-card~1authenticity/post/requestBody/content/application~1json/examples';
    expect(decrypt(mediaExample(`${requests}/resident`).residentNumber)).toMatch(/^\d{13}$/);
    expect(decrypt(mediaExample(`${requests}/driver`).residentNumber)).toMatch(/^\d{7}$/);
    expect(decrypt(mediaExample(`${requests}/driver`).driverLicenseNumber)).toMatch(/^\d{12}$/);
    const passport = mediaExample(`${requests}/passport`);
    expect(decrypt(passport.passportNumber)).toMatch(/^[A-Z0-9]{9}$/);
    expect(passport.expirationDate).toMatch(/^\d{8}$/);
  });

  it('has a real RSA-2048 public key example and a Symmetric-Key example of its size', () => {
    const { result } = mediaExample('/components/responses/PublicKeyAnswer/content/application~1json/examples/success');
    const key = createPublicKey({ key: Buffer.from(result.key, 'base64'), format: 'der', type: 'spki' });
    expect(key.asymmetricKeyType).toBe('rsa');
    expect(key.asymmetricKeyDetails?.modulusLength).toBe(2048);
    const wrapped = (document.components?.parameters?.['SymmetricKey'] as { example: string } | undefined)?.example ?? '';
    expect(Buffer.from(wrapped, 'base64')).toHaveLength(256);
  });
});

describe('the authenticity request schema', () => {
  const check = (value: unknown) => validator.validateSchema('/components/schemas/AuthenticityRequest', value, 'request');

  it('takes the required fields of each idType, serialNum optional', () => {
    expect(check({ idType: 'resident', name: enc, residentNumber: enc, issueDate: enc }).valid).toBe(true);
    expect(check({ idType: 'driver', name: enc, residentNumber: enc, driverLicenseNumber: enc }).valid).toBe(true);
    expect(check({ idType: 'passport', name: enc, passportNumber: enc, issueDate: enc, birthDate: enc, expirationDate: '20300101' }).valid).toBe(true);
  });

  it('refuses a missing required field, an unknown idType and an encrypted expirationDate', () => {
    expect(check({ idType: 'driver', name: enc, residentNumber: enc }).valid).toBe(false);
    expect(check({ idType: 'resident', name: enc, residentNumber: enc }).valid).toBe(false);
    expect(check({ idType: 'alien', name: enc, residentNumber: enc, issueDate: enc }).valid).toBe(false);
    expect(check({ idType: 'passport', name: enc, passportNumber: enc, issueDate: enc, birthDate: enc, expirationDate: enc }).valid).toBe(false);
    expect(check({ idType: 'resident', name: 'not base64!', residentNumber: enc, issueDate: enc }).valid).toBe(false);
  });
});

describe('validateResponse: valid answers', () => {
  it.each<[string, ResponseUnderTest]>([
    ['public key', answer('GET', `${API}/public-keys/credit-card`, { header: SUCCESS, result: { key: 'MIIBIjAN', version: '0' } })],
    ['public key failure', answer('GET', `${API}/public-keys/id-card`, failure(4010001, 'Invalid appKey or secretKey.'))],
    ['unknown serviceName still reaches the operation', answer('GET', `${API}/public-keys/other`, failure(4000001, 'Invalid parameter.'))],
    ['credit card', answer('POST', `${API}/credit-card`, creditCardBody())],
    ['credit card failure', answer('POST', `${API}/credit-card`, failure(4000301, 'Invalid key version.'))],
    ['id card with Request-Key', answer('POST', `${API}/id-card`, idCardBody(), { 'Request-Key': 'a1b2c3' })],
    ['id card failure without Request-Key', answer('POST', `${API}/id-card`, failure(4000121, 'Id card info not found.'))],
    ['stand-alone', answer('POST', `${API}/id-card/stand-alone`, idCardBody('passport'))],
    ['authenticity', answer('POST', `${API}/id-card/authenticity`, { header: SUCCESS, result: { isAuthenticity: true } })],
    ['authenticity failure', answer('POST', `${API}/id-card/authenticity`, failure(4000122, 'Request Key is invalid or expired.'))],
    [
      'extra result fields the live service may add',
      answer('POST', `${API}/credit-card`, { ...creditCardBody(), result: { ...creditCardBody().result, cardType: 'VISA' } }),
    ],
    ['unknown path, 4041007', answer('GET', '/v2.0/appkeys/emulator-appkey/nothing', failure(4041007, 'URL Not Found'))],
    ['wrong method, 4041007', answer('GET', `${API}/credit-card`, failure(4041007, 'URL Not Found'))],
    [
      'a whole URL with a query string',
      answer('GET', `http://127.0.0.1:1/v2.0/appkeys/k/public-keys/id-card?x=1`, failure(4000005, 'Required headers is missing.')),
    ],
    [
      'header values as arrays (node)',
      { ...answer('POST', `${API}/id-card`, idCardBody()), headers: { 'request-key': ['k'], 'content-type': 'application/json' } },
    ],
  ])('%s', (_name, response) => {
    const result = validateResponse(response);
    expect(result.errors).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('names the operation it matched', () => {
    expect(validateResponse(answer('POST', `${API}/id-card`, idCardBody()))).toMatchObject({
      route: 'POST /v2.0/appkeys/{appKey}/id-card',
      operationId: 'analyzeIdCard',
    });
    expect(validateResponse(answer('DELETE', '/x', failure(4041007, 'URL Not Found'))).route).toBe('unmatched route');
  });
});

describe('validateResponse: wrong answers', () => {
  const creditCardWith = (change: (body: ReturnType<typeof creditCardBody>) => void) => {
    const body = creditCardBody();
    change(body);
    return answer('POST', `${API}/credit-card`, body);
  };

  it.each<[string, ResponseUnderTest, string]>([
    [
      'resultCode as a string',
      answer('GET', `${API}/public-keys/credit-card`, { header: { ...SUCCESS, resultCode: '0' }, result: { key: 'MIIB', version: '0' } }),
      'body.header.resultCode must be integer, got "0"',
    ],
    [
      'version as a number',
      answer('GET', `${API}/public-keys/credit-card`, { header: SUCCESS, result: { key: 'MIIB', version: 0 } }),
      'body.result.version must be string, got 0',
    ],
    ['success without result', answer('GET', `${API}/public-keys/credit-card`, { header: SUCCESS }), "body must have required property 'result'"],
    [
      'failure with a result',
      answer('POST', `${API}/id-card/authenticity`, { ...failure(4000001, 'Invalid parameter.'), result: { isAuthenticity: false } }),
      'body.result must not be present',
    ],
    [
      'cardNums item without value',
      creditCardWith((b) => delete (b.result.cardNums[1] as Partial<{ value: string }>).value),
      "body.result.cardNums[1] must have required property 'value'",
    ],
    ['conf above 1', creditCardWith((b) => (b.result.validThru.conf = 1.5)), 'body.result.validThru.conf must be <= 1'],
    [
      'a box corner that is not an integer',
      creditCardWith((b) => (b.result.validThruBox = { ...box, x3: 1.5 })),
      'body.result.validThruBox.x3 must be integer',
    ],
    ['fileType gif', creditCardWith((b) => (b.result.fileType = 'gif')), 'body.result.fileType must be equal to one of the allowed values: "jpg", "png"'],
    ['totalCardNum not base64', creditCardWith((b) => (b.result.totalCardNum = '1111222233334444!')), 'body.result.totalCardNum must match pattern'],
    [
      'an unknown failure code',
      answer('POST', `${API}/credit-card`, failure(4000999, 'Something new.')),
      'body.header.resultCode must be equal to one of the allowed values',
    ],
    [
      'resultCode 0 on a failure',
      answer('POST', `${API}/credit-card`, failure(0, 'SUCCESS')),
      'body.header.resultCode must be equal to one of the allowed values',
    ],
    [
      'a wrong idType',
      answer('POST', `${API}/id-card/stand-alone`, idCardBody('alien')),
      'body.result.idType must be equal to one of the allowed values: "resident", "driver", "passport", got "alien"',
    ],
    [
      'keyValue without bbox',
      answer('POST', `${API}/id-card/stand-alone`, {
        ...idCardBody(),
        result: { ...idCardBody().result, keyValues: [{ key: 'name', value: enc, conf: 0.9 }] },
      }),
      "body.result.keyValues[0] must have required property 'bbox'",
    ],
    [
      'isAuthenticity as a string',
      answer('POST', `${API}/id-card/authenticity`, { header: SUCCESS, result: { isAuthenticity: 'true' } }),
      'body.result.isAuthenticity must be boolean',
    ],
    [
      'Request-Key on stand-alone',
      answer('POST', `${API}/id-card/stand-alone`, idCardBody(), { 'Request-Key': 'k' }),
      'header request-key is not declared for POST /v2.0/appkeys/{appKey}/id-card/stand-alone',
    ],
    ['an empty Request-Key', answer('POST', `${API}/id-card`, idCardBody(), { 'Request-Key': '' }), 'header Request-Key must NOT have fewer than 1 characters'],
    [
      'HTTP 404 for a failure',
      { ...answer('POST', `${API}/credit-card`, failure(4000001, 'Invalid parameter.')), status: 404 },
      'HTTP 404 is not a documented status of POST /v2.0/appkeys/{appKey}/credit-card',
    ],
    ['an HTML body', answer('GET', `${API}/public-keys/credit-card`, '<html>', { 'content-type': 'text/html' }), 'content-type text/html is not declared'],
    [
      'unknown path with another code',
      answer('GET', '/v2.0/nothing', failure(4000001, 'Invalid parameter.')),
      'body.header.resultCode must be equal to constant 4041007',
    ],
  ])('%s', (_name, response, expected) => {
    const result = validateResponse(response);
    expect(result.valid).toBe(false);
    expect(result.errors.join('\n')).toContain(expected);
  });

  it('expectValidResponse throws with the request, the operation and every problem', () => {
    const wrong = answer('GET', `${API}/public-keys/credit-card`, { header: SUCCESS, result: { key: 'MIIB', version: 0 } });
    expect(() => expectValidResponse(wrong)).toThrowError(
      /GET \/v2\.0\/appkeys\/emulator-appkey\/public-keys\/credit-card → HTTP 200 does not match openapi\.yaml, GET \/v2\.0\/appkeys\/\{appKey\}\/public-keys\/\{serviceName\} \(getPublicKey\):\n {2}- body\.result\.version must be string, got 0 \(#\/components\/schemas\/PublicKeyResult\/properties\/version\/type\)/,
    );
  });
});

describe('answers of the emulator over HTTP', () => {
  let emulator: RunningEmulator;
  beforeAll(async () => {
    emulator = await startEmulator({ port: 0 });
  });
  afterAll(async () => {
    await emulator?.close();
  });

  it('a public key (fetch) matches the description', async () => {
    const path = `${API}/public-keys/credit-card`;
    const res = await fetch(`${emulator.url}${path}`, { headers: { Authorization: 'emulator-secretkey' } });
    const body = (await res.json()) as { header: { resultCode: number } };
    expect(body.header.resultCode).toBe(0);
    expectValidResponse({ method: 'GET', path, status: res.status, headers: Object.fromEntries(res.headers), body });
  });

  it('an unknown path under /v2.0 answers 4041007 as described (fetch)', async () => {
    const path = `${API}/no-such-api`;
    const res = await fetch(`${emulator.url}${path}`, { headers: { Authorization: 'emulator-secretkey' } });
    const body = (await res.json()) as { header: { resultCode: number } };
    expect(body.header.resultCode).toBe(4041007);
    const result = expectValidResponse({ method: 'GET', path, status: res.status, headers: Object.fromEntries(res.headers), body });
    expect(result.route).toBe('unmatched route');
  });

  it('a failure (supertest) matches the description', async () => {
    const path = `${API}/public-keys/credit-card`;
    const res = await request(emulator.url).get(path).set('Authorization', 'wrong-secret');
    expect(res.body.header.resultCode).toBe(4010001);
    expectValidResponse({ method: 'GET', path, status: res.status, headers: res.headers, body: res.body });
  });

  it('a real credit-card envelope answer and a bad key version match the description', async () => {
    const client = createOcrClient({ baseUrl: emulator.url, appKey: 'emulator-appkey', secretKey: 'emulator-secretkey' });
    const path = `${API}/credit-card`;
    const ok = await client.creditCard(fixture('card-856x540.jpg'));
    expect(ok.resultCode).toBe(0);
    expectValidResponse({ method: 'POST', path, status: ok.status, headers: Object.fromEntries(ok.headers), body: ok.body });
    const wrongVersion = await client.creditCard(fixture('card-856x540.jpg'), { headers: { 'X-Key-Version': 'no-such-version' } });
    expect(wrongVersion.resultCode).toBe(4000301);
    expectValidResponse({ method: 'POST', path, status: wrongVersion.status, headers: Object.fromEntries(wrongVersion.headers), body: wrongVersion.body });
  });
});

describe('server/core/api-types.generated.ts', () => {
  it('is what `npm run generate:types` makes of openapi.yaml now', () => {
    const dir = mkdtempSync(join(tmpdir(), 'api-types-'));
    try {
      const out = join(dir, 'api-types.generated.ts');
      // The package's own CLI, as the npm script runs it, so header and formatting match.
      const cli = join(ROOT, 'node_modules/openapi-typescript/bin/cli.js');
      execFileSync(process.execPath, [cli, 'openapi.yaml', '-o', out], { cwd: ROOT, stdio: 'pipe' });
      const committed = readFileSync(join(ROOT, 'server/core/api-types.generated.ts'), 'utf8');
      expect(readFileSync(out, 'utf8'), 'openapi.yaml changed: run `npm run generate:types` and commit the result').toBe(committed);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
