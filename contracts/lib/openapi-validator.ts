/**
 * Checks an HTTP answer against openapi.yaml, the description of the live API: finds the
 * operation by method and path template, checks the status, the body against the response
 * schema and the headers against the declared ones. A request that matches no operation is
 * checked against the root's `x-unmatched-route-response` (4041007 URL Not Found on HTTP 200).
 *
 * Schemas are checked by Ajv's JSON Schema 2020-12 validator, the dialect of OpenAPI 3.1, on the
 * document itself: openapi.yaml is added to Ajv whole, so every `$ref` resolves in place and
 * what is checked is exactly what the description says. This module only finds which schema
 * applies; it never interprets a schema.
 *
 * The input is a plain object so that any client can be adapted in one line:
 *
 * @example
 * // supertest
 * const res = await request(app).get(path).set('Authorization', secretKey);
 * expectValidResponse({ method: 'GET', path, status: res.status, headers: res.headers, body: res.body });
 * // fetch
 * const answer = await fetch(url + path, { headers: { Authorization: secretKey } });
 * expectValidResponse({ method: 'GET', path, status: answer.status,
 *   headers: Object.fromEntries(answer.headers), body: await answer.json() });
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import type { OpenAPIV3_1 } from 'openapi-types';
import { parse } from 'yaml';
import { packageRoot } from '../../server/package-root.js';

/**
 * openapi.yaml with the one root extension this project defines (openapi-types' type parameter
 * extends operations, not the root, hence the intersection).
 */
export type OcrOpenApiDocument = OpenAPIV3_1.Document & {
  /** What a request that matches no operation gets (a Response Object or a `$ref` to one). */
  'x-unmatched-route-response'?: OpenAPIV3_1.ResponseObject | OpenAPIV3_1.ReferenceObject;
};

/**
 * Absolute path of the repository's openapi.yaml.
 * @example readFileSync(OPENAPI_FILE, 'utf8')
 */
export const OPENAPI_FILE = join(packageRoot(), 'openapi.yaml');

/** The id the document is registered under in Ajv; local `#/...` refs resolve against it. */
const DOCUMENT_ID = 'openapi.yaml';

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;
type HttpMethod = (typeof HTTP_METHODS)[number];

/** An HTTP answer to check; adapt supertest or fetch answers to it (see the module example). */
export interface ResponseUnderTest {
  /** Request method, any case. */
  method: string;
  /** Request path, or a whole URL; a query string is ignored. */
  path: string;
  /** HTTP status of the answer. */
  status: number;
  /** Response headers, names in any case (supertest's `res.headers`, `Object.fromEntries(fetchHeaders)`). */
  headers?: Readonly<Record<string, string | readonly string[] | number | undefined>>;
  /** The parsed JSON body. */
  body: unknown;
}

/** The verdict on one answer. */
export interface ResponseValidation {
  valid: boolean;
  /** One readable line per problem; empty when valid. */
  errors: string[];
  /** The matched operation, e.g. `POST /v2.0/appkeys/{appKey}/id-card`, or `unmatched route`. */
  route: string;
  /** operationId of the matched operation, when one matched. */
  operationId?: string;
}

/**
 * Reads and parses openapi.yaml (or another file).
 * @example const document = loadOpenApiDocument(); document.info.version // '2.0'
 */
export function loadOpenApiDocument(file: string = OPENAPI_FILE): OcrOpenApiDocument {
  return parse(readFileSync(file, 'utf8')) as OcrOpenApiDocument;
}

/**
 * Escapes one JSON Pointer segment (RFC 6901).
 * @example escapePointerSegment('/v2.0/appkeys/{appKey}/credit-card') // '~1v2.0~1appkeys~1{appKey}~1credit-card'
 */
