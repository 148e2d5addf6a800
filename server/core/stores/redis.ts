/**
 * Every store on Redis (`EMULATOR_REDIS_URL`): what several emulator processes share, so that
 * they act as one emulator. Key pairs (redis-key-pairs.ts), Request-Keys, resident-card locks,
 * scenario queue, defaults and call counters, clock offsets, tokens and registered appKeys. The
 * loaded scenario definitions and the journal stay per process.
 *
 * Resets cost one script whatever the amount of state: each appKey's state lives under a
 * generation (`<global epoch>.<appKey epoch>`) that a reset replaces; what the old generation
 * left is refused from then on and expires by its TTL (redis-link.ts, `REDIS_TTL_SECONDS`).
 */
import { randomBytes } from 'node:crypto';
import { lockEffect, RESIDENT_LOCK_THRESHOLD, residentCardLocked } from '../authenticity.js';
import { systemClock, assertForward, type Clock } from '../clock.js';
import type { IdType } from '../id-card.js';
import { rsa2048Factory } from '../key-store.js';
import { cryptoRandom, randomUuid, type RandomSource } from '../random.js';
import {
  DEFAULT_MAX_REQUEST_KEYS,
  expiredRequestKey,
  foreignRequestKey,
  maskRequestKey,
  onePerAppKey,
  unusableRequestKey,
  type RequestKeyView,
} from '../request-key-ledger.js';
import type { Endpoint } from '../scenarios/schema.js';
import { MAX_REGISTERED_APPKEYS, type StoreOptions } from './memory.js';
import { redactUrl } from './redact-url.js';
import { RedisKeyPairs } from './redis-key-pairs.js';
import { keyCipher, REDIS_TTL_SECONDS, RedisConnectError, RedisLink, RedisSecretMismatchError, type KeyCipher, type RedisLinkOptions } from './redis-link.js';
import { isStoreUnavailable } from './unavailable.js';
import type {
  AppContext,
  AppKeyRegistry,
  AppScope,
  ClaimedRequestKey,
  ClockStore,
  LockStore,
  Recognised,
  RequestKeyStats,
  RequestKeyStore,
  ScenarioState,
  StateStores,
  StoredShot,
  TokenRecord,
  TokenStore,
} from './types.js';

/** The most Request-Keys one listing reads (GET /__emulator/request-keys): one Redis read each. */
export const LISTED_REQUEST_KEYS = 10_000;

/** How long a claimed Request-Key stays held if its holder never consumes or releases it. */
const CLAIM_LEASE_MS = 30_000;

/** Settings of the Redis stores. */
export interface RedisStoreOptions extends StoreOptions, RedisLinkOptions {
  /** EMULATOR_REDIS_SECRET: the private keys are encrypted with a key derived from it. */
  secret: string;
}

/**
 * Connects and returns every store on Redis (rejects with RedisConnectError when Redis does not
 * answer at start).
 * @example const stores = await redisStores({ url, secret, prefix: 'nhn-ocr-emulator:', requestKeyTtlSeconds: 3600 })
 */
export async function redisStores(options: RedisStoreOptions): Promise<StateStores> {
  const link = await RedisLink.open(options);
  const cipher = keyCipher(options.secret);
  try {
    await checkSecret(link, cipher, options.url);
  } catch (error) {
    await link.close();
    throw error;
  }
  const wall = options.wall ?? systemClock;
  const random = options.random ?? cryptoRandom;
  const { layout } = link;
  const scenarios = new RedisScenarioState(link);
  return {
    kind: 'redis',
    wall,
    clock: new RedisClock(link),
    appKeys: new RedisAppKeys(link, options.maxAppKeys ?? MAX_REGISTERED_APPKEYS),
    keys: new RedisKeyPairs(link, options.keyFactory ?? rsa2048Factory, cipher, random, wall),
    requestKeys: new RedisRequestKeys(link, random, wall, options.requestKeyTtlSeconds, options.maxRequestKeys ?? DEFAULT_MAX_REQUEST_KEYS),
    locks: new RedisLocks(link),
    scenarios,
    tokens: new RedisTokens(link),
    async context(appKey: string): Promise<AppContext> {
      const [epoch, globalMs, appEpoch, appMs, defaults, secret, queued] = await link.script<ContextReply>(
        'emuContext',
        [layout.ctx, layout.appKeys, layout.queue],
        [appKey],
      );
      const globalOffsetMs = Number(globalMs);
      return {
        appKey,
        now: wall.now() + globalOffsetMs + Number(appMs || 0),
        globalOffsetMs,
        generation: `${epoch}.${appEpoch || '0'}`,
        registeredSecret: secret || undefined,
        defaults: defaults ? (JSON.parse(defaults) as string[]) : [],
        queued: queued > 0,
      };
    },
    async reset(appKey?: string): Promise<void> {
      const epoch = randomBytes(6).toString('hex');
      await link.script('emuReset', [layout.ctx, layout.queue], [appKey ?? '', epoch, REDIS_TTL_SECONDS.state, layout.prefix]);
    },
    close: () => link.close(),
  };
}

