/**
 * The connection to Redis the shared stores use, their key names and their TTLs.
 *
 * The client is ioredis, set so that no call waits for long: the offline queue is off (a call
 * made while Redis is away fails at once), every call's wait is bounded (`commandTimeout`), a
 * call cut off by a dropped connection is not retried, and the client reconnects by itself,
 * every 100-1000 ms, for as long as the process runs. Its Lua scripts (redis-scripts.ts) are run
 * by SHA and sent again after a Redis restart emptied the script cache.
 */
import { createCipheriv, createDecipheriv, createHmac, randomBytes, scryptSync } from 'node:crypto';
import type { Redis } from 'ioredis';
import { OcrError } from '../errors.js';
import type { ServiceName } from '../key-store.js';
import { redactUrl } from './redact-url.js';
import { SCRIPTS, type ScriptName } from './redis-scripts.js';
import { StoreUnavailableError } from './unavailable.js';

/** How long what the stores write lives in Redis without being written again (seconds). */
export const REDIS_TTL_SECONDS = {
  /** The context hash (clock offsets, epochs, defaults) and the registered appKeys. */
  state: 30 * 86_400,
  /** A key ring after its last change or use (use refreshes it at most hourly per process). */
  keyRing: 7 * 86_400,
  /** Resident-card lock counts and scenario call counters, after their last change. */
  counters: 86_400,
  /** The scenario queue, after the last shot was queued. */
  queue: 86_400,
  /** Added to a Request-Key's or a token's own validity. */
  grace: 60,
} as const;

/** The default bound on every Redis call's wait. */
export const DEFAULT_COMMAND_TIMEOUT_MS = 1000;

/**
 * Key names under one prefix.
 * @example new RedisLayout('nhn-ocr-emulator:').requestKey(key) // 'nhn-ocr-emulator:rk:<key>'
 */
export class RedisLayout {
  constructor(readonly prefix: string) {}
  get ctx(): string {
    return `${this.prefix}ctx`;
  }
  get appKeys(): string {
    return `${this.prefix}appkeys`;
  }
  get queue(): string {
    return `${this.prefix}queue`;
  }
  ring(generation: string, appKey: string, service: ServiceName): string {
    return `${this.prefix}kp:${generation}:${appKey}:${service}`;
  }
  requestKey(requestKey: string): string {
    return `${this.prefix}rk:${requestKey}`;
  }
  /** The Request-Keys issued, newest first (a list, in issue order), for listing them. */
  get requestKeyIndex(): string {
    return `${this.prefix}rk-index`;
  }
  lock(generation: string, appKey: string): string {
    return `${this.prefix}lock:${generation}:${appKey}`;
  }
  calls(generation: string, appKey: string): string {
    return `${this.prefix}calls:${generation}:${appKey}`;
  }
  token(token: string): string {
    return `${this.prefix}tok:${token}`;
  }
  /** A check value of EMULATOR_REDIS_SECRET (never the secret), compared at every start. */
  get secretCheck(): string {
    return `${this.prefix}secret-check`;
  }
}

/** The connection settings. */
export interface RedisLinkOptions {
  url: string;
  prefix: string;
  commandTimeoutMs?: number | undefined;
  /** How long to wait for the first connection at start. */
  connectTimeoutMs?: number | undefined;
}

/**
 * Redis's error replies that speak of its own state, not of the call: out of memory under
 * `maxmemory-policy noeviction`, a read-only replica, a failed snapshot, data still loading, a
 * busy script, a replica without its master. They pass when Redis does, as an outage does.
 */
const SERVER_STATES = /^(OOM|READONLY|MISCONF|LOADING|BUSY|MASTERDOWN|NOREPLICAS|TRYAGAIN|CLUSTERDOWN)\b/;

/**
 * Redis refused what the emulator sent (a fault of the emulator's own); the message is Redis's,
 * without key names.
 * @example throw new RedisReplyError('WRONGTYPE Operation against a key holding the wrong kind of value')
 */
export class RedisReplyError extends Error {
  override name = 'RedisReplyError';
  constructor(message: string) {
    super(`Redis refused a call: ${message}`);
  }
}

/**
 * An error's message, first line only, with every key name under the prefix (and any text shaped
 * like one of the layout's) replaced by `<key>`: a key name holds a token or a Request-Key.
 * @example safeMessage(new Error('bad key p:tok:abc'), 'p:') // 'bad key <key>'
 */
