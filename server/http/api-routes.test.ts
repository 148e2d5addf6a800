/**
 * The route table: the fast path's patterns and express's paths come from the same rows.
 */
import { describe, expect, it } from 'vitest';
import { API_ROUTES, expressPath, fastRoutes, routeParameter, routePatterns } from './api-routes.js';

describe('the route table', () => {
  const routes = fastRoutes();

  it('every route of both versions matches its plain path, and only its own', () => {
    for (const api of ['v2.0', 'v2.1'] as const) {
      for (const route of API_ROUTES) {
        const path = `/${api}/appkeys/my-key/${route.path.replace(':serviceName', 'credit-card')}`;
        const matching = routes.filter((r) => r.method === route.method && r.pattern.test(path));
        expect(
          matching.map((r) => r.operation),
          path,
        ).toEqual([route.operation]);
        expect(
          routes
            .find((r) => r.operation === route.operation)!
            .pattern.exec(path)!
            .slice(1, 3),
        ).toEqual([api, 'my-key']);
      }
    }
  });

  it('leaves to express what express must decode or refuse: queries, escapes, other versions, trailing slashes', () => {
    for (const path of [
      '/v2.0/appkeys/k/credit-card?',
      '/v2.0/appkeys/k%2D1/credit-card',
      '/v2.2/appkeys/k/credit-card',
      '/v2.0/appkeys/k/credit-card/',
      '/V2.0/appkeys/k/credit-card',
    ]) {
      expect(
        routes.some((r) => r.pattern.test(path)),
        path,
      ).toBe(false);
    }
  });

  it('express paths name the same parameters', () => {
    expect(expressPath('v2.1', API_ROUTES.find((r) => r.operation === 'public-key')!)).toBe('/v2.1/appkeys/:appKey/public-keys/:serviceName');
    expect(API_ROUTES.map(routeParameter).filter(Boolean)).toEqual(['serviceName']);
  });

  it('gives record mode the same routes over targets as they came: escapes and a query taken, still no other path', () => {
    const loose = routePatterns(API_ROUTES, '([^/?#]+)', '(?:\\?.*)?');
    const operation = (method: string, path: string) => loose.find((r) => r.method === method && r.pattern.test(path))?.operation;
    expect(operation('POST', '/v2.0/appkeys/k%2D1/credit-card?trace=1')).toBe('credit-card');
    expect(operation('GET', '/v2.1/appkeys/k/public-keys/id%2Dcard')).toBe('public-key');
    expect(operation('POST', '/v2.0/appkeys/k/id-card/authenticity')).toBe('id-card/authenticity');
    for (const path of ['/v2.2/appkeys/k/credit-card', '/v2.0/appkeys/k/credit-card/', '/v2.0/appkeys/k/passport'])
      expect(operation('POST', path), path).toBeUndefined();
  });
});
