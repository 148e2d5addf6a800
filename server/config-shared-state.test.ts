/**
 * The settings of where the state lives: keys dir, Redis (URL, secret, prefix) and worker
 * processes, and the combinations refused at start.
 */
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

const REDIS = { EMULATOR_REDIS_URL: 'redis://127.0.0.1:6379', EMULATOR_REDIS_SECRET: 'sixteen characters or more' };
// (A secret may hold spaces: a passphrase.)

describe('shared-state settings', () => {
  it('default to memory, one process, the documented prefix', () => {
    expect(loadConfig({})).toMatchObject({ keysDir: undefined, redisUrl: undefined, redisSecret: undefined, redisPrefix: 'nhn-ocr-emulator:', workers: 1 });
  });

  it('take a keys dir, or Redis with its secret and prefix, and workers with Redis', () => {
    expect(loadConfig({ EMULATOR_KEYS_DIR: '/tmp/keys' }).keysDir).toBe('/tmp/keys');
    expect(loadConfig({ ...REDIS, EMULATOR_REDIS_PREFIX: 'team-a:', EMULATOR_WORKERS: '2' })).toMatchObject({
      ...{ redisUrl: REDIS.EMULATOR_REDIS_URL },
      redisPrefix: 'team-a:',
      workers: 2,
    });
  });

  it('refuse what cannot work, in one line naming the setting', () => {
    const refusals: [Record<string, string>, RegExp][] = [
      [{ EMULATOR_WORKERS: '2' }, /^EMULATOR_WORKERS="2" needs EMULATOR_REDIS_URL: worker processes share their state through Redis$/],
      [{ EMULATOR_REDIS_URL: REDIS.EMULATOR_REDIS_URL }, /^EMULATOR_REDIS_SECRET must be set with EMULATOR_REDIS_URL/],
      [{ ...REDIS, EMULATOR_REDIS_SECRET: 'short' }, /^EMULATOR_REDIS_SECRET=\(hidden\) must be 16 or more characters/],
      [{ ...REDIS, EMULATOR_REDIS_URL: 'http://cache' }, /^EMULATOR_REDIS_URL="http:\/\/cache" must be a URL starting redis:\/\/ or rediss:\/\//],
      [{ ...REDIS, EMULATOR_KEYS_DIR: '/tmp/k' }, /^EMULATOR_KEYS_DIR and EMULATOR_REDIS_URL/],
      [{ ...REDIS, EMULATOR_REDIS_PREFIX: 'a b' }, /^EMULATOR_REDIS_PREFIX="a b"/],
      [{ ...REDIS, EMULATOR_WORKERS: '0' }, /^EMULATOR_WORKERS="0" must be a whole number from 1 to 64/],
      [
        { ...REDIS, EMULATOR_WORKERS: '2', EMULATOR_RECORD_TARGET: 'https://api-ocr.nhncloudservice.com' },
        /^EMULATOR_WORKERS="2" cannot go with EMULATOR_RECORD_TARGET: record mode runs in one process/,
      ],
      // A URL the setting refuses is shown without its password.
      [{ ...REDIS, EMULATOR_REDIS_URL: 'http://:hunter2pass@cache' }, /^EMULATOR_REDIS_URL="http:\/\/:\*\*\*@cache" must be a URL/],
    ];
    for (const [env, message] of refusals) {
      expect(() => loadConfig(env)).toThrow(ConfigError);
      expect(() => loadConfig(env)).toThrow(message);
      try {
        loadConfig(env);
      } catch (error) {
        expect((error as Error).message).not.toContain('\n');
        expect((error as Error).message).not.toMatch(/short|hunter2pass/);
      }
    }
  });
});
