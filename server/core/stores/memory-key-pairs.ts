/**
 * Key pairs in memory (types.ts, `KeyPairStore`; the Redis one is redis-key-pairs.ts).
 *
 * A key is made on first request for it, or in the background right after start
 * (`OcrEngine.prepareKeys`): an RSA-2048 key pair costs tens of milliseconds. Rotation adds a
 * version; older versions keep working until revoked, the way a client holding a cached public
 * key expects. With a keys dir (server/keys-dir.ts) every change is written to disk and read
 * back at start, so a cached public key keeps working after a restart.
 */
import { issuedKey } from '../key-store.js';
import { SERVICES, type IssuedKey, type KeyFactory, type KeyMaterial, type KeyRing, type ServiceName } from '../model.js';
import type { AppScope, KeyPairStore, KeyPersistence } from './types.js';

/** Settings of the in-memory key store. */
export interface KeyStoreOptions {
  /** The first version issued for each (app key, service); the guide's example shows "0". */
  firstVersion?: number;
  persistence?: KeyPersistence | undefined;
}

/**
 * Holds the key pairs in memory.
 * @example
 * const store = new KeyStore(rsa2048Factory);
 * const app = { appKey: 'my-appkey', generation: '', now: Date.now() };
 * const key = await store.current(app, 'credit-card'); // generated on first use
 * (await store.find(app, 'credit-card', key.version)) === key // true
 */
export class KeyStore implements KeyPairStore {
  #rings = new Map<string, KeyRing>();
  #pending = new Map<string, Promise<IssuedKey>>();
  /** Bumped by every reset of an appKey (or of all): a generation that ran across one is discarded. */
  #resets = new Map<string, number>();
  #allResets = 0;
  readonly #firstVersion: number;
  readonly #persistence: KeyPersistence | undefined;

  constructor(
    private readonly factory: KeyFactory,
    options: KeyStoreOptions = {},
  ) {
    this.#firstVersion = options.firstVersion ?? 0;
    this.#persistence = options.persistence;
    for (const { appKey, service, ring } of this.#persistence?.load() ?? []) this.#rings.set(slot(appKey, service), ring);
  }

  /** The current key of a service, made on first use. Concurrent first calls share one generation. */
  async current(app: AppScope, service: ServiceName): Promise<IssuedKey> {
    const ring = this.#rings.get(slot(app.appKey, service));
    if (ring) return ring.keys.get(ring.current)!;
    return this.#issue(app, service);
  }

  /** The current key of a service if one was issued; never makes one. */
  currentNow(app: AppScope, service: ServiceName): IssuedKey | undefined {
    const ring = this.#rings.get(slot(app.appKey, service));
    return ring?.keys.get(ring.current);
  }

  async find(app: AppScope, service: ServiceName, version: string): Promise<IssuedKey | undefined> {
    return this.#rings.get(slot(app.appKey, service))?.keys.get(version);
  }

  async list(app: AppScope, service: ServiceName): Promise<IssuedKey[]> {
    return [...(this.#rings.get(slot(app.appKey, service))?.keys.values() ?? [])];
  }

  async rotate(app: AppScope, service: ServiceName): Promise<IssuedKey> {
    await this.current(app, service);
    return this.#issue(app, service);
  }

  async revoke(app: AppScope, service: ServiceName, version: string): Promise<boolean> {
    const ring = this.#rings.get(slot(app.appKey, service));
    const key = ring?.keys.get(version);
    if (!ring || !key) return false;
    const was = key.revoked;
    key.revoked = true;
    try {
      this.#persistence?.save(app.appKey, service, ring);
    } catch (error) {
      // Not saved, not revoked: what a restart would read back is what is served now.
      key.revoked = was;
      throw error;
    }
    return true;
  }

  /** Forgets one appKey's keys, or every key; generations still running for them are discarded. */
  reset(appKey?: string): void {
    // The files first: when they cannot be deleted, the keys stay served rather than come back
    // at the next start after clients were told they were gone.
    this.#persistence?.remove(appKey);
    if (appKey === undefined) {
      this.#rings.clear();
      this.#pending.clear();
      this.#allResets++;
    } else {
      for (const service of SERVICES) {
        this.#rings.delete(slot(appKey, service));
        this.#pending.delete(slot(appKey, service));
      }
      this.#resets.set(appKey, (this.#resets.get(appKey) ?? 0) + 1);
    }
  }

  #resetsOf(appKey: string): string {
    return `${this.#allResets}.${this.#resets.get(appKey) ?? 0}`;
  }

  #issue(app: AppScope, service: ServiceName): Promise<IssuedKey> {
    const id = slot(app.appKey, service);
    const pending = this.#pending.get(id);
    if (pending) return pending;
    const resets = this.#resetsOf(app.appKey);
    const made = this.factory()
      .then((material) => {
        // Reset while generating: start over, as if asked after the reset.
        if (resets !== this.#resetsOf(app.appKey)) return this.current(app, service);
        return this.#add(app, service, material);
      })
      .finally(() => {
        if (this.#pending.get(id) === made) this.#pending.delete(id);
      });
    this.#pending.set(id, made);
    return made;
  }

  #add(app: AppScope, service: ServiceName, material: KeyMaterial): IssuedKey {
    const id = slot(app.appKey, service);
    const keys = new Map(this.#rings.get(id)?.keys ?? []);
    const version = String(keys.size ? Math.max(...[...keys.keys()].map(Number)) + 1 : this.#firstVersion);
    const issued = issuedKey(version, material, app.now);
    keys.set(version, issued);
    const ring = { keys, current: version };
    // Saved before it is served: a key version that a restart would not read back (a directory
    // turned read-only, a full disk) is never handed to a client.
    this.#persistence?.save(app.appKey, service, ring);
    this.#rings.set(id, ring);
    return issued;
  }
}

function slot(appKey: string, service: ServiceName): string {
  return `${service}\u0000${appKey}`;
}
