/**
 * The emulated service, free of HTTP: the adapters in `server/http/` hand it plain values and
 * render what it returns. Checks run in the order of the condition-to-code table
 * (../shared/reference/ocr-v2-api-facts.md, "Which condition gets which code"); the first that
 * applies answers. Scripted outcomes (scenarios) apply only once a request has passed every
 * check, so a broken client always sees its own mistake first.
 */
import { behaviourOn, type Behaviour } from './api-date.js';
import { secretKeyAuth, tokenAuth, type ApiVersion, type AuthHeaders, type Authenticator } from './auth.js';
import { readAuthenticityBody, digitsOnly, mismatchedFields, parseAuthenticityJson, ResidentLock } from './authenticity.js';
import { AdjustableClock } from './clock.js';
import { creditCardResult } from './credit-card.js';
import { explainImageFailure, keysSinceHint, type KeysSince } from './diagnosis.js';
import { aesDecrypt, decodeWrappedKey, encryptValue, symmetricKeyFromBlock } from './envelope.js';
import { failureBody, OcrError, successBody, type ErrorKey } from './errors.js';
import { idCardResult, type IdType } from './id-card.js';
import { inspectImage, type ImageInfo } from './image-info.js';
import { DEFAULT_KEY_CACHE_ENTRIES, SymmetricKeyCache } from './key-cache.js';
import type { EnvelopeFacts, JournalEntry } from './journal.js';
import { isServiceName, KeyStore, rsa2048Factory, type IssuedKey, type KeyFactory, type ServiceName } from './key-store.js';
import { cryptoRandom, type RandomSource } from './random.js';
import { creditCardReadingFor, idCardReadingFor } from './readings.js';
import { maskRequestKey, RequestKeyLedger } from './request-key-ledger.js';
import { DEFAULT_RSA_WORKERS, sharedRsaPool, type RsaPool } from './rsa-pool.js';
import { ScenarioBook, type Selection } from './scenarios/book.js';
import type { Endpoint, Outcome } from './scenarios/schema.js';
import { TokenIssuer, type TokenAnswer, type TokenForm, type UserAccessKey } from './token-issuer.js';

/** Request headers the engine reads, by lower-case name. */
export interface EnvelopeHeaders extends AuthHeaders {
  'x-key-version'?: string | undefined;
  'symmetric-key'?: string | undefined;
  'request-key'?: string | undefined;
  /** The emulator's own header: which scenario to play. */
  'x-emulator-scenario'?: string | undefined;
}

/** Who calls which version of the API: the path's appKey and the request's headers. */
export interface ApiCall {
  api: ApiVersion;
  appKey: string;
  headers: EnvelopeHeaders;
}

/** An opened envelope: the caller's symmetric key and the key version that unwrapped it. */
export interface Envelope {
  appKey: string;
  service: ServiceName;
  symmetricKey: Buffer;
  key: IssuedKey;
  scenarioHeader?: string | undefined;
}

/** An uploaded multipart file as the adapter received it (the `image` field). */
export interface Upload {
  buffer: Buffer;
}

/** What the adapter sends back. */
export interface Reply {
  /** JSON to send; `undefined` sends an empty body. */
  body: unknown;
  /** HTTP status; every OCR API answer is 200, only the token issuer's may differ. */
  status?: number;
  headers?: Record<string, string>;
  /** Wait this long before answering (scripted latency). */
  delayMs?: number;
  /** Drop the connection instead of answering. */
  fault?: 'drop-connection';
}

/** What a request left for the journal; the engine fills it in as it goes. */
export type Trace = Partial<Pick<JournalEntry, 'api' | 'endpoint' | 'appKey' | 'scenario' | 'diagnosis' | 'requestKey'>> & {
  envelope?: EnvelopeFacts;
};

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
  /** Request-Key validity in seconds (the guide: one hour). */
  requestKeyTtlSeconds?: number;
  /** The service as of this date, `YYYY-MM-DD` (default: today's service; api-date.ts). */
  apiDate?: string | undefined;
  /** User Access Keys of the v2.1 token issuer, by ID. */
  userAccessKeys?: ReadonlyMap<string, UserAccessKey>;
  /** Validity of issued tokens in seconds (default 86,400). */
  tokenTtlSeconds?: number;
  /** Keep authenticity values in the journal instead of masking them. */
  journalValues?: boolean;
  scenarios?: ScenarioBook;
  /** Worker threads for the RSA private operation; 0 runs it inline (EMULATOR_RSA_WORKERS). */
  rsaWorkers?: number;
  /** Bound of the unwrapped-symmetric-key cache; 0 disables it. */
  keyCacheEntries?: number;
}

