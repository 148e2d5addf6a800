/**
 * The emulated API, free of HTTP: the public key, the envelope, the image analyses, the
 * authenticity check and the v2.1 token issuer. The pipeline (server/http/pipeline.ts) hands it
 * plain values and renders what it returns. Checks run in the order of the condition-to-code
 * table (docs/emulated-api.md, "Which condition gets which code"); the first that applies
 * answers. Scripted outcomes (scenarios) apply only once a request has passed every check, so a
 * broken client always sees its own mistake first.
 *
 * What a call learns on the way for the journal (the scenario played, the envelope's facts, the
 * Request-Key, why it failed) is returned with its reply ({@link Reply.learned}) or carried by
 * the error it fails with ({@link CallFailed}); the service writes nothing outside itself.
 */
import { secretKeyAuth, tokenAuth, type ApiVersion, type AuthHeaders, type Authenticator } from './auth.js';
import { readAuthenticityBody, digitsOnly, mismatchedFields, parseAuthenticityJson, type AuthenticityRequest } from './authenticity.js';
import type { CoreState } from './core-state.js';
import { creditCardResult } from './credit-card.js';
import { explainImageFailure, keysSinceHint } from './diagnosis.js';
import { aesDecrypt, decodeWrappedKey, encryptValue, symmetricKeyFromBlock } from './envelope.js';
import { failureBody, OcrError, successBody, type ErrorKey } from './errors.js';
import { idCardResult, type IdType } from './id-card.js';
import { inspectImage, type ImageInfo } from './image-info.js';
import type { EnvelopeFacts, JournalEntry } from './journal.js';
import { isServiceName, type IssuedKey, type ServiceName } from './key-store.js';
import { creditCardReadingFor, idCardReadingFor, playedCreditCardResult, playedIdCardResult } from './readings.js';
import { maskRequestKey } from './request-key-ledger.js';
import type { ScenarioBook, Selection, SelectionInput } from './scenarios/book.js';
import type { Endpoint, Outcome } from './scenarios/schema.js';
import type { AppContext, ClaimedRequestKey } from './stores/types.js';
import type { TokenAnswer, TokenForm, TokenIssuer } from './token-issuer.js';

/** Request headers the service reads, by lower-case name. */
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

/** What a call learned for the journal, beyond what its route says (version, endpoint, appKey). */
export type Learned = Partial<Pick<JournalEntry, 'scenario' | 'diagnosis' | 'requestKey'>> & { envelope?: EnvelopeFacts };

/** An opened envelope: the caller's symmetric key and the key version that unwrapped it. */
export interface Envelope {
  /** The request's context: its appKey, its clock, its state's generation. */
  app: AppContext;
  service: ServiceName;
  symmetricKey: Buffer;
  key: IssuedKey;
  scenarioHeader?: string | undefined;
  /** What the call learned so far; the analysis adds to it. */
  learned: Learned;
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
  /** What the call learned, for the journal. */
  learned?: Learned | undefined;
}

/**
 * A call that failed, with what it had learned by then: `reason` is what it failed with (an
 * OcrError, an OAuthError, a ScenarioError, or a fault).
 * @example if (error instanceof CallFailed) journal(error.learned)
 */
export class CallFailed extends Error {
  override name = 'CallFailed';
  constructor(
    readonly reason: unknown,
    readonly learned: Learned,
  ) {
    super(reason instanceof Error ? reason.message : String(reason));
  }
}

/** The public-key answer's `result`. */
export interface PublicKeyResult {
  key: string;
  version: string;
}

/** What the service needs: the shared state, the scenarios, the token issuer, and how it journals values. */
export interface ServiceOptions {
  state: CoreState;
  scenarios: ScenarioBook;
  tokens: TokenIssuer;
  /** Keep authenticity values in the journal instead of masking them. */
  journalValues: boolean;
}