/**
 * Refuses to start with another EMULATOR_REDIS_SECRET than the emulators of the prefix use: it
 * would start, then answer -1 to whatever touches their keys (or, after a reset, make keys they
 * cannot open). The first emulator of a prefix stores the check value; each start after it
 * compares, and keeps the value another REDIS_TTL_SECONDS.state. A Redis that refuses the check
 * (out of memory, say) stops the start too, naming the URL.
 */
async function checkSecret(link: RedisLink, cipher: KeyCipher, url: string): Promise<void> {
  let same: number;
  try {
    same = await link.script<number>('emuSecretCheck', [link.layout.secretCheck], [cipher.check, REDIS_TTL_SECONDS.state]);
  } catch (error) {
    throw new RedisConnectError(
      `Redis at ${redactUrl(url)} cannot serve the start-up check: ${isStoreUnavailable(error) ? error.detail : (error as Error).message}`,
    );
  }
  if (same !== 1) throw new RedisSecretMismatchError(link.layout.prefix);
}

/** What the context script answers (redis-scripts.ts, `emuContext`); Redis turns false into null. */
type ContextReply = [string, string, string | null, string | null, string | null, string | null, number];

/** Clock offsets in the context hash. */
class RedisClock implements ClockStore {
  constructor(private readonly link: RedisLink) {}

  async offsets(appKey?: string): Promise<{ globalMs: number; appMs: number }> {
    const [globalMs, appMs] = await this.link.script<[string, string]>('emuOffsets', [this.link.layout.ctx], [appKey ?? '']);
    return { globalMs: Number(globalMs), appMs: appKey === undefined ? 0 : Number(appMs) };
  }

  async advance(ms: number, appKey?: string): Promise<void> {
    assertForward(ms);
    await this.link.script('emuAdvance', [this.link.layout.ctx], [Math.round(ms), appKey ?? '', REDIS_TTL_SECONDS.state]);
  }
}

/** Registered appKeys in one hash, shared by every process. */
class RedisAppKeys implements AppKeyRegistry {
  constructor(
    private readonly link: RedisLink,
    readonly max: number,
  ) {}

  register(appKey: string, secretKey: string): Promise<'created' | 'unchanged' | 'conflict' | 'full'> {
    return this.link.script('emuRegister', [this.link.layout.appKeys], [appKey, secretKey, this.max, REDIS_TTL_SECONDS.state]);
  }

  async remove(appKey: string): Promise<boolean> {
    return (await this.link.call((redis) => redis.hdel(this.link.layout.appKeys, appKey))) === 1;
  }

  list(): Promise<string[]> {
    return this.link.call((redis) => redis.hkeys(this.link.layout.appKeys));
  }
}

/**
 * Request-Keys, one hash each, living their validity plus a minute, at most `maxEntries` of them
 * under one prefix (the oldest deleted first, as in memory). The claim is one script, so
 * of concurrent calls with one key, on any process, exactly one holds it; a claim whose holder
 * never comes back (its process stopped, or Redis went away before the release) lapses after
 * {@link CLAIM_LEASE_MS}.
 */
class RedisRequestKeys implements RequestKeyStore {
  constructor(
    private readonly link: RedisLink,
    private readonly random: RandomSource,
    private readonly wall: Clock,
    private readonly ttlSeconds: number,
    private readonly maxEntries: number,
  ) {}

