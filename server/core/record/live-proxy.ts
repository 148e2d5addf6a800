/**
 * Record mode (docs/record-live-service.md): calls are forwarded to the live service (the
 * target) through the envelope, and answers become scenarios. Free of HTTP: the request to the
 * target is a function handed in (`TargetFetch`), and so is the writing of recordings.
 *
 * The envelope is the point. A client wraps its AES key for the public key it was given; a
 * plain recording proxy cannot read what it relays. Here the client is given the emulator's own
 * public key (under the target's version string, so nothing else changes for it), and each
 * Symmetric-Key is unwrapped with the emulator's private key and wrapped again for the target's
 * public key of that version (TOAST-DOCS/OCR en/document-ocr-api-guide-v2.0.md, "Caution":
 * RSA/ECB/PKCS1Padding). The image itself is forwarded as it came (still encrypted under the
 * client's AES key, which the target now unwraps), and the answer is relayed unchanged: the
 * client decrypts the target's values with its own key. The proxy decrypts them too, with the
 * same key, to write them down.
 *
 * The caller's secret key, tokens and live Request-Keys pass through and are never kept beyond
 * the call: the target's public keys are cached by appKey, service and version (they are
 * public), and the Request-Key to image map holds digests of the Request-Keys.
 */
import { constants, createHash, createPublicKey, publicEncrypt, type KeyObject } from 'node:crypto';
import type { ApiVersion } from '../auth.js';
import { aesDecrypt, rsaRawDecrypt, stripPkcs1Type2 } from '../envelope.js';
import { failureBody, type ErrorKey } from '../errors.js';
import { inspectImage } from '../image-info.js';
import { type IssuedKey, isServiceName, type ServiceName } from '../key-store.js';
import type { Redactor } from './redact.js';
import {
  plaintextResult,
  RECORDED_FAILURE_CODES,
  recordedScenario,
  recordingName,
  redactedResult,
  withAuthenticity,
  type ImageEndpoint,
  type RecordedScenario,
} from './recording.js';

/** A request to the target (or the token issuer). */
export interface TargetRequest {
  url: string;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: Buffer | undefined;
}

/** The target's answer as it came. */
export interface TargetAnswer {
  status: number;
  /** Lower-case names. */
  headers: Record<string, string>;
  body: Buffer;
}

/**
 * Why the target gave no answer: it could not be reached, or it did not answer in time.
 * @example throw new TargetUnavailable('timeout', 'no answer within 30000 ms')
 */
export class TargetUnavailable extends Error {
  override name = 'TargetUnavailable';
  constructor(
    readonly kind: 'unreachable' | 'timeout',
    message: string,
  ) {
    super(message);
  }
}

/** Sends a request to the target; rejects with {@link TargetUnavailable}. */
export type TargetFetch = (request: TargetRequest) => Promise<TargetAnswer>;

/** What the journal shows of a forwarded call: never credentials, tokens or Request-Keys. */
export interface ForwardFacts {
  /** The host forwarded to. */
  host: string;
  /** Requests sent to it for this call (a key lookup and the call itself, say). */
  calls: number;
  /** Time spent waiting for it. */
  latencyMs: number;
  /** Its HTTP status and result code, when it answered. */
  status?: number | undefined;
  resultCode?: number | undefined;
  /** The recording written (its file name), or why nothing was. */
  recorded?: string | undefined;
  notRecorded?: string | undefined;
}

/** What the client is answered, and what the journal shows. */
export interface ProxyAnswer {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  /** Set when the answer is the proxy's own failure rather than the target's. */
  diagnosis?: string | undefined;
  /** The result code the client sees (undefined for the token issuer). */
  resultCode?: number | undefined;
  forwarded: ForwardFacts;
}

/** An API call as the HTTP side read it. */
export interface ProxyCall {
  api: ApiVersion;
  appKey: string;
  /** The request path as it came, query included: forwarded unchanged. */
  path: string;
  /** Lower-case request headers. */
  headers: Record<string, string | undefined>;
}

/** Where recordings go. */
export interface RecordingSink {
  /** Writes (or replaces) a recording; resolves with the file it went to. */
  save(name: string, scenario: RecordedScenario): Promise<string>;
  /** The recording of that name made before, if any (and readable). */
  load(name: string): Promise<RecordedScenario | undefined>;
}

