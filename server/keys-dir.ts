/**
 * Key pairs kept in a directory (`EMULATOR_KEYS_DIR`), so that a client holding a cached public
 * key keeps working after the emulator restarts. One JSON file per appKey and service, mode
 * 0600, written whole on every change (a new version, a revocation) and read back at start; a
 * reset deletes the files it forgets. The format (docs/shared-state.md, "Keys that survive a restart"):
 *
 * ```json
 * { "format": "nhn-ocr-emulator/key-ring@1", "appKey": "emulator-appkey", "service": "credit-card",
 *   "current": "1",
 *   "versions": [ { "version": "0", "issuedAt": "2026-12-01T09:00:00.000Z", "revoked": true,
 *                   "privateKey": "-----BEGIN PRIVATE KEY-----\n...PKCS#8 PEM..." }, ... ] }
 * ```
 *
 * The public key is derived from the private key when read. The directory holds private keys,
 * so what is in it is read as carefully as a scenario folder (server/bounded-read.ts: regular
 * files of bounded size only) and only RSA-2048 keys with exponent 65537, the kind the
 * emulator makes, are taken. One process per directory: two processes writing one directory
 * would each make and serve keys of their own and overwrite each other's files, so the first
 * holds a lock file (server/dir-lock.ts) and another is refused (share keys through Redis). A
 * directory the process cannot write is refused at start, rather than failing the first
 * rotation; one that stops taking writes later fails the change with a KeyPersistenceError, and
 * the key store then leaves memory as it was (memory and disk never disagree).
 */
import { createHash, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readBoundedFile, readProblem } from './bounded-read.js';
import { ConfigError } from './config.js';
import { DirLock } from './dir-lock.js';
import { isServiceName, issuedKey, KeyPersistenceError, type IssuedKey, type KeyRing, type ServiceName } from './core/key-store.js';
import type { KeyPersistence } from './core/stores/types.js';

/** The `format` of every file. */
export const KEY_RING_FORMAT = 'nhn-ocr-emulator/key-ring@1';

/**
 * The largest ring file read: 4 MiB, room for some 2,000 versions of one appKey and service (a
 * version takes about 1.8 KiB).
 */
export const RING_FILE_MAX_BYTES = 4 * 1024 * 1024;

/** The name of the lock file held while a process uses the directory. */
export const LOCK_FILE = '.nhn-ocr-emulator.lock';

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
 * Key rings in a directory, made on first use (mode 0700). Taking the directory locks it for
 * this process; {@link KeysDir.close} lets it go. `warn` hears about a directory others can read.
 * @example new KeyStore(rsa2048Factory, { persistence: new KeysDir('/var/lib/ocr-keys') })
 */
export class KeysDir implements KeyPersistence {
  /** Files this process read or wrote, by appKey: a reset deletes these and nothing else. */
  #files = new Map<string, Set<string>>();
  readonly #lock: DirLock;
  /** An exit that skips {@link KeysDir.close} (process.exit while closing) still lets the directory go. */
  readonly #onExit = () => this.close();