export function escapePointerSegment(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

/**
 * A validator bound to one document. Compiled schemas are cached per JSON Pointer.
 * @example
 * const validator = new OpenApiValidator(loadOpenApiDocument());
 * validator.validateResponse({ method: 'GET', path: '/nope', status: 200, body }).valid
 */
export class OpenApiValidator {
  readonly document: OcrOpenApiDocument;
  /** Bodies: no coercion, every error reported. */
  private readonly bodyAjv: Ajv2020;
  /** Header values arrive as strings; coercion lets a schema say `integer` and still apply. */
  private readonly headerAjv: Ajv2020;
  private readonly compiled = new Map<string, ValidateFunction>();
  private readonly routes: Array<{ template: string; pattern: RegExp }>;
  /** Every response header name the document declares anywhere, lower-case. */
  private readonly apiHeaderNames: Set<string>;
  /** Where each object of the document sits, so an error can name the schema that failed. */
  private readonly pointers = new WeakMap<object, string>();

  constructor(document: OcrOpenApiDocument) {
    this.document = document;
    // strict: false because the document is not only schemas: OpenAPI's own fields (paths,
    // info, discriminator, x-*) are unknown keywords to a JSON Schema validator and are ignored.
    this.bodyAjv = new Ajv2020({ strict: false, allErrors: true, verbose: true });
    this.headerAjv = new Ajv2020({ strict: false, allErrors: true, verbose: true, coerceTypes: true });
    for (const ajv of [this.bodyAjv, this.headerAjv]) ajv.addSchema(document as object, DOCUMENT_ID);
    this.routes = Object.keys(document.paths ?? {}).map((template) => ({ template, pattern: templatePattern(template) }));
    this.apiHeaderNames = this.collectResponseHeaderNames();
    indexPointers(document, '', this.pointers);
  }

  /**
   * Checks one answer: route, status, content type, declared headers and body.
   * @example validator.validateResponse({ method: 'GET', path, status: 200, headers: {}, body }).errors // []
   */
  validateResponse(response: ResponseUnderTest): ResponseValidation {
    const errors: string[] = [];
    const match = this.findOperation(response.method, response.path);
    const route = match ? `${match.method.toUpperCase()} ${match.template}` : 'unmatched route';
    let responses: Array<{ key: string; pointer: string }>;
    if (match) {
      responses = Object.keys(match.operation.responses ?? {}).map((key) => ({
        key,
        pointer: `${match.pointer}/responses/${escapePointerSegment(key)}`,
      }));
    } else if (this.document['x-unmatched-route-response']) {
      // The document's word on requests outside the five operations, which the live service
      // answers like the rest: HTTP 200, so that is the one status it is declared under.
      responses = [{ key: '200', pointer: '/x-unmatched-route-response' }];
    } else {
      return finish([`${response.method.toUpperCase()} ${pathOf(response.path)} matches no operation of openapi.yaml`]);
    }

    const status = String(response.status);
    const declared =
      responses.find((r) => r.key === status) ?? responses.find((r) => r.key.toUpperCase() === `${status[0]}XX`) ?? responses.find((r) => r.key === 'default');
    if (!declared) {
      errors.push(`HTTP ${status} is not a documented status of ${route} (documented: ${responses.map((r) => r.key).join(', ')})`);
      return finish(errors);
    }
    const { node: responseObject, pointer } = this.resolve<OpenAPIV3_1.ResponseObject>(declared.pointer);
    const headers = lowerCaseHeaders(response.headers ?? {});

    this.checkHeaders(route, responseObject, pointer, headers, errors);
    this.checkBody(responseObject, pointer, headers, response.body, errors);
    return finish(errors);

    function finish(problems: string[]): ResponseValidation {
      return {
        valid: problems.length === 0,
        errors: problems,
        route,
        ...(match?.operation.operationId ? { operationId: match.operation.operationId } : {}),
      };
    }
  }

  /**
   * Like {@link validateResponse} but throws an Error listing every problem.
   * @example validator.expectValidResponse({ method: 'GET', path, status: res.status, headers: res.headers, body: res.body })
   */
  expectValidResponse(response: ResponseUnderTest): ResponseValidation {
    const result = this.validateResponse(response);
    if (!result.valid) {
      const what = `${response.method.toUpperCase()} ${pathOf(response.path)} → HTTP ${response.status}`;
      const where = result.operationId ? `${result.route} (${result.operationId})` : result.route;
      throw new Error(`${what} does not match openapi.yaml, ${where}:\n${result.errors.map((e) => `  - ${e}`).join('\n')}`);
    }
    return result;
  }

  /**
   * Validates a value against the schema at a JSON Pointer of the document (e.g. an example
   * against its media type's schema).
   * @example validator.validateSchema('/components/schemas/Box', { x1: 0 }).valid // false: y1..y4 are missing
   */
  validateSchema(pointer: string, value: unknown, label = 'value'): { valid: boolean; errors: string[] } {
    const validate = this.compile(this.bodyAjv, pointer);
    const valid = validate(value) as boolean;
    return { valid, errors: valid ? [] : this.formatErrors(validate.errors ?? [], value, label) };
  }

  /**
   * Ajv errors as readable lines: where (`body.result.cardNums[0].value`), what, the value
   * found, and the place in openapi.yaml of the schema that said so (which also tells a
   * success-branch error from a failure-branch one).
   */
  private formatErrors(errors: readonly ErrorObject[], data: unknown, label: string): string[] {
    const lines = errors.map((error) => {
      const where = label + error.instancePath.split('/').slice(1).map(pathSegment).join('');
      let what = error.message ?? error.keyword;
      if (error.keyword === 'enum') what += `: ${(error.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
      if (error.keyword === 'const') what += ` ${JSON.stringify((error.params as { allowedValue: unknown }).allowedValue)}`;
      if (error.keyword === 'false schema') what = 'must not be present';
      const found = error.keyword === 'required' ? '' : `, got ${preview(readPointer(data, error.instancePath))}`;
      const parent = error.parentSchema !== undefined ? this.pointers.get(error.parentSchema) : undefined;
      const schema = parent !== undefined && error.keyword !== 'false schema' ? `#${parent}/${error.keyword}` : error.schemaPath;
      return `${where} ${what}${found} (${schema})`;
    });
    return [...new Set(lines)];
  }

  /** Finds the operation whose path template matches; a query string or origin is dropped. */
  private findOperation(method: string, path: string) {
    const lower = method.toLowerCase() as HttpMethod;
    if (!HTTP_METHODS.includes(lower)) return undefined;
    const bare = pathOf(path);
    for (const { template, pattern } of this.routes) {
      if (!pattern.test(bare)) continue;
      const operation = this.document.paths?.[template]?.[lower];
      if (!operation) continue;
      return { template, method: lower, operation, pointer: `/paths/${escapePointerSegment(template)}/${lower}` };
    }
    return undefined;
  }

  /**
   * Declared headers must be present when required and match their schemas. A header the
   * document declares on some answer (e.g. Request-Key on /id-card) but not on this one is an
   * error: it would be an undocumented header (stand-alone never sends Request-Key).
   */
  private checkHeaders(route: string, response: OpenAPIV3_1.ResponseObject, pointer: string, headers: Map<string, string>, errors: string[]): void {
    const declared = new Set<string>();
    for (const name of Object.keys(response.headers ?? {})) {
      declared.add(name.toLowerCase());
      const header = this.resolve<OpenAPIV3_1.HeaderObject>(`${pointer}/headers/${escapePointerSegment(name)}`);
      const value = headers.get(name.toLowerCase());
      if (value === undefined) {
        if (header.node.required) errors.push(`header ${name} is required but missing`);
        continue;
      }
      if (!header.node.schema) continue;
      const validate = this.compile(this.headerAjv, `${header.pointer}/schema`);
      if (!validate(value)) errors.push(...this.formatErrors(validate.errors ?? [], value, `header ${name}`));
    }
    for (const name of headers.keys()) {
      if (this.apiHeaderNames.has(name) && !declared.has(name)) {
        errors.push(`header ${name} is not declared for ${route}`);
      }
    }
  }

  /** The body must be of a declared media type and match that media type's schema. */
  private checkBody(response: OpenAPIV3_1.ResponseObject, pointer: string, headers: Map<string, string>, body: unknown, errors: string[]): void {
    const content = response.content ?? {};
    const mediaTypes = Object.keys(content);
    if (mediaTypes.length === 0) {
      if (body !== undefined && body !== '' && !isEmptyObject(body)) errors.push('a body was sent but the answer declares none');
      return;
    }
    const contentType = headers.get('content-type')?.split(';')[0]?.trim().toLowerCase();
    const mediaType = contentType ? mediaTypes.find((m) => mediaTypeMatches(m, contentType)) : mediaTypes.length === 1 ? mediaTypes[0] : undefined;
    if (!mediaType) {
      errors.push(`content-type ${contentType ?? '(none)'} is not declared (declared: ${mediaTypes.join(', ')})`);
      return;
    }
    if (!content[mediaType]?.schema) return;
    errors.push(...this.validateSchema(`${pointer}/content/${escapePointerSegment(mediaType)}/schema`, body, 'body').errors);
  }

  /** Compiles (once) the schema at a JSON Pointer of the document. */
  private compile(ajv: Ajv2020, pointer: string): ValidateFunction {
    const key = `${ajv === this.headerAjv ? 'header' : 'body'}:${pointer}`;
    let validate = this.compiled.get(key);
    if (!validate) {
      validate = ajv.compile({ $ref: refTo(pointer) });
      this.compiled.set(key, validate);
    }
    return validate;
  }

  /** Follows local `$ref`s of OpenAPI objects (responses, headers), which Ajv does not see. */
  private resolve<T>(pointer: string): { node: T; pointer: string } {
    const seen = new Set<string>();
    let current = pointer;
    for (;;) {
      const node = readPointer(this.document, current);
      const ref = (node as { $ref?: unknown } | undefined)?.$ref;
      if (typeof ref !== 'string') {
        if (node === undefined) throw new Error(`openapi.yaml has nothing at #${current}`);
        return { node: node as T, pointer: current };
      }
      if (!ref.startsWith('#') || seen.has(ref)) throw new Error(`cannot follow $ref ${ref} at #${current}`);
      seen.add(ref);
      current = ref.slice(1);
    }
  }

  private collectResponseHeaderNames(): Set<string> {
    const names = new Set<string>();
    const add = (response: unknown) => {
      const headers = (response as OpenAPIV3_1.ResponseObject | undefined)?.headers;
      for (const name of Object.keys(headers ?? {})) names.add(name.toLowerCase());
    };
    for (const response of Object.values(this.document.components?.responses ?? {})) add(response);
    for (const item of Object.values(this.document.paths ?? {})) {
      for (const method of HTTP_METHODS) {
        for (const response of Object.values(item?.[method]?.responses ?? {})) add(response);
      }
    }
    return names;
  }
}

let shared: OpenApiValidator | undefined;

/**
 * The validator of the repository's openapi.yaml, made on first use.
 * @example defaultValidator().document.servers?.[0]?.url // 'https://api-ocr.nhncloudservice.com'
 */
export function defaultValidator(): OpenApiValidator {
  shared ??= new OpenApiValidator(loadOpenApiDocument());
  return shared;
}

/**
 * Checks an answer against openapi.yaml.
 * @example
 * const { valid, errors } = validateResponse({ method: 'GET', path: '/v2.0/appkeys/k/public-keys/id-card',
 *   status: 200, headers: {}, body: { header: { isSuccessful: false, resultCode: 4010001, resultMessage: 'Invalid appKey or secretKey.' } } });
 * // valid === true, errors.length === 0
 */
export function validateResponse(response: ResponseUnderTest): ResponseValidation {
  return defaultValidator().validateResponse(response);
}

/**
 * Checks an answer against openapi.yaml and throws an Error listing every problem.
 * @example expectValidResponse({ method: 'GET', path, status: res.status, headers: res.headers, body: res.body })
 */
export function expectValidResponse(response: ResponseUnderTest): ResponseValidation {
  return defaultValidator().expectValidResponse(response);
}

/** `/v2.0/appkeys/{appKey}/x` → `^/v2\.0/appkeys/[^/]+/x$`; a parameter never spans a `/`. */
function templatePattern(template: string): RegExp {
  const source = template
    .split(/(\{[^}]+\})/)
    .map((part) => (part.startsWith('{') ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`);
}

function pathOf(pathOrUrl: string): string {
  return new URL(pathOrUrl, 'http://host.invalid').pathname;
}

function refTo(pointer: string): string {
  return `${DOCUMENT_ID}#${pointer
    .split('/')
    .map((s) => encodeURIComponent(s).replace(/%7E/g, '~'))
    .join('/')}`;
}

function readPointer(root: unknown, pointer: string): unknown {
  let node = root;
  for (const raw of pointer.split('/').slice(1)) {
    const segment = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[segment];
  }
  return node;
}

function lowerCaseHeaders(headers: NonNullable<ResponseUnderTest['headers']>): Map<string, string> {
  const map = new Map<string, string>();
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    map.set(name.toLowerCase(), Array.isArray(value) ? value.join(', ') : String(value));
  }
  return map;
}

function mediaTypeMatches(declared: string, actual: string): boolean {
  const [type, subtype] = declared.toLowerCase().split('/');
  const [actualType, actualSubtype] = actual.split('/');
  return (type === '*' || type === actualType) && (subtype === '*' || subtype === actualSubtype);
}

function isEmptyObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && Object.keys(value).length === 0;
}

function indexPointers(node: unknown, pointer: string, index: WeakMap<object, string>): void {
  if (node === null || typeof node !== 'object' || index.has(node)) return;
  index.set(node, pointer);
  for (const [key, child] of Object.entries(node)) indexPointers(child, `${pointer}/${escapePointerSegment(key)}`, index);
}

function pathSegment(raw: string): string {
  const segment = raw.replace(/~1/g, '/').replace(/~0/g, '~');
  return /^\d+$/.test(segment) ? `[${segment}]` : `.${segment}`;
}

function preview(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
