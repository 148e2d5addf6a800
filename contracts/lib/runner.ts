/**
 * Runs contract cases one after another against one target and reports each: `pass`, `FAIL`
 * with the difference, or `skip` with the reason. Also applies the call budget, checks every
 * answer against openapi.yaml (through the recorder), compares answers with parity snapshots
 * and records new ones.
 */
import type { OcrClient } from '../client/index.js';
import { BudgetExhausted } from './budget.js';
import { AcceptedAnswer, CaseFailure, type ContractCase, type TargetInfo } from './case.js';
import { createCaseContext } from './context.js';
import type { EmulatorControl } from './control.js';
import type { ImageSet } from './images.js';
import type { Recorder } from './recorder.js';
import { compareWithSnapshot, describeParity, makeSnapshot, readSnapshot, writeSnapshot, type ParityOutcome, type Snapshot } from './snapshots.js';

/** What a run needs. */
export interface RunnerOptions {
  cases: readonly ContractCase[];
  target: TargetInfo;
  client: OcrClient;
  secondClient?: OcrClient | undefined;
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
  caseTimeoutMs?: number;
  /** Told each case's line as soon as it is known. */
  onResult?: (result: CaseResult) => void;
}

/** The outcome of one case. */
export interface CaseResult {
  id: string;
  status: 'pass' | 'fail' | 'skip';
  /** The difference (fail) or reason (skip). */
  message?: string;
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
 * The console line of a result: `pass id`, `FAIL id: difference`, `skip id: reason`.
 * @example resultLine({ id: 'a/b', status: 'skip', message: 'needs emulator control', notes: [], durationMs: 0, calls: 0 }) // 'skip a/b: needs emulator control'
 */
export function resultLine(result: CaseResult): string {
  const oneLine = (text = '') => text.replace(/\s*\n\s*/g, ' | ');
  if (result.status === 'pass') return `pass ${result.id}`;
  return `${result.status === 'fail' ? 'FAIL' : 'skip'} ${result.id}: ${oneLine(result.message)}`;
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
async function diagnosis(control: EmulatorControl): Promise<string | undefined> {
  if (!control.available) return undefined;
  try {
    const last = (await control.requests()).at(-1);
    return last?.diagnosis ? `emulator journal: ${last.endpoint ?? '?'} ${String(last.resultCode ?? '?')} ${last.diagnosis}` : undefined;
  } catch {
    return undefined;
  }
}

async function runOne(contractCase: ContractCase, options: RunnerOptions): Promise<CaseResult> {
  const started = Date.now();
  const callsBefore = options.recorder.meter.total;
  const base = { id: contractCase.id, notes: [] as string[] };
  const finish = (result: Omit<CaseResult, 'durationMs' | 'calls'>): CaseResult => ({
    ...result,
    durationMs: Date.now() - started,
    calls: options.recorder.meter.total - callsBefore,
  });
  const reason = skipReason(contractCase, options);
  if (reason) return finish({ ...base, status: 'skip', message: reason });

  options.recorder.startCase();
  const { ctx, state } = createCaseContext({
    target: options.target,
    basis: contractCase.basis,
    client: options.client,
    secondClient: options.secondClient,
    images: options.images,
    control: options.control,
    recorder: options.recorder,
  });
  let accepted: AcceptedAnswer | undefined;
  let failure: string | undefined;
  try {
    await withTimeout(contractCase.run(ctx), options.caseTimeoutMs ?? 60_000);
    if (state.differences.length > 0) failure = state.differences.join('; ');
  } catch (error) {
    if (error instanceof BudgetExhausted) return finish({ ...base, notes: state.notes, status: 'skip', message: error.message });
    if (error instanceof AcceptedAnswer) accepted = error;
    else failure = error instanceof CaseFailure ? error.message : `unexpected error: ${(error as Error)?.stack?.split('\n').slice(0, 2).join(' ') ?? String(error)}`;
  }
  const openApi = options.recorder.exchanges.filter((e) => e.openApiErrors.length > 0);
  if (openApi.length > 0) {
    const text = openApi.map((e) => `${e.request}: ${e.openApiErrors.join(', ')}`).join('; ');
    failure = [failure, `answer does not match openapi.yaml: ${text}`].filter(Boolean).join('; ');
  }
  if (failure !== undefined) {
    const diagnosed = await diagnosis(options.control);
    return finish({ ...base, notes: state.notes, status: 'fail', message: diagnosed ? `${failure} (${diagnosed})` : failure });
  }

  const result: Omit<CaseResult, 'durationMs' | 'calls'> = { ...base, notes: state.notes, status: 'pass' };
  if (accepted) result.accepted = accepted.message;
  if (options.parityDir && !accepted && state.observed.length > 0) {
    result.parity = compareWithSnapshot(readSnapshot(options.parityDir, contractCase.id), state.observed);
    if (result.parity.failing) {
      return finish({ ...result, status: 'fail', message: `parity: ${describeParity(contractCase.id, result.parity)}` });
    }
  }
  if (options.record && state.observed.length > 0 && (!accepted || accepted.record)) {
    const snapshot = makeSnapshot(contractCase.id, state.observed, options.target.baseUrl, options.record.source);
    result.recorded = writeSnapshot(options.record.dir, snapshot);
  }
  return finish(result);
}

/**
 * Runs the selected cases in order.
 * @example
 * const results = await runCases({ cases: CASES, target, client, recorder, images, control, onResult: (r) => console.log(resultLine(r)) });
 */
export async function runCases(options: RunnerOptions): Promise<CaseResult[]> {
  const results: CaseResult[] = [];
  for (const contractCase of options.cases) {
    if (!selected(contractCase.id, options.filters)) continue;
    const result = await runOne(contractCase, options);
    results.push(result);
    options.onResult?.(result);
  }
  return results;
}