/** What the proxy needs. */
export interface LiveProxyOptions {
  /** The live API's base URL, e.g. `https://api-ocr.nhncloudservice.com`. */
  target: string;
  /** The token issuer's base URL. */
  oauth: string;
  fetch: TargetFetch;
  /** The emulator's own current key of an appKey and service: the one handed to clients. */
  ownKey(appKey: string, service: ServiceName): Promise<IssuedKey>;
  /** Replaces personal values; `undefined` keeps them (EMULATOR_RECORD_KEEP_VALUES=on). */
  redactor: Redactor | undefined;
  sink: RecordingSink;
  /** Most requests sent to the target (undefined: no bound). */
  maxCalls?: number | undefined;
  now(): number;
}

/** The headers a client's API call carries that the target reads: credentials and the envelope's. */
const FORWARDED_HEADERS = ['authorization', 'x-nhn-authorization', 'content-type', 'x-key-version', 'symmetric-key', 'request-key'] as const;
/** The answer headers relayed to the client. */
const RELAYED_HEADERS = ['content-type', 'request-key', 'cache-control', 'pragma', 'www-authenticate'] as const;
/** How many Request-Keys are remembered for tying authenticity answers to images (oldest forgotten first). */
const MAX_REMEMBERED_REQUEST_KEYS = 10_000;

/**
 * The recording proxy.
 * @example
 * const proxy = new LiveProxy({ target, oauth, fetch, ownKey: (a, s) => engine.currentKey(a, s), redactor, sink, now: Date.now });
 * const answer = await proxy.publicKey(call, 'credit-card');
 */
export class LiveProxy {
  readonly host: string;
  readonly oauthHost: string;
  /** Requests sent to the target so far. */
  calls = 0;
  readonly #options: LiveProxyOptions;
  /** The target's public keys by appKey, service and version. */
  readonly #targetKeys = new Map<string, KeyObject>();
  /** Recordings of /id-card answers by the digest of the Request-Key they carried. */
  readonly #byRequestKey = new Map<string, { name: string; scenario: RecordedScenario }>();

  constructor(options: LiveProxyOptions) {
    this.#options = options;
    this.host = new URL(options.target).host;
    this.oauthHost = new URL(options.oauth).host;
  }

  /**
   * `GET .../public-keys/{serviceName}`: forwarded every time (the target's answer to these
   * credentials now: a revoked token is refused at once), and on success answered with the
   * emulator's own key under the target's version; a failure is relayed as the target gave it.
   */
  async publicKey(call: ProxyCall, serviceName: string): Promise<ProxyAnswer> {
    const facts = this.#facts(this.host);
    const looked = await this.#lookUp(call, serviceName, facts);
    if ('answer' in looked) return looked.answer;
    const own = await this.#options.ownKey(call.appKey, serviceName as ServiceName);
    const result = looked.body['result'] as Record<string, unknown>;
    const text = JSON.stringify({ ...looked.body, result: { ...result, key: own.publicKeyBase64 } });
    facts.notRecorded = "a public key is the emulator's own";
    return { status: 200, headers: pick(looked.headers, ['content-type']), body: Buffer.from(text), resultCode: 0, forwarded: round(facts) };
  }

