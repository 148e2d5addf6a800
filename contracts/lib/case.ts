/**
 * What a contract case is. A case is target-agnostic: it runs unchanged against the emulator,
 * the live service or any other server, and says on what it rests (`basis`) and what it needs.
 */
import type { ApiVersion, EmulatorControl, EnvelopeOptions, OcrClient, TokenIssuerOptions } from '../client/index.js';
import type { CaseImage, ImageSet } from './images.js';

export { AcceptedAnswer, CaseFailure, Divergence, SkippedCase } from './case-outcomes.js';

/**
 * `documented`: asserts what the official guide, error-code page or release notes state.
 * `reading`: asserts this project's reading where they are silent (docs/emulated-api.md's
 * condition-to-code table is "the reading this project adopts").
 */
export type Basis = 'documented' | 'reading';

/**
 * `emulator-control`: scenarios (`X-Emulator-Scenario`) and the `/__emulator/*` admin API,
 * which only the emulator has. `second-appkey`: another app key's credentials.
 * `restricted-key` (v2.1): a User Access Key that may not use the run's app key.
 */
export type Need = 'emulator-control' | 'second-appkey' | 'restricted-key';

/** One contract case. */
export interface ContractCase {
  /** `area/name`, e.g. `credit-card/jpg-normal`; also the snapshot's file name. */
  id: string;
  title: string;
  /** What is asserted and where the documentation says so. */
  description: string;
  basis: Basis;
  needs?: readonly Need[];
  /**
   * The API versions the case runs under (default both): `v2.0` for the secret-key checks,
   * `v2.1` for the token and its issuer. A run leaves out the cases of other versions.
   */
  apis?: readonly ApiVersion[];
  /** Ids of the condition-to-code rows it exercises (result-codes.ts, CONDITION_ROWS, ISSUER_ROWS). */
  covers?: readonly string[];
  run(ctx: CaseContext): Promise<void>;
}

/** Where the suite runs and how strictly. */
export interface TargetInfo {
  /** `emulator` (spawned here), `live` (OCR_BASE_URL) or `custom` (--target-url). */
  kind: 'emulator' | 'live' | 'custom';
  baseUrl: string;
  appKey: string;
  /** Accept answers the documentation allows besides the expected one (live runs). */
  lenient: boolean;
  /** Scenarios and the admin API are available. */
  control: boolean;
  /** The token issuer of v2.1 runs (the emulator's own base URL, or the live issuer). */
  oauthBaseUrl?: string | undefined;
}

/** An answer as cases see it: the client's responses and raw responses both fit. */
export interface Answer {
  status: number;
  headers: Headers;
  body: unknown;
}

/** What a case gets. */
export interface CaseContext {
  readonly target: TargetInfo;
  readonly basis: Basis;
  /** The API version this run of the case uses; `client` speaks it. */
  readonly api: ApiVersion;
  /** The run's fetch: every call is counted against the budget and recorded (token calls too). */
  readonly fetch: typeof fetch;
  /** v2.1: the run's User Access Key and its issuer, for calls to the issuer itself. */
  readonly issuer: TokenIssuerOptions | undefined;
  /** v2.1: a client on the run's app key whose User Access Key may not use it (`needs: ['restricted-key']`). */
  readonly restrictedClient: OcrClient | undefined;
  /** A client for the run's credentials; every call is counted, recorded and validated. */
  readonly client: OcrClient;
  /** A client for a second app key (cases that declare `needs: ['second-appkey']`). */
  readonly secondClient: OcrClient | undefined;
  readonly images: ImageSet;
  /** The admin API (the client kit's `emulatorControl`); a call fails the case when the target has none. */
  readonly control: EmulatorControl;
  /**
   * Envelope options that ask the emulator for a scenario, or nothing where the target takes
   * no scenarios: a success path can be made deterministic on the emulator and stay plain
   * elsewhere.
   */
  hint(scenario: string): EnvelopeOptions;
  /** Adds an answer to the case's parity snapshot under a label. */
  observe(label: string, answer: Answer): void;
  /**
   * Asserts a failure answer: HTTP 200, `isSuccessful` false, this code with its documented
   * message, no `result`. Also observes the answer.
   */
  expectCode(label: string, answer: Answer, code: number): void;
  /**
   * Asserts a success answer (HTTP 200, code 0, "SUCCESS", a `result`); in lenient runs the
   * codes in `alternatives` (e.g. 4000111 for an image without a card) are accepted instead
   * when the `image` sent is synthetic (of a real photo they fail the case). `-1` is never
   * accepted.
   */
  expectSuccess(label: string, answer: Answer, options?: { alternatives?: readonly number[]; image?: CaseImage }): void;
  /** Records a difference and carries on; the case fails at the end if any were recorded. */
  check(ok: boolean, difference: string): void;
  /** Fails the case now. */
  fail(difference: string): never;
  /** Ends the case as skipped: the target gave nothing this case can check (e.g. the image read as another type). */
  skip(reason: string): never;
  /** Ends the case as passed with an accepted answer the documentation allows. */
  accept(reason: string, options?: { record?: boolean }): never;
  /** Adds a note to the case's report. */
  note(text: string): void;
  /**
   * Decrypts an encrypted response value with the request's key (AES-256-CBC, IV = key bytes
   * 0..15); records a difference and returns undefined when it cannot.
   */
  openValue(key: Buffer, value: unknown, path: string): string | undefined;
}

/**
 * Declares cases with their types checked (an identity function).
 * @example export const CASES = defineCases([{ id: 'public-key/credit-card', title: '...', description: '...', basis: 'documented', run: async (ctx) => {} }]);
 */
export function defineCases(cases: ContractCase[]): ContractCase[] {
  return cases;
}
