#!/usr/bin/env node
/**
 * `npm run contracts` (`nhn-ocr-contracts` when installed): runs the contract suite against the emulator (started here from dist/),
 * the live service (OCR_BASE_URL) or any server (--target-url). Prints one line per case, a
 * report, and last `N passed, N failed, N skipped`; exits 1 on any failure, 2 on a usage or
 * start-up error. See contracts/README.md.
 */
import { writeFileSync } from 'node:fs';
import { ALL_CASES } from './cases/index.js';
import { resolveConfig, USAGE, UsageError, type Credentials, type RunConfig } from './lib/args.js';
import type { TargetInfo } from './lib/case.js';
import { probeControl } from './lib/control.js';
import { loadImages } from './lib/images.js';
import { junitXml } from './lib/junit.js';
import { reportSections, summaryLine } from './lib/report.js';
import { resultLine } from './lib/runner.js';
import { runSession } from './lib/session.js';
import { SNAPSHOTS_DIR } from './lib/snapshots.js';
import { spawnEmulator, type SpawnedEmulator } from '../test/support/spawn-emulator.js';

/** The second app key the spawned emulator is started with (EMULATOR_EXTRA_CREDENTIALS). */
const SECOND_APP: Credentials = { appKey: 'contracts-second-appkey', secretKey: 'contracts-second-secretkey' };

interface Target {
  info: TargetInfo;
  credentials: Credentials;
  second?: Credentials | undefined;
  stop(): Promise<void>;
}

async function startTarget(config: RunConfig): Promise<Target> {
  if (config.mode === 'emulator') {
    const emulator: SpawnedEmulator = await spawnEmulator({ EMULATOR_EXTRA_CREDENTIALS: `${SECOND_APP.appKey}:${SECOND_APP.secretKey}` });
    const match = /\(appKey=(\S+) secretKey=(\S+)\)/.exec(emulator.readyLine);
    if (!match) throw new Error(`cannot read the credentials from the ready line: ${emulator.readyLine}`);
    return {
      info: { kind: 'emulator', baseUrl: emulator.url, appKey: match[1]!, lenient: config.lenient, control: config.control !== false },
      credentials: { appKey: match[1]!, secretKey: match[2]! },
      second: SECOND_APP,
      stop: async () => void (await emulator.stop()),
    };
  }
  const baseUrl = config.baseUrl!;
  const control = config.control === 'auto' ? await probeControl(baseUrl) : config.control;
  return {
    info: { kind: config.mode, baseUrl, appKey: config.credentials!.appKey, lenient: config.lenient, control },
    credentials: config.credentials!,
    second: config.second,
    stop: async () => {},
  };
}

function listCases(): void {
  for (const c of ALL_CASES) {
    const needs = c.needs?.length ? ` needs ${c.needs.join(', ')}` : '';
    console.log(`${c.id}  [${c.basis}${needs}]  ${c.title}`);
  }
}

async function main(argv: readonly string[]): Promise<number> {
  let config: RunConfig;
  try {
    config = resolveConfig(argv, process.env);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`contracts: ${error.message}\n\n${USAGE}`);
    return 2;
  }
  if (config.help) {
    console.log(USAGE);
    return 0;
  }
  if (config.list) {
    listCases();
    return 0;
  }

  const target = await startTarget(config);
  try {
    const { info } = target;
    if (config.record && info.kind === 'custom' && !info.control) {
      console.error('contracts: --record writes emulator or live snapshots; this target is neither (no emulator control, not OCR_BASE_URL)');
      return 2;
    }
    const images = loadImages(config.fixturesDir);
    const snapshotsDir = config.snapshotsDir ?? SNAPSHOTS_DIR;

    console.log(
      `target: ${info.kind} ${info.baseUrl} (${info.lenient ? 'lenient' : 'strict'}, control ${info.control ? 'on' : 'off'}, ` +
        `parity ${config.parity ? 'on' : 'off'}${config.maxCalls !== undefined ? `, budget ${config.maxCalls} calls` : ''})`,
    );
    if (config.fixturesDir) for (const line of images.describe()) console.log(`image ${line}`);

    const { results, recorder } = await runSession({
      target: info,
      credentials: target.credentials,
      second: target.second,
      maxCalls: config.maxCalls,
      images,
      filters: config.filters,
      skips: config.skips,
      parityDir: config.parity ? snapshotsDir : undefined,
      record: config.record ? { dir: snapshotsDir, source: info.kind === 'live' ? 'live' : 'emulator' } : undefined,
      onResult: (result) => console.log(resultLine(result)),
    });

    for (const line of reportSections(results, recorder.meter.summary())) console.log(line);
    if (config.junit) {
      writeFileSync(
        config.junit,
        junitXml(
          'contracts',
          results.map((r) => ({
            id: r.id,
            status: r.status,
            ...(r.message ? { message: r.message } : {}),
            output: [r.accepted ? `accepted: ${r.accepted}` : '', ...r.notes].filter(Boolean).join('\n'),
            durationMs: r.durationMs,
          })),
        ),
      );
    }
    console.log(summaryLine(results));
    return results.some((r) => r.status === 'fail') ? 1 : 0;
  } finally {
    await target.stop();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`contracts: ${(error as Error)?.stack ?? String(error)}`);
    process.exit(2);
  },
);
