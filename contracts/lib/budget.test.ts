import { describe, expect, it } from 'vitest';
import { BudgetExhausted, CallMeter, classifyEndpoint, requestLine } from './budget.js';

describe('classifyEndpoint', () => {
  it('names the five operations and lumps the rest together', () => {
    expect(classifyEndpoint('post', 'http://h/v2.0/appkeys/k/id-card/authenticity')).toBe('POST id-card/authenticity');
    expect(classifyEndpoint('GET', 'http://h/v2.0/appkeys/k/public-keys/id-card')).toBe('GET public-keys/id-card');
    expect(classifyEndpoint('GET', 'http://h/v2.0/appkeys/k/unknown')).toBe('GET (other path)');
    expect(classifyEndpoint('GET', 'http://h/v2.0/appkeys/k/public-keys/nope')).toBe('GET (other path)');
  });
});

describe('requestLine', () => {
  it('hides the app key', () => {
    expect(requestLine('post', 'https://h/v2.0/appkeys/secret-app/credit-card?x=1')).toBe('POST /v2.0/appkeys/{appKey}/credit-card');
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
