/**
 * One run of the suite against a server that is already up: builds the clients of each API
 * version (every call through the recorder, token calls included), the images and the admin
 * API, and runs the cases once per version. run.ts adds the command line and the printing;
 * tests call it directly.
 */
import { createOcrClient, type ApiVersion, type OcrClient, type TokenIssuerOptions } from '../client/index.js';
import { ALL_CASES } from '../cases/index.js';
import type { AccessKey, Credentials } from './args.js';
import { CallMeter } from './budget.js';
import type { ContractCase, TargetInfo } from './case.js';
import { suiteControl } from './control.js';
import { loadImages, type ImageSet } from './images.js';
import { Recorder } from './recorder.js';
import { appliesTo, runCases, type CaseResult, type RunnerOptions } from './runner.js';

/** What a session needs. */
export interface SessionOptions {
  target: TargetInfo;
  credentials: Credentials;
  second?: Credentials | undefined;
  /** The versions to run, in order (default v2.0 only). */
  apis?: readonly ApiVersion[];
  /** v2.1: the User Access Key; its issuer is `target.oauthBaseUrl` (default the target's base URL). */
  access?: AccessKey | undefined;
  /** v2.1: a User Access Key that may not use `credentials.appKey`. */
  restrictedAccess?: AccessKey | undefined;
  cases?: readonly ContractCase[];
  maxCalls?: number | undefined;
  fixturesDir?: string | undefined;
  /** Images already loaded (default: from fixturesDir, else the synthetic ones). */
  images?: ImageSet;
  filters?: readonly string[];
  skips?: readonly string[];
  parityDir?: string | undefined;
  record?: RunnerOptions['record'];
  learn?: boolean;
  onResult?: (result: CaseResult) => void;
}

/** What a session leaves: the results, the recorder (calls), and the cases no version ran. */
export interface SessionResult {
  results: CaseResult[];
  recorder: Recorder;
  /** Per version left out, how many cases are written for the other version only. */
  otherVersionOnly: Partial<Record<ApiVersion, number>>;
}

/** The clients of one API version. */
interface VersionClients {
  client: OcrClient;
  secondClient: OcrClient | undefined;
  restrictedClient: OcrClient | undefined;
  issuer: TokenIssuerOptions | undefined;
}

function clientsFor(api: ApiVersion, options: SessionOptions, doFetch: typeof fetch): VersionClients {
  const { target, credentials, second } = options;
  const baseUrl = target.baseUrl;
  if (api === 'v2.0') {
    if (credentials.secretKey === undefined) throw new Error('a v2.0 run needs the secret key');
    return {
      client: createOcrClient({ baseUrl, appKey: credentials.appKey, secretKey: credentials.secretKey, fetch: doFetch }),
      secondClient:
        second?.secretKey !== undefined ? createOcrClient({ baseUrl, appKey: second.appKey, secretKey: second.secretKey, fetch: doFetch }) : undefined,
      restrictedClient: undefined,
      issuer: undefined,
    };
  }
  if (!options.access) throw new Error('a v2.1 run needs a User Access Key');
  const oauthBaseUrl = target.oauthBaseUrl ?? baseUrl;
  const v21 = (appKey: string, access: AccessKey) => createOcrClient({ apiVersion: 'v2.1', baseUrl, oauthBaseUrl, appKey, ...access, fetch: doFetch });
  return {
    client: v21(credentials.appKey, options.access),
    // The run's User Access Key must be allowed to use the second app key too.
    secondClient: second ? v21(second.appKey, options.access) : undefined,
    restrictedClient: options.restrictedAccess ? v21(credentials.appKey, options.restrictedAccess) : undefined,
    issuer: { oauthBaseUrl, ...options.access, fetch: doFetch },
  };
}

/**
 * Runs the suite against a target, once per API version. Under `both`, v2.1 results' ids end
 * in `@v2.1`; a v2.1-only run's ids do too, so a result always says which version it is.
 * @example
 * const { results } = await runSession({ target: { kind: 'custom', baseUrl, appKey, lenient: false, control: false }, credentials });
 * results.filter((r) => r.status === 'fail') // []
 */
export async function runSession(options: SessionOptions): Promise<SessionResult> {
  const { target } = options;
  const apis = options.apis ?? ['v2.0'];
  const cases = options.cases ?? ALL_CASES;
  const recorder = new Recorder(new CallMeter(options.maxCalls));
  const images = options.images ?? loadImages(options.fixturesDir);
  const control = suiteControl(target.baseUrl, target.control);
  const results: CaseResult[] = [];
  const otherVersionOnly: SessionResult['otherVersionOnly'] = {};
  for (const [index, api] of apis.entries()) {
    const clients = clientsFor(api, options, recorder.fetch);
    results.push(
      ...(await runCases({
        cases,
        target,
        api,
        idSuffix: api === 'v2.1' ? '@v2.1' : '',
        ...clients,
        recorder,
        images,
        control,
        filters: options.filters ?? [],
        skips: options.skips ?? [],
        parityDir: options.parityDir,
        record: options.record,
        learn: options.learn ?? false,
        // Under both, the v2.0 run records the cases the versions share.
        recordShared: index === 0,
        ...(options.onResult ? { onResult: options.onResult } : {}),
      })),
    );
  }
  for (const api of ['v2.0', 'v2.1'] as const) {
    if (!apis.includes(api)) otherVersionOnly[api] = cases.filter((c) => appliesTo(c, api) && !apis.some((run) => appliesTo(c, run))).length;
  }
  return { results, recorder, otherVersionOnly };
}