  /**
   * A POST through the envelope: the Symmetric-Key wrapped again for the target, everything
   * else forwarded as it came, the answer relayed unchanged, and recorded when it is a result
   * (or an image failure) of an image endpoint, or an authenticity verdict for a Request-Key
   * this proxy relayed.
   * @param image the multipart `image` part as sent (AES ciphertext), when the body has one
   */
  async envelopeCall(call: ProxyCall, endpoint: ImageEndpoint | 'id-card/authenticity', body: Buffer, image: Buffer | undefined): Promise<ProxyAnswer> {
    const facts = this.#facts(this.host);
    const service: ServiceName = endpoint === 'credit-card' ? 'credit-card' : 'id-card';
    const headers = pick(call.headers, FORWARDED_HEADERS);
    const symmetricKey = await this.#unwrap(call, service);
    if (symmetricKey) {
      const version = call.headers['x-key-version'] ?? '';
      const target = await this.#targetKey(call, service, version, facts);
      if ('answer' in target) return target.answer;
      headers['symmetric-key'] = publicEncrypt({ key: target.key, padding: constants.RSA_PKCS1_PADDING }, symmetricKey).toString('base64');
    }
    const sent = await this.#send({ url: this.#options.target + call.path, method: 'POST', headers, body }, facts);
    if ('answer' in sent) return sent.answer;
    const { reply: answer, json } = sent;
    if (symmetricKey?.length !== 32) {
      facts.notRecorded = 'the Symmetric-Key did not unwrap to 32 bytes under the key the emulator handed out';
    } else {
      try {
        if (endpoint === 'id-card/authenticity') await this.#recordVerdict(call, json, facts);
        else await this.#recordImage(call, endpoint, symmetricKey, image, answer, json, facts);
      } catch (error) {
        facts.recorded = undefined;
        facts.notRecorded = `recording failed: ${(error as Error).message}`;
      }
    }
    return this.#relay(answer, json.header.resultCode, facts);
  }

