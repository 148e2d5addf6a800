/**
 * Key pairs on Redis: one hash per appKey, service and generation of the appKey's state
 * (redis-link.ts), with per version its id, public key, encrypted private key, issue time and
 * revoked flag, and which version is current.
 *
 * Parsed private keys are cached per process by version and id, so a request decrypts nothing;
 * the revoked flag is read from Redis on every request, so a revocation made through another
 * process takes effect at once. Two processes asking for a first key at once both generate one,
 * and the script keeps whichever arrives first: the other adopts it.
 */
import { createPrivateKey } from 'node:crypto';
import type { Clock } from '../clock.js';
import { issuedKey, type IssuedKey, type KeyFactory, type ServiceName } from '../key-store.js';
import type { RandomSource } from '../random.js';
import { REDIS_TTL_SECONDS, type KeyCipher, type RedisLink } from './redis-link.js';
import type { AppScope, KeyPairStore } from './types.js';

/** Most parsed key versions a process keeps. */
const MAX_CACHED_KEYS = 2000;
/** How often one process refreshes a ring's TTL when it only reads it. */
const TOUCH_EVERY_MS = 3600_000;

/** What the issue script answers: version, id, public key, sealed private key, issuedAt. */
type IssuedFields = [string, string, string, string, string];

/**
 * The Redis key pair store.
 * @example const keys = new RedisKeyPairs(link, rsa2048Factory, keyCipher(secret), cryptoRandom, systemClock)
 */
export class RedisKeyPairs implements KeyPairStore {
  /** Parsed versions by ring, version and id. */
  #cache = new Map<string, IssuedKey>();
  /** First generations under way in this process, by ring. */
  #pending = new Map<string, Promise<IssuedKey>>();
  #touched = new Map<string, number>();

  constructor(
    private readonly link: RedisLink,
    private readonly factory: KeyFactory,
    private readonly cipher: KeyCipher,
    private readonly random: RandomSource,
    private readonly wall: Clock,
  ) {}

  async current(app: AppScope, service: ServiceName): Promise<IssuedKey> {
    const ring = this.link.layout.ring(app.generation, app.appKey, service);
    const current = await this.link.call((redis) => redis.hget(ring, 'current'));
    if (current === null) return this.#first(app, service, ring);
    this.#touch(ring);
    const [version, id] = current.split(' ') as [string, string];
    return this.#cache.get(cacheKey(ring, version, id)) ?? this.#load(app, service, ring, version);
  }

  async find(app: AppScope, service: ServiceName, version: string): Promise<IssuedKey | undefined> {
    const ring = this.link.layout.ring(app.generation, app.appKey, service);
    const [id, revoked] = await this.link.call((redis) => redis.hmget(ring, `i:${version}`, `r:${version}`));
    if (id === null || id === undefined) return undefined;
    // A client that caches the public key only ever names its version: that use keeps the ring
    // alive as a public-key call does (memory keeps rings for good).
    this.#touch(ring);
    const key = this.#cache.get(cacheKey(ring, version, id)) ?? (await this.#load(app, service, ring, version));
    key.revoked = revoked === '1';
    return key;
  }

  async list(app: AppScope, service: ServiceName): Promise<IssuedKey[]> {
    const ring = this.link.layout.ring(app.generation, app.appKey, service);
    const fields = await this.link.call((redis) => redis.hgetall(ring));
    const versions = Object.keys(fields)
      .filter((f) => f.startsWith('i:'))
      .map((f) => f.slice(2))
      .sort((a, b) => Number(a) - Number(b));
    return versions.map((version) => {
      const key = this.#cache.get(cacheKey(ring, version, fields[`i:${version}`]!)) ?? this.#parse(app, service, ring, version, fields);
      key.revoked = fields[`r:${version}`] === '1';
      return key;
    });
  }

  /** A new current version; on a ring with none yet, the first is made before it (as in memory: "0", then "1"). */
  async rotate(app: AppScope, service: ServiceName): Promise<IssuedKey> {
    await this.current(app, service);
    const ring = this.link.layout.ring(app.generation, app.appKey, service);
    return this.#issue(app, service, ring, 'next');
  }

