/**
 * What `npm run contracts` does (contracts/run.ts is its process wrapper): runs the contract suite against the emulator (started here from dist/),
 * the live service (OCR_BASE_URL) or any server (--target-url), under v2.0, v2.1 or both
 * (--api). Prints one line per case, a report, and last `N passed, N failed, N diverged,
 * N skipped`; exits 0 when the target agrees, 1 when a case failed or the target diverged from
 * a reading, 2 on a usage error or a target that cannot be started or reached. See
 * contracts/README.md.
 */
import { writeFileSync } from 'node:fs';
import { ALL_CASES } from '../cases/index.js';
import { resolveConfig, USAGE, UsageError, type AccessKey, type Credentials, type RunConfig } from './args.js';
import type { TargetInfo } from './case.js';
import { probeControl } from './control.js';
import { loadImages } from './images.js';
import { junitXml } from './junit.js';
import { exitStatus, markdownReport, reportSections, summaryLine } from './report.js';
import { resultLine, type CaseResult } from './runner.js';
import { runSession } from './session.js';
import { snapshotDirs } from './snapshots.js';
import { spawnEmulator, type SpawnedEmulator } from './spawn-emulator.js';

/** The second app key the spawned emulator is started with (EMULATOR_EXTRA_CREDENTIALS). */
const SECOND_APP: Required<Credentials> = { appKey: 'contracts-second-appkey', secretKey: 'contracts-second-secretkey' };
/** A User Access Key the spawned emulator restricts to the second app key (EMULATOR_EXTRA_USER_ACCESS_KEYS): 4010007 on the first. */
const RESTRICTED_KEY: AccessKey = { userAccessKeyId: 'contracts-restricted-key', secretAccessKey: 'contracts-restricted-secret' };

/**
 * The spawned emulator's settings: a second app key and a User Access Key restricted to it. Its
 * default date is today's service, which is what the live service answers.
 */
const EMULATOR_ENV = {
  EMULATOR_EXTRA_CREDENTIALS: `${SECOND_APP.appKey}:${SECOND_APP.secretKey}`,
  EMULATOR_EXTRA_USER_ACCESS_KEYS: `${RESTRICTED_KEY.userAccessKeyId}:${RESTRICTED_KEY.secretAccessKey}:${SECOND_APP.appKey}`,
};

/** A target that cannot be started or reached: exit 2. */
class TargetError extends Error {}

interface Target {
  info: TargetInfo;
  credentials: Credentials;
  second?: Credentials | undefined;
  access?: AccessKey | undefined;
  restrictedAccess?: AccessKey | undefined;
  stop(): Promise<void>;
}

/**
 * The credentials the emulator's ready line names: `(appKey=X secretKey=Y` and, from the build
 * that serves v2.1 on, ` userAccessKeyId=U secretAccessKey=S)`.
 * @example readyLineCredentials('nhn-ocr-emulator ready at http://127.0.0.1:8080 (appKey=a secretKey=s)')?.access // undefined
 */
export function readyLineCredentials(line: string): { credentials: Required<Credentials>; access: AccessKey | undefined } | undefined {
  const match = /\(appKey=(\S+) secretKey=(\S+?)(?: userAccessKeyId=(\S+) secretAccessKey=(\S+?))?\)/.exec(line);
  if (!match) return undefined;
  return {
    credentials: { appKey: match[1]!, secretKey: match[2]! },
    access: match[3] && match[4] ? { userAccessKeyId: match[3], secretAccessKey: match[4] } : undefined,
  };
}

async function startEmulator(config: RunConfig): Promise<Target> {
  let emulator: SpawnedEmulator;
  try {
    emulator = await spawnEmulator(EMULATOR_ENV);
  } catch (error) {
    throw new TargetError(`the emulator did not start: ${(error as Error).message}`);
  }
  const stop = async () => void (await emulator.stop());
  const read = readyLineCredentials(emulator.readyLine);
  if (!read) {
    await stop();
    throw new TargetError(`cannot read the credentials from the ready line: ${emulator.readyLine}`);
  }
  const { credentials, access } = read;
  if (config.apis.includes('v2.1') && !access) {
    await stop();
    throw new TargetError(`this emulator build serves no v2.1 (its ready line names no userAccessKeyId): ${emulator.readyLine}`);
  }
  return {
    info: {
      kind: 'emulator',
      baseUrl: emulator.url,
      appKey: credentials.appKey,
      lenient: config.lenient,
      control: config.control !== false,
      oauthBaseUrl: config.oauthUrl ?? emulator.url,
    },
    credentials,
    second: SECOND_APP,
    access: config.access ?? access,
    restrictedAccess: config.restrictedAccess ?? RESTRICTED_KEY,
    stop,
  };
}

/** Any HTTP answer at all from a base URL; a connection that fails is a target error. */
async function assertReachable(what: string, url: string): Promise<void> {
  try {
    const response = await fetch(url, { method: 'GET', signal: AbortSignal.timeout(15_000) });
    await response.arrayBuffer();
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    throw new TargetError(`${what} ${url} cannot be reached: ${cause?.code ?? cause?.message ?? (error as Error).message}`);
  }
}

async function startTarget(config: RunConfig): Promise<Target> {
  if (config.mode === 'emulator') return startEmulator(config);
  const baseUrl = config.baseUrl!;
  await assertReachable(config.mode === 'live' ? 'OCR_BASE_URL' : '--target-url', baseUrl);
  if (config.apis.includes('v2.1') && config.oauthUrl && config.oauthUrl !== baseUrl) await assertReachable('the token issuer', config.oauthUrl);
  const control = config.control === 'auto' ? await probeControl(baseUrl) : config.control;
  return {
    info: { kind: config.mode, baseUrl, appKey: config.credentials!.appKey, lenient: config.lenient, control, oauthBaseUrl: config.oauthUrl },
    credentials: config.credentials!,
    second: config.second,
    access: config.access,
    restrictedAccess: config.restrictedAccess,
    stop: async () => {},
  };
}

