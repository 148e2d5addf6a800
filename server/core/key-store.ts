/**
 * RSA key pairs per (app key, service), each with a string version, as issued by
 * `GET /v2.0/appkeys/{appKey}/public-keys/{serviceName}` (TOAST-DOCS/OCR
 * en/document-ocr-api-guide-v2.0.md, "Issue Public Key": `result.key` base64, `result.version`
 * a string, "0" in the guide's example).
 *
 * Keys are made on first request, never at start-up: an RSA-2048 key pair costs tens of
 * milliseconds and most runs use one service only. Rotation adds a version; older versions keep
 * working until revoked, the way a client holding a cached public key expects.
 */
import { generateKeyPair, type KeyObject } from 'node:crypto';

/** The services that have keys of their own. */
export const SERVICES = ['credit-card', 'id-card'] as const;
/** `credit-card` or `id-card`. */
export type ServiceName = (typeof SERVICES)[number];

/**
 * Type guard for a path's serviceName.
 * @example isServiceName('id-card') // true
 */
export function isServiceName(name: string): name is ServiceName {
  return (SERVICES as readonly string[]).includes(name);
}

/** A generated key pair. */
export interface KeyMaterial {
  privateKey: KeyObject;
  /** DER SubjectPublicKeyInfo: what Java's X509EncodedKeySpec reads. */
  publicKeyDer: Buffer;
}

/** Makes key pairs; injected so tests can use fixed keys. */
export type KeyFactory = () => Promise<KeyMaterial>;

/** One issued key version. */
export interface IssuedKey {
  version: string;
  privateKey: KeyObject;
  /** base64 of the DER SPKI, prepared once: it is what every public-key answer sends. */
  publicKeyBase64: string;
  modulusBytes: number;
  revoked: boolean;
  issuedAt: number;
}

/**
 * Native RSA-2048 generation (off the event loop, in libuv's pool).
 * @example const { privateKey, publicKeyDer } = await rsa2048Factory()
 */
export const rsa2048Factory: KeyFactory = () =>
  new Promise((resolve, reject) => {
    generateKeyPair('rsa', { modulusLength: 2048, publicExponent: 0x10001 }, (err, publicKey, privateKey) => {
      if (err) reject(err);
      else resolve({ privateKey, publicKeyDer: publicKey.export({ type: 'spki', format: 'der' }) });
    });
  });

interface Ring {
  keys: Map<string, IssuedKey>;
  current: string;
}

/**
 * Holds the key pairs.
 * @example
 * const store = new KeyStore(rsa2048Factory, () => Date.now());
 * const key = await store.current('my-appkey', 'credit-card'); // generated on first use
 * store.find('my-appkey', 'credit-card', key.version) === key // true
 */
export class KeyStore {
  #rings = new Map<string, Ring>();
  #pending = new Map<string, Promise<IssuedKey>>();
  #generation = 0;

  constructor(
    private readonly factory: KeyFactory,
    private readonly now: () => number,
    /** The first version issued for each (app key, service); the guide's example shows "0". */
    private readonly firstVersion = 0,
  ) {}

  /** The current key of a service, made on first use. Concurrent first calls share one generation. */
  async current(appKey: string, service: ServiceName): Promise<IssuedKey> {
    const ring = this.#rings.get(slot(appKey, service));
    if (ring) return ring.keys.get(ring.current)!;
    return this.#issue(appKey, service);
  }

  /** The current key of a service if one was issued; never makes one. */
  peekCurrent(appKey: string, service: ServiceName): IssuedKey | undefined {
    const ring = this.#rings.get(slot(appKey, service));
    return ring?.keys.get(ring.current);
  }

  /** A version issued for (app key, service), revoked or not; `undefined` if never issued. */
  find(appKey: string, service: ServiceName, version: string): IssuedKey | undefined {
    return this.#rings.get(slot(appKey, service))?.keys.get(version);
  }

  /** Issues a new current version; the old ones stay valid until revoked. */
  async rotate(appKey: string, service: ServiceName): Promise<IssuedKey> {
    await this.current(appKey, service);
    return this.#issue(appKey, service);
  }

  /** Revokes a version; returns false if it was never issued. */
  revoke(appKey: string, service: ServiceName, version: string): boolean {
    const key = this.find(appKey, service, version);
    if (!key) return false;
    key.revoked = true;
    return true;
  }

  /** Every issued version of a service, oldest first. */
  list(appKey: string, service: ServiceName): IssuedKey[] {
    return [...(this.#rings.get(slot(appKey, service))?.keys.values() ?? [])];
  }

  /** Forgets every key; generations still running are discarded. */
  reset(): void {
    this.#rings.clear();
    this.#pending.clear();
    this.#generation++;
  }

  #issue(appKey: string, service: ServiceName): Promise<IssuedKey> {
    const id = slot(appKey, service);
    const pending = this.#pending.get(id);
    if (pending) return pending;
    const generation = this.#generation;
    const made = this.factory()
      .then((material) => {
        if (generation !== this.#generation) return this.#issueAfterReset(appKey, service);
        const ring = this.#rings.get(id);
        const version = String(ring ? Math.max(...[...ring.keys.keys()].map(Number)) + 1 : this.firstVersion);
        const issued: IssuedKey = {
          version,
          privateKey: material.privateKey,
          publicKeyBase64: material.publicKeyDer.toString('base64'),
          modulusBytes: (material.privateKey.asymmetricKeyDetails?.modulusLength ?? 2048) / 8,
          revoked: false,
          issuedAt: this.now(),
        };
        if (ring) {
          ring.keys.set(version, issued);
          ring.current = version;
        } else {
          this.#rings.set(id, { keys: new Map([[version, issued]]), current: version });
        }
        return issued;
      })
      .finally(() => {
        if (this.#pending.get(id) === made) this.#pending.delete(id);
      });
    this.#pending.set(id, made);
    return made;
  }

  #issueAfterReset(appKey: string, service: ServiceName): Promise<IssuedKey> {
    return this.current(appKey, service);
  }
}

function slot(appKey: string, service: ServiceName): string {
  return `${service}\u0000${appKey}`;
}
