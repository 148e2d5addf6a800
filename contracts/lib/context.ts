/**
 * Builds the context a case runs in: the assertion helpers, the observation of answers for
 * parity snapshots, and the leniency of live runs ("an answer the docs allow is accepted").
 */
import { createDecipheriv } from 'node:crypto';
import type { ApiVersion, EmulatorControl, OcrClient, TokenIssuerOptions } from '../client/index.js';
import { AcceptedAnswer, CaseFailure, Divergence, SkippedCase, type Answer, type Basis, type CaseContext, type TargetInfo } from './case.js';
import type { ExchangeShape } from './compare.js';
import type { CaseImage, ImageSet } from './images.js';
import type { Recorder } from './recorder.js';
import { describeCode, RESULT_MESSAGES, TRANSIENT_CODES } from './result-codes.js';
import { BODY_LITERALS, BODY_OPAQUE, headerShapes, shapeOf } from './shape.js';

/** What the runner hands in. */
export interface ContextOptions {
  target: TargetInfo;
  basis: Basis;
  /** Default `v2.0`. */
  api?: ApiVersion;
  client: OcrClient;
  secondClient?: OcrClient | undefined;
  restrictedClient?: OcrClient | undefined;
  /** The counted fetch (default: the client's, else global fetch). */
  fetch?: typeof fetch;
  issuer?: TokenIssuerOptions | undefined;
  images: ImageSet;
  control: EmulatorControl;
  recorder?: Recorder;
}

/** What the runner reads back after the case. */
export interface ContextState {
  differences: string[];
  notes: string[];
  observed: ExchangeShape[];
}

interface Header {
  isSuccessful?: unknown;
  resultCode?: unknown;
  resultMessage?: unknown;
}

function headerOf(answer: Answer): Header | undefined {
  const header = (answer.body as { header?: unknown } | null | undefined)?.header;
  return header !== null && typeof header === 'object' ? (header as Header) : undefined;
}

function summarise(answer: Answer): string {
  const header = headerOf(answer);
  if (!header) return `HTTP ${answer.status} without a body header: ${JSON.stringify(answer.body)?.slice(0, 120)}`;
  return `${String(header.resultCode)} ${JSON.stringify(header.resultMessage)}`;
}

const STANDARD_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Makes a case context.
 * @example
 * const { ctx, state } = createCaseContext({ target, basis: 'documented', client, images, control });
 * await someCase.run(ctx); state.differences // []
 */
export function createCaseContext(options: ContextOptions): { ctx: CaseContext; state: ContextState } {
  const state: ContextState = { differences: [], notes: [], observed: [] };
  const { target, basis } = options;

  const fail = (difference: string): never => {
    throw new CaseFailure([...state.differences, difference].join('; '));
  };
  const accept = (reason: string, { record = false } = {}): never => {
    throw new AcceptedAnswer(reason, record);
  };

  function observe(label: string, answer: Answer): void {
    let unique = label;
    for (let n = 2; state.observed.some((o) => o.label === unique); n++) unique = `${label}#${n}`;
    const exchange = options.recorder?.exchangeFor(answer.headers);
    state.observed.push({
      label: unique,
      ...(exchange ? { request: exchange.request } : {}),
      status: answer.status,
      headers: headerShapes(answer.headers),
      body: shapeOf(answer.body, { literals: BODY_LITERALS, opaque: BODY_OPAQUE }),
    });
  }

  /**
   * A code other than the expected one: a `reading` case reports a divergence (what the
   * emulator must learn, or where the emulator left the reading), a `documented` one fails.
   */
  function wrongCode(expected: string, answer: Answer): never {
    const got = summarise(answer);
    if (basis === 'reading') {
      const request = options.recorder?.exchangeFor(answer.headers)?.request;
      throw new Divergence([...state.differences, `expected ${expected}, got ${got}`].join('; '), expected, got, request);
    }
    return fail(`expected ${expected}, got ${got}`);
  }

  /** In a lenient run, an answer the service may give to any call ends the case as accepted. */
  function acceptTransient(code: unknown): void {
    if (target.lenient && typeof code === 'number' && TRANSIENT_CODES.has(code)) {
      accept(`the service answered ${describeCode(code)}, which it may answer to any call`);
    }
  }

  function expectCode(label: string, answer: Answer, code: number): void {
    observe(label, answer);
    const header = headerOf(answer);
    const actual = header?.resultCode;
    if (actual !== code) {
      acceptTransient(actual);
      // Another documented failure is no longer accepted for a reading: the run reports it as a
      // divergence, and --learn records it so that the emulator is held to it.
      wrongCode(describeCode(code), answer);
    }
    const problems = failureProblems(answer, code);
    if (problems.length > 0) fail(`${describeCode(code)} answered, but ${problems.join(', ')}`);
  }

  function expectSuccess(label: string, answer: Answer, { alternatives = [], image }: { alternatives?: readonly number[]; image?: CaseImage } = {}): void {
    observe(label, answer);
    const header = headerOf(answer);
    const code = header?.resultCode;
    if (code !== 0) {
      acceptTransient(code);
      if (target.lenient && typeof code === 'number' && code !== -1 && alternatives.includes(code)) {
        // "Not read" is what a recogniser may say of a synthetic image; of a real photo it is a
        // finding (a photo it cannot read, or a service that stopped reading it).
        if (image?.source === 'real')
          fail(`the service did not read the real photo ${image.name}: ${summarise(answer)} (use a sharper photo, or the service changed)`);
        accept(`the service answered ${describeCode(code)}, which the documentation allows for ${image ? `the synthetic image ${image.name}` : 'this image'}`);
      }
      wrongCode('0 SUCCESS', answer);
    }
    const problems = successProblems(answer);
    if (problems.length > 0) fail(`success answered, but ${problems.join(', ')}`);
  }

  const ctx: CaseContext = {
    target,
    basis,
    api: options.api ?? 'v2.0',
    fetch: options.fetch ?? options.client.options?.fetch ?? fetch,
    issuer: options.issuer,
    restrictedClient: options.restrictedClient,
    client: options.client,
    secondClient: options.secondClient,
    images: options.images,
    control: options.control,
    hint: (scenario) => (target.control ? { scenario } : {}),
    observe,
    expectCode,
    expectSuccess,
    check(ok, difference) {
      if (!ok) state.differences.push(difference);
    },
    fail,
    skip(reason) {
      throw new SkippedCase(reason);
    },
    accept,
    note(text) {
      state.notes.push(text);
    },
    openValue: (key, value, path) => openValue(state.differences, key, value, path),
  };
  return { ctx, state };
}

