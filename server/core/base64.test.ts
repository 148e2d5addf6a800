import { describe, expect, it } from 'vitest';
import { base64Problem, decodeBase64Strict } from './base64.js';

describe('strict base64', () => {
  it('accepts the basic alphabet with or without padding', () => {
    expect(decodeBase64Strict('AAEC')?.toString('hex')).toBe('000102');
    expect(decodeBase64Strict('AAE=')?.toString('hex')).toBe('0001');
    expect(decodeBase64Strict('AAE')?.toString('hex')).toBe('0001');
  });

  it('names what is wrong', () => {
    expect(base64Problem('')).toMatch(/empty/);
    expect(base64Problem('ab-_')).toMatch(/URL-safe/);
    expect(base64Problem('AAEC\nAAEC')).toMatch(/white space/);
    expect(base64Problem('AA*C')).toMatch(/outside/);
    expect(base64Problem('AAECA')).toMatch(/length/);
    expect(base64Problem('AA=')).toMatch(/padding/);
  });
});
