/**
 * Value types shared by the emulator's domain modules and the stores that keep their state
 * (stores/types.ts): here, apart from both, so that a store interface and the module that
 * implements it in memory do not import each other.
 */
import type { KeyObject } from 'node:crypto';
import type { IdType } from './id-card.js';

/** A source of the current time in epoch milliseconds. */
export interface Clock {
  now(): number;
}

/** The services that have keys of their own. */
export const SERVICES = ['credit-card', 'id-card'] as const;
/** `credit-card` or `id-card`. */
export type ServiceName = (typeof SERVICES)[number];

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

/** What a listing shows of one key: never the key itself, never the recognised values. */
export interface RequestKeyView {
  /** The key masked but for its last four characters (request-key-ledger.ts, `maskRequestKey`). */
  requestKey: string;
  appKey: string;
  idType: IdType;
  /** `valid` until used or past `expiresAt` by the emulator clock. */
  state: 'valid' | 'expired' | 'consumed';
  issuedAt: number;
  expiresAt: number;
}

/** A generated key pair. */
export interface KeyMaterial {
  privateKey: KeyObject;
  /** DER SubjectPublicKeyInfo: what Java's X509EncodedKeySpec reads. */
  publicKeyDer: Buffer;
}

/** Makes key pairs; injected so tests can use fixed keys. */
export type KeyFactory = () => Promise<KeyMaterial>;

/** Every version of one (app key, service) and which is current. */
export interface KeyRing {
  keys: Map<string, IssuedKey>;
  current: string;
}