/**
 * The emulated OCR service.
 * @example
 * const engine = new OcrEngine({ credentials: new Map([['emulator-appkey', 'emulator-secretkey']]) });
 * const call = { api: 'v2.0', appKey: 'emulator-appkey', headers: { authorization: 'emulator-secretkey' } } as const;
 * const reply = await engine.publicKey({}, call, 'credit-card');
 */
export class OcrEngine {
  readonly keys: KeyStore;
  readonly clock: AdjustableClock;
  readonly random: RandomSource;
  readonly credentials: ReadonlyMap<string, string>;
  readonly ledger: RequestKeyLedger;
  readonly residentLock = new ResidentLock();
  readonly scenarios: ScenarioBook;
  /** What the service does on the emulated date (api-date.ts). */
  readonly behaviour: Behaviour;
  /** The v2.1 token issuer. */
  readonly tokens: TokenIssuer;
  readonly journalValues: boolean;
  /** Unwrapped symmetric keys by header: a reused key costs no RSA operation. */
  readonly keyCache: SymmetricKeyCache;
  /** Where the RSA private operations run (shared by the engines of a process). */
  readonly rsa: RsaPool;
  readonly #auth: Record<ApiVersion, Authenticator>;
  /** When the key store was last emptied (start or reset): a diagnosis of unknown key versions names it. */
  keysSince: KeysSince;

  constructor(options: EngineOptions) {
    this.credentials = options.credentials;
    this.clock = options.clock ?? new AdjustableClock();
    this.random = options.random ?? cryptoRandom;
    this.keys = new KeyStore(options.keyFactory ?? rsa2048Factory, () => this.clock.now());
    this.ledger = new RequestKeyLedger({ clock: this.clock, random: this.random, ttlSeconds: options.requestKeyTtlSeconds ?? 3600 });
    this.scenarios = options.scenarios ?? new ScenarioBook();
    this.behaviour = behaviourOn(options.apiDate);
    this.tokens = new TokenIssuer({
      keys: options.userAccessKeys ?? new Map(),
      appKeys: this.credentials,
      random: this.random,
      clock: this.clock,
      ttlSeconds: options.tokenTtlSeconds ?? 86_400,
    });
    this.#auth = { 'v2.0': secretKeyAuth(this.credentials), 'v2.1': tokenAuth(this.tokens, this.credentials) };
    this.journalValues = options.journalValues ?? false;
    this.keyCache = new SymmetricKeyCache(options.keyCacheEntries ?? DEFAULT_KEY_CACHE_ENTRIES);
    this.rsa = sharedRsaPool(options.rsaWorkers ?? DEFAULT_RSA_WORKERS);
    this.keysSince = { at: this.clock.now(), by: 'start' };
  }

  /**
   * The checks every call starts with: the version exists on the emulated date (4041007 before
   * v2.1's release), then the version's authentication (auth.ts).
   */
  authenticate(trace: Trace, endpoint: Endpoint, call: ApiCall): void {
    Object.assign(trace, { api: call.api, endpoint, appKey: call.appKey });
    this.assertServed(call.api);
    this.#auth[call.api].authenticate(call.appKey, call.headers, this.clock.now());
  }

  /** 4041007 for a version or the token issuer before it existed (api-date.ts). */
  assertServed(api: ApiVersion): void {
    if (api === 'v2.1' && !this.behaviour.v21) {
      throw new OcrError('URL_NOT_FOUND', `v2.1 and the token issuer were released on 2026-03-10; EMULATOR_API_DATE is ${this.behaviour.date}`);
    }
  }

  /** `POST /oauth2/token/create`: a token for a User Access Key (or an OAuthError). */
  createToken(trace: Trace, authorization: string | undefined, form: TokenForm): TokenAnswer {
    trace.endpoint = 'token/create';
    this.assertServed('v2.1');
    return this.tokens.create(authorization, form);
  }

