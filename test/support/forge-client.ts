/**
 * The envelope built with node-forge only: an implementation independent of both the server's
 * and the client kit's use of node:crypto, so a shared mistake cannot pass unnoticed.
 */
import forge from 'node-forge';

/** A symmetric key and the envelope pieces forge made with it. */
export interface ForgeEnvelope {
  key: Buffer;
  symmetricKeyHeader: string;
  encrypt(plaintext: Buffer): Buffer;
  decryptValue(base64: string): string;
}

/**
 * Wraps a fresh 32-byte key under a base64 DER SPKI with RSAES-PKCS1-V1_5, and encrypts with
 * AES-CBC, IV = key bytes 0..15.
 * @example const env = forgeEnvelope(publicKey.key); headers['Symmetric-Key'] = env.symmetricKeyHeader
 */
export function forgeEnvelope(publicKeyBase64: string): ForgeEnvelope {
  const spki = forge.asn1.fromDer(forge.util.decode64(publicKeyBase64));
  const publicKey = forge.pki.publicKeyFromAsn1(spki) as forge.pki.rsa.PublicKey;
  const keyBytes = forge.random.getBytesSync(32);
  const ivBytes = keyBytes.slice(0, 16);
  return {
    key: Buffer.from(keyBytes, 'binary'),
    symmetricKeyHeader: forge.util.encode64(publicKey.encrypt(keyBytes, 'RSAES-PKCS1-V1_5')),
    encrypt(plaintext) {
      const cipher = forge.cipher.createCipher('AES-CBC', keyBytes);
      cipher.start({ iv: ivBytes });
      cipher.update(forge.util.createBuffer(plaintext.toString('binary')));
      cipher.finish();
      return Buffer.from(cipher.output.getBytes(), 'binary');
    },
    decryptValue(base64) {
      const decipher = forge.cipher.createDecipher('AES-CBC', keyBytes);
      decipher.start({ iv: ivBytes });
      decipher.update(forge.util.createBuffer(forge.util.decode64(base64)));
      if (!decipher.finish()) throw new Error('forge: bad padding');
      return forge.util.decodeUtf8(decipher.output.getBytes());
    },
  };
}
