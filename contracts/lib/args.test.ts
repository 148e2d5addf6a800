import { describe, expect, it } from 'vitest';
import { apiVersions, DEFAULT_LIVE_MAX_CALLS, resolveConfig, UsageError } from './args.js';

const LIVE = { OCR_BASE_URL: 'https://ocr.api.nhncloudservice.com', OCR_APPKEY: 'app', OCR_SECRETKEY: 'secret' };

describe('resolveConfig', () => {
  it('spawns the emulator by default: strict, with control and parity, no budget', () => {
    expect(resolveConfig([], {})).toMatchObject({ mode: 'emulator', control: true, lenient: false, parity: true, record: false, filters: [] });
    expect(resolveConfig([], {}).maxCalls).toBeUndefined();
  });

  it('goes live with OCR_BASE_URL: lenient, no control, no parity, a budget', () => {
    const config = resolveConfig([], { ...LIVE, OCR_FIXTURES_DIR: '/photos' });
    expect(config).toMatchObject({
      mode: 'live',
      control: false,
      lenient: true,
      parity: false,
      maxCalls: DEFAULT_LIVE_MAX_CALLS['v2.0'],
      fixturesDir: '/photos',
      apis: ['v2.0'],
    });
    expect(config.credentials).toEqual({ appKey: 'app', secretKey: 'secret' });
    expect(resolveConfig(['--max-calls', '5'], LIVE).maxCalls).toBe(5);
  });

  it('needs credentials for a live or custom target', () => {
    expect(() => resolveConfig([], { OCR_BASE_URL: 'https://x' })).toThrow(UsageError);
    expect(() => resolveConfig(['--target-url', 'http://127.0.0.1:1'], {})).toThrow(/app key and secret key/);
    expect(() => resolveConfig(['--target-url', 'nope', '--appkey', 'a', '--secretkey', 's'], {})).toThrow(/not a URL/);
  });

  it('points at any server with --target-url: strict, control asked of the server', () => {
    const config = resolveConfig(['--target-url', 'http://127.0.0.1:9', '--appkey', 'a', '--secretkey', 's', '--appkey2', 'b', '--secretkey2', 't'], LIVE);
    expect(config).toMatchObject({ mode: 'custom', baseUrl: 'http://127.0.0.1:9', control: 'auto', lenient: false, parity: false });
    expect(config.second).toEqual({ appKey: 'b', secretKey: 't' });
    expect(resolveConfig(['--target-url', 'http://h', '--appkey', 'a', '--secretkey', 's', '--no-control', '--lenient'], {})).toMatchObject({
      control: false,
      lenient: true,
    });
  });

  it('reads filters, junit, record and snapshot dir', () => {
    expect(resolveConfig(['--filter', 'a', '--filter', 'b', '--skip', 'c', '--junit', 'out.xml', '--record', '--snapshots', '/tmp/s'], {})).toMatchObject({
      filters: ['a', 'b'],
      skips: ['c'],
      junit: 'out.xml',
      record: true,
      snapshotsDir: '/tmp/s',
    });
  });

  it('rejects unknown flags and contradictions', () => {
    expect(() => resolveConfig(['--bogus'], {})).toThrow(UsageError);
    expect(() => resolveConfig(['--lenient', '--strict'], {})).toThrow(UsageError);
    expect(() => resolveConfig(['--max-calls', 'many'], {})).toThrow(/whole number/);
  });

  it('reads --api and OCR_API_VERSION; the flag wins', () => {
    expect(resolveConfig([], {}).apis).toEqual(['v2.0']);
    expect(resolveConfig([], { OCR_API_VERSION: 'both' }).apis).toEqual(['v2.0', 'v2.1']);
    expect(resolveConfig(['--api', 'v2.1'], { OCR_API_VERSION: 'both' }).apis).toEqual(['v2.1']);
    expect(() => apiVersions('v3')).toThrow(UsageError);
  });

  it('needs a User Access Key for a v2.1 run of a live or custom target, and no secret key for v2.1 alone', () => {
    const access = { OCR_USER_ACCESS_KEY_ID: 'uak', OCR_SECRET_ACCESS_KEY: 'sak' };
    expect(() => resolveConfig(['--api', 'v2.1'], LIVE)).toThrow(/User Access Key/);
    const v21 = resolveConfig(['--api', 'v2.1'], { OCR_BASE_URL: 'https://api-ocr.nhncloudservice.com', OCR_APPKEY: 'app', ...access });
    expect(v21).toMatchObject({
      apis: ['v2.1'],
      access: { userAccessKeyId: 'uak', secretAccessKey: 'sak' },
      oauthUrl: 'https://oauth.api.nhncloudservice.com',
      maxCalls: DEFAULT_LIVE_MAX_CALLS['v2.1'],
    });
    expect(v21.credentials).toEqual({ appKey: 'app' });
    expect(() => resolveConfig(['--api', 'both'], { OCR_BASE_URL: 'https://x', OCR_APPKEY: 'app', ...access })).toThrow(/secret key/);
    expect(resolveConfig(['--api', 'both'], { ...LIVE, ...access }).maxCalls).toBe(DEFAULT_LIVE_MAX_CALLS['v2.0'] + DEFAULT_LIVE_MAX_CALLS['v2.1']);
  });

  it('takes the issuer from OCR_OAUTH_URL, else the live issuer for OCR_BASE_URL and the target itself for --target-url', () => {
    const flags = ['--api', 'v2.1', '--user-access-key-id', 'u', '--secret-access-key', 's'];
    expect(resolveConfig([...flags, '--target-url', 'http://127.0.0.1:9', '--appkey', 'a'], {}).oauthUrl).toBe('http://127.0.0.1:9');
    expect(resolveConfig(flags, { ...LIVE, OCR_OAUTH_URL: 'http://issuer:1' }).oauthUrl).toBe('http://issuer:1');
    expect(resolveConfig([...flags, '--oauth-url', 'http://flag:2'], { ...LIVE, OCR_OAUTH_URL: 'http://issuer:1' }).oauthUrl).toBe('http://flag:2');
    expect(() => resolveConfig([...flags, '--oauth-url', 'nope'], LIVE)).toThrow(/not a URL/);
    expect(resolveConfig(flags, { ...LIVE, OCR_USER_ACCESS_KEY_ID2: 'r', OCR_SECRET_ACCESS_KEY2: 't' }).restrictedAccess).toEqual({
      userAccessKeyId: 'r',
      secretAccessKey: 't',
    });
  });

  it('learns from the live service only, recording as it goes', () => {
    expect(resolveConfig(['--learn', '--report', 'out.md'], LIVE)).toMatchObject({ learn: true, record: true, report: 'out.md' });
    expect(() => resolveConfig(['--learn'], {})).toThrow(/needs OCR_BASE_URL/);
    expect(() => resolveConfig(['--learn', '--target-url', 'http://h', '--appkey', 'a', '--secretkey', 's'], {})).toThrow(UsageError);
  });
});
