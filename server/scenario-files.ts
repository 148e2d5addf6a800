/**
 * Scenario files on disk: one file a scenario, YAML or JSON, named by its path without extension
 * (`scenarios/credit-card/not-found.yaml` is `credit-card/not-found`). A set is loaded whole or
 * not at all; a change on disk reloads it, and a bad file keeps the last good set in force.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, watch, type FSWatcher } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { parseScenario, type Scenario } from './core/scenarios/schema.js';
import { packageRoot } from './package-root.js';
import { parseScenarioYaml } from './scenario-cache.js';

/** The scenarios shipped with the emulator (the repository's `scenarios/`). */
export const BUILT_IN_SCENARIOS_DIR = join(packageRoot(), 'scenarios');

/** A file that could not be loaded, and why. */
export interface ScenarioProblem {
  file: string;
  problems: string[];
}

/** The outcome of loading directories. */
export type LoadResult = { ok: true; scenarios: Scenario[] } | { ok: false; errors: ScenarioProblem[] };

const EXTENSIONS = /\.(ya?ml|json)$/i;

function listFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listFiles(path));
    else if (EXTENSIONS.test(entry.name)) out.push(path);
  }
  return out.sort();
}

function loadFile(dir: string, file: string): Scenario | ScenarioProblem {
  const name = relative(dir, file).split(sep).join('/').replace(EXTENSIONS, '');
  let raw: unknown;
  try {
    // A byte-order mark (some Windows editors write one) is no part of the JSON or YAML text.
    const text = readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
    raw = /\.json$/i.test(file) ? JSON.parse(text) : parseScenarioYaml(text);
  } catch (error) {
    return { file, problems: [`cannot parse: ${(error as Error).message.split('\n')[0]}`] };
  }
  const parsed = parseScenario(raw);
  if (!parsed.ok) return { file, problems: parsed.problems };
  const { match, ...rest } = parsed.value;
  const imageSha256 = (match?.imageSha256 ?? []).map((s) => s.toLowerCase());
  const problems: string[] = [];
  for (const sample of match?.sampleImages ?? []) {
    const path = resolve(dirname(file), sample);
    if (!existsSync(path) || !statSync(path).isFile()) problems.push(`match.sampleImages: ${sample} does not exist next to the file`);
    else imageSha256.push(createHash('sha256').update(readFileSync(path)).digest('hex'));
  }
  if (problems.length) return { file, problems };
  return { ...rest, name, source: file, imageSha256 };
}

/**
 * Loads every scenario file of the directories; a later directory's file replaces an earlier
 * one of the same name. Any bad file fails the whole load, naming file and field.
 * @example const result = loadScenarioDirs([BUILT_IN_SCENARIOS_DIR, './my-scenarios'])
 */
export function loadScenarioDirs(dirs: readonly string[]): LoadResult {
  const byName = new Map<string, Scenario>();
  const errors: ScenarioProblem[] = [];
  for (const dir of dirs) {
    if (!existsSync(dir)) {
      errors.push({ file: dir, problems: ['scenario directory does not exist'] });
      continue;
    }
    const here = new Map<string, string>();
    for (const file of listFiles(dir)) {
      const loaded = loadFile(dir, file);
      if ('problems' in loaded) {
        errors.push(loaded);
        continue;
      }
      // Two files of one directory with one name (a.yaml and a.json): which one wins would be an accident of sorting.
      const twin = here.get(loaded.name);
      if (twin) {
        errors.push({ file, problems: [`scenario "${loaded.name}" is also defined by ${twin}`] });
        continue;
      }
      here.set(loaded.name, file);
      byName.set(loaded.name, loaded);
    }
  }
  return errors.length ? { ok: false, errors } : { ok: true, scenarios: [...byName.values()] };
}

/**
 * Calls `onChange` (debounced) whenever a file under the directories changes.
 * @example const stop = watchScenarioDirs(dirs, reload); stop()
 */
export function watchScenarioDirs(dirs: readonly string[], onChange: () => void, debounceMs = 100): () => void {
  let timer: NodeJS.Timeout | undefined;
  const watchers: FSWatcher[] = [];
  for (const dir of dirs) {
    if (!existsSync(dir)) continue;
    const watcher = watch(dir, { recursive: true, persistent: false }, () => {
      clearTimeout(timer);
      timer = setTimeout(onChange, debounceMs);
    });
    watcher.on('error', () => {});
    watchers.push(watcher);
  }
  return () => {
    clearTimeout(timer);
    for (const w of watchers) w.close();
  };
}

/** Formats load errors for a person: one line per bad field. */
export function formatScenarioErrors(errors: readonly ScenarioProblem[]): string {
  return errors.map((e) => e.problems.map((p) => `${e.file}: ${p}`).join('\n')).join('\n');
}