  /** `POST /oauth2/token/revoke`. */
  revokeToken(trace: Trace, authorization: string | undefined, form: TokenForm): void {
    trace.endpoint = 'token/revoke';
    this.assertServed('v2.1');
    this.tokens.revoke(authorization, form);
  }

  /** `GET /v2.x/appkeys/{appKey}/public-keys/{serviceName}`. */
  async publicKey(trace: Trace, call: ApiCall, serviceName: string): Promise<Reply> {
    const { appKey, headers } = call;
    this.authenticate(trace, 'public-key', call);
    if (!isServiceName(serviceName)) {
      throw new OcrError('INVALID_PARAMETER', `serviceName "${serviceName}" is neither credit-card nor id-card`);
    }
    const scripted = this.#select(trace, { endpoint: 'public-key', appKey, header: headers['x-emulator-scenario'] });
    if (scripted?.outcome.error) return this.#scriptedFailure(trace, scripted);
    const key = await this.keys.current(appKey, serviceName);
    return withTiming(scripted, { body: successBody({ key: key.publicKeyBase64, version: key.version }) });
  }

  /**
   * Authenticates and unwraps the Symmetric-Key of a POST: every header check, before the body
   * is read (a body that is too large answers only after these). The version is checked before
   * the key cache is asked, so a revoked version answers 4000301 even when its keys are cached.
   */
  async openEnvelope(trace: Trace, endpoint: Endpoint, call: ApiCall): Promise<Envelope> {
    const { appKey, headers } = call;
    const service: ServiceName = endpoint === 'credit-card' ? 'credit-card' : 'id-card';
    this.authenticate(trace, endpoint, call);
    const required = endpoint === 'id-card/authenticity' ? (['x-key-version', 'symmetric-key', 'request-key'] as const) : (['x-key-version', 'symmetric-key'] as const);
    for (const name of required) {
      if (!headers[name]) throw new OcrError('MISSING_REQUIRED_HEADER', `${HEADER_LABELS[name]} header is missing`);
    }
    const version = headers['x-key-version']!;
    trace.envelope = { keyVersion: version };
    const key = this.keys.find(appKey, service, version);
    if (!key) {
      const issued = this.keys.list(appKey, service).map((k) => k.version);
      const hint = issued.length ? `issued: ${issued.join(', ')}` : `no ${service} key was issued yet: GET the public key first`;
      throw new OcrError('INVALID_KEY_VERSION', `X-Key-Version ${version} was never issued for ${service} of appKey "${appKey}" (${hint}); ${keysSinceHint(this.keysSince)}`);
    }
    if (key.revoked) throw new OcrError('INVALID_KEY_VERSION', `X-Key-Version ${version} was revoked`);
    const header = headers['symmetric-key']!;
    let symmetricKey = this.keyCache.get(header, key);
    if (!symmetricKey) {
      const wrapped = decodeWrappedKey(header, key.modulusBytes);
      let unwrapped: Buffer;
      try {
        unwrapped = symmetricKeyFromBlock(await this.rsa.decrypt(wrapped, key.privateKey));
      } catch (error) {
        throw (await this.#wrappedWithAnotherKey(wrapped, appKey, endpoint, key)) ?? error;
      }
      symmetricKey = this.keyCache.set(header, key, unwrapped);
      // Revoked while the RSA operation ran elsewhere: answer as if it had been revoked before.
      if (key.revoked) throw new OcrError('INVALID_KEY_VERSION', `X-Key-Version ${version} was revoked`);
    }
    trace.envelope.symmetricKeyBytes = symmetricKey.length;
    return { appKey, service, symmetricKey, key, scenarioHeader: headers['x-emulator-scenario'] };
  }

  /** Decrypts and inspects the `image` upload: 4000001 missing, 4000004 empty, 4000303, 4000003. */
  openImage(trace: Trace, envelope: Envelope, upload: Upload | undefined): ImageInfo {
    if (!upload) throw new OcrError('INVALID_PARAMETER', 'multipart field "image" is missing');
    if (upload.buffer.length === 0) throw new OcrError('UPLOADED_FILE_IS_EMPTY', 'multipart field "image" is 0 bytes');
    let decrypted: Buffer | undefined;
    let info: ImageInfo;
    try {
      decrypted = aesDecrypt(envelope.symmetricKey, upload.buffer, 'image');
      info = inspectImage(decrypted);
    } catch (error) {
      throw explainImageFailure(error, upload.buffer, decrypted, envelope.symmetricKey);
    }
    const { fileType, width, height, bytes, sha256 } = info;
    trace.envelope = { ...trace.envelope, image: { fileType, width, height, bytes, sha256 } };
    return info;
  }

  /** `POST /v2.0/appkeys/{appKey}/credit-card` after the envelope is open. */
  analyzeCreditCard(trace: Trace, envelope: Envelope, upload: Upload | undefined): Reply {
    const info = this.openImage(trace, envelope, upload);
    const scripted = this.#select(trace, { endpoint: 'credit-card', appKey: envelope.appKey, header: envelope.scenarioHeader, imageSha256: info.sha256 });
    if (scripted?.outcome.error) return this.#scriptedFailure(trace, scripted);
    const reading = creditCardReadingFor(info, this.clock.now(), scripted?.outcome.creditCard);
    return withTiming(scripted, { body: successBody(creditCardResult(reading, info, (v) => encryptValue(envelope.symmetricKey, v))) });
  }

  /** `POST .../id-card` (with a Request-Key) and `.../id-card/stand-alone` (never one). */
  analyzeIdCard(trace: Trace, envelope: Envelope, upload: Upload | undefined, standAlone: boolean): Reply {
    const endpoint = standAlone ? 'id-card/stand-alone' : 'id-card';
    const info = this.openImage(trace, envelope, upload);
    const scripted = this.#select(trace, { endpoint, appKey: envelope.appKey, header: envelope.scenarioHeader, imageSha256: info.sha256 });
    if (scripted?.outcome.error) return this.#scriptedFailure(trace, scripted);
    const reading = idCardReadingFor(info, this.clock.now(), scripted?.outcome.idCard);
    const result = idCardResult(reading, info, (v) => encryptValue(envelope.symmetricKey, v), { bbox: this.behaviour.keyValueBbox });
    const reply = withTiming(scripted, { body: successBody(result) });
    if (!standAlone && this.#issuesRequestKey(reading.idType, scripted?.outcome)) {
      const values = Object.fromEntries(reading.keyValues.map((kv) => [kv.key, kv.value]));
      const verdict = scripted?.outcome.authenticity;
      const requestKey = this.ledger.issue(envelope.appKey, reading.idType, values, typeof verdict === 'boolean' ? verdict : undefined);
      reply.headers = { 'Request-Key': requestKey };
      trace.requestKey = { issued: true, ref: maskRequestKey(requestKey) };
    }
    return reply;
  }

  /** `POST .../id-card/authenticity` after the envelope is open; `bodyText` is the raw JSON. */
  authenticity(trace: Trace, envelope: Envelope, bodyText: string, requestKey: string): Reply {
    trace.requestKey = { ref: maskRequestKey(requestKey) };
    // Too large, too deep or not JSON: refused before parsing or decrypting anything (4000001).
    const request = readAuthenticityBody(parseAuthenticityJson(bodyText), envelope.symmetricKey, {
      passport: this.behaviour.passportAuthenticity,
      serialNumRequired: !this.behaviour.serialNumOptional,
    });
    trace.envelope = {
      ...trace.envelope,
      authenticity: {
        idType: request.idType,
        fields: Object.fromEntries(Object.entries(request.fields).map(([k, v]) => [k, this.journalValues ? v : mask(v)])),
      },
    };
    const entry = this.ledger.check(requestKey, envelope.appKey);
    const scripted = this.#select(trace, { endpoint: 'id-card/authenticity', appKey: envelope.appKey, header: envelope.scenarioHeader });
    if (scripted?.outcome.error) return this.#scriptedFailure(trace, scripted);
    const card = `${envelope.appKey}\u0000${digitsOnly(request.fields['residentNumber'])}`;
    const locking = request.idType === 'resident' && this.behaviour.residentLock;
    if (locking) this.residentLock.assertOpen(card);
    const mismatches = mismatchedFields(request, entry.idType, entry.values);
    const forced = scripted?.outcome.authenticity;
    const isAuthenticity = typeof forced === 'boolean' ? forced : (entry.verdict ?? mismatches.length === 0);
    if (locking && typeof forced !== 'boolean' && entry.verdict === undefined) {
      this.residentLock.record(card, mismatches);
    }
    if (!isAuthenticity) trace.diagnosis = mismatches.length ? `not authentic: ${mismatches.join(', ')} ${mismatches.length === 1 ? 'differs' : 'differ'} from the recognised value${mismatches.length === 1 ? '' : 's'}` : 'not authentic: scripted';
    // Consumed only now: a call that fails above leaves the key usable (the guide: "get a normal response").
    this.ledger.consume(entry);
    trace.requestKey = { ...trace.requestKey, used: true };
    return withTiming(scripted, { body: successBody({ isAuthenticity }) });
  }

  /** Forgets keys, Request-Keys, tokens, locks, queue, defaults, sequences and clock offset. */
  reset(): void {
    this.keys.reset();
    this.tokens.reset();
    this.keyCache.clear();
    this.ledger.reset();
    this.residentLock.reset();
    this.scenarios.reset();
    this.clock.reset();
    this.keysSince = { at: this.clock.now(), by: 'reset' };
  }

  /**
   * A Symmetric-Key that does not unwrap under the key version it names, tried once more under
   * the other keys a client could have confused it with: the current key of the same service
   * (it sent a stale X-Key-Version) and the current key of the other service (it fetched the
   * wrong public key). Only keys already issued, and only after a failure: a good request pays
   * nothing, a bad one at most two more RSA operations. The answer stays 4000302.
   */
  async #wrappedWithAnotherKey(wrapped: Buffer, appKey: string, endpoint: Endpoint, named: IssuedKey): Promise<OcrError | undefined> {
    const service: ServiceName = endpoint === 'credit-card' ? 'credit-card' : 'id-card';
    const other: ServiceName = service === 'credit-card' ? 'id-card' : 'credit-card';
    const candidates: [ServiceName, IssuedKey | undefined][] = [
      [service, this.keys.peekCurrent(appKey, service)],
      [other, this.keys.peekCurrent(appKey, other)],
    ];
    for (const [owner, candidate] of candidates) {
      if (!candidate || candidate === named || candidate.modulusBytes !== wrapped.length) continue;
      try {
        symmetricKeyFromBlock(await this.rsa.decrypt(wrapped, candidate.privateKey));
      } catch {
        continue;
      }
      const said = owner === service
        ? `Symmetric-Key was wrapped with ${service} key version ${candidate.version}, but X-Key-Version says ${named.version}: send the version of the key that wrapped it`
        : `Symmetric-Key was wrapped with the ${other} public key (version ${candidate.version}); ${endpoint} takes the ${service} key: GET /v2.0/appkeys/{appKey}/public-keys/${service}`;
      return new OcrError('INVALID_SYMMETRIC_KEY', said);
    }
    return undefined;
  }

