/**
 * Parity snapshots: `contracts/snapshots/<case-id>.json`, the redacted answers of one case as
 * a target gave them (see shape.ts), with where and when they were recorded. A snapshot
 * recorded from the live service is the reference the emulator is held to.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { packageRoot } from '../../server/package-root.js';
import { compareExchanges, formatDifference, isStructural, type Difference, type ExchangeShape } from './compare.js';

/** Where the shipped snapshots live. */
export const SNAPSHOTS_DIR = join(packageRoot(), 'contracts', 'snapshots');

/**
 * Where a run reads and writes snapshots when `--snapshots` names no directory: recordings go to
 * `contracts/snapshots` under the working directory, never into the installed package (npm would
 * overwrite them at the next install, and another project's copy is not the user's to change).
 * Parity reads that directory once it exists, and the shipped snapshots before that. In this
 * repository, run from its root, both are the shipped directory.
 * @example snapshotDirs(undefined, '/work/app') // { read: SNAPSHOTS_DIR (until /work/app/contracts/snapshots exists), write: '/work/app/contracts/snapshots' }
 * @example snapshotDirs('my-snapshots', '/work/app') // { read: '/work/app/my-snapshots', write: '/work/app/my-snapshots' }
 */
export function snapshotDirs(chosen: string | undefined, cwd: string): { read: string; write: string } {
  if (chosen) return { read: resolve(cwd, chosen), write: resolve(cwd, chosen) };
  const local = resolve(cwd, 'contracts', 'snapshots');
  return { read: existsSync(local) ? local : SNAPSHOTS_DIR, write: local };
}

/** A snapshot file. */
export interface Snapshot {
  case: string;
  /** Who answered: the emulator or the live service. */
  source: 'emulator' | 'live';
  /** The host (no port: the emulator's port changes every run). */
  target: string;
  /** YYYY-MM-DD. */
  recordedAt: string;
  exchanges: ExchangeShape[];
}

/** The result of comparing a case's answers with its snapshot. */
export interface ParityOutcome {
  status: 'match' | 'differs' | 'missing';
  /** Whether the differences fail the case (see {@link compareWithSnapshot}). */
  failing: boolean;
  differences: Difference[];
  snapshot?: Pick<Snapshot, 'source' | 'recordedAt' | 'target'>;
}

/**
 * The file of a case's snapshot.
 * @example snapshotFile('contracts/snapshots', 'credit-card/jpg-normal') // 'contracts/snapshots/credit-card/jpg-normal.json'
 */
export function snapshotFile(dir: string, caseId: string): string {
  if (!/^[a-z0-9-]+(\/[a-z0-9-]+)*$/.test(caseId)) throw new Error(`case id ${JSON.stringify(caseId)} cannot name a snapshot file`);
  return join(dir, `${caseId}.json`);
}

/**
 * Reads a case's snapshot, or undefined if there is none.
 * @example readSnapshot(SNAPSHOTS_DIR, 'public-key/credit-card')?.source // 'emulator'
 */
export function readSnapshot(dir: string, caseId: string): Snapshot | undefined {
  const file = snapshotFile(dir, caseId);
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, 'utf8')) as Snapshot;
}

/**
 * Builds a snapshot of a case's observed answers.
 * @example makeSnapshot('public-key/credit-card', observed, 'http://127.0.0.1:8080', 'emulator')
 */
export function makeSnapshot(caseId: string, exchanges: ExchangeShape[], baseUrl: string, source: Snapshot['source'], now = new Date()): Snapshot {
  return { case: caseId, source, target: new URL(baseUrl).hostname, recordedAt: now.toISOString().slice(0, 10), exchanges };
}

/**
 * Writes a snapshot, unless that would replace a live snapshot with an emulator one (a live
 * snapshot is the reference; replace it by deleting the file). Returns what it did.
 * @example writeSnapshot(SNAPSHOTS_DIR, snapshot) // 'written'
 */
export function writeSnapshot(dir: string, snapshot: Snapshot): 'written' | 'kept-live' {
  const existing = readSnapshot(dir, snapshot.case);
  if (existing?.source === 'live' && snapshot.source !== 'live') return 'kept-live';
  const file = snapshotFile(dir, snapshot.case);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(snapshot, null, 2)}\n`);
  return 'written';
}

/**
 * Compares observed answers with a snapshot, from the emulator or the live service alike:
 * structural differences (a missing, extra or differently shaped field, another result code,
 * a header present or absent) fail; details (a value's length, an array's size) follow the
 * content of the image and are only reported.
 * @example compareWithSnapshot(readSnapshot(dir, id), observed).status // 'match'
 */
export function compareWithSnapshot(snapshot: Snapshot | undefined, observed: ExchangeShape[]): ParityOutcome {
  if (!snapshot) return { status: 'missing', failing: false, differences: [] };
  const differences = compareExchanges(snapshot.exchanges, observed);
  const failing = differences.some(isStructural);
  return {
    status: differences.length === 0 ? 'match' : 'differs',
    failing,
    differences,
    snapshot: { source: snapshot.source, recordedAt: snapshot.recordedAt, target: snapshot.target },
  };
}

/**
 * One line for the parity report.
 * @example describeParity('credit-card/jpg-normal', outcome) // 'credit-card/jpg-normal: matches the live snapshot of 2026-11-20'
 */
export function describeParity(caseId: string, outcome: ParityOutcome): string {
  if (outcome.status === 'missing') return `${caseId}: no snapshot`;
  const of = `the ${outcome.snapshot!.source} snapshot of ${outcome.snapshot!.recordedAt}`;
  if (outcome.status === 'match') return `${caseId}: matches ${of}`;
  return `${caseId}: differs from ${of}${outcome.failing ? '' : ' (details only)'}: ${outcome.differences.map(formatDifference).join('; ')}`;
}
