/**
 * RSA key pairs per (app key, service), each with a string version, as issued by
 * `GET /v2.0/appkeys/{appKey}/public-keys/{serviceName}` (TOAST-DOCS/OCR
 * en/document-ocr-api-guide-v2.0.md, "Issue Public Key": `result.key` base64, `result.version`
 * a string, "0" in the guide's example): how one is made and what a key store may throw. The
 * stores themselves (stores/types.ts, `KeyPairStore`) are stores/memory-key-pairs.ts and
 * stores/redis-key-pairs.ts.
 */
import { generateKeyPair } from 'node:crypto';
import { SERVICES, type IssuedKey, type KeyFactory, type KeyMaterial, type ServiceName } from './model.js';

export { SERVICES, type IssuedKey, type KeyFactory, type KeyMaterial, type KeyRing, type ServiceName } from './model.js';

/**
 * Type guard for a path's serviceName.
 * @example isServiceName('id-card') // true
 */
export function isServiceName(name: string): name is ServiceName {
  return (SERVICES as readonly string[]).includes(name);
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

/**
 * An issued key from its material.
 * @example issuedKey('0', await rsa2048Factory(), Date.now())
 */
export function issuedKey(version: string, material: KeyMaterial, issuedAt: number, revoked = false): IssuedKey {
  return {
    version,
    privateKey: material.privateKey,
    publicKeyBase64: material.publicKeyDer.toString('base64'),
    modulusBytes: (material.privateKey.asymmetricKeyDetails?.modulusLength ?? 2048) / 8,
    revoked,
    issuedAt,
  };
}

/**
 * A ring that could not be saved or deleted where the key store keeps it; nothing was changed.
 * @example throw new KeyPersistenceError('keys directory /keys: emulator-appkey.credit-card.json cannot be written (EROFS); nothing changed')
 */
export class KeyPersistenceError extends Error {
  override name = 'KeyPersistenceError';
}