  constructor(
    readonly dir: string,
    warn: (line: string) => void = (line) => console.error(line),
  ) {
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
    } catch (error) {
      throw new ConfigError(`EMULATOR_KEYS_DIR: keys directory ${dir} cannot be made (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
    }
    if (!statSync(dir).isDirectory()) throw new ConfigError(`EMULATOR_KEYS_DIR: ${dir} is not a directory`);
    // Taking the lock is also the proof that files can be made here.
    this.#lock = DirLock.take(join(dir, LOCK_FILE), (why) => new ConfigError(`EMULATOR_KEYS_DIR: keys directory ${dir} ${why}`));
    process.on('exit', this.#onExit);
    const mode = statSync(dir).mode & 0o777;
    const readers = [mode & 0o040 ? 'group' : '', mode & 0o004 ? 'others' : ''].filter(Boolean).join(' and ');
    if (readers)
      warn(
        `nhn-ocr-emulator: warning: keys directory ${dir} holds private keys and is readable by ${readers} (mode ${mode.toString(8).padStart(4, '0')}); chmod 700 it`,
      );
  }

  /** Lets the directory go (the lock file is removed). */
  close(): void {
    process.off('exit', this.#onExit);
    this.#lock.release();
  }

  load(): { appKey: string; service: ServiceName; ring: KeyRing }[] {
    try {
      return this.#load();
    } catch (error) {
      this.close(); // the start fails: nothing will close this
      throw error;
    }
  }

  #load(): { appKey: string; service: ServiceName; ring: KeyRing }[] {
    const rings = [];
    for (const name of readdirSync(this.dir)
      .filter((n) => n.endsWith('.json'))
      .sort()) {
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
    try {
      writeFileSync(temporary, `${JSON.stringify(content, null, 2)}\n`, { mode: 0o600 });
      renameSync(temporary, join(this.dir, name));
    } catch (error) {
      try {
        rmSync(temporary, { force: true });
      } catch {
        // Never made, or not removable either: the ring file itself is untouched.
      }
      throw new KeyPersistenceError(`keys directory ${this.dir}: ${name} cannot be written (${errorCode(error)}); nothing changed`);
    }
    this.#remember(appKey, name);
  }

  remove(appKey?: string): void {
    const owners = appKey === undefined ? [...this.#files.keys()] : [appKey];
    for (const owner of owners) {
      for (const name of this.#files.get(owner) ?? []) {
        try {
          rmSync(join(this.dir, name), { force: true });
        } catch (error) {
          throw new KeyPersistenceError(`keys directory ${this.dir}: ${name} cannot be deleted (${errorCode(error)}); the keys stay`);
        }
      }
      this.#files.delete(owner);
    }
  }

  #remember(appKey: string, name: string): void {
    let names = this.#files.get(appKey);
    if (!names) this.#files.set(appKey, (names = new Set()));
    names.add(name);
  }
}

/** The errno code of a failed file operation (`EROFS`), or its message. */
function errorCode(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? (error as Error).message;
}

/** A ring file read back; `undefined` for JSON files of other formats; a ConfigError for a broken ring. */
function readRing(file: string): { appKey: string; service: ServiceName; ring: KeyRing } | undefined {
  let text: string;
  try {
    text = readBoundedFile(file, RING_FILE_MAX_BYTES).toString('utf8');
  } catch (error) {
    throw new ConfigError(`EMULATOR_KEYS_DIR: ${file} ${readProblem(error).replace(/^cannot read: /, 'cannot be read: ')}`);
  }
  let parsed: Partial<RingFile>;
  try {
    parsed = JSON.parse(text) as Partial<RingFile>;
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
      checkKey(privateKey);
      const publicKeyDer = createPublicKey(privateKey).export({ type: 'spki', format: 'der' });
      keys.set(v.version, issuedKey(v.version, { privateKey, publicKeyDer }, Date.parse(v.issuedAt), v.revoked === true));
    } catch (error) {
      throw new ConfigError(`EMULATOR_KEYS_DIR: ${file}, version ${v.version}: ${(error as Error).message}`);
    }
  }
  if (!keys.has(current)) throw new ConfigError(`EMULATOR_KEYS_DIR: ${file}: current version ${current} is not among its versions`);
  return { appKey, service, ring: { keys, current } };
}

/**
 * Refuses any key but RSA-2048 with public exponent 65537, the kind the emulator makes
 * (rsa2048Factory in server/core/key-store.ts) and serves (docs/what-it-emulates.md, the public-key row): a ring
 * file with another (an EC key, RSA-512, RSA-8192) would be served to clients as if it were one.
 * @example checkKey(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey) // throws 'is an ec key; only RSA-2048 keys are read'
 */
export function checkKey(key: KeyObject): void {
  if (key.asymmetricKeyType !== 'rsa') throw new Error(`is an ${key.asymmetricKeyType ?? 'unknown'} key; only RSA-2048 keys are read`);
  const { modulusLength, publicExponent } = key.asymmetricKeyDetails ?? {};
  if (modulusLength !== 2048) throw new Error(`is RSA-${modulusLength}; only RSA-2048 keys are read`);
  if (publicExponent !== 65537n) throw new Error(`has public exponent ${publicExponent}; only 65537 is read`);
}