/**
 * The emulated OCR API.
 * @example
 * const { service } = createEngine({ credentials: new Map([['emulator-appkey', 'emulator-secretkey']]) });
 * const reply = await service.publicKey({ api: 'v2.0', appKey: 'emulator-appkey', headers: { authorization: 'emulator-secretkey' } }, 'credit-card');
 */
export class OcrService {
  readonly #state: CoreState;
  readonly #book: ScenarioBook;
  readonly #tokens: TokenIssuer;
  readonly #auth: Record<ApiVersion, Authenticator>;
  readonly #journalValues: boolean;

  constructor(options: ServiceOptions) {
    this.#state = options.state;
    this.#book = options.scenarios;
    this.#tokens = options.tokens;
    this.#journalValues = options.journalValues;
    const { stores, credentials } = this.#state;
    // Tokens are the issuer's: checked on the clock they were issued on, without the appKey's own offset.
    const issuerNow = (app: AppContext) => stores.wall.now() + app.globalOffsetMs;
    this.#auth = { 'v2.0': secretKeyAuth(credentials), 'v2.1': tokenAuth(this.#tokens, credentials, issuerNow) };
  }

  /** `GET /v2.x/appkeys/{appKey}/public-keys/{serviceName}`. */
  async publicKey(call: ApiCall, serviceName: string): Promise<Reply> {
    const learned: Learned = {};
    try {
      const begun = this.#begin(call);
      const app = begun instanceof Promise ? await begun : begun;
      if (!isServiceName(serviceName)) {
        throw new OcrError('INVALID_PARAMETER', `serviceName "${serviceName}" is neither credit-card nor id-card`);
      }
      const input: SelectionInput = { endpoint: 'public-key', header: call.headers['x-emulator-scenario'] };
      // The call every client makes first and load tests most: no scenario, no waiting for one.
      const scripted = this.#book.mayPick(input, app) ? await this.#select(learned, input, app) : undefined;
      if (scripted?.outcome.error) return this.#scriptedFailure(learned, scripted);
      const { keys } = this.#state.stores;
      const key = keys.currentNow?.(app, serviceName) ?? (await keys.current(app, serviceName));
      return withTiming(scripted, { body: successBody({ key: key.publicKeyBase64, version: key.version }), learned });
    } catch (error) {
      throw new CallFailed(error, learned);
    }
  }