export function safeMessage(error: unknown, prefix: string): string {
  const text = (error instanceof Error ? error.message : String(error)).split('\n', 1)[0]!;
  const named = prefix && text.includes(prefix) ? text.replace(new RegExp(`${escapeRegExp(prefix)}\\S*`, 'g'), '<key>') : text;
  return named.replace(/\b(?:tok|rk|kp|lock|calls):\S*/g, '<key>');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The emulators already on this Redis and prefix use another EMULATOR_REDIS_SECRET.
 * @example if (error instanceof RedisSecretMismatchError) console.error(error.message)
 */
export class RedisSecretMismatchError extends Error {
  override name = 'RedisSecretMismatchError';
  constructor(prefix: string) {
    super(
      `is not the secret the emulators on this Redis with prefix ${JSON.stringify(prefix)} use (their private keys would not open here): give every emulator of one prefix the same secret, or this one another EMULATOR_REDIS_PREFIX`,
    );
  }
}

/**
 * Redis could not be reached at start.
 * @example if (error instanceof RedisConnectError) console.error(error.message)
 */
export class RedisConnectError extends Error {
  override name = 'RedisConnectError';
}

/**
 * One connection with the scripts defined, and calls that fail fast.
 * @example const link = await RedisLink.open({ url: 'redis://127.0.0.1:6379', prefix: 'nhn-ocr-emulator:' })
 */
export class RedisLink {
  readonly layout: RedisLayout;

  private constructor(
    readonly redis: Redis,
    prefix: string,
    /** ioredis's class of Redis's own error replies. */
    private readonly replyError: abstract new (...args: never[]) => Error,
  ) {
    this.layout = new RedisLayout(prefix);
  }

  /** Connects, and waits until Redis answers (RedisConnectError after `connectTimeoutMs`). */
  static async open(options: RedisLinkOptions): Promise<RedisLink> {
    // Imported here, not at the top: the command's bundle would load it at every start otherwise
    // (~60 ms), in memory too.
    const { Redis, ReplyError } = await import('ioredis');
    const redis = new Redis(options.url, {
      lazyConnect: true,
      enableOfflineQueue: false,
      commandTimeout: options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS,
      maxRetriesPerRequest: 0,
      connectTimeout: 2000,
      retryStrategy: (times) => Math.min(100 * times, 1000),
      connectionName: 'nhn-ocr-emulator',
    });
    // Errors while away are the calls' to report; the client reconnects on its own.
    redis.on('error', () => {});
    for (const [name, script] of Object.entries(SCRIPTS)) redis.defineCommand(name, script);
    try {
      await withTimeout(redis.connect(), options.connectTimeoutMs ?? 5000);
    } catch (error) {
      redis.disconnect();
      throw new RedisConnectError(`cannot reach Redis at ${redactUrl(options.url)}: ${(error as Error).message}`);
    }
    return new RedisLink(redis, options.prefix, ReplyError as abstract new (...args: never[]) => Error);
  }

  /** Runs a script; a Redis that does not answer becomes {@link StoreUnavailableError}. */
  script<T>(name: ScriptName, keys: readonly string[], args: readonly (string | number)[]): Promise<T> {
    const command = (this.redis as unknown as Record<ScriptName, (...params: (string | number)[]) => Promise<T>>)[name];
    return this.call(() => command.call(this.redis, ...keys, ...args));
  }

  /**
   * Runs calls on the client. What fails is never thrown as ioredis made it: its error carries
   * the call's arguments (`command.args`, and a transaction's `previousErrors`), key names and
   * values such as a token or a Request-Key, which a log line would print. It becomes
   * {@link StoreUnavailableError} when Redis does not answer or refuses the call for a state of
   * its own (out of memory, say), and {@link RedisReplyError} when Redis refuses what was sent.
   */
  async call<T>(run: (redis: Redis) => Promise<T>): Promise<T> {
    try {
      return await run(this.redis);
    } catch (error) {
      throw this.#fault(error);
    }
  }

  /** A MULTI ... EXEC in one round trip; the result of each command, or the first error. */
  async transaction(build: (multi: ReturnType<Redis['multi']>) => void): Promise<unknown[]> {
    const results = await this.call(async (redis) => {
      const multi = redis.multi();
      build(multi);
      return multi.exec();
    });
    if (!results) throw new StoreUnavailableError('unreachable', 'transaction discarded');
    return results.map(([error, value]) => {
      if (error) throw this.#fault(error);
      return value;
    });
  }

  #fault(error: unknown): Error {
    if (error instanceof StoreUnavailableError || error instanceof RedisReplyError) return error;
    if (!(error instanceof this.replyError)) return new StoreUnavailableError('unreachable', safeMessage(error, this.layout.prefix));
    // EXECABORT says only that a command of the transaction was refused: the refusal says why.
    const refusal = (error as { previousErrors?: unknown[] }).previousErrors?.[0] ?? error;
    const message = safeMessage(refusal, this.layout.prefix);
    return SERVER_STATES.test(message) ? new StoreUnavailableError('refused', message) : new RedisReplyError(message);
  }

  /** Closes the connection, waiting at most a second for pending calls. */
  async close(): Promise<void> {
    if (this.redis.status !== 'ready') {
      this.redis.disconnect();
      return;
    }
    await withTimeout(this.redis.quit(), 1000).catch(() => this.redis.disconnect());
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Private keys at rest in Redis: AES-256-GCM under a key derived from EMULATOR_REDIS_SECRET
 * with scrypt, each bound (as authenticated data) to the key ring and version it belongs to, so
 * a value copied elsewhere does not decrypt. `check` tells secrets apart without showing one: an
 * HMAC made with the derived key, so guessing the secret from it costs a scrypt a guess.
 * @example const sealed = keyCipher('a long shared secret').seal(der, 'app|credit-card|0|id')
 */
export function keyCipher(secret: string) {
  const key = scryptSync(secret, 'nhn-ocr-emulator/redis-key-pairs', 32);
  return {
    check: createHmac('sha256', key).update('nhn-ocr-emulator/redis-secret-check').digest('base64url'),
    seal(plain: Buffer, binding: string): string {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(Buffer.from(binding));
      const body = Buffer.concat([cipher.update(plain), cipher.final()]);
      return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
    },
    open(sealed: string, binding: string): Buffer {
      const bytes = Buffer.from(sealed, 'base64');
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, 12));
        decipher.setAAD(Buffer.from(binding));
        decipher.setAuthTag(bytes.subarray(12, 28));
        return Buffer.concat([decipher.update(bytes.subarray(28)), decipher.final()]);
      } catch {
        throw new OcrError(
          'FAIL',
          'a private key in Redis does not decrypt: this emulator has another EMULATOR_REDIS_SECRET than the one that stored it (use one secret per prefix)',
        );
      }
    },
  };
}

/** The cipher of {@link keyCipher}. */
export type KeyCipher = ReturnType<typeof keyCipher>;