  /** `POST /oauth2/token/...`: forwarded to the token issuer and relayed; not counted, never recorded. */
  async token(path: string, headers: Record<string, string | undefined>, body: Buffer): Promise<ProxyAnswer> {
    const facts = this.#facts(this.oauthHost);
    facts.notRecorded = 'token calls are not recorded';
    const started = performance.now();
    try {
      const answer = await this.#options.fetch({
        url: this.#options.oauth + path,
        method: 'POST',
        headers: pick(headers, ['authorization', 'content-type']),
        body,
      });
      facts.latencyMs += performance.now() - started;
      facts.calls++;
      facts.status = answer.status;
      return { status: answer.status, headers: pick(answer.headers, RELAYED_HEADERS), body: answer.body, forwarded: round(facts) };
    } catch (error) {
      facts.latencyMs += performance.now() - started;
      const diagnosis = `the token issuer ${this.oauthHost} ${unavailableText(error)}; nothing recorded`;
      const text = JSON.stringify({ error: 'temporarily_unavailable', error_description: diagnosis });
      return {
        status: 503,
        headers: { 'content-type': 'application/json', 'cache-control': 'no-store', pragma: 'no-cache' },
        body: Buffer.from(text),
        diagnosis,
        forwarded: round(facts),
      };
    }
  }

  #facts(host: string): ForwardFacts {
    return { host, calls: 0, latencyMs: 0 };
  }

  /** The target's public-key answer for the caller, or the answer to give the client instead. */
  async #lookUp(
    call: ProxyCall,
    serviceName: string,
    facts: ForwardFacts,
  ): Promise<{ body: Record<string, unknown>; headers: Record<string, string> } | { answer: ProxyAnswer }> {
    const url = `${this.#options.target}/${call.api}/appkeys/${call.appKey}/public-keys/${serviceName}`;
    const sent = await this.#send({ url, method: 'GET', headers: pick(call.headers, ['authorization', 'x-nhn-authorization']) }, facts);
    if ('answer' in sent) return sent;
    const { reply: answer, json } = sent;
    const result = json.result as Record<string, unknown> | undefined;
    if (json.header.resultCode !== 0 || !isServiceName(serviceName)) {
      facts.notRecorded = 'the target refused the public-key call';
      return { answer: this.#relay(answer, json.header.resultCode, facts) };
    }
    if (typeof result?.['key'] !== 'string' || typeof result['version'] !== 'string') {
      return { answer: this.#failure('API_TEMPORARILY_UNAVAILABLE', `the target's public-key answer has no key and version strings`, facts) };
    }
    try {
      const key = createPublicKey({ key: Buffer.from(result['key'], 'base64'), format: 'der', type: 'spki' });
      this.#targetKeys.set(`${call.appKey}\u0000${serviceName}\u0000${result['version']}`, key);
    } catch {
      return { answer: this.#failure('API_TEMPORARILY_UNAVAILABLE', `the target's public key is not a DER SubjectPublicKeyInfo`, facts) };
    }
    return { body: json as unknown as Record<string, unknown>, headers: answer.headers };
  }

  /**
   * The target's public key for a version the client named: cached, else looked up with the
   * caller's credentials. The target hands out only its current key: when that is of another
   * version, the Symmetric-Key is wrapped with it all the same and X-Key-Version forwarded as
   * sent, so the target answers what it answers a wrong version (4000301).
   */
  async #targetKey(call: ProxyCall, service: ServiceName, version: string, facts: ForwardFacts): Promise<{ key: KeyObject } | { answer: ProxyAnswer }> {
    const cached = this.#targetKeys.get(`${call.appKey}\u0000${service}\u0000${version}`);
    if (cached) return { key: cached };
    const looked = await this.#lookUp(call, service, facts);
    if ('answer' in looked) return looked;
    const result = looked.body['result'] as { version: string };
    return { key: this.#targetKeys.get(`${call.appKey}\u0000${service}\u0000${result.version}`)! };
  }

  /**
   * The client's AES key, unwrapped with the emulator's key (any length: the target judges a
   * 16-byte key, as it would have). `undefined` when there is none or it does not unwrap (not
   * base64, another key, OAEP): the header is then forwarded as sent, and the target answers it.
   */
  async #unwrap(call: ProxyCall, service: ServiceName): Promise<Buffer | undefined> {
    const header = call.headers['symmetric-key'];
    if (!header || !/^[A-Za-z0-9+/]+={0,2}$/.test(header)) return undefined;
    const own = await this.#options.ownKey(call.appKey, service);
    const wrapped = Buffer.from(header, 'base64');
    if (wrapped.length !== own.modulusBytes) return undefined;
    const block = rsaRawDecrypt(wrapped, own.privateKey);
    if (!block) return undefined;
    const stripped = stripPkcs1Type2(block);
    return 'message' in stripped && stripped.message.length <= own.modulusBytes - 11 ? Buffer.from(stripped.message) : undefined;
  }

  /** Sends one request to the target, within the budget; the parsed API answer, or the client's answer when there is none. */
  async #send(request: TargetRequest, facts: ForwardFacts): Promise<{ reply: TargetAnswer; json: ApiJson } | { answer: ProxyAnswer }> {
    const { maxCalls } = this.#options;
    if (maxCalls !== undefined && this.calls >= maxCalls) {
      facts.notRecorded = 'over the budget';
      return {
        answer: this.#failure(
          'API_CALL_LIMIT_EXCEEDED',
          `record mode has sent its ${maxCalls} calls to ${this.host} (EMULATOR_RECORD_MAX_CALLS); nothing forwarded: raise the budget or restart`,
          facts,
        ),
      };
    }
    this.calls++;
    facts.calls++;
    const started = performance.now();
    let answer: TargetAnswer;
    try {
      answer = await this.#options.fetch(request);
    } catch (error) {
      facts.latencyMs += performance.now() - started;
      return { answer: this.#failure('API_TEMPORARILY_UNAVAILABLE', `the target ${this.host} ${unavailableText(error)}; nothing recorded`, facts) };
    }
    facts.latencyMs += performance.now() - started;
    facts.status = answer.status;
    const json = apiJson(answer.body);
    if (!json) {
      const shown = answer.body.toString('utf8', 0, Math.min(answer.body.length, 60)).replace(/\s+/g, ' ');
      return {
        answer: this.#failure(
          'API_TEMPORARILY_UNAVAILABLE',
          `the target ${this.host} answered HTTP ${answer.status} with a body that is not the API's JSON (${answer.body.length} bytes: ${JSON.stringify(shown)}); nothing recorded`,
          facts,
        ),
      };
    }
    facts.resultCode = json.header.resultCode;
    return { reply: answer, json };
  }

  #relay(answer: TargetAnswer, resultCode: number, facts: ForwardFacts): ProxyAnswer {
    return { status: answer.status, headers: pick(answer.headers, RELAYED_HEADERS), body: answer.body, resultCode, forwarded: round(facts) };
  }

  #failure(key: ErrorKey, diagnosis: string, facts: ForwardFacts): ProxyAnswer {
    const body = failureBody(key);
    facts.notRecorded ??= 'no answer to record';
    return {
      status: 200,
      headers: { 'content-type': 'application/json;charset=UTF-8' },
      body: Buffer.from(JSON.stringify(body)),
      diagnosis,
      resultCode: body.header.resultCode,
      forwarded: round(facts),
    };
  }

  async #recordImage(
    call: ProxyCall,
    endpoint: ImageEndpoint,
    symmetricKey: Buffer,
    image: Buffer | undefined,
    answer: TargetAnswer,
    json: ApiJson,
    facts: ForwardFacts,
  ): Promise<void> {
    const code = json.header.resultCode;
    if (code !== 0 && !RECORDED_FAILURE_CODES.has(code)) {
      facts.notRecorded = `result code ${code} is about the request, not the image`;
      return;
    }
    if (!image) {
      facts.notRecorded = 'the body has no plain multipart "image" part to hash';
      return;
    }
    const sha256 = inspectImage(aesDecrypt(symmetricKey, image, 'image')).sha256;
    const recordedFacts = { at: new Date(this.#options.now()).toISOString(), target: this.host, api: call.api, redacted: this.#options.redactor !== undefined };
    let scenario: RecordedScenario;
    if (code === 0) {
      const plain = plaintextResult(endpoint, (json.result ?? {}) as Record<string, unknown>, symmetricKey);
      const result = this.#options.redactor ? redactedResult(endpoint, plain, this.#options.redactor) : plain;
      scenario = recordedScenario(endpoint, sha256, recordedFacts, { result });
    } else {
      scenario = recordedScenario(endpoint, sha256, recordedFacts, { error: code });
    }
    const name = recordingName(endpoint, sha256);
    // A verdict recorded for this image before stays until another is recorded.
    const earlier = endpoint === 'id-card' && code === 0 ? (await this.#options.sink.load(name))?.outcome?.authenticity : undefined;
    if (typeof earlier === 'boolean') scenario = withAuthenticity(scenario, earlier);
    facts.recorded = await this.#options.sink.save(name, scenario);
    const requestKey = answer.headers['request-key'];
    if (endpoint === 'id-card' && requestKey) this.#remember(digest(requestKey), { name, scenario });
  }

  async #recordVerdict(call: ProxyCall, json: ApiJson, facts: ForwardFacts): Promise<void> {
    const verdict = (json.result as { isAuthenticity?: unknown } | undefined)?.isAuthenticity;
    if (json.header.resultCode !== 0 || typeof verdict !== 'boolean') {
      facts.notRecorded = `result code ${json.header.resultCode} is about the request, not the image`;
      return;
    }
    const requestKey = call.headers['request-key'];
    const tied = requestKey ? this.#byRequestKey.get(digest(requestKey)) : undefined;
    if (!tied) {
      facts.notRecorded = 'its Request-Key came from no /id-card answer recorded by this run';
      return;
    }
    tied.scenario = withAuthenticity(tied.scenario, verdict);
    facts.recorded = await this.#options.sink.save(tied.name, tied.scenario);
  }

  #remember(key: string, recording: { name: string; scenario: RecordedScenario }): void {
    if (this.#byRequestKey.size >= MAX_REMEMBERED_REQUEST_KEYS) this.#byRequestKey.delete(this.#byRequestKey.keys().next().value!);
    this.#byRequestKey.set(key, recording);
  }
}

/** An API answer body: `{ header: { resultCode, ... }, result? }`. */
interface ApiJson {
  header: { resultCode: number; isSuccessful?: boolean; resultMessage?: string };
  result?: unknown;
}

/** The API answer in a body, or `undefined` when the body is not one. */
function apiJson(body: Buffer): ApiJson | undefined {
  try {
    const json = JSON.parse(body.toString('utf8')) as ApiJson;
    return typeof json === 'object' && json !== null && typeof json.header?.resultCode === 'number' ? json : undefined;
  } catch {
    return undefined;
  }
}

function pick(headers: Record<string, string | undefined>, names: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of names) {
    const value = headers[name];
    if (value !== undefined) out[name] = value;
  }
  return out;
}

function digest(text: string): string {
  return createHash('sha256').update(text).digest('base64');
}

function round(facts: ForwardFacts): ForwardFacts {
  return { ...facts, latencyMs: Math.round(facts.latencyMs * 100) / 100 };
}

function unavailableText(error: unknown): string {
  if (error instanceof TargetUnavailable)
    return error.kind === 'timeout' ? `did not answer in time (${error.message})` : `could not be reached (${error.message})`;
  return `could not be reached (${(error as Error).message})`;
}