  async revoke(app: AppScope, service: ServiceName, version: string): Promise<boolean> {
    const ring = this.link.layout.ring(app.generation, app.appKey, service);
    const done = await this.link.script<number>('emuRevokeKey', [ring], [version, REDIS_TTL_SECONDS.keyRing]);
    // Keys of this process held by requests under way see it at once (openEnvelope's second look).
    for (const [name, key] of this.#cache) if (name.startsWith(`${ring}|${version}|`)) key.revoked = true;
    return done === 1;
  }

  /** The first key of a ring: one generation per process, and the first to arrive in Redis wins. */
  #first(app: AppScope, service: ServiceName, ring: string): Promise<IssuedKey> {
    const pending = this.#pending.get(ring);
    if (pending) return pending;
    const made = this.#issue(app, service, ring, 'first').finally(() => this.#pending.delete(ring));
    this.#pending.set(ring, made);
    return made;
  }

  async #issue(app: AppScope, service: ServiceName, ring: string, mode: 'first' | 'next'): Promise<IssuedKey> {
    const material = await this.factory();
    const id = this.random.bytes(9).toString('base64url');
    const publicKey = material.publicKeyDer.toString('base64');
    const der = material.privateKey.export({ type: 'pkcs8', format: 'der' });
    // Sealed for the version the script will give it: unknown here, so bound to the id instead.
    const sealed = this.cipher.seal(der, binding(app, service, id));
    const [version, winnerId, winnerPublic, winnerSealed, issuedAt] = await this.link.script<IssuedFields>(
      'emuIssueKey',
      [ring],
      [mode, id, publicKey, sealed, app.now, 0, REDIS_TTL_SECONDS.keyRing],
    );
    if (winnerId === id) return this.#remember(ring, version, id, issuedKey(version, material, Number(issuedAt)));
    return this.#fromFields(app, service, ring, version, { id: winnerId, publicKey: winnerPublic, sealed: winnerSealed, issuedAt });
  }

  async #load(app: AppScope, service: ServiceName, ring: string, version: string): Promise<IssuedKey> {
    const fields = await this.link.call((redis) => redis.hgetall(ring));
    return this.#parse(app, service, ring, version, fields);
  }

  #parse(app: AppScope, service: ServiceName, ring: string, version: string, fields: Record<string, string>): IssuedKey {
    const [id, publicKey, sealed, issuedAt] = [`i:${version}`, `p:${version}`, `k:${version}`, `t:${version}`].map((f) => fields[f]);
    if (!id || !publicKey || !sealed || !issuedAt) throw new Error(`the key ring of ${app.appKey} ${service} lacks version ${version}`);
    const key = this.#fromFields(app, service, ring, version, { id, publicKey, sealed, issuedAt });
    key.revoked = fields[`r:${version}`] === '1';
    return key;
  }

  #fromFields(
    app: AppScope,
    service: ServiceName,
    ring: string,
    version: string,
    f: { id: string; publicKey: string; sealed: string; issuedAt: string },
  ): IssuedKey {
    const cached = this.#cache.get(cacheKey(ring, version, f.id));
    if (cached) return cached;
    const der = this.cipher.open(f.sealed, binding(app, service, f.id));
    const privateKey = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
    return this.#remember(ring, version, f.id, issuedKey(version, { privateKey, publicKeyDer: Buffer.from(f.publicKey, 'base64') }, Number(f.issuedAt)));
  }

  #remember(ring: string, version: string, id: string, key: IssuedKey): IssuedKey {
    this.#cache.set(cacheKey(ring, version, id), key);
    while (this.#cache.size > MAX_CACHED_KEYS) this.#cache.delete(this.#cache.keys().next().value!);
    return key;
  }

  /** Keeps a ring in use from expiring: its TTL refreshed at most hourly by each process, without waiting. */
  #touch(ring: string): void {
    const now = this.wall.now();
    if (now - (this.#touched.get(ring) ?? 0) < TOUCH_EVERY_MS) return;
    this.#touched.set(ring, now);
    if (this.#touched.size > MAX_CACHED_KEYS) this.#touched.delete(this.#touched.keys().next().value!);
    this.link.call((redis) => redis.expire(ring, REDIS_TTL_SECONDS.keyRing)).catch(() => this.#touched.delete(ring));
  }
}

function cacheKey(ring: string, version: string, id: string): string {
  return `${ring}|${version}|${id}`;
}

/** What a sealed private key is bound to: its appKey, service and id. */
function binding(app: AppScope, service: ServiceName, id: string): string {
  return `${app.appKey}|${service}|${id}`;
}
