/**
 * The scenario files a running emulator serves: the built-in directory and the user's, loaded
 * into its ScenarioBook at start, reloaded on demand (the admin API) or when a file changes, and
 * the problems of the last load. A reload that fails keeps the previous set in force: a typo
 * saved in an editor must not take away the scenarios the tests under way rely on.
 */
import { delimiter } from 'node:path';
import { ConfigError } from './config.js';
import type { ScenarioBook } from './core/scenarios/book.js';
import {
  BUILT_IN_SCENARIOS_DIR,
  formatScenarioErrors,
  loadScenarioDirs,
  loadScenarioDirsOffThread,
  watchScenarioDirs,
  type LoadResult,
  type ScenarioProblem,
} from './scenario-files.js';

/** The loaded scenario files of one emulator. */
export interface ScenarioLibrary {
  /** The directories read, in order: the built-in one first. */
  readonly dirs: readonly string[];
  /** Re-reads every directory; resolves with the problems (empty when the new set is in force). */
  reload(): Promise<ScenarioProblem[]>;
  /** Problems of the last load (the previous good set stays in force meanwhile). */
  problems(): ScenarioProblem[];
  /** Reloads whenever a file changes, logging the outcome; returns what stops the watching. */
  watch(log: (line: string) => void): () => void;
}

/**
 * Loads the built-in scenarios and those of `dirs` (a later directory wins a name) into `book`.
 * Throws a ConfigError listing the problems when they do not load: nothing is served yet, so
 * there is no previous set to keep.
 * @example const library = openScenarioLibrary(new ScenarioBook(), ['./my-scenarios']); const stop = library.watch(console.log)
 */
export function openScenarioLibrary(book: ScenarioBook, dirs: readonly string[]): ScenarioLibrary {
  const all = [BUILT_IN_SCENARIOS_DIR, ...dirs];
  let problems: ScenarioProblem[] = [];
  const apply = (loaded: LoadResult): ScenarioProblem[] => {
    if (loaded.ok) book.replaceAll(loaded.scenarios);
    problems = loaded.ok ? [] : loaded.errors;
    return problems;
  };
  // The first load in line: nothing is served yet, and starting a parser thread would cost start-up time.
  const initial = apply(loadScenarioDirs(all));
  if (initial.length) throw new ConfigError(`scenario files are invalid:\n${formatScenarioErrors(initial)}`);
  // Reloads while serving parse off the main thread (server/scenario-files.ts), one at a time.
  let reloading: Promise<ScenarioProblem[]> = Promise.resolve([]);
  const reload = (): Promise<ScenarioProblem[]> =>
    (reloading = reloading.then(async () => {
      try {
        return apply(await loadScenarioDirsOffThread(all));
      } catch (error) {
        return (problems = [{ file: all.join(delimiter), problems: [`reload failed: ${(error as Error).message}`] }]);
      }
    }));
  const watch = (log: (line: string) => void) =>
    watchScenarioDirs(all, () => {
      void reload().then((now) => log(reloadLine(now, book)));
    });
  return { dirs: all, reload, problems: () => problems, watch };
}

/** What a reload on a file change logs. */
function reloadLine(problems: readonly ScenarioProblem[], book: ScenarioBook): string {
  return problems.length
    ? `nhn-ocr-emulator: scenario reload failed, previous set stays in force:\n${formatScenarioErrors(problems)}`
    : `nhn-ocr-emulator: scenarios reloaded (${book.list().length})`;
}
