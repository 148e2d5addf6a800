/**
 * The admin API's bodies and query parameters, checked against its own description
 * (server/admin-openapi.yaml) while serving, so the description and the server cannot drift:
 * what the description allows is what the routes get. Ajv's JSON Schema 2020-12 validator (the
 * dialect of OpenAPI 3.1) checks the document's own schemas in place, as
 * contracts/lib/openapi-validator.ts does for the API's answers.
 *
 * Nothing is loaded before the first admin call that has something to check: Ajv, the YAML
 * parser and the compiled schemas would cost every start-up tens of milliseconds that a test run
 * of API calls never needs.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { NextFunction, Request, Response } from 'express';
import { adminRefusal } from './refusal.js';

/** An admin operation as the description names it: method and path template. */
export type AdminOperation = `${'GET' | 'POST' | 'PUT' | 'DELETE'} /__emulator/${string}`;

/** What a route gets once its request passed: the body and the query, typed as the description says. */
export interface Checked {
  body: Record<string, unknown>;
  query: Record<string, unknown>;
}

/** A JSON Schema as the description holds it (only what the messages read). */
interface SchemaNode {
  type?: string;
  minimum?: number;
  pattern?: string;
  enum?: unknown[];
  items?: SchemaNode;
  properties?: Record<string, SchemaNode>;
  required?: string[];
  allOf?: SchemaNode[];
  $ref?: string;
}

/** One Ajv error, as much of it as the messages read. */
interface AjvError {
  keyword: string;
  instancePath: string;
  params: { missingProperty?: string };
}

type Validate = ((data: unknown) => boolean) & { errors?: AjvError[] | null };

/** The checks of one operation, compiled on first use. */
interface OperationChecks {
  body?: { validate: Validate; schema: SchemaNode; required: boolean };
  query: { name: string; validate: Validate; schema: SchemaNode }[];
}

/**
 * Builds the checker: `check(operation)` is a middleware that refuses a request whose body or
 * query the description does not allow (400 `bad_request`, naming the field and what it must be)
 * and leaves the checked values for {@link checked}.
 * @example router.post('/clock', check('POST /__emulator/clock'), (req, res) => advance(checked(res).body))
 */
export function adminChecker(descriptionFile: string): (operation: AdminOperation) => (req: Request, res: Response, next: NextFunction) => void {
  let document: Record<string, unknown> | undefined;
  let ajv: { compile(schema: object): Validate; addSchema(schema: object, key: string): void } | undefined;
  let coercing: typeof ajv;
  const compiled = new Map<AdminOperation, OperationChecks>();

  const load = () => {
    if (document) return;
    const require = createRequire(import.meta.url);
    const { parse } = require('yaml') as typeof import('yaml');
    const { Ajv2020 } = require('ajv/dist/2020.js') as typeof import('ajv/dist/2020.js');
    document = parse(readFileSync(descriptionFile, 'utf8')) as Record<string, unknown>;
    // strict: false because the document is not only schemas (OpenAPI's own fields around them).
    ajv = new Ajv2020({ strict: false, allErrors: false }) as unknown as typeof ajv;
    // Query values are strings on the wire: read as the types the description gives them.
    coercing = new Ajv2020({ strict: false, allErrors: false, coerceTypes: true }) as unknown as typeof ajv;
    ajv!.addSchema(document, DOCUMENT_ID);
    coercing!.addSchema(document, DOCUMENT_ID);
  };

  const checksOf = (operation: AdminOperation): OperationChecks => {
    let checks = compiled.get(operation);
    if (checks) return checks;
    load();
    const [method, path] = operation.split(' ') as [string, string];
    const pointer = `#/paths/${escapePointer(path)}/${method.toLowerCase()}`;
    const described = resolve(document!, pointer) as { requestBody?: { required?: boolean }; parameters?: unknown[] } | undefined;
    if (!described) throw new Error(`${operation} is not in the admin API's description`);
    checks = { query: [] };
    if (described.requestBody) {
      const at = `${pointer}/requestBody/content/application~1json/schema`;
      checks.body = {
        validate: ajv!.compile({ $ref: `${DOCUMENT_ID}${at}` }),
        schema: resolve(document!, at) as SchemaNode,
        required: described.requestBody.required === true,
      };
    }
    // Each query parameter by its pointer in the document, so its `$ref`s resolve in place.
    const pathItem = `#/paths/${escapePointer(path)}`;
    const pointers = [
      ...((resolve(document!, `${pathItem}/parameters`) as unknown[] | undefined) ?? []).map((p, i) => refOr(p, `${pathItem}/parameters/${i}`)),
      ...(described.parameters ?? []).map((p, i) => refOr(p, `${pointer}/parameters/${i}`)),
    ];
    for (const at of pointers) {
      const { name, in: where, schema } = resolve(document!, at) as { name: string; in: string; schema: SchemaNode };
      if (where !== 'query') continue;
      // Wrapped as `{ value }`, so coercion can replace the value in its holder.
      const wrapped = { type: 'object', properties: { value: { $ref: `${DOCUMENT_ID}${at}/schema` } } };
      checks.query.push({ name, validate: coercing!.compile(wrapped), schema });
    }
    compiled.set(operation, checks);
    return checks;
  };

  return (operation) => (req, res, next) => {
    const checks = checksOf(operation);
    const body: unknown = req.body ?? {};
    if (checks.body && !checks.body.validate(body))
      throw adminRefusal(400, 'bad_request', bodyProblem(checks.body.validate.errors?.[0], checks.body.schema, document!));
    const query: Record<string, unknown> = {};
    for (const { name, validate, schema } of checks.query) {
      const given = (req.query as Record<string, unknown>)[name];
      if (given === undefined) continue;
      const holder = { value: given };
      if (!validate(holder)) throw adminRefusal(400, 'bad_request', `${name} must be ${described(deref(document!, schema) as SchemaNode, document!)}`);
      query[name] = holder.value;
    }
    res.locals['checked'] = { body: (checks.body ? body : {}) as Record<string, unknown>, query } satisfies Checked;
    next();
  };
}

