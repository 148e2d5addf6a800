/**
 * The emulated service, free of HTTP: the adapters in `server/http/` hand it plain values and
 * render what it returns. Checks run in the order of the condition-to-code table
 * (docs/emulated-api.md, "Which condition gets which code"); the first that
 * applies answers. Scripted outcomes (scenarios) apply only once a request has passed every
 * check, so a broken client always sees its own mistake first.
 */
import { behaviourOn, type Behaviour } from './api-date.js';
import { secretKeyAuth, tokenAuth, type ApiVersion, type AuthHeaders, type Authenticator } from './auth.js';
import { readAuthenticityBody, digitsOnly, mismatchedFields, parseAuthenticityJson, type AuthenticityRequest } from './authenticity.js';
import type { Clock } from './clock.js';
import { creditCardResult } from './credit-card.js';
import { explainImageFailure, keysSinceHint, type KeysSince } from './diagnosis.js';
import { aesDecrypt, decodeWrappedKey, encryptValue, symmetricKeyFromBlock } from './envelope.js';
import { failureBody, OcrError, successBody, type ErrorKey } from './errors.js';
import { idCardResult, type IdType } from './id-card.js';
import { inspectImage, type ImageInfo } from './image-info.js';
import { DEFAULT_KEY_CACHE_ENTRIES, SymmetricKeyCache, type CacheStats } from './key-cache.js';
import type { EnvelopeFacts, JournalEntry } from './journal.js';
import { isServiceName, SERVICES, type IssuedKey, type KeyFactory, type ServiceName } from './key-store.js';
import { cryptoRandom, type RandomSource } from './random.js';
import { creditCardReadingFor, idCardReadingFor, playedCreditCardResult, playedIdCardResult } from './readings.js';
import { maskRequestKey, type RequestKeyView } from './request-key-ledger.js';
import { DEFAULT_RSA_WORKERS, sharedRsaPool, type RsaPool } from './rsa-pool.js';
import { ScenarioBook, type QueueEntry, type Selection, type SelectionInput } from './scenarios/book.js';
import { MemoryScenarioState } from './stores/memory-scenario-state.js';
import type { Endpoint, Outcome, Scenario } from './scenarios/schema.js';
import { memoryStores } from './stores/memory.js';
import type { AppContext, ClaimedRequestKey, RequestKeyStats, StateStores } from './stores/types.js';
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
  /** The request's context: its appKey, its clock, its state's generation. */
  app: AppContext;
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
  /** Configured app keys and their secret keys (more may be registered at run time). */
  credentials: ReadonlyMap<string, string>;
  /** Where the state lives (default: in memory, made from the options below). */
  stores?: StateStores;
  keyFactory?: KeyFactory;
  /** The wall clock the emulator clock runs ahead of (tests pass a fixed one). */
  wall?: Clock;
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
  /** The loaded scenarios; its state store must be `stores.scenarios` when both are given. */
  scenarios?: ScenarioBook;
  /** Worker threads for the RSA private operation; 0 runs it inline (EMULATOR_RSA_WORKERS). */
  rsaWorkers?: number;
  /** Bound of the unwrapped-symmetric-key cache; 0 disables it. */
  keyCacheEntries?: number;
}

/** The emulator clock as the admin API shows it. */
export interface ClockState {
  now: number;
  /** Total offset of `now` from the wall clock. */
  offsetMs: number;
  /** With an appKey: that appKey's own part of the offset. */
  appKeyOffsetMs?: number;
}

/** An appKey the engine serves, and where it comes from. */
export interface AppKeyListing {
  appKey: string;
  source: 'configured' | 'registered';
}

/** What `stats()` reports of the state and the caches. */
export interface EngineStats {
  store: StateStores['kind'];
  /** Absent with Redis: shared keys are counted nowhere. */
  requestKeys: RequestKeyStats | undefined;
  keyCache: CacheStats;
}

/**
 * The emulated OCR service.
 * @example
 * const engine = new OcrEngine({ credentials: new Map([['emulator-appkey', 'emulator-secretkey']]) });
 * const call = { api: 'v2.0', appKey: 'emulator-appkey', headers: { authorization: 'emulator-secretkey' } } as const;
 * const reply = await engine.publicKey({}, call, 'credit-card');
 */