  /**
   * Authenticates and unwraps the Symmetric-Key of a POST: every header check, before the body
   * is read (a body that is too large answers only after these). The version is checked before
   * the key cache is asked, so a revoked version answers 4000301 even when its keys are cached.
   */
  async openEnvelope(endpoint: Endpoint, call: ApiCall): Promise<Envelope> {
    // One async frame (the hot path of every upload): the checks inline, their failure wrapped here.
    const learned: Learned = {};
    try {
      const { headers } = call;
      const service: ServiceName = endpoint === 'credit-card' ? 'credit-card' : 'id-card';
      const app = await this.#begin(call);
      const required =
        endpoint === 'id-card/authenticity' ? (['x-key-version', 'symmetric-key', 'request-key'] as const) : (['x-key-version', 'symmetric-key'] as const);
      for (const name of required) {
        if (!headers[name]) throw new OcrError('MISSING_REQUIRED_HEADER', `${HEADER_LABELS[name]} header is missing`);
      }
      const version = headers['x-key-version']!;
      learned.envelope = { keyVersion: version };
      const key = await this.#issuedVersion(app, service, version);
      const header = headers['symmetric-key']!;
      const { keyCache, rsa } = this.#state;
      let symmetricKey = keyCache.get(header, key);
      if (!symmetricKey) {
        const wrapped = decodeWrappedKey(header, key.modulusBytes);
        let unwrapped: Buffer;
        try {
          unwrapped = symmetricKeyFromBlock(await rsa.decrypt(wrapped, key.privateKey));
        } catch (error) {
          throw (await this.#wrappedWithAnotherKey(wrapped, app, endpoint, key)) ?? error;
        }
        symmetricKey = keyCache.set(header, key, unwrapped);
        // Revoked while the RSA operation ran elsewhere: answer as if it had been revoked before.
        if (key.revoked) throw new OcrError('INVALID_KEY_VERSION', `X-Key-Version ${version} was revoked`);
      }
      learned.envelope.symmetricKeyBytes = symmetricKey.length;
      return { app, service, symmetricKey, key, scenarioHeader: headers['x-emulator-scenario'], learned };
    } catch (error) {
      throw new CallFailed(error, learned);
    }
  }

  /** `POST /v2.0/appkeys/{appKey}/credit-card` after the envelope is open. */
  async analyzeCreditCard(envelope: Envelope, upload: Upload | undefined): Promise<Reply> {
    const { learned } = envelope;
    try {
      const info = this.#openImage(envelope, upload);
      const scripted = await this.#select(learned, { endpoint: 'credit-card', header: envelope.scenarioHeader, imageSha256: info.sha256 }, envelope.app);
      if (scripted?.outcome.error) return this.#scriptedFailure(learned, scripted);
      // A recorded answer (record mode) plays as it was read, its values encrypted for this caller.
      if (scripted?.outcome.result) {
        const played = playedCreditCardResult(scripted.outcome.result, (v) => encryptValue(envelope.symmetricKey, v));
        return withTiming(scripted, { body: successBody(played), learned });
      }
      const reading = creditCardReadingFor(info, envelope.app.now, scripted?.outcome.creditCard);
      return withTiming(scripted, { body: successBody(creditCardResult(reading, info, (v) => encryptValue(envelope.symmetricKey, v))), learned });
    } catch (error) {
      throw new CallFailed(error, learned);
    }
  }

  /** `POST .../id-card` (with a Request-Key) and `.../id-card/stand-alone` (never one). */
  async analyzeIdCard(envelope: Envelope, upload: Upload | undefined, standAlone: boolean): Promise<Reply> {
    const { learned } = envelope;
    try {
      return await this.#analyzeIdCard(envelope, upload, standAlone);
    } catch (error) {
      throw new CallFailed(error, learned);
    }
  }

  /**
   * `POST .../id-card/authenticity` after the envelope is open; `bodyText` is the raw JSON. The
   * Request-Key is claimed once the body has been read, then consumed if the call succeeds or
   * released if it fails: a call that fails leaves the key usable (the guide: "get a normal
   * response"), and of concurrent calls with one key exactly one can succeed.
   */
  async authenticity(envelope: Envelope, bodyText: string, requestKey: string): Promise<Reply> {
    const { learned } = envelope;
    try {
      return await this.#authenticity(envelope, bodyText, requestKey);
    } catch (error) {
      throw new CallFailed(error, learned);
    }
  }

  /** `POST /oauth2/token/create`: a token for a User Access Key (or an OAuthError). */
  async createToken(authorization: string | undefined, form: TokenForm): Promise<TokenAnswer> {
    this.assertServed('v2.1');
    const { stores } = this.#state;
    return this.#tokens.create(authorization, form, async () => stores.wall.now() + (await stores.clock.offsets()).globalMs);
  }

  /** `POST /oauth2/token/revoke`. */
  async revokeToken(authorization: string | undefined, form: TokenForm): Promise<void> {
    this.assertServed('v2.1');
    await this.#tokens.revoke(authorization, form);
  }

  /** 4041007 for a version or the token issuer before it existed (api-date.ts). */
  assertServed(api: ApiVersion): void {
    const { behaviour } = this.#state;
    if (api === 'v2.1' && !behaviour.v21) {
      throw new OcrError('URL_NOT_FOUND', `v2.1 and the token issuer were released on 2026-03-10; EMULATOR_API_DATE is ${behaviour.date}`);
    }
  }

  /**
   * The checks every call starts with: the version exists on the emulated date (4041007 before
   * v2.1's release), then the appKey's context is read (once, for the whole request), then the
   * version's authentication (auth.ts). Without a promise where nothing has to wait (memory
   * stores, v2.0): the public-key call, the most frequent, costs no more than before the state
   * moved behind async stores.
   */
  #begin(call: ApiCall): AppContext | Promise<AppContext> {
    this.assertServed(call.api);
    const app = this.#state.stores.contextNow?.(call.appKey);
    if (!app) return this.#state.context(call.appKey).then((read) => this.#authenticated(read, call));
    this.#state.globalOffsetMs = app.globalOffsetMs;
    return this.#authenticated(app, call);
  }

