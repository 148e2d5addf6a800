/**
 * One run of the suite against a server that is already up: builds the clients (every call
 * through the recorder), the images and the admin API, and runs the cases. run.ts adds the
 * command line and the printing; tests call it directly.
 */
import { createOcrClient } from '../client/index.js';
import { ALL_CASES } from '../cases/index.js';
import { CallMeter } from './budget.js';
import type { ContractCase, TargetInfo } from './case.js';
import { emulatorControl } from './control.js';
import { loadImages, type ImageSet } from './images.js';
import { Recorder } from './recorder.js';
import { runCases, type CaseResult, type RunnerOptions } from './runner.js';

/** What a session needs. */
export interface SessionOptions {
  target: TargetInfo;
  credentials: { appKey: string; secretKey: string };
  second?: { appKey: string; secretKey: string } | undefined;
  cases?: readonly ContractCase[];
  maxCalls?: number | undefined;
  fixturesDir?: string | undefined;
  /** Images already loaded (default: from fixturesDir, else the synthetic ones). */
  images?: ImageSet;
  filters?: readonly string[];
  skips?: readonly string[];
  parityDir?: string | undefined;
  record?: RunnerOptions['record'];
  onResult?: (result: CaseResult) => void;
}

/** What a session leaves: the results and the recorder (calls, validator availability). */
export interface SessionResult {
  results: CaseResult[];
  recorder: Recorder;
}

/**
 * Runs the suite against a target.
 * @example
 * const { results } = await runSession({ target: { kind: 'custom', baseUrl, appKey, lenient: false, control: false }, credentials });
 * results.filter((r) => r.status === 'fail') // []
 */
export async function runSession(options: SessionOptions): Promise<SessionResult> {
  const { target } = options;
  const recorder = new Recorder(new CallMeter(options.maxCalls));
  const client = createOcrClient({ baseUrl: target.baseUrl, ...options.credentials, fetch: recorder.fetch });
  const secondClient = options.second ? createOcrClient({ baseUrl: target.baseUrl, ...options.second, fetch: recorder.fetch }) : undefined;
  const results = await runCases({
    cases: options.cases ?? ALL_CASES,
    target,
    client,
    secondClient,
    recorder,
    images: options.images ?? loadImages(options.fixturesDir),
    control: emulatorControl(target.baseUrl, target.control),
    filters: options.filters ?? [],
    skips: options.skips ?? [],
    parityDir: options.parityDir,
    record: options.record,
    ...(options.onResult ? { onResult: options.onResult } : {}),
  });
  return { results, recorder };
}
