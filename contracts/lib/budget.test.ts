import { describe, expect, it } from 'vitest';
import { BudgetExhausted, CallMeter, classifyEndpoint, isIssuerCall, requestLine } from './budget.js';

describe('classifyEndpoint', () => {
  it('names the five operations and lumps the rest together', () => {
    expect(classifyEndpoint('post', 'http://h/v2.0/appkeys/k/id-card/authenticity')).toBe('POST id-card/authenticity');
    expect(classifyEndpoint('GET', 'http://h/v2.0/appkeys/k/public-keys/id-card')).toBe('GET public-keys/id-card');
    expect(classifyEndpoint('GET', 'http://h/v2.0/appkeys/k/unknown')).toBe('GET (other path)');
    expect(classifyEndpoint('GET', 'http://h/v2.0/appkeys/k/public-keys/nope')).toBe('GET (other path)');
  });

  it('names v2.1 calls with their version and the token issuer by path', () => {
    expect(classifyEndpoint('POST', 'http://h/v2.1/appkeys/k/id-card')).toBe('POST v2.1 id-card');
    expect(classifyEndpoint('POST', 'https://oauth.api.nhncloudservice.com/oauth2/token/revoke')).toBe('POST oauth2/token/revoke');
    expect(classifyEndpoint('POST', 'http://h/oauth2/token/other')).toBe('POST (other path)');
    expect(isIssuerCall('http://h:1/oauth2/token/create')).toBe(true);
    expect(isIssuerCall('http://h:1/v2.1/appkeys/k/id-card')).toBe(false);
  });
});

describe('requestLine', () => {
  it('hides the app key', () => {
    expect(requestLine('post', 'https://h/v2.0/appkeys/secret-app/credit-card?x=1')).toBe('POST /v2.0/appkeys/{appKey}/credit-card');
    expect(requestLine('get', 'https://h/v2.1/appkeys/secret-app/public-keys/id-card')).toBe('GET /v2.1/appkeys/{appKey}/public-keys/id-card');
  });
});

describe('CallMeter', () => {
  it('counts per endpoint and stops at the limit', () => {
    const meter = new CallMeter(2);
    meter.take('POST credit-card');
    meter.take('POST credit-card');
    expect(meter.exhausted).toBe(true);
    expect(() => meter.take('GET public-keys/credit-card')).toThrow(BudgetExhausted);
    expect(meter.summary()).toEqual(['calls: 2 of a budget of 2', '     2  POST credit-card']);
  });

  it('has no cap without a limit', () => {
    const meter = new CallMeter();
    for (let i = 0; i < 500; i++) meter.take('x');
    expect(meter.exhausted).toBe(false);
  });
});