/** What is wrong with a failure answer that carries the expected code. */
function failureProblems(answer: Answer, code: number): string[] {
  const header = headerOf(answer);
  const problems: string[] = [];
  if (answer.status !== 200)
    problems.push(`HTTP ${answer.status} (every call answers HTTP 200, the outcome is in the body header: docs/emulated-api.md, Responses)`);
  if (header?.isSuccessful !== false) problems.push(`header.isSuccessful is ${JSON.stringify(header?.isSuccessful)}, expected false`);
  const message = RESULT_MESSAGES.get(code);
  if (header?.resultMessage !== message)
    problems.push(`resultMessage ${JSON.stringify(header?.resultMessage)}, the error-code table says ${JSON.stringify(message)}`);
  if (answer.body !== null && typeof answer.body === 'object' && 'result' in answer.body)
    problems.push('a failure carries a "result" (docs/emulated-api.md: no result on failure)');
  return problems;
}

/** What is wrong with an answer whose code is 0. */
function successProblems(answer: Answer): string[] {
  const header = headerOf(answer);
  const problems: string[] = [];
  if (answer.status !== 200) problems.push(`HTTP ${answer.status}, expected 200`);
  if (header?.isSuccessful !== true) problems.push(`header.isSuccessful is ${JSON.stringify(header?.isSuccessful)}`);
  if (header?.resultMessage !== 'SUCCESS') problems.push(`resultMessage ${JSON.stringify(header?.resultMessage)}, expected "SUCCESS"`);
  const result = (answer.body as { result?: unknown }).result;
  if (result === null || typeof result !== 'object') problems.push('no "result" object');
  return problems;
}

/**
 * Decrypts one encrypted response value, or notes in `differences` why it cannot be (and
 * returns undefined).
 */
function openValue(differences: string[], key: Buffer, value: unknown, path: string): string | undefined {
  const why = (text: string) => {
    differences.push(
      `${path} ${text} (encrypted values are base64 of AES-256-CBC under the request's key, IV = key bytes 0..15: docs/emulated-api.md, The envelope)`,
    );
    return undefined;
  };
  if (typeof value !== 'string') return why(`is ${JSON.stringify(value)}, not a string`);
  if (!STANDARD_BASE64.test(value)) return why(`${JSON.stringify(value.slice(0, 40))} is not standard padded base64: sent in clear?`);
  const bytes = Buffer.from(value, 'base64');
  if (bytes.length === 0 || bytes.length % 16 !== 0) return why(`decodes to ${bytes.length} bytes, not whole AES blocks: sent in clear?`);
  let plain: Buffer;
  try {
    const decipher = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16));
    plain = Buffer.concat([decipher.update(bytes), decipher.final()]);
  } catch {
    return why('does not decrypt (bad PKCS#7 padding): another key or another IV?');
  }
  const text = plain.toString('utf8');
  if (text.includes('\ufffd')) return why(`decrypts to bytes that are not UTF-8 text (${plain.subarray(0, 8).toString('hex')}...): another IV?`);
  return text;
}