  #issuesRequestKey(idType: IdType, outcome: Outcome | undefined): boolean {
    if (outcome?.requestKey === false) return false;
    return idType !== 'passport' || this.behaviour.passportAuthenticity;
  }

  #select(trace: Trace, input: Parameters<ScenarioBook['select']>[0]): Selection | undefined {
    const selection = this.scenarios.select(input);
    if (selection) trace.scenario = { name: selection.scenario.name, reason: selection.reason, call: selection.call };
    return selection;
  }

  #scriptedFailure(trace: Trace, selection: Selection): Reply {
    const key = selection.outcome.error as ErrorKey;
    trace.diagnosis = `scripted by scenario "${selection.scenario.name}" (call ${selection.call + 1})`;
    return withTiming(selection, { body: failureBody(key) });
  }
}

const HEADER_LABELS = { 'x-key-version': 'X-Key-Version', 'symmetric-key': 'Symmetric-Key', 'request-key': 'Request-Key' } as const;

function withTiming(selection: Selection | undefined, reply: Reply): Reply {
  const { delayMs, fault } = selection?.outcome ?? {};
  if (delayMs) reply.delayMs = delayMs;
  if (fault) reply.fault = fault;
  return reply;
}

/** Masks a value but keeps its length, which is often the clue (a 6-digit residentNumber). */
function mask(value: string): string {
  return '*'.repeat([...value].length);
}
