/**
 * The one refusal model: what each kind of error becomes on each side of the emulator, and how a
 * refusal is rendered.
 */
import { describe, expect, it } from 'vitest';
import { ClockLimitError, RegistrationError } from '../core/engine.js';
import { OAuthError, OcrError } from '../core/errors.js';
import { ScenarioError } from '../core/scenarios/book.js';
import { StoreUnavailableError } from '../core/stores/unavailable.js';
import { Refusal, refusalOf, renderRefusal, unknownRoute } from './refusal.js';

/** A refusal of `error` on `surface`, rendered without the diagnosis header, and the faults told. */
function refused(error: unknown, surface: 'api' | 'token' | 'admin') {
  const faults: unknown[] = [];
  const refusal = refusalOf(error, surface, (fault) => faults.push(fault));
  return { refusal, answer: renderRefusal(refusal, false), faults };
}

describe('refusalOf', () => {
  it('an OcrError is the API failure body on HTTP 200, its diagnosis the error`s', () => {
    const { refusal, answer } = refused(new OcrError('INVALID_KEY_VERSION', 'X-Key-Version 7 was revoked'), 'api');
    expect(refusal).toMatchObject({ shape: 'api', status: 200, resultCode: 4000301, diagnosis: 'X-Key-Version 7 was revoked' });
    expect(answer).toEqual({ status: 200, body: { header: { isSuccessful: false, resultCode: 4000301, resultMessage: 'Invalid key version.' } }, headers: {} });
  });

  it('an OAuthError is RFC 6749`s body, never cached; a 401 names the scheme', () => {
    const { answer, refusal } = refused(new OAuthError('invalid_client', 'no such User Access Key'), 'token');
    expect(answer.status).toBe(401);
    expect(answer.body).toEqual({ error: 'invalid_client', error_description: 'no such User Access Key' });
    expect(answer.headers).toMatchObject({ 'Cache-Control': 'no-store', Pragma: 'no-cache', 'WWW-Authenticate': expect.stringMatching(/^Basic /) });
    expect(refusal.diagnosis).toBe('HTTP 401 invalid_client: no such User Access Key');
  });

  it('scenario refusals, registrations and clock steps are the emulator`s own {error, message}', () => {
    expect(refused(new ScenarioError('unknown scenario "x"', 404), 'api').answer).toMatchObject({
      status: 404,
      body: { error: 'scenario', message: 'unknown scenario "x"' },
    });
    expect(refused(new RegistrationError('conflict', 'taken'), 'admin').answer).toMatchObject({ status: 409, body: { error: 'conflict', message: 'taken' } });
    expect(refused(new RegistrationError('full', '2 appKeys'), 'admin').answer).toMatchObject({ status: 507, body: { error: 'full' } });
    expect(refused(new ClockLimitError('past 9000'), 'admin').answer).toMatchObject({ status: 400, body: { error: 'bad_request', message: 'past 9000' } });
  });

  it('a store that is away: -1 on the API, 503 temporarily_unavailable for tokens, 503 unavailable on the admin API', () => {
    const away = () => new StoreUnavailableError('unreachable', 'connection refused');
    expect(refused(away(), 'api').refusal).toMatchObject({ shape: 'api', status: 200 });
    expect(refused(away(), 'token').answer).toMatchObject({ status: 503, body: { error: 'temporarily_unavailable' } });
    expect(refused(away(), 'admin').answer).toMatchObject({ status: 503, body: { error: 'unavailable' } });
  });

  it('a fault is told once and answered without its details: -1, server_error, internal', () => {
    for (const [surface, status, body] of [
      ['api', 200, { header: { isSuccessful: false, resultCode: -1, resultMessage: 'Unknown error.' } }],
      ['token', 500, { error: 'server_error', error_description: 'internal fault (see the emulator log)' }],
      ['admin', 500, { error: 'internal', message: 'internal error' }],
    ] as const) {
      const { answer, faults } = refused(new TypeError('secret detail'), surface);
      expect(answer).toMatchObject({ status, body });
      expect(JSON.stringify(answer)).not.toMatch(/secret detail/);
      expect(faults).toHaveLength(1);
    }
  });

  it('what express could not read: 4000001 on the API, its 4xx on the admin API', () => {
    const unreadable = Object.assign(new Error('Unexpected token'), { status: 400, expose: true, type: 'entity.parse.failed' });
    expect(refused(unreadable, 'api').refusal).toMatchObject({ code: 'INVALID_PARAMETER', diagnosis: 'the request could not be parsed: Unexpected token' });
    expect(refused(unreadable, 'admin').answer.body).toEqual({ error: 'bad_request', message: 'body is not valid JSON' });
  });

  it('a Refusal passes as it is; the diagnosis header is added when asked', () => {
    const refusal = new Refusal('api', 200, 'URL_NOT_FOUND', 'GET /x is an operation of neither the v2.0 nor the v2.1 guide');
    expect(refusalOf(refusal, 'api', () => {})).toBe(refusal);
    expect(renderRefusal(refusal, true).headers).toEqual({ 'X-Emulator-Diagnosis': 'GET /x is an operation of neither the v2.0 nor the v2.1 guide' });
  });
});

describe('unknownRoute', () => {
  it('names the method when no route has it, else the path; admin paths are 404', () => {
    expect(unknownRoute('BREW', '/v2.0/appkeys/k/credit-card').diagnosis).toBe("method BREW is not one of the API's (methods are case-sensitive: GET, POST)");
    expect(unknownRoute('GET', '/v2.0/nothing').diagnosis).toBe('GET /v2.0/nothing is an operation of neither the v2.0 nor the v2.1 guide');
    expect(renderRefusal(unknownRoute('GET', '/__emulator/nope'), false)).toEqual({
      status: 404,
      body: { error: 'not_found', message: 'no admin endpoint GET /__emulator/nope' },
      headers: {},
    });
  });
});