/**
 * The body and query a checked route may read.
 * @example const { advanceSeconds } = checked(res).body as { advanceSeconds: number }
 */
export function checked(res: Response): Checked {
  return res.locals['checked'] as Checked;
}

/** The id the document is registered under; its `#/...` pointers resolve against it. */
const DOCUMENT_ID = 'admin-openapi.yaml';

/** A parameter's pointer: the one its `$ref` names, or where it stands. */
function refOr(parameter: unknown, at: string): string {
  const ref = (parameter as { $ref?: unknown }).$ref;
  return typeof ref === 'string' ? ref : at;
}

/** What is wrong with a body, as one line: the field and what it must be. */
function bodyProblem(error: AjvError | undefined, schema: SchemaNode, document: Record<string, unknown>): string {
  const properties = propertiesOf(schema, document);
  if (!error || (error.instancePath === '' && error.keyword !== 'required')) return 'body must be a JSON object';
  const field = error.keyword === 'required' ? error.params.missingProperty! : decodeURIComponent(error.instancePath.split('/')[1] ?? '');
  const property = properties[field];
  return property ? `body needs "${field}": ${described(property, document)}` : `body needs "${field}"`;
}

/** The properties a body schema declares, through `allOf` and `$ref`. */
function propertiesOf(schema: SchemaNode, document: Record<string, unknown>): Record<string, SchemaNode> {
  const node = deref(document, schema) as SchemaNode;
  return Object.assign({}, ...(node.allOf ?? []).map((part) => propertiesOf(part, document)), node.properties ?? {});
}

/** A schema in words: `a number >= 0`, `a whole number >= 0`, `an array of strings`, `one of a, b`. */
function described(schema: SchemaNode, document: Record<string, unknown>): string {
  const node = deref(document, schema) as SchemaNode;
  if (node.enum) return `one of ${node.enum.join(', ')}`;
  const kinds: Record<string, string> = { number: 'a number', integer: 'a whole number', string: 'a string', boolean: 'true or false', object: 'an object' };
  let words = node.type === 'array' ? `an array of ${described(node.items ?? {}, document).replace(/^an? /, '')}s` : (kinds[node.type ?? ''] ?? 'a value');
  if (node.minimum !== undefined) words += ` >= ${node.minimum}`;
  if (node.pattern !== undefined) words += ` matching ${node.pattern}`;
  return words;
}

/** A `$ref` followed within the document (one level is all the description uses). */
function deref(document: Record<string, unknown>, node: unknown): unknown {
  const ref = (node as { $ref?: unknown } | undefined)?.$ref;
  return typeof ref === 'string' ? resolve(document, ref) : node;
}

/** The node a `#/...` JSON pointer names. */
function resolve(document: Record<string, unknown>, pointer: string): unknown {
  let node: unknown = document;
  for (const part of pointer.replace(/^#\//, '').split('/')) {
    node = (node as Record<string, unknown> | undefined)?.[part.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return node;
}

/** A path as one JSON-pointer segment. */
function escapePointer(path: string): string {
  return path.replace(/~/g, '~0').replace(/\//g, '~1');
}
