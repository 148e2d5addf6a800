/**
 * Key pairs kept in a directory (`EMULATOR_KEYS_DIR`), so that a client holding a cached public
 * key keeps working after the emulator restarts. One JSON file per appKey and service, mode
 * 0600, written whole on every change (a new version, a revocation) and read back at start; a
 * reset deletes the files it forgets. The format (README, "Keys that survive a restart"):
 *
 * ```json
 * { "format": "nhn-ocr-emulator/key-ring@1", "appKey": "emulator-appkey", "service": "credit-card",
 *   "current": "1",
 *   "versions": [ { "version": "0", "issuedAt": "2026-12-01T09:00:00.000Z", "revoked": true,
 *                   "privateKey": "-----BEGIN PRIVATE KEY-----\n...PKCS#8 PEM..." }, ... ] }
 * ```
 *
 * The public key is derived from the private key when read. One process per directory: two
 * processes writing one directory overwrite each other's files (share keys through Redis).
 */
import { createHash, createPrivateKey, createPublicKey } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from './config.js';
import { isServiceName, issuedKey, type IssuedKey, type KeyPersistence, type KeyRing, type ServiceName } from './core/key-store.js';

/** The `format` of every file. */
export const KEY_RING_FORMAT = 'nhn-ocr-emulator/key-ring@1';

/** One file as written. */
interface RingFile {
  format: typeof KEY_RING_FORMAT;
  appKey: string;
  service: ServiceName;
  current: string;
  versions: { version: string; issuedAt: string; revoked: boolean; privateKey: string }[];
}

/**
 * The file name of a ring: the appKey percent-encoded, then the service; a digest instead when
 * that would be too long for a file system.
 * @example ringFileName('emulator-appkey', 'credit-card') // 'emulator-appkey.credit-card.json'
 */
export function ringFileName(appKey: string, service: ServiceName): string {
  const readable = encodeURIComponent(appKey).replace(/\*/g, '%2A');
  const name = readable.length <= 180 && !readable.startsWith('.') ? readable : `sha256-${createHash('sha256').update(appKey).digest('hex')}`;
  return `${name}.${service}.json`;
}

/**
 * Key rings in a directory, made on first use.
 * @example new KeyStore(rsa2048Factory, { persistence: new KeysDir('/var/lib/ocr-keys') })
 */
export class KeysDir implements KeyPersistence {
  /** Files this process read or wrote, by appKey: a reset deletes these and nothing else. */
  #files = new Map<string, Set<string>>();

  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  }

  load(): { appKey: string; service: ServiceName; ring: KeyRing }[] {
    const rings = [];
    for (const name of readdirSync(this.dir).filter((n) => n.endsWith('.json')).sort()) {
      const file = join(this.dir, name);
      const ring = readRing(file);
      if (!ring) continue;
      this.#remember(ring.appKey, name);
      rings.push(ring);
    }
    return rings;
  }

  save(appKey: string, service: ServiceName, ring: KeyRing): void {
    const name = ringFileName(appKey, service);
    const content: RingFile = {
      format: KEY_RING_FORMAT,
      appKey,
      service,
      current: ring.current,
      versions: [...ring.keys.values()].map((key) => ({
        version: key.version,
        issuedAt: new Date(key.issuedAt).toISOString(),
        revoked: key.revoked,
        privateKey: key.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      })),
    };
    // Whole or not at all: a crash mid-write leaves the previous file.
    const temporary = join(this.dir, `.${name}.${process.pid}.tmp`);
    writeFileSync(temporary, `${JSON.stringify(content, null, 2)}\n`, { mode: 0o600 });
    renameSync(temporary, join(this.dir, name));
    this.#remember(appKey, name);
  }

  remove(appKey?: string): void {
    const owners = appKey === undefined ? [...this.#files.keys()] : [appKey];
    for (const owner of owners) {
      for (const name of this.#files.get(owner) ?? []) rmSync(join(this.dir, name), { force: true });
      this.#files.delete(owner);
    }
  }

  #remember(appKey: string, name: string): void {
    let names = this.#files.get(appKey);
    if (!names) this.#files.set(appKey, (names = new Set()));
    names.add(name);
  }
}

/** A ring file read back; `undefined` for JSON files of other formats; a ConfigError for a broken ring. */
function readRing(file: string): { appKey: string; service: ServiceName; ring: KeyRing } | undefined {
  let parsed: Partial<RingFile>;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<RingFile>;
  } catch (error) {
    throw new ConfigError(`EMULATOR_KEYS_DIR: ${file} cannot be read: ${(error as Error).message}`);
  }
  if (parsed.format !== KEY_RING_FORMAT) return undefined;
  const { appKey, service, current, versions } = parsed;
  if (typeof appKey !== 'string' || typeof service !== 'string' || !isServiceName(service) || typeof current !== 'string' || !Array.isArray(versions)) {
    throw new ConfigError(`EMULATOR_KEYS_DIR: ${file} lacks appKey, service, current or versions`);
  }
  const keys = new Map<string, IssuedKey>();
  for (const v of versions) {
    try {
      const privateKey = createPrivateKey(v.privateKey);
      const publicKeyDer = createPublicKey(privateKey).export({ type: 'spki', format: 'der' });
      keys.set(v.version, issuedKey(v.version, { privateKey, publicKeyDer }, Date.parse(v.issuedAt), v.revoked === true));
    } catch (error) {
      throw new ConfigError(`EMULATOR_KEYS_DIR: ${file}, version ${v.version}: ${(error as Error).message}`);
    }
  }
  if (!keys.has(current)) throw new ConfigError(`EMULATOR_KEYS_DIR: ${file}: current version ${current} is not among its versions`);
  return { appKey, service, ring: { keys, current } };
}
