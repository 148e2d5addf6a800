/**
 * The API's routes, in one table (TOAST-DOCS/OCR en/document-ocr-api-guide-v2.0.md and
 * -v2.1.md: the same five operations under `/v2.0/` and `/v2.1/`). The fast path's patterns and
 * express's paths are both derived from it (pipeline.ts), so the two cannot disagree on what
 * exists.
 */
import type { IncomingMessage } from 'node:http';
import { API_VERSIONS, type ApiVersion } from '../core/auth.js';
import type { ApiCall, EnvelopeHeaders } from '../core/engine.js';
import type { Endpoint } from '../core/scenarios/schema.js';

/** The API's operations, by the journal's endpoint name. */
export type ApiOperation = Extract<Endpoint, 'public-key' | 'credit-card' | 'id-card' | 'id-card/stand-alone' | 'id-card/authenticity'>;

/** One route: the method, the path after `/{version}/appkeys/{appKey}/` (`:name` for a parameter), the operation. */
export interface ApiRoute {
  method: 'GET' | 'POST';
  path: string;
  operation: ApiOperation;
}

/** Every route of the API; the credit-card upload first, as the fast path tries them in order. */
export const API_ROUTES: readonly ApiRoute[] = [
  { method: 'POST', path: 'credit-card', operation: 'credit-card' },
  { method: 'GET', path: 'public-keys/:serviceName', operation: 'public-key' },
  { method: 'POST', path: 'id-card', operation: 'id-card' },
  { method: 'POST', path: 'id-card/stand-alone', operation: 'id-card/stand-alone' },
  { method: 'POST', path: 'id-card/authenticity', operation: 'id-card/authenticity' },
];

/** The methods of the route table (the token issuer's routes are POSTs too). */
export const API_METHODS: readonly string[] = [...new Set(API_ROUTES.map((route) => route.method))].sort();

/**
 * A path segment the fast path reads as is: unreserved characters only (RFC 3986 section 2.3),
 * so that what it reads is exactly what express's router would have decoded; anything with a
 * percent-escape is left to express.
 */
const SEGMENT = '([A-Za-z0-9._~-]+)';

/** A route as the fast path matches it: groups 1 version, 2 appKey, 3 the route's parameter if any. */
export interface FastRoute extends ApiRoute {
  pattern: RegExp;
}

/**
 * The table as the fast path matches it: one anchored pattern per route over the raw request
 * target (a query string or an escape does not match, and goes to express).
 * @example fastRoutes()[0].pattern.exec('/v2.0/appkeys/k/credit-card')?.[2] // 'k'
 */
export function fastRoutes(routes: readonly ApiRoute[] = API_ROUTES): FastRoute[] {
  return routePatterns(routes, SEGMENT, '');
}

/**
 * The table as patterns over a request target, with the given pattern for a path segment and
 * for what may follow the path; the fast path's are strict, record mode's take any segment and
 * a query (it forwards the target as it came).
 * @example routePatterns(API_ROUTES, '([^/?#]+)', '(?:\\?.*)?')[0].pattern.test('/v2.0/appkeys/a%20b/credit-card?x=1') // true
 */
export function routePatterns(routes: readonly ApiRoute[], segment: string, tail: string): FastRoute[] {
  const versions = API_VERSIONS.map((api) => api.replace('.', '\\.')).join('|');
  return routes.map((route) => {
    const path = route.path.replace(/\./g, '\\.').replace(/:[A-Za-z]+/g, segment);
    return { ...route, pattern: new RegExp(`^/(${versions})/appkeys/${segment}/${path}${tail}$`) };
  });
}

/**
 * A route's express path under one version, its parameters named `:appKey` and as in the table.
 * @example expressPath('v2.0', API_ROUTES[1]) // '/v2.0/appkeys/:appKey/public-keys/:serviceName'
 */
export function expressPath(api: ApiVersion, route: ApiRoute): string {
  return `/${api}/appkeys/:appKey/${route.path}`;
}

/** The name of a route's own parameter (after `:appKey`), if it has one. */
export function routeParameter(route: ApiRoute): string | undefined {
  return /:([A-Za-z]+)/.exec(route.path)?.[1];
}

/**
 * One API call as the service takes it, whichever way the path was read.
 * @example apiCall('v2.0', 'emulator-appkey', req)
 */
export function apiCall(api: ApiVersion, appKey: string, req: IncomingMessage): ApiCall {
  return { api, appKey, headers: envelopeHeaders(req) };
}

/**
 * The request headers the service reads, repeated ones joined as Node's parser would show them.
 * @example envelopeHeaders(req)['x-key-version'] // '0'
 */
export function envelopeHeaders(req: IncomingMessage): EnvelopeHeaders {
  return {
    authorization: header(req, 'authorization'),
    'x-nhn-authorization': header(req, 'x-nhn-authorization'),
    'x-key-version': header(req, 'x-key-version'),
    'symmetric-key': header(req, 'symmetric-key'),
    'request-key': header(req, 'request-key'),
    'x-emulator-scenario': header(req, 'x-emulator-scenario'),
  };
}

/**
 * A request header as one string: repeated ones joined with `, `, as Node shows most headers.
 * @example header(req, 'authorization') // 'emulator-secretkey'
 */
export function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}
