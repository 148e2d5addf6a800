/**
 * The record directory on disk (docs/record-live-service.md): one YAML scenario file per image
 * and endpoint, written whole or not at all (a temporary file renamed into place, so the
 * scenario watcher of another emulator never reads half a file), and the salt that makes the
 * synthetic values of this directory, kept beside them and out of version control.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import type { RandomSource } from './core/random.js';
import type { RecordedScenario } from './core/record/recording.js';

/** The salt's file: whoever holds it can test guesses of a personal value against a recording, so it is never committed. */
export const SALT_FILE = '.redaction-salt';

/**
 * Where recordings go when no directory is given: `recorded/` in the last scenarios directory
 * (the one whose names win), else `./scenarios/recorded` under the working directory.
 * @example defaultRecordDir(['./my-scenarios'], '/app') // '/app/my-scenarios/recorded'
 */
export function defaultRecordDir(scenarioDirs: readonly string[], cwd: string): string {
  const last = scenarioDirs.at(-1);
  return resolve(cwd, last ?? 'scenarios', 'recorded');
}

/**
 * A record directory, made on first use with a `.gitignore` that keeps the salt out of commits.
 * @example const dir = new RecordDir('/app/scenarios/recorded', cryptoRandom); const salt = dir.salt(); await dir.save('credit-card-ab12', scenario)
 */
export class RecordDir {
  readonly path: string;

  constructor(
    path: string,
    readonly random: RandomSource,
  ) {
    this.path = resolve(path);
  }

  /** Makes the directory and its `.gitignore` when missing (throws with the reason when it cannot). */
  prepare(): void {
    mkdirSync(this.path, { recursive: true });
    const ignore = join(this.path, '.gitignore');
    if (!existsSync(ignore)) writeFileSync(ignore, `# The salt of this directory's synthetic values: never commit it.\n${SALT_FILE}\n`);
  }

  /** The directory's salt, made (32 random bytes, readable by the owner only) on first use. */
  salt(): Buffer {
    const file = join(this.path, SALT_FILE);
    if (existsSync(file)) {
      const text = readFileSync(file, 'utf8').trim();
      if (/^[0-9a-f]{64}$/.test(text)) return Buffer.from(text, 'hex');
      throw new Error(`${file} is not 64 hex digits: delete it to make a new salt (recordings made since will get other synthetic values)`);
    }
    const salt = this.random.bytes(32);
    try {
      // `wx`: of two processes making the salt at once (worker processes), one writes it, the other reads it.
      writeFileSync(file, `${salt.toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return this.salt();
      throw error;
    }
    chmodSync(file, 0o600);
    return salt;
  }

  /** A recording written before, or `undefined` when there is none or it does not read as one. */
  async load(name: string): Promise<RecordedScenario | undefined> {
    const file = join(this.path, `${name}.yaml`);
    if (!existsSync(file)) return undefined;
    const { parse } = await import('yaml');
    try {
      const read = parse(readFileSync(file, 'utf8')) as unknown;
      return typeof read === 'object' && read !== null ? (read as RecordedScenario) : undefined;
    } catch {
      return undefined;
    }
  }

  /** Writes (or replaces) a recording as `<name>.yaml`; resolves with its path relative to the working directory when inside it. */
  async save(name: string, scenario: RecordedScenario): Promise<string> {
    const { stringify } = await import('yaml');
    const file = join(this.path, `${name}.yaml`);
    const header = [
      '# A recording of the live service (docs/record-live-service.md). Review it before committing:',
      scenario.recorded.redacted
        ? '# personal values were replaced by synthetic ones of the same shape.'
        : '# personal values were KEPT as read (EMULATOR_RECORD_KEEP_VALUES=on): do not commit this file.',
    ].join('\n');
    const temporary = `${file}.${process.pid}.tmp`;
    writeFileSync(temporary, `${header}\n${stringify(scenario, { lineWidth: 0 })}`);
    renameSync(temporary, file);
    const shown = relative(process.cwd(), file);
    return shown.startsWith('..') || isAbsolute(shown) ? file : shown;
  }
}
