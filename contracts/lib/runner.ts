/**
 * Runs contract cases one after another against one target and reports each: `pass`, `FAIL`
 * with the difference, `DIVERGED` with what the emulator must learn, or `skip` with the
 * reason. Also applies the call budget, checks every answer against openapi.yaml (through the
 * recorder), compares answers with parity snapshots and records new ones.
 */
import { EmulatorControlError, type ApiVersion, type EmulatorControl, type OcrClient, type TokenIssuerOptions } from '../client/index.js';
import { BudgetExhausted } from './budget.js';
import { AcceptedAnswer, CaseFailure, Divergence, SkippedCase, type ContractCase, type TargetInfo } from './case.js';
import { createCaseContext, type ContextState } from './context.js';
import type { CaseContext } from './case.js';
import type { ImageSet } from './images.js';
import type { Recorder } from './recorder.js';
import { compareWithSnapshot, describeParity, makeSnapshot, readSnapshot, writeSnapshot, type ParityOutcome, type Snapshot } from './snapshots.js';

/** What a run needs. */
export interface RunnerOptions {
  cases: readonly ContractCase[];
  target: TargetInfo;
  /** The API version of this run (default v2.0); cases of the other version only are left out. */
  api?: ApiVersion;
  /** Appended to every result's id (`@v2.1`), so that runs of both versions stay apart. */
  idSuffix?: string;
  client: OcrClient;
  secondClient?: OcrClient | undefined;
  /** v2.1: the run's app key under a User Access Key that may not use it. */
  restrictedClient?: OcrClient | undefined;
  /** v2.1: the run's User Access Key and issuer. */
  issuer?: TokenIssuerOptions | undefined;
  recorder: Recorder;
  images: ImageSet;
  control: EmulatorControl;
  /** Substrings of case ids; a case runs when it contains any of them (all run when empty). */
  filters?: readonly string[];
  /** Substrings of case ids to skip, reported as skipped. */
  skips?: readonly string[];
  /** Compare answers with the snapshots in this directory. */
  parityDir?: string | undefined;
  /** Write snapshots to this directory. */
  record?: { dir: string; source: Snapshot['source'] } | undefined;
  /**
   * With `record`: also record the answers of diverged cases (the target is the reference),
   * and let them not fail the run (`--learn`).
   */
  learn?: boolean;
  /** With `record`: record cases that run under both versions too (false in the second run of `--api both`). */
  recordShared?: boolean;
  caseTimeoutMs?: number;
  /** Told each case's line as soon as it is known. */
  onResult?: (result: CaseResult) => void;
}

/** What a reading case's target answered instead of the reading (which the emulator answers). */
export interface DivergenceReport {
  /** The case's title: what was sent, in words. */
  title: string;
  /** The request line of the answer that diverged. */
  request?: string;
  /** What the emulator answers (the reading). */
  emulator: string;
  /** What the target answered. */
  target: string;
}

/** The outcome of one case. */
export interface CaseResult {
  /** The case id, with the run's suffix (`credit-card/jpg-normal@v2.1`). */
  id: string;
  /** The case id without the suffix (the snapshot's name). */
  caseId?: string;
  api?: ApiVersion;
  /**
   * `diverged`: a reading case against another target than the emulator got another answer;
   * it fails the run unless learned.
   */
  status: 'pass' | 'fail' | 'diverged' | 'skip';
  /** The difference (fail, diverged) or reason (skip). */
  message?: string;
  divergence?: DivergenceReport;
  /** A divergence `--learn` recorded as a live snapshot: listed, not failing. */
  learned?: boolean;
  /** Set when the case passed on an answer the documentation allows, rather than the expected one. */
  accepted?: string;
  notes: string[];
  parity?: ParityOutcome;
  recorded?: 'written' | 'kept-live';
  durationMs: number;
  /** API calls the case made. */
  calls: number;
}

/**
 * Whether a case is selected by the filters.
 * @example selected('credit-card/jpg-normal', ['credit-card']) // true
 */
export function selected(id: string, filters: readonly string[] = []): boolean {
  return filters.length === 0 || filters.some((filter) => id.includes(filter));
}

/**
 * The console line of a result: `pass id`, `FAIL id: difference`, `DIVERGED id: emulator
 * answers ..., the service answered ...`, `learned id: ...` (a divergence --learn recorded),
 * `skip id: reason`.
 * @example resultLine({ id: 'a/b', status: 'skip', message: 'needs emulator control', notes: [], durationMs: 0, calls: 0 }) // 'skip a/b: needs emulator control'
 */
export function resultLine(result: CaseResult): string {
  const oneLine = (text = '') => text.replace(/\s*\n\s*/g, ' | ');
  if (result.status === 'pass') return `pass ${result.id}`;
  const word = { fail: 'FAIL', diverged: result.learned ? 'learned' : 'DIVERGED', skip: 'skip' }[result.status];
  return `${word} ${result.id}: ${oneLine(result.message)}`;
}