/** Where the run's lines go. */
export interface CliOutput {
  log(line: string): void;
  error(line: string): void;
}

function listCases(out: CliOutput): void {
  for (const c of ALL_CASES) {
    const tags = [c.basis, ...(c.apis?.length === 1 ? [`${c.apis[0]} only`] : []), ...(c.needs?.length ? [`needs ${c.needs.join(', ')}`] : [])];
    out.log(`${c.id}  [${tags.join(', ')}]  ${c.title}`);
  }
}

/**
 * Runs the suite as the command line and environment say, printing to `out`, and resolves with
 * the exit status: 0 the target agrees, 1 a case failed or the target diverged, 2 a usage error
 * or a target that cannot be started or reached.
 * @example process.exitCode = await runContracts(['--filter', 'credit-card'], process.env, console)
 */
export async function runContracts(argv: readonly string[], env: Readonly<Record<string, string | undefined>>, out: CliOutput = console): Promise<number> {
  let config: RunConfig;
  try {
    config = resolveConfig(argv, env);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    out.error(`contracts: ${error.message}\n\n${USAGE}`);
    return 2;
  }
  if (config.help) {
    out.log(USAGE);
    return 0;
  }
  if (config.list) {
    listCases(out);
    return 0;
  }

  let target: Target;
  try {
    target = await startTarget(config);
  } catch (error) {
    if (!(error instanceof TargetError)) throw error;
    out.error(`contracts: ${error.message}`);
    return 2;
  }
  try {
    return await runAgainst(target, config, env, out);
  } finally {
    await target.stop();
  }
}

/** The run itself, once the target is up: the session, its report lines and files, the exit status. */
async function runAgainst(target: Target, config: RunConfig, env: Readonly<Record<string, string | undefined>>, out: CliOutput): Promise<number> {
  const { info } = target;
  if (config.record && info.kind === 'custom' && !info.control) {
    out.error('contracts: --record writes emulator or live snapshots; this target is neither (no emulator control, not OCR_BASE_URL)');
    return 2;
  }
  const images = loadImages(config.fixturesDir);
  const snapshots = snapshotDirs(config.snapshotsDir, process.cwd());
  out.log(targetLine(info, config));
  if (config.record) out.log(`recording snapshots in ${snapshots.write}`);
  if (config.fixturesDir) for (const line of images.describe()) out.log(`image ${line}`);

  const { results, recorder, otherVersionOnly } = await runSession({
    target: info,
    credentials: target.credentials,
    second: target.second,
    apis: config.apis,
    access: target.access,
    restrictedAccess: target.restrictedAccess,
    maxCalls: config.maxCalls,
    images,
    filters: config.filters,
    skips: config.skips,
    parityDir: config.parity ? snapshots.read : undefined,
    record: config.record ? { dir: snapshots.write, source: info.kind === 'live' ? 'live' : 'emulator' } : undefined,
    learn: config.learn,
    onResult: (result) => out.log(resultLine(result)),
  });

  const callSummary = recorder.meter.summary();
  const notRun = Object.entries(otherVersionOnly).filter(([, n]) => n! > 0);
  for (const line of reportSections(results, callSummary)) out.log(line);
  if (notRun.length > 0) out.log(`\nnot run: ${notRun.map(([api, n]) => `${n} ${api}-only cases (--api ${api} or both)`).join(', ')}`);
  if (config.junit) writeFileSync(config.junit, junitFor(results));
  if (config.report) {
    // GitHub's job summary file is appended to (other steps write to it too); any other file is replaced.
    const append = config.report === env['GITHUB_STEP_SUMMARY'];
    writeFileSync(config.report, markdownReport(results, { target: `${info.kind} ${info.baseUrl}`, apis: config.apis, callSummary, otherVersionOnly }), {
      flag: append ? 'a' : 'w',
    });
  }
  out.log(summaryLine(results));
  return exitStatus(results);
}

/** The first line of a run: what it runs against, and how. */
function targetLine(info: Target['info'], config: RunConfig): string {
  return (
    `target: ${info.kind} ${info.baseUrl} (api ${config.apis.join(' then ')}${config.apis.includes('v2.1') ? `, token issuer ${info.oauthBaseUrl}` : ''}, ` +
    `${info.lenient ? 'lenient' : 'strict'}, control ${info.control ? 'on' : 'off'}, ` +
    `parity ${config.parity ? 'on' : 'off'}${config.maxCalls !== undefined ? `, budget ${config.maxCalls} calls` : ''}${config.learn ? ', learning' : ''})`
  );
}

/** The results as JUnit XML: a divergence fails like a failure; a learned one passes, its line kept as output. */
function junitFor(results: readonly CaseResult[]): string {
  return junitXml(
    'contracts',
    results.map((r) => ({
      id: r.id,
      status: r.status === 'diverged' ? (r.learned ? 'pass' : 'fail') : r.status,
      ...(r.message && !r.learned ? { message: r.message } : {}),
      output: [r.accepted ? `accepted: ${r.accepted}` : '', r.learned ? `learned: ${r.message}` : '', ...r.notes].filter(Boolean).join('\n'),
      durationMs: r.durationMs,
    })),
  );
}