  /**
   * Issues a key: its hash, and its place in the index of keys held (newest first, gone with the
   * last key's validity), which holds at most `maxEntries`: past it the oldest key is deleted,
   * as the memory ledger drops its oldest.
   */
  async issue(app: AppScope, recognised: Recognised): Promise<string> {
    const requestKey = randomUuid(this.random);
    const { layout } = this.link;
    const { idType, values, verdict } = recognised;
    const expiresAt = app.now + this.ttlSeconds * 1000;
    await this.link.script(
      'emuIssueRequestKey',
      [layout.requestKey(requestKey), layout.requestKeyIndex],
      [
        requestKey,
        app.appKey,
        app.generation,
        idType,
        JSON.stringify(values),
        verdict === undefined ? '' : String(verdict),
        app.now,
        expiresAt,
        this.ttlSeconds + REDIS_TTL_SECONDS.grace,
        this.maxEntries,
        layout.prefix,
      ],
    );
    return requestKey;
  }

  async claim(app: AppScope, requestKey: string): Promise<ClaimedRequestKey> {
    const claim = this.random.bytes(9).toString('base64url');
    const wallNow = this.wall.now();
    const reply = await this.link.script<string[]>(
      'emuClaim',
      [this.link.layout.requestKey(requestKey)],
      [app.appKey, app.generation, app.now, claim, wallNow + CLAIM_LEASE_MS, wallNow],
    );
    const [outcome, a, b, c] = reply;
    if (outcome === 'foreign') throw foreignRequestKey(a!);
    if (outcome === 'expired') throw expiredRequestKey(app.now, Number(a), this.ttlSeconds);
    if (outcome !== 'ok') throw unusableRequestKey(outcome === 'consumed' || outcome === 'claimed' ? outcome : 'unknown');
    return {
      requestKey,
      appKey: app.appKey,
      idType: a as IdType,
      values: JSON.parse(b!) as Record<string, string>,
      verdict: c === '' || c === undefined ? undefined : c === 'true',
      claim,
    };
  }

  async consume(claimed: ClaimedRequestKey): Promise<void> {
    await this.link.script('emuUnclaim', [this.link.layout.requestKey(claimed.requestKey)], [claimed.claim ?? '', 'consume']);
  }

  async release(claimed: ClaimedRequestKey): Promise<void> {
    await this.link.script('emuUnclaim', [this.link.layout.requestKey(claimed.requestKey)], [claimed.claim ?? '', 'release']);
  }

  /** Shared keys are counted nowhere (a scan of a Redis other teams share is no figure to poll). */
  async stats(): Promise<RequestKeyStats | undefined> {
    return undefined;
  }

  /**
   * The newest keys from the index, each read in one transaction; a key that has lapsed, or
   * belongs to a generation a reset left behind, is not listed and leaves the index.
   */
  async list(limit: number, contextOf: (appKey: string) => Promise<Pick<AppContext, 'now' | 'generation'>>): Promise<RequestKeyView[]> {
    const index = this.link.layout.requestKeyIndex;
    const wanted = Math.min(Math.floor(limit), LISTED_REQUEST_KEYS);
    if (!(wanted > 0)) return [];
    const ids = await this.link.call((redis) => redis.lrange(index, 0, wanted - 1));
    if (ids.length === 0) return [];
    const rows = (await this.link.transaction((multi) => {
      for (const id of ids) multi.hmget(this.link.layout.requestKey(id), 'appKey', 'gen', 'idType', 'issuedAt', 'expiresAt', 'state');
    })) as (string | null)[][];
    const contextFor = onePerAppKey(contextOf);
    const views: RequestKeyView[] = [];
    const gone: string[] = [];
    for (const [i, [appKey, gen, idType, issuedAt, expiresAt, state]] of rows.entries()) {
      if (!appKey) {
        gone.push(ids[i]!);
        continue;
      }
      const context = await contextFor(appKey);
      if (context.generation !== gen) {
        gone.push(ids[i]!);
        continue;
      }
      const expires = Number(expiresAt);
      views.push({
        requestKey: maskRequestKey(ids[i]!),
        appKey,
        idType: idType as IdType,
        state: state === 'consumed' ? 'consumed' : context.now >= expires ? 'expired' : 'valid',
        issuedAt: Number(issuedAt),
        expiresAt: expires,
      });
    }
    if (gone.length > 0) await this.link.transaction((multi) => void gone.forEach((id) => multi.lrem(index, 1, id)));
    return views.reverse();
  }
}