  #authenticated(app: AppContext, call: ApiCall): AppContext | Promise<AppContext> {
    const checked = this.#auth[call.api].authenticate(app, call.headers);
    return checked ? checked.then(() => app) : app;
  }

  /** The key version a request names: 4000301 when it was never issued or was revoked. */
  async #issuedVersion(app: AppContext, service: ServiceName, version: string): Promise<IssuedKey> {
    const { keys } = this.#state.stores;
    const key = await keys.find(app, service, version);
    if (!key) {
      const issued = (await keys.list(app, service)).map((k) => k.version);
      const hint = issued.length ? `issued: ${issued.join(', ')}` : `no ${service} key was issued yet: GET the public key first`;
      const since = keysSinceHint(this.#state.keysSinceOf.get(app.appKey) ?? this.#state.keysSince);
      throw new OcrError('INVALID_KEY_VERSION', `X-Key-Version ${version} was never issued for ${service} of appKey "${app.appKey}" (${hint}); ${since}`);
    }
    if (key.revoked) throw new OcrError('INVALID_KEY_VERSION', `X-Key-Version ${version} was revoked`);
    return key;
  }

  /** Decrypts and inspects the `image` upload: 4000001 missing, 4000004 empty, 4000303, 4000003. */
  #openImage(envelope: Envelope, upload: Upload | undefined): ImageInfo {
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
    const facts = (envelope.learned.envelope ??= { keyVersion: envelope.key.version });
    facts.image = { fileType, width, height, bytes, sha256 };
    return info;
  }

  async #analyzeIdCard(envelope: Envelope, upload: Upload | undefined, standAlone: boolean): Promise<Reply> {
    const { learned } = envelope;
    const endpoint = standAlone ? 'id-card/stand-alone' : 'id-card';
    const info = this.#openImage(envelope, upload);
    const scripted = await this.#select(learned, { endpoint, header: envelope.scenarioHeader, imageSha256: info.sha256 }, envelope.app);
    if (scripted?.outcome.error) return this.#scriptedFailure(learned, scripted);
    const { stores } = this.#state;
    const { result, idType, values } = this.#idCardAnswer(info, envelope, scripted?.outcome);
    const reply = withTiming(scripted, { body: successBody(result), learned });
    if (!standAlone && this.#issuesRequestKey(idType, scripted?.outcome)) {
      const verdict = scripted?.outcome.authenticity;
      const requestKey = await stores.requestKeys.issue(envelope.app, {
        idType,
        values,
        verdict: typeof verdict === 'boolean' ? verdict : undefined,
      });
      reply.headers = { 'Request-Key': requestKey };
      learned.requestKey = { issued: true, ref: maskRequestKey(requestKey) };
    }
    return reply;
  }

  /** An ID-card result (a recorded one as it was recorded), its idType and its plaintext values. */
  #idCardAnswer(info: ImageInfo, envelope: Envelope, outcome: Outcome | undefined): { result: unknown; idType: IdType; values: Record<string, string> } {
    const encrypt = (v: string) => encryptValue(envelope.symmetricKey, v);
    const bbox = this.#state.behaviour.keyValueBbox;
    if (outcome?.result) return playedIdCardResult(outcome.result, encrypt, { bbox });
    const reading = idCardReadingFor(info, envelope.app.now, outcome?.idCard);
    const result = idCardResult(reading, info, encrypt, { bbox });
    return { result, idType: reading.idType, values: Object.fromEntries(reading.keyValues.map((kv) => [kv.key, kv.value])) };
  }

  async #authenticity(envelope: Envelope, bodyText: string, requestKey: string): Promise<Reply> {
    const { learned } = envelope;
    const { requestKeys } = this.#state.stores;
    learned.requestKey = { ref: maskRequestKey(requestKey) };
    const request = this.#readAuthenticity(envelope, bodyText);
    const claimed = await requestKeys.claim(envelope.app, requestKey);
    let used = false;
    try {
      const { reply, succeeded } = await this.#verdict(envelope, request, claimed);
      if (succeeded) {
        await requestKeys.consume(claimed);
        used = true;
        learned.requestKey = { ...learned.requestKey, used: true };
      }
      return reply;
    } finally {
      if (!used) await requestKeys.release(claimed);
    }
  }

  /**
   * The authenticity body: 4000001 for what is too large, too deep, not JSON or lacks a field
   * (refused before parsing or decrypting anything), 4000303 for what does not decrypt.
   */
  #readAuthenticity(envelope: Envelope, bodyText: string): AuthenticityRequest {
    const { behaviour } = this.#state;
    const request = readAuthenticityBody(parseAuthenticityJson(bodyText), envelope.symmetricKey, {
      passport: behaviour.passportAuthenticity,
      serialNumRequired: !behaviour.serialNumOptional,
    });
    const fields = Object.fromEntries(Object.entries(request.fields).map(([k, v]) => [k, this.#journalValues ? v : mask(v)]));
    envelope.learned.envelope = { ...envelope.learned.envelope, authenticity: { idType: request.idType, fields } };
    return request;
  }

  /** The verdict for a claimed key: scripted, or the submitted values against the recognised ones, with the resident lock. */
  async #verdict(envelope: Envelope, request: AuthenticityRequest, entry: ClaimedRequestKey): Promise<{ reply: Reply; succeeded: boolean }> {
    const { app, learned } = envelope;
    const { behaviour, stores } = this.#state;
    const scripted = await this.#select(learned, { endpoint: 'id-card/authenticity', header: envelope.scenarioHeader }, app);
    if (scripted?.outcome.error) return { reply: this.#scriptedFailure(learned, scripted), succeeded: false };
    const card = digitsOnly(request.fields['residentNumber']);
    const locking = request.idType === 'resident' && behaviour.residentLock;
    if (locking) await stores.locks.assertOpen(app, card);
    const mismatches = mismatchedFields(request, entry.idType, entry.values);
    const forced = scripted?.outcome.authenticity;
    const isAuthenticity = typeof forced === 'boolean' ? forced : (entry.verdict ?? mismatches.length === 0);
    if (locking && typeof forced !== 'boolean' && entry.verdict === undefined) await stores.locks.record(app, card, mismatches);
    if (!isAuthenticity) learned.diagnosis = notAuthentic(mismatches);
    return { reply: withTiming(scripted, { body: successBody({ isAuthenticity }), learned }), succeeded: true };
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
        symmetricKeyFromBlock(await this.#state.rsa.decrypt(wrapped, candidate.privateKey));
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
    const { keys } = this.#state.stores;
    return keys.currentNow?.(app, service) ?? (await keys.list(app, service)).at(-1);
  }

  #issuesRequestKey(idType: IdType, outcome: Outcome | undefined): boolean {
    if (outcome?.requestKey === false) return false;
    return idType !== 'passport' || this.#state.behaviour.passportAuthenticity;
  }

  async #select(learned: Learned, input: SelectionInput, app: AppContext): Promise<Selection | undefined> {
    const selection = await this.#book.select(input, app);
    if (selection) learned.scenario = { name: selection.scenario.name, reason: selection.reason, call: selection.call };
    return selection;
  }

  #scriptedFailure(learned: Learned, selection: Selection): Reply {
    const key = selection.outcome.error as ErrorKey;
    learned.diagnosis = `scripted by scenario "${selection.scenario.name}" (call ${selection.call + 1})`;
    return withTiming(selection, { body: failureBody(key), learned });
  }
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
