/**
 * The emulated service, free of HTTP: the adapters in `server/http/` hand it plain values and
 * render what it returns. Checks run in the order of the condition-to-code table
 * (../shared/reference/ocr-v2-api-facts.md, "Which condition gets which code"); the first that
 * applies answers.
 */
import { AdjustableClock } from './clock.js';
import { creditCardResult, defaultCreditCardReading, type CreditCardResult } from './credit-card.js';
import { aesDecrypt, encryptValue, unwrapSymmetricKey } from './envelope.js';
import { OcrError, successBody, type SuccessBody } from './errors.js';
import { inspectImage, type ImageInfo } from './image-info.js';
import { isServiceName, KeyStore, rsa2048Factory, type IssuedKey, type KeyFactory, type ServiceName } from './key-store.js';
import { cryptoRandom, type RandomSource } from './random.js';

/** Request headers the engine reads, by lower-case name. */
export interface EnvelopeHeaders {
  authorization?: string | undefined;
  'x-key-version'?: string | undefined;
  'symmetric-key'?: string | undefined;
  'request-key'?: string | undefined;
}

/** An opened envelope: the caller's symmetric key and the key version that unwrapped it. */
export interface Envelope {
  appKey: string;
  service: ServiceName;
  symmetricKey: Buffer;
  key: IssuedKey;
}

/** An uploaded multipart file as the adapter received it (the `image` field). */
export interface Upload {
  buffer: Buffer;
}

/** The public-key answer's `result`. */
export interface PublicKeyResult {
  key: string;
  version: string;
}

/** What the engine needs from its surroundings. */
export interface EngineOptions {
  /** Accepted app keys and their secret keys. */
  credentials: ReadonlyMap<string, string>;
  keyFactory?: KeyFactory;
  clock?: AdjustableClock;
  random?: RandomSource;
}

/**
 * The emulated OCR service.
 * @example
 * const engine = new OcrEngine({ credentials: new Map([['emulator-appkey', 'emulator-secretkey']]) });
 * const answer = await engine.publicKey('emulator-appkey', 'emulator-secretkey', 'credit-card');
 */
export class OcrEngine {
  readonly keys: KeyStore;
  readonly clock: AdjustableClock;
  readonly random: RandomSource;
  readonly credentials: ReadonlyMap<string, string>;

  constructor(options: EngineOptions) {
    this.credentials = options.credentials;
    this.clock = options.clock ?? new AdjustableClock();
    this.random = options.random ?? cryptoRandom;
    this.keys = new KeyStore(options.keyFactory ?? rsa2048Factory, () => this.clock.now());
  }

  /** 4000005 without `Authorization`, 4010001 for an unknown app key or a wrong secret key. */
  authenticate(appKey: string, authorization: string | undefined): void {
    if (!authorization) throw new OcrError('MISSING_REQUIRED_HEADER', 'Authorization header is missing');
    const secret = this.credentials.get(appKey);
    if (secret === undefined) throw new OcrError('INVALID_APPKEY_SECRETKEY', `appKey "${appKey}" is not known to this emulator`);
    if (secret !== authorization) {
      throw new OcrError('INVALID_APPKEY_SECRETKEY', `Authorization is not the secret key of appKey "${appKey}"`);
    }
  }

  /** `GET /v2.0/appkeys/{appKey}/public-keys/{serviceName}`. */
  async publicKey(appKey: string, authorization: string | undefined, serviceName: string): Promise<SuccessBody<PublicKeyResult>> {
    this.authenticate(appKey, authorization);
    if (!isServiceName(serviceName)) {
      throw new OcrError('INVALID_PARAMETER', `serviceName "${serviceName}" is neither credit-card nor id-card`);
    }
    const key = await this.keys.current(appKey, serviceName);
    return successBody({ key: key.publicKeyBase64, version: key.version });
  }

  /**
   * Authenticates and unwraps the Symmetric-Key of a POST: every header check, before the body
   * is read (a body that is too large answers only after these).
   */
  openEnvelope(
    appKey: string,
    service: ServiceName,
    headers: EnvelopeHeaders,
    extraRequired: readonly (keyof EnvelopeHeaders)[] = [],
  ): Envelope {
    this.authenticate(appKey, headers.authorization);
    for (const name of ['x-key-version', 'symmetric-key', ...extraRequired] as const) {
      if (!headers[name]) throw new OcrError('MISSING_REQUIRED_HEADER', `${headerLabel(name)} header is missing`);
    }
    const version = headers['x-key-version']!;
    const key = this.keys.find(appKey, service, version);
    if (!key) {
      throw new OcrError('INVALID_KEY_VERSION', `X-Key-Version ${version} was never issued for ${service} of appKey "${appKey}"`);
    }
    if (key.revoked) throw new OcrError('INVALID_KEY_VERSION', `X-Key-Version ${version} was revoked`);
    const symmetricKey = unwrapSymmetricKey(headers['symmetric-key']!, key.privateKey, key.modulusBytes);
    return { appKey, service, symmetricKey, key };
  }

  /** Decrypts and inspects the `image` upload: 4000001 missing, 4000004 empty, 4000303, 4000003. */
  openImage(envelope: Envelope, upload: Upload | undefined): { image: Buffer; info: ImageInfo } {
    if (!upload) throw new OcrError('INVALID_PARAMETER', 'multipart field "image" is missing');
    if (upload.buffer.length === 0) throw new OcrError('UPLOADED_FILE_IS_EMPTY', 'multipart field "image" is 0 bytes');
    const image = aesDecrypt(envelope.symmetricKey, upload.buffer, 'image');
    return { image, info: inspectImage(image) };
  }

  /** `POST /v2.0/appkeys/{appKey}/credit-card` after the envelope is open. */
  analyzeCreditCard(envelope: Envelope, upload: Upload | undefined): SuccessBody<CreditCardResult> {
    const { info } = this.openImage(envelope, upload);
    const reading = defaultCreditCardReading(info, this.clock.now());
    return successBody(creditCardResult(reading, info, (v) => encryptValue(envelope.symmetricKey, v)));
  }
}

function headerLabel(name: keyof EnvelopeHeaders): string {
  return { authorization: 'Authorization', 'x-key-version': 'X-Key-Version', 'symmetric-key': 'Symmetric-Key', 'request-key': 'Request-Key' }[name];
}