/** Wrong issue dates per card, one hash per appKey and generation. */
class RedisLocks implements LockStore {
  constructor(private readonly link: RedisLink) {}

  async assertOpen(app: AppScope, card: string): Promise<void> {
    const count = await this.link.call((redis) => redis.hget(this.link.layout.lock(app.generation, app.appKey), card));
    if (Number(count ?? 0) >= RESIDENT_LOCK_THRESHOLD) throw residentCardLocked();
  }

  async record(app: AppScope, card: string, mismatches: readonly string[]): Promise<void> {
    const name = this.link.layout.lock(app.generation, app.appKey);
    const effect = lockEffect(mismatches);
    if (effect === 'count') {
      await this.link.transaction((multi) => {
        multi.hincrby(name, card, 1);
        multi.expire(name, REDIS_TTL_SECONDS.counters);
      });
    } else if (effect === 'clear') {
      await this.link.call((redis) => redis.hdel(name, card));
    }
  }
}

/** The queue (a list of JSON shots), defaults (in the context hash) and call counters. */
class RedisScenarioState implements ScenarioState {
  constructor(private readonly link: RedisLink) {}

  async enqueue(shot: StoredShot): Promise<void> {
    const { queue } = this.link.layout;
    await this.link.transaction((multi) => {
      multi.rpush(
        queue,
        JSON.stringify({
          scenario: shot.scenario,
          remaining: shot.remaining,
          endpoints: shot.endpoints,
          ...(shot.appKey === undefined ? {} : { appKey: shot.appKey }),
        }),
      );
      multi.expire(queue, REDIS_TTL_SECONDS.queue);
    });
  }

  async queue(): Promise<StoredShot[]> {
    const shots = await this.link.call((redis) => redis.lrange(this.link.layout.queue, 0, -1));
    return shots.map((text) => JSON.parse(text) as StoredShot);
  }

  async clearQueue(): Promise<void> {
    await this.link.call((redis) => redis.del(this.link.layout.queue));
  }

  async takeShot(appKey: string, endpoint: Endpoint): Promise<string | undefined> {
    return (await this.link.script<string | null>('emuTakeShot', [this.link.layout.queue], [appKey, endpoint])) ?? undefined;
  }

  async setDefaults(appKey: string, names: readonly string[]): Promise<void> {
    await this.link.script('emuSetDefaults', [this.link.layout.ctx], [appKey, names.length ? JSON.stringify(names) : '', REDIS_TTL_SECONDS.state]);
  }

  async defaults(): Promise<Record<string, string[]>> {
    const pairs = await this.link.script<string[]>('emuDefaults', [this.link.layout.ctx], []);
    const out: Record<string, string[]> = {};
    for (let i = 0; i < pairs.length; i += 2) out[pairs[i]!] = JSON.parse(pairs[i + 1]!) as string[];
    return out;
  }

  async nextCall(app: AppScope, scenario: string): Promise<number> {
    const name = this.link.layout.calls(app.generation, app.appKey);
    const [count] = await this.link.transaction((multi) => {
      multi.hincrby(name, scenario, 1);
      multi.expire(name, REDIS_TTL_SECONDS.counters);
    });
    return Number(count) - 1;
  }
}

/** Tokens, one hash each, living their validity plus a minute; a full reset's new epoch forgets them. */
class RedisTokens implements TokenStore {
  constructor(private readonly link: RedisLink) {}

  async put(token: string, record: TokenRecord, now: number): Promise<void> {
    const ttlMs = Math.max(1000, record.expiresAt - now) + REDIS_TTL_SECONDS.grace * 1000;
    await this.link.script('emuPutToken', [this.link.layout.token(token), this.link.layout.ctx], [record.keyId, record.expiresAt, ttlMs]);
  }

  async get(token: string): Promise<TokenRecord | undefined> {
    const found = await this.link.script<[string, string, string] | null>('emuGetToken', [this.link.layout.token(token), this.link.layout.ctx], []);
    return found ? { keyId: found[0], expiresAt: Number(found[1]), revoked: found[2] === '1' } : undefined;
  }

  async revoke(token: string, keyId: string): Promise<void> {
    await this.link.script('emuRevokeToken', [this.link.layout.token(token)], [keyId]);
  }

  async size(): Promise<number | undefined> {
    return undefined;
  }
}
