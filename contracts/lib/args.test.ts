import { describe, expect, it } from 'vitest';
import { DEFAULT_LIVE_MAX_CALLS, resolveConfig, UsageError } from './args.js';

const LIVE = { OCR_BASE_URL: 'https://ocr.api.nhncloudservice.com', OCR_APPKEY: 'app', OCR_SECRETKEY: 'secret' };

describe('resolveConfig', () => {
  it('spawns the emulator by default: strict, with control and parity, no budget', () => {
    expect(resolveConfig([], {})).toMatchObject({ mode: 'emulator', control: true, lenient: false, parity: true, record: false, filters: [] });
    expect(resolveConfig([], {}).maxCalls).toBeUndefined();
  });

  it('goes live with OCR_BASE_URL: lenient, no control, no parity, a budget', () => {
    const config = resolveConfig([], { ...LIVE, OCR_FIXTURES_DIR: '/photos' });
    expect(config).toMatchObject({ mode: 'live', control: false, lenient: true, parity: false, maxCalls: DEFAULT_LIVE_MAX_CALLS, fixturesDir: '/photos' });
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
    expect(resolveConfig(['--target-url', 'http://h', '--appkey', 'a', '--secretkey', 's', '--no-control', '--lenient'], {})).toMatchObject({ control: false, lenient: true });
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
});