export class OcrEngine {
  readonly credentials: ReadonlyMap<string, string>;
  /** What the service does on the emulated date (api-date.ts). */
  readonly behaviour: Behaviour;
  readonly journalValues: boolean;
  /** Unwrapped symmetric keys by header: a reused key costs no RSA operation. */
  readonly keyCache: SymmetricKeyCache;
  /** Where the RSA private operations run (shared by the engines of a process). */
  readonly rsa: RsaPool;
  readonly #stores: StateStores;
  readonly #book: ScenarioBook;
  readonly #tokens: TokenIssuer;
  readonly #auth: Record<ApiVersion, Authenticator>;
  /** The global clock offset as last read: journal times go by it without a round trip. */
  #globalOffsetMs = 0;
  /** When the key store was last emptied (start or full reset): a diagnosis of unknown key versions names it. */
  #keysSince: KeysSince;
  /** The same for appKeys reset on their own since. */
  #keysSinceOf = new Map<string, KeysSince>();
  readonly #requestKeyTtlSeconds: number;

  constructor(options: EngineOptions) {
    this.credentials = options.credentials;
    this.#stores = options.stores ?? defaultStores(options);
    if (options.scenarios && options.scenarios.state !== this.#stores.scenarios) {
      throw new Error("the ScenarioBook must keep its state in the engine's stores: new ScenarioBook(stores.scenarios)");
    }
    this.#book = options.scenarios ?? new ScenarioBook(this.#stores.scenarios);
    this.behaviour = behaviourOn(options.apiDate);
    this.#tokens = new TokenIssuer({
      keys: options.userAccessKeys ?? new Map(),
      store: this.#stores.tokens,
      random: options.random ?? cryptoRandom,
      ttlSeconds: options.tokenTtlSeconds ?? 86_400,
    });
    // Tokens are the issuer's: checked on the clock they were issued on, without the appKey's own offset.
    const issuerNow = (app: AppContext) => this.#stores.wall.now() + app.globalOffsetMs;
    this.#auth = { 'v2.0': secretKeyAuth(this.credentials), 'v2.1': tokenAuth(this.#tokens, this.credentials, issuerNow) };
    this.journalValues = options.journalValues ?? false;
    this.keyCache = new SymmetricKeyCache(options.keyCacheEntries ?? DEFAULT_KEY_CACHE_ENTRIES);
    this.rsa = sharedRsaPool(options.rsaWorkers ?? DEFAULT_RSA_WORKERS);
    this.#requestKeyTtlSeconds = options.requestKeyTtlSeconds ?? 3600;
    this.#keysSince = { at: this.now(), by: 'start' };
  }

  /** Which kind of store holds the state. */
  get storeKind(): StateStores['kind'] {
    return this.#stores.kind;
  }

  /**
   * The checks every call starts with: the version exists on the emulated date (4041007 before
   * v2.1's release), then the appKey's context is read (once, for the whole request), then the
   * version's authentication (auth.ts).
   */
  async authenticate(trace: Trace, endpoint: Endpoint, call: ApiCall): Promise<AppContext> {
    return this.#begin(trace, endpoint, call);
  }

  /**
   * {@link authenticate} without a promise where nothing has to wait (memory stores, v2.0): the
   * public-key call, the most frequent, costs no more than before the state moved behind
   * async stores.
   */
  #begin(trace: Trace, endpoint: Endpoint, call: ApiCall): AppContext | Promise<AppContext> {
    Object.assign(trace, { api: call.api, endpoint, appKey: call.appKey });
    this.assertServed(call.api);
    const app = this.#stores.contextNow?.(call.appKey);
    if (!app) return this.#context(call.appKey).then((read) => this.#authenticated(read, call));
    this.#globalOffsetMs = app.globalOffsetMs;
    return this.#authenticated(app, call);
  }

  #authenticated(app: AppContext, call: ApiCall): AppContext | Promise<AppContext> {
    const checked = this.#auth[call.api].authenticate(app, call.headers);
    return checked ? checked.then(() => app) : app;
  }

  /** 4041007 for a version or the token issuer before it existed (api-date.ts). */
  assertServed(api: ApiVersion): void {
    if (api === 'v2.1' && !this.behaviour.v21) {
      throw new OcrError('URL_NOT_FOUND', `v2.1 and the token issuer were released on 2026-03-10; EMULATOR_API_DATE is ${this.behaviour.date}`);
    }
  }

  /** `POST /oauth2/token/create`: a token for a User Access Key (or an OAuthError). */
  async createToken(trace: Trace, authorization: string | undefined, form: TokenForm): Promise<TokenAnswer> {
    trace.endpoint = 'token/create';
    this.assertServed('v2.1');
    return this.#tokens.create(authorization, form, async () => this.#stores.wall.now() + (await this.#stores.clock.offsets()).globalMs);
  }

  /** `POST /oauth2/token/revoke`. */
  async revokeToken(trace: Trace, authorization: string | undefined, form: TokenForm): Promise<void> {
    trace.endpoint = 'token/revoke';
    this.assertServed('v2.1');
    await this.#tokens.revoke(authorization, form);
  }

  /** `GET /v2.x/appkeys/{appKey}/public-keys/{serviceName}`. */
  async publicKey(trace: Trace, call: ApiCall, serviceName: string): Promise<Reply> {
    const begun = this.#begin(trace, 'public-key', call);
    const app = begun instanceof Promise ? await begun : begun;
    if (!isServiceName(serviceName)) {
      throw new OcrError('INVALID_PARAMETER', `serviceName "${serviceName}" is neither credit-card nor id-card`);
    }
    const input: SelectionInput = { endpoint: 'public-key', header: call.headers['x-emulator-scenario'] };
    // The call every client makes first and load tests most: no scenario, no waiting for one.
    const scripted = this.#book.mayPick(input, app) ? await this.#select(trace, input, app) : undefined;
    if (scripted?.outcome.error) return this.#scriptedFailure(trace, scripted);
    const key = this.#stores.keys.currentNow?.(app, serviceName) ?? (await this.#stores.keys.current(app, serviceName));
    return withTiming(scripted, { body: successBody({ key: key.publicKeyBase64, version: key.version }) });
  }

  /**
   * Authenticates and unwraps the Symmetric-Key of a POST: every header check, before the body
   * is read (a body that is too large answers only after these). The version is checked before
   * the key cache is asked, so a revoked version answers 4000301 even when its keys are cached.
   */
  async openEnvelope(trace: Trace, endpoint: Endpoint, call: ApiCall): Promise<Envelope> {
    const { headers } = call;
    const service: ServiceName = endpoint === 'credit-card' ? 'credit-card' : 'id-card';
    const app = await this.authenticate(trace, endpoint, call);
    const required =
      endpoint === 'id-card/authenticity' ? (['x-key-version', 'symmetric-key', 'request-key'] as const) : (['x-key-version', 'symmetric-key'] as const);
    for (const name of required) {
      if (!headers[name]) throw new OcrError('MISSING_REQUIRED_HEADER', `${HEADER_LABELS[name]} header is missing`);
    }
    const version = headers['x-key-version']!;
    trace.envelope = { keyVersion: version };
    const key = await this.#issuedVersion(app, service, version);
    const header = headers['symmetric-key']!;
    let symmetricKey = this.keyCache.get(header, key);
    if (!symmetricKey) {
      const wrapped = decodeWrappedKey(header, key.modulusBytes);
      let unwrapped: Buffer;
      try {
        unwrapped = symmetricKeyFromBlock(await this.rsa.decrypt(wrapped, key.privateKey));
      } catch (error) {
        throw (await this.#wrappedWithAnotherKey(wrapped, app, endpoint, key)) ?? error;
      }
      symmetricKey = this.keyCache.set(header, key, unwrapped);
      // Revoked while the RSA operation ran elsewhere: answer as if it had been revoked before.
      if (key.revoked) throw new OcrError('INVALID_KEY_VERSION', `X-Key-Version ${version} was revoked`);
    }
    trace.envelope.symmetricKeyBytes = symmetricKey.length;
    return { app, service, symmetricKey, key, scenarioHeader: headers['x-emulator-scenario'] };
  }

  /** The key version a request names: 4000301 when it was never issued or was revoked. */
  async #issuedVersion(app: AppContext, service: ServiceName, version: string): Promise<IssuedKey> {
    const key = await this.#stores.keys.find(app, service, version);
    if (!key) {
      const issued = (await this.#stores.keys.list(app, service)).map((k) => k.version);
      const hint = issued.length ? `issued: ${issued.join(', ')}` : `no ${service} key was issued yet: GET the public key first`;
      const since = keysSinceHint(this.#keysSinceOf.get(app.appKey) ?? this.#keysSince);
      throw new OcrError('INVALID_KEY_VERSION', `X-Key-Version ${version} was never issued for ${service} of appKey "${app.appKey}" (${hint}); ${since}`);
    }
    if (key.revoked) throw new OcrError('INVALID_KEY_VERSION', `X-Key-Version ${version} was revoked`);
    return key;
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
  async analyzeCreditCard(trace: Trace, envelope: Envelope, upload: Upload | undefined): Promise<Reply> {
    const info = this.openImage(trace, envelope, upload);
    const scripted = await this.#select(trace, { endpoint: 'credit-card', header: envelope.scenarioHeader, imageSha256: info.sha256 }, envelope.app);
    if (scripted?.outcome.error) return this.#scriptedFailure(trace, scripted);
    const encrypt = (v: string) => encryptValue(envelope.symmetricKey, v);
    if (scripted?.outcome.result) return withTiming(scripted, { body: successBody(playedCreditCardResult(scripted.outcome.result, encrypt)) });
    const reading = creditCardReadingFor(info, envelope.app.now, scripted?.outcome.creditCard);
    return withTiming(scripted, { body: successBody(creditCardResult(reading, info, (v) => encryptValue(envelope.symmetricKey, v))) });
  }

  /** `POST .../id-card` (with a Request-Key) and `.../id-card/stand-alone` (never one). */
  async analyzeIdCard(trace: Trace, envelope: Envelope, upload: Upload | undefined, standAlone: boolean): Promise<Reply> {
    const endpoint = standAlone ? 'id-card/stand-alone' : 'id-card';
    const info = this.openImage(trace, envelope, upload);
    const scripted = await this.#select(trace, { endpoint, header: envelope.scenarioHeader, imageSha256: info.sha256 }, envelope.app);
    if (scripted?.outcome.error) return this.#scriptedFailure(trace, scripted);
    const { result, idType, values } = this.#idCardAnswer(info, envelope, scripted?.outcome);
    const reply = withTiming(scripted, { body: successBody(result) });
    if (!standAlone && this.#issuesRequestKey(idType, scripted?.outcome)) {
      const verdict = scripted?.outcome.authenticity;
      const requestKey = await this.#stores.requestKeys.issue(envelope.app, {
        idType,
        values,
        verdict: typeof verdict === 'boolean' ? verdict : undefined,
      });
      reply.headers = { 'Request-Key': requestKey };
      trace.requestKey = { issued: true, ref: maskRequestKey(requestKey) };
    }
    return reply;
  }

  /** An ID-card result, a recorded one as it was recorded, and its idType and plaintext values. */
  #idCardAnswer(info: ImageInfo, envelope: Envelope, outcome: Outcome | undefined): { result: unknown; idType: IdType; values: Record<string, string> } {
    const encrypt = (v: string) => encryptValue(envelope.symmetricKey, v);
    if (outcome?.result) return playedIdCardResult(outcome.result, encrypt, { bbox: this.behaviour.keyValueBbox });
    const reading = idCardReadingFor(info, envelope.app.now, outcome?.idCard);
    const result = idCardResult(reading, info, encrypt, { bbox: this.behaviour.keyValueBbox });
    return { result, idType: reading.idType, values: Object.fromEntries(reading.keyValues.map((kv) => [kv.key, kv.value])) };
  }

  /**
   * `POST .../id-card/authenticity` after the envelope is open; `bodyText` is the raw JSON. The
   * Request-Key is claimed once the body has been read, then consumed if the call succeeds or
   * released if it fails: a call that fails leaves the key usable (the guide: "get a normal
   * response"), and of concurrent calls with one key exactly one can succeed.
   */
  async authenticity(trace: Trace, envelope: Envelope, bodyText: string, requestKey: string): Promise<Reply> {
    trace.requestKey = { ref: maskRequestKey(requestKey) };
    const request = this.#readAuthenticity(trace, envelope, bodyText);
    const claimed = await this.#stores.requestKeys.claim(envelope.app, requestKey);
    let used = false;
    try {
      const { reply, succeeded } = await this.#verdict(trace, envelope, request, claimed);
      if (succeeded) {
        await this.#stores.requestKeys.consume(claimed);
        used = true;
        trace.requestKey = { ...trace.requestKey, used: true };
      }
      return reply;
    } finally {
      if (!used) await this.#stores.requestKeys.release(claimed);
    }
  }

  /**
   * The authenticity body: 4000001 for what is too large, too deep, not JSON or lacks a field
   * (refused before parsing or decrypting anything), 4000303 for what does not decrypt.
   */
  #readAuthenticity(trace: Trace, envelope: Envelope, bodyText: string): AuthenticityRequest {
    const request = readAuthenticityBody(parseAuthenticityJson(bodyText), envelope.symmetricKey, {
      passport: this.behaviour.passportAuthenticity,
      serialNumRequired: !this.behaviour.serialNumOptional,
    });
    const fields = Object.fromEntries(Object.entries(request.fields).map(([k, v]) => [k, this.journalValues ? v : mask(v)]));
    trace.envelope = { ...trace.envelope, authenticity: { idType: request.idType, fields } };
    return request;
  }

  /** The verdict for a claimed key: scripted, or the submitted values against the recognised ones, with the resident lock. */
  async #verdict(trace: Trace, envelope: Envelope, request: AuthenticityRequest, entry: ClaimedRequestKey): Promise<{ reply: Reply; succeeded: boolean }> {
    const { app } = envelope;
    const scripted = await this.#select(trace, { endpoint: 'id-card/authenticity', header: envelope.scenarioHeader }, app);
    if (scripted?.outcome.error) return { reply: this.#scriptedFailure(trace, scripted), succeeded: false };
    const card = digitsOnly(request.fields['residentNumber']);
    const locking = request.idType === 'resident' && this.behaviour.residentLock;
    if (locking) await this.#stores.locks.assertOpen(app, card);
    const mismatches = mismatchedFields(request, entry.idType, entry.values);
    const forced = scripted?.outcome.authenticity;
    const isAuthenticity = typeof forced === 'boolean' ? forced : (entry.verdict ?? mismatches.length === 0);
    if (locking && typeof forced !== 'boolean' && entry.verdict === undefined) await this.#stores.locks.record(app, card, mismatches);
    if (!isAuthenticity) trace.diagnosis = notAuthentic(mismatches);
    return { reply: withTiming(scripted, { body: successBody({ isAuthenticity }) }), succeeded: true };
  }

  // ---- State, for the admin API and the embedding program ----

  /**
   * The emulator time without any appKey's own offset, as last read (journal times).
   * @example engine.now() // Date.now() + the global offset
   */
  now(): number {
    return this.#stores.wall.now() + this.#globalOffsetMs;
  }

  /** The emulator clock: global, or as one appKey sees it. */
  async clockState(appKey?: string): Promise<ClockState> {
    const { globalMs, appMs } = await this.#stores.clock.offsets(appKey);
    this.#globalOffsetMs = globalMs;
    const offsetMs = globalMs + appMs;
    return { now: this.#stores.wall.now() + offsetMs, offsetMs, ...(appKey === undefined ? {} : { appKeyOffsetMs: appMs }) };
  }

  /**
   * Moves the clock of one appKey forward, or without one the clock of every appKey. A
   * RangeError for a step back or one past the year 9000: dates must stay printable
   * (toISOString throws past year 275760) and four-digit, and the journal, key listings and card
   * validity dates all derive from this clock.
   */
  async advanceClock(seconds: number, appKey?: string): Promise<ClockState> {
    if ((await this.clockState(appKey)).now + seconds * 1000 > LATEST_CLOCK_MS) throw new RangeError('the emulator clock cannot go past the year 9000');
    await this.#stores.clock.advance(seconds * 1000, appKey);
    return this.clockState(appKey);
  }

  /**
   * Forgets one appKey's state (key pairs, Request-Keys, locks, its queue entries, defaults,
   * call counters, clock offset), or without one all state but registered appKeys, tokens
   * included. The journal is the adapter's to clear.
   */
  async reset(appKey?: string): Promise<void> {
    await this.#stores.reset(appKey);
    if (appKey === undefined) {
      this.keyCache.clear();
      this.#globalOffsetMs = 0;
      this.#keysSinceOf.clear();
      this.#keysSince = { at: this.now(), by: 'reset' };
    } else {
      this.#keysSinceOf.set(appKey, { at: this.now(), by: 'reset' });
    }
  }

  /**
   * The newest `limit` Request-Keys held, masked, each with its state by its appKey's clock,
   * and the store's figures (none on Redis, which does not count them).
   */
  async requestKeys(limit: number): Promise<{ views: RequestKeyView[]; stats: RequestKeyStats | undefined; ttlSeconds: number }> {
    const views = await this.#stores.requestKeys.list(limit, (appKey) => this.#stores.context(appKey));
    return { views, stats: await this.#stores.requestKeys.stats(), ttlSeconds: this.#requestKeyTtlSeconds };
  }

  /** The loaded scenarios, sorted by name. */
  listScenarios(): Scenario[] {
    return this.#book.list();
  }

  /** One scenario by name (a ScenarioError when unknown). */
  scenario(name: string): Scenario {
    return this.#book.require(name);
  }

  queue(): Promise<QueueEntry[]> {
    return this.#book.queue();
  }

  enqueue(name: string, times: number, appKey?: string): Promise<QueueEntry> {
    return this.#book.enqueue(name, times, appKey);
  }

  clearQueue(): Promise<void> {
    return this.#book.clearQueue();
  }

  defaults(): Promise<Record<string, string[]>> {
    return this.#book.defaults();
  }

  setDefaults(appKey: string, names: readonly string[]): Promise<void> {
    return this.#book.setDefaults(appKey, names);
  }

  /** The current key of a service, made now if there is none yet. */
  async currentKey(appKey: string, service: ServiceName): Promise<IssuedKey> {
    return this.#stores.keys.current(await this.#context(appKey), service);
  }

  /** Every issued version of a service, oldest first. */
  async keyVersions(appKey: string, service: ServiceName): Promise<IssuedKey[]> {
    return this.#stores.keys.list(await this.#context(appKey), service);
  }

  /** Issues a new current version; older ones keep working until revoked. */
  async rotateKey(appKey: string, service: ServiceName): Promise<IssuedKey> {
    return this.#stores.keys.rotate(await this.#context(appKey), service);
  }

  /**
   * Revokes a version (false if it was never issued). Revoking the current version issues a new
   * one first: otherwise the public-key call would keep handing out a revoked key and no client
   * could recover by fetching it again. Resolves with the current version after it.
   */
  async revokeKey(appKey: string, service: ServiceName, version: string): Promise<IssuedKey | undefined> {
    const app = await this.#context(appKey);
    const issued = await this.#stores.keys.list(app, service);
    if (!issued.some((k) => k.version === version)) return undefined;
    let current = await this.#stores.keys.current(app, service);
    if (current.version === version) current = await this.#stores.keys.rotate(app, service);
    await this.#stores.keys.revoke(app, service, version);
    return current;
  }

  /**
   * Makes (or, kept in a keys dir or Redis, loads) the key pairs of both services for the given
   * appKeys, one after another, the first appKey's credit-card key first: started right after
   * the ready line, so the first call finds its key made or under way. A call that comes
   * earlier waits for the generation under way for its key, or starts its own at once if its
   * key's turn has not come (one at a time: two at once on two cores made the first
   * credit-card call slower, each generation taking the other's core).
   */
  async prepareKeys(appKeys: readonly string[] = [...this.credentials.keys()]): Promise<void> {
    for (const appKey of appKeys) for (const service of SERVICES) await this.currentKey(appKey, service);
  }

  /** Whether the emulator serves an appKey (configured or registered). */
  async isKnownAppKey(appKey: string): Promise<boolean> {
    if (this.credentials.has(appKey)) return true;
    return (await this.#context(appKey)).registeredSecret !== undefined;
  }

  /** Every appKey served: the configured ones first. */
  async appKeys(): Promise<AppKeyListing[]> {
    const registered = (await this.#stores.appKeys.list()).filter((k) => !this.credentials.has(k)).sort();
    return [
      ...[...this.credentials.keys()].map((appKey) => ({ appKey, source: 'configured' as const })),
      ...registered.map((appKey) => ({ appKey, source: 'registered' as const })),
    ];
  }

  /**
   * Registers an appKey at run time (a test worker's own): `created`, or `unchanged` when it
   * exists with this secret (configured or registered before). A {@link RegistrationError} when
   * it cannot be: `invalid` (see {@link registrationProblem}), `conflict` (another secret),
   * `full` (past the bound).
   */
  async registerAppKey(appKey: string, secretKey: string): Promise<{ outcome: 'created' | 'unchanged'; source: AppKeyListing['source'] }> {
    const problem = registrationProblem(appKey, secretKey);
    if (problem) throw new RegistrationError('invalid', problem);
    const configured = this.credentials.get(appKey);
    const outcome = configured !== undefined ? (configured === secretKey ? 'unchanged' : 'conflict') : await this.#stores.appKeys.register(appKey, secretKey);
    if (outcome === 'conflict') throw new RegistrationError('conflict', `appKey "${appKey}" exists with another secret key`);
    if (outcome === 'full')
      throw new RegistrationError('full', `${this.maxRegisteredAppKeys} appKeys are registered already: remove the ones you are done with`);
    return { outcome, source: configured !== undefined ? 'configured' : 'registered' };
  }

  /** Most appKeys registered at run time at once. */
  get maxRegisteredAppKeys(): number {
    return this.#stores.appKeys.max;
  }

  /** The appKey the admin API and the dashboard default to: the first configured one. */
  get defaultAppKey(): string {
    return this.credentials.keys().next().value!;
  }

  /** Removes a registered appKey and its state: `removed`, `configured` (refused) or `unknown`. */
  async removeAppKey(appKey: string): Promise<'removed' | 'configured' | 'unknown'> {
    if (this.credentials.has(appKey)) return 'configured';
    if (!(await this.#stores.appKeys.remove(appKey))) return 'unknown';
    await this.#stores.reset(appKey);
    return 'removed';
  }

  /** How full the bounded stores are. */
  async stats(): Promise<EngineStats> {
    return { store: this.#stores.kind, requestKeys: await this.#stores.requestKeys.stats(), keyCache: this.keyCache.stats };
  }

  /** Releases the state's connections (Redis) and timers. */
  close(): Promise<void> {
    return this.#stores.close();
  }

  async #context(appKey: string): Promise<AppContext> {
    const app = await this.#stores.context(appKey);
    this.#globalOffsetMs = app.globalOffsetMs;
    return app;
  }

  /**
   * A Symmetric-Key that does not unwrap under the key version it names, tried once more under
   * the other keys a client could have confused it with: the current key of the same service
   * (it sent a stale X-Key-Version) and the current key of the other service (it fetched the
   * wrong public key). Only keys already issued, and only after a failure: a good request pays
   * nothing, a bad one at most two more RSA operations. The answer stays 4000302.
   */
  async #wrappedWithAnotherKey(wrapped: Buffer, app: AppContext, endpoint: Endpoint, named: IssuedKey): Promise<OcrError | undefined> {
    const service: ServiceName = endpoint === 'credit-card' ? 'credit-card' : 'id-card';
    const other: ServiceName = service === 'credit-card' ? 'id-card' : 'credit-card';
    const candidates: [ServiceName, IssuedKey | undefined][] = [
      [service, await this.#issuedCurrent(app, service)],
      [other, await this.#issuedCurrent(app, other)],
    ];
    for (const [owner, candidate] of candidates) {
      if (!candidate || candidate.publicKeyBase64 === named.publicKeyBase64 || candidate.modulusBytes !== wrapped.length) continue;
      try {
        symmetricKeyFromBlock(await this.rsa.decrypt(wrapped, candidate.privateKey));
      } catch {
        continue;
      }
      const said =
        owner === service
          ? `Symmetric-Key was wrapped with ${service} key version ${candidate.version}, but X-Key-Version says ${named.version}: send the version of the key that wrapped it`
          : `Symmetric-Key was wrapped with the ${other} public key (version ${candidate.version}); ${endpoint} takes the ${service} key: GET /v2.0/appkeys/{appKey}/public-keys/${service}`;
      return new OcrError('INVALID_SYMMETRIC_KEY', said);
    }
    return undefined;
  }

  /** The current key of a service if one was issued (never makes one): the newest version, as rotation and revocation keep it. */
  async #issuedCurrent(app: AppContext, service: ServiceName): Promise<IssuedKey | undefined> {
    return this.#stores.keys.currentNow?.(app, service) ?? (await this.#stores.keys.list(app, service)).at(-1);
  }

  #issuesRequestKey(idType: IdType, outcome: Outcome | undefined): boolean {
    if (outcome?.requestKey === false) return false;
    return idType !== 'passport' || this.behaviour.passportAuthenticity;
  }

  async #select(trace: Trace, input: SelectionInput, app: AppContext): Promise<Selection | undefined> {
    const selection = await this.#book.select(input, app);
    if (selection) trace.scenario = { name: selection.scenario.name, reason: selection.reason, call: selection.call };
    return selection;
  }

  #scriptedFailure(trace: Trace, selection: Selection): Reply {
    const key = selection.outcome.error as ErrorKey;
    trace.diagnosis = `scripted by scenario "${selection.scenario.name}" (call ${selection.call + 1})`;
    return withTiming(selection, { body: failureBody(key) });
  }
}

/** How far the emulator clock may go (see {@link OcrEngine.advanceClock}). */
const LATEST_CLOCK_MS = Date.UTC(9000, 0, 1);

/** Why an appKey cannot be registered, and what to do. */
export class RegistrationError extends Error {
  override name = 'RegistrationError';
  constructor(
    readonly kind: 'invalid' | 'conflict' | 'full',
    message: string,
  ) {
    super(message);
  }
}

/** A registered appKey goes in URL paths: unreserved characters only (RFC 3986 section 2.3). */
const APPKEY_PATTERN = /^[A-Za-z0-9._~-]{1,128}$/;
/** A registered secret key goes in the `Authorization` header: visible ASCII, no spaces. */
const SECRET_PATTERN = /^[\x21-\x7e]{1,256}$/;

/**
 * Why an appKey and secret key cannot be registered, or `undefined` when they can.
 * @example registrationProblem('worker 1', 's') // 'appKey must be 1 to 128 characters of ...'
 */
export function registrationProblem(appKey: unknown, secretKey: unknown): string | undefined {
  if (typeof appKey !== 'string' || !APPKEY_PATTERN.test(appKey)) return 'appKey must be 1 to 128 characters of A-Z a-z 0-9 . _ ~ - (it goes in URL paths)';
  if (typeof secretKey !== 'string' || !SECRET_PATTERN.test(secretKey))
    return 'secretKey must be 1 to 256 visible ASCII characters, no spaces (it goes in a header)';
  return undefined;
}

/** The memory stores an engine makes when it is given none. */
function defaultStores(options: EngineOptions): StateStores {
  return memoryStores({
    keyFactory: options.keyFactory,
    random: options.random,
    wall: options.wall,
    requestKeyTtlSeconds: options.requestKeyTtlSeconds ?? 3600,
    scenarioState: bookState(options.scenarios),
  });
}

/** The memory state of a book handed in without stores (a book on Redis state needs the Redis stores). */
function bookState(book: ScenarioBook | undefined): MemoryScenarioState | undefined {
  if (!book) return undefined;
  if (book.state instanceof MemoryScenarioState) return book.state;
  throw new Error('a ScenarioBook whose state is not in memory needs the stores it lives in (EngineOptions.stores)');
}

/** The journal's diagnosis of a verdict of not authentic. */
function notAuthentic(mismatches: readonly string[]): string {
  if (!mismatches.length) return 'not authentic: scripted';
  const one = mismatches.length === 1;
  return `not authentic: ${mismatches.join(', ')} ${one ? 'differs' : 'differ'} from the recognised value${one ? '' : 's'}`;
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