/**
 * The line that says what the emulator must learn.
 * @example divergenceLine({ title: 't', emulator: '4000005 Required headers is missing.', target: '-1 Unknown error.' }, 'live')
 * // 'emulator answers 4000005 Required headers is missing., the service answered -1 Unknown error.'
 */
export function divergenceLine(divergence: DivergenceReport, kind: TargetInfo['kind']): string {
  return `emulator answers ${divergence.emulator}, the ${kind === 'live' ? 'service' : 'target'} answered ${divergence.target}`;
}

/**
 * Whether a case runs under an API version.
 * @example appliesTo({ apis: ['v2.1'] } as ContractCase, 'v2.0') // false
 */
export function appliesTo(contractCase: Pick<ContractCase, 'apis'>, api: ApiVersion): boolean {
  return !contractCase.apis || contractCase.apis.includes(api);
}

function skipReason(contractCase: ContractCase, options: RunnerOptions): string | undefined {
  const skip = options.skips?.find((s) => contractCase.id.includes(s));
  if (skip !== undefined) return `skipped by --skip ${skip}`;
  const needs = contractCase.needs ?? [];
  if (needs.includes('emulator-control') && !options.target.control) {
    return 'needs emulator control (X-Emulator-Scenario and /__emulator/*), which this target does not offer';
  }
  if (needs.includes('second-appkey') && !options.secondClient) {
    return 'needs a second app key (OCR_APPKEY2 and OCR_SECRETKEY2, or --appkey2 and --secretkey2)';
  }
  if (needs.includes('restricted-key') && !options.restrictedClient) {
    return 'needs a User Access Key that may not use the app key (OCR_USER_ACCESS_KEY_ID2 and OCR_SECRET_ACCESS_KEY2, or --user-access-key-id2 and --secret-access-key2)';
  }
  if (options.recorder.meter.exhausted) return new BudgetExhausted(options.recorder.meter.limit!).message;
  return undefined;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new CaseFailure(`no outcome within ${ms / 1000} s`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** What the emulator's journal says about the last request, to explain a failure. */
async function diagnosis(control: EmulatorControl, available: boolean): Promise<string | undefined> {
  if (!available) return undefined;
  try {
    const last = (await control.journal.list()).requests.at(-1);
    return last?.diagnosis ? `emulator journal: ${last.endpoint ?? '?'} ${String(last.resultCode ?? '?')} ${last.diagnosis}` : undefined;
  } catch {
    return undefined;
  }
}

/** How a case's run ended, before snapshots and the target's kind are weighed. */
interface Ending {
  skip?: string;
  accepted?: AcceptedAnswer;
  failure?: string;
  divergence?: Divergence;
}

type Verdict = Omit<CaseResult, 'durationMs' | 'calls'>;
type Observed = ContextState['observed'];
/** What every verdict of a case starts from. */
type Head = Pick<CaseResult, 'id' | 'caseId' | 'api' | 'notes'>;

async function runOne(contractCase: ContractCase, options: RunnerOptions): Promise<CaseResult> {
  const started = Date.now();
  const callsBefore = options.recorder.meter.total;
  const api = options.api ?? 'v2.0';
  const base = { id: `${contractCase.id}${options.idSuffix ?? ''}`, caseId: contractCase.id, api, notes: [] as string[] };
  const finish = (result: Verdict): CaseResult => ({ ...result, durationMs: Date.now() - started, calls: options.recorder.meter.total - callsBefore });
  const reason = skipReason(contractCase, options);
  if (reason) return finish({ ...base, status: 'skip', message: reason });

  options.recorder.startCase();
  const { ctx, state } = createCaseContext({
    target: options.target,
    basis: contractCase.basis,
    api,
    client: options.client,
    secondClient: options.secondClient,
    restrictedClient: options.restrictedClient,
    fetch: options.recorder.fetch,
    issuer: options.issuer,
    images: options.images,
    control: options.control,
    recorder: options.recorder,
  });
  const ending = withOpenApiCheck(await execute(contractCase, ctx, state.differences, options), options.recorder);
  const head: Head = { ...base, notes: state.notes };
  if (ending.skip !== undefined) return finish({ ...head, status: 'skip', message: ending.skip });
  if (ending.divergence && options.target.kind !== 'emulator') return finish(diverged(head, contractCase, ending.divergence, state.observed, options));
  const snapshot = options.parityDir ? readSnapshot(options.parityDir, contractCase.id) : undefined;
  const judged = ending.divergence ? overruledByLive(ending.divergence, snapshot, state.observed) : ending;
  if (judged.failure !== undefined) {
    const diagnosed = await diagnosis(options.control, options.target.control);
    return finish({ ...head, status: 'fail', message: diagnosed ? `${judged.failure} (${diagnosed})` : judged.failure });
  }
  return finish(passed(head, contractCase, api, { accepted: judged.accepted, diverged: Boolean(ending.divergence) }, snapshot, state.observed, options));
}

/** Runs the case's body and sorts how it ended: a thrown answer, or the differences it noted. */
async function execute(contractCase: ContractCase, ctx: CaseContext, differences: readonly string[], options: RunnerOptions): Promise<Ending> {
  try {
    await withTimeout(contractCase.run(ctx), options.caseTimeoutMs ?? 60_000);
    return differences.length > 0 ? { failure: differences.join('; ') } : {};
  } catch (error) {
    if (error instanceof BudgetExhausted || error instanceof SkippedCase) return { skip: error.message };
    if (error instanceof AcceptedAnswer) return { accepted: error };
    if (error instanceof Divergence) return { divergence: error };
    if (error instanceof CaseFailure) return { failure: error.message };
    // The target's admin API refused a call the case needed: the case fails, naming the call.
    if (error instanceof EmulatorControlError) return { failure: `admin API ${error.message}` };
    return { failure: `unexpected error: ${(error as Error)?.stack?.split('\n').slice(0, 2).join(' ') ?? String(error)}` };
  }
}

/** An answer that breaks openapi.yaml fails the case, whatever else happened (a divergence included). */
function withOpenApiCheck(ending: Ending, recorder: Recorder): Ending {
  const broken = recorder.exchanges.filter((e) => e.openApiErrors.length > 0);
  if (broken.length === 0 || ending.skip !== undefined) return ending;
  const text = broken.map((e) => `${e.request}: ${e.openApiErrors.join(', ')}`).join('; ');
  const failure = [ending.failure, ending.divergence?.message, `answer does not match openapi.yaml: ${text}`].filter(Boolean).join('; ');
  return { ...(ending.accepted ? { accepted: ending.accepted } : {}), failure };
}

/** A live or --target-url answer that differs from the emulator's; with --learn, recorded as the service's. */
function diverged(head: Head, contractCase: ContractCase, divergence: Divergence, observed: Observed, options: RunnerOptions): Verdict {
  const report: DivergenceReport = {
    title: contractCase.title,
    emulator: divergence.expected,
    target: divergence.actual,
    ...(divergence.request ? { request: divergence.request } : {}),
  };
  const result: Verdict = { ...head, status: 'diverged', message: divergenceLine(report, options.target.kind), divergence: report };
  if (options.learn && options.record) {
    result.learned = true;
    result.recorded = writeSnapshot(options.record.dir, makeSnapshot(contractCase.id, observed, options.target.baseUrl, options.record.source));
  }
  return result;
}

/**
 * Against the emulator a reading stands unless a live snapshot overrules it: once --learn
 * recorded what the service answers instead, the emulator is held to that.
 */
function overruledByLive(divergence: Divergence, snapshot: Snapshot | undefined, observed: Observed): Ending {
  const parity = snapshot?.source === 'live' ? compareWithSnapshot(snapshot, observed) : undefined;
  if (!parity || parity.failing) return { failure: divergence.message };
  return {
    accepted: new AcceptedAnswer(
      `the reading (${divergence.expected}) is overruled by the live snapshot of ${snapshot!.recordedAt}: the service answers ${divergence.actual}`,
      false,
    ),
  };
}

/** A passing case: held to its snapshot (parity), and recorded when asked. */
function passed(
  head: Head,
  contractCase: ContractCase,
  api: ApiVersion,
  how: { accepted: AcceptedAnswer | undefined; diverged: boolean },
  snapshot: Snapshot | undefined,
  observed: Observed,
  options: RunnerOptions,
): Verdict {
  const result: Verdict = { ...head, status: 'pass' };
  if (how.accepted) result.accepted = how.accepted.message;
  if (options.parityDir && (!how.accepted || how.diverged) && observed.length > 0) {
    result.parity = compareWithSnapshot(snapshot, observed);
    if (result.parity.failing) return { ...result, status: 'fail', message: `parity: ${describeParity(contractCase.id, result.parity)}` };
  }
  const recordThis = options.recordShared !== false || (contractCase.apis?.length === 1 && contractCase.apis[0] === api);
  if (options.record && recordThis && observed.length > 0 && (!how.accepted || how.accepted.record)) {
    result.recorded = writeSnapshot(options.record.dir, makeSnapshot(contractCase.id, observed, options.target.baseUrl, options.record.source));
  }
  return result;
}

/**
 * Runs the selected cases in order.
 * @example
 * const results = await runCases({ cases: CASES, target, client, recorder, images, control, onResult: (r) => console.log(resultLine(r)) });
 */
export async function runCases(options: RunnerOptions): Promise<CaseResult[]> {
  const results: CaseResult[] = [];
  for (const contractCase of options.cases) {
    if (!appliesTo(contractCase, options.api ?? 'v2.0')) continue;
    if (!selected(`${contractCase.id}${options.idSuffix ?? ''}`, options.filters)) continue;
    const result = await runOne(contractCase, options);
    results.push(result);
    options.onResult?.(result);
  }
  return results;
}
