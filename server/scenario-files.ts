/**
 * Scenario files on disk: one file a scenario, YAML or JSON, named by its path without extension
 * (`scenarios/credit-card/not-found.yaml` is `credit-card/not-found`). A set is loaded whole or
 * not at all; a change on disk reloads it, and a bad file keeps the last good set in force.
 *
 * A scenario folder may hold anything, so nothing in it may stall the server:
 * - a file is read only when it is a regular file within a size bound (server/bounded-read.ts);
 *   a FIFO named `x.yaml` used to block the main thread for good (SIGTERM ignored), and a
 *   `.yaml` link to /dev/zero ate memory until the process died. Anything else is a problem of
 *   the set, like a bad field;
 * - a reload while serving (`loadScenarioDirsOffThread`) parses YAML on a worker thread and
 *   hashes sample images in slices between other work: YAML is slow to parse (measured 1.5-2.5 ms
 *   a KiB of structured YAML on this project's 2-core machine, so a 21 MB file blocked the server
 *   5.3 s), and the size bound alone would have to be a few KiB to keep a reload unnoticeable.
 *   At start-up nothing is served yet, so the first load parses in line (no worker to start).
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { Worker } from 'node:worker_threads';
import { hashBoundedFile, readBoundedFile, readProblem } from './bounded-read.js';
import { parseScenario, type Scenario } from './core/scenarios/schema.js';
import { packageRoot } from './package-root.js';
import { parseScenarioYaml } from './scenario-cache.js';
import { watchTrees } from './watch-tree.js';

/** The scenarios shipped with the emulator (the repository's `scenarios/`). */
export const BUILT_IN_SCENARIOS_DIR = join(packageRoot(), 'scenarios');

/**
 * The largest scenario file read: 256 KiB, some 700 times the largest built-in one. Parsing that
 * much YAML takes up to ~0.5 s (on the worker thread, when reloading).
 */
export const SCENARIO_FILE_MAX_BYTES = 256 * 1024;

/** The largest sample image hashed: the default upload limit (a larger image could not be sent). */
export const SAMPLE_IMAGE_MAX_BYTES = 20 * 1024 * 1024;

/** How long a reload may spend parsing on its worker before its files are reported as problems. */
const PARSE_TIMEOUT_MS = 30_000;

/** A file that could not be loaded, and why. */
export interface ScenarioProblem {
  file: string;
  problems: string[];
}

/** The outcome of loading directories. */
export type LoadResult = { ok: true; scenarios: Scenario[] } | { ok: false; errors: ScenarioProblem[] };

const EXTENSIONS = /\.(ya?ml|json)$/i;

/** Files of a directory tree with a scenario extension; unreadable directories are problems. */
function listFiles(dir: string, problems: ScenarioProblem[]): string[] {
  const out: string[] = [];
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (error) {
    problems.push({ file: dir, problems: [`cannot list the directory: ${(error as NodeJS.ErrnoException).code ?? String(error)}`] });
    return out;
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listFiles(path, problems));
    // Anything else with the extension, links and FIFOs included: reading judges what it is.
    else if (EXTENSIONS.test(entry.name)) out.push(path);
  }
  return out.sort();
}

/** A scenario file's text to parse. */
interface Source {
  file: string;
  json: boolean;
  text: string;
}

/** What parsing a file's text gave. */
type Parsed = { value: unknown } | { error: string };

/** What the loading steps ask of whoever runs them: texts parsed, images hashed. */
type Ask = { parse: Source[] } | { hash: string[] };
type Hashed = { sha256: string } | { problem: string };
type Answer = Parsed[] | Hashed[];

/**
 * The load as steps that ask for the slow work (parsing, hashing) instead of doing it, so that
 * one description runs in line at start-up (`loadScenarioDirs`) and off the main thread when
 * reloading (`loadScenarioDirsOffThread`).
 */
function* loading(dirs: readonly string[]): Generator<Ask, LoadResult, Answer> {
  const errors: ScenarioProblem[] = [];
  const sources: Array<Source & { dir: string }> = [];
  for (const dir of dirs) {
    if (!existsSync(dir)) {
      errors.push({ file: dir, problems: ['scenario directory does not exist'] });
      continue;
    }
    for (const file of listFiles(dir, errors)) {
      try {
        // A byte-order mark (some Windows editors write one) is no part of the JSON or YAML text.
        const text = readBoundedFile(file, SCENARIO_FILE_MAX_BYTES)
          .toString('utf8')
          .replace(/^\uFEFF/, '');
        sources.push({ dir, file, json: /\.json$/i.test(file), text });
      } catch (error) {
        errors.push({ file, problems: [readProblem(error)] });
      }
    }
  }
  const parsed = (yield { parse: sources.map(({ file, json, text }) => ({ file, json, text })) }) as Parsed[];

  const checked: Array<{ dir: string; file: string; scenario: Omit<Scenario, 'name' | 'source' | 'imageSha256'>; imageSha256: string[]; samples: string[] }> =
    [];
  sources.forEach(({ dir, file }, i) => {
    const result = parsed[i]!;
    if ('error' in result) {
      errors.push({ file, problems: [`cannot parse: ${result.error}`] });
      return;
    }
    const validated = parseScenario(result.value);
    if (!validated.ok) {
      errors.push({ file, problems: validated.problems });
      return;
    }
    const { match, ...scenario } = validated.value;
    checked.push({ dir, file, scenario, imageSha256: (match?.imageSha256 ?? []).map((s) => s.toLowerCase()), samples: match?.sampleImages ?? [] });
  });

  const paths = checked.flatMap(({ file, samples }) => samples.map((sample) => resolve(dirname(file), sample)));
  const hashes = (yield { hash: paths }) as Hashed[];
  const byName = new Map<string, Scenario>();
  const here = new Map<string, string>();
  let next = 0;
  for (const { dir, file, scenario, imageSha256, samples } of checked) {
    const problems: string[] = [];
    for (const sample of samples) {
      const hashed = hashes[next++]!;
      if ('sha256' in hashed) imageSha256.push(hashed.sha256);
      else problems.push(`match.sampleImages: ${sample} ${hashed.problem}`);
    }
    if (problems.length) {
      errors.push({ file, problems });
      continue;
    }
    const name = relative(dir, file).split(sep).join('/').replace(EXTENSIONS, '');
    // Two files of one directory with one name (a.yaml and a.json): which one wins would be an accident of sorting.
    const twin = here.get(`${dir}\u0000${name}`);
    if (twin) {
      errors.push({ file, problems: [`scenario "${name}" is also defined by ${twin}`] });
      continue;
    }
    here.set(`${dir}\u0000${name}`, file);
    // A later directory's file replaces an earlier one of the same name (in its place).
    byName.set(name, { ...scenario, name, source: file, imageSha256 } as Scenario);
  }
  return errors.length ? { ok: false, errors } : { ok: true, scenarios: [...byName.values()] };
}

function parseText({ json, text }: Source): Parsed {
  try {
    return { value: json ? JSON.parse(text) : parseScenarioYaml(text) };
  } catch (error) {
    return { error: (error as Error).message.split('\n')[0]! };
  }
}

/** Why a sample image cannot be hashed, as the problem list says it. */
function sampleProblem(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ENOTDIR') return 'does not exist next to the file';
  return readProblem(error);
}

/**
 * Loads every scenario file of the directories, in line (for start-up, before anything is
 * served); a later directory's file replaces an earlier one of the same name. Any bad file fails
 * the whole load, naming file and field.
 * @example const result = loadScenarioDirs([BUILT_IN_SCENARIOS_DIR, './my-scenarios'])
 */
export function loadScenarioDirs(dirs: readonly string[]): LoadResult {
  const steps = loading(dirs);
  let step = steps.next();
  while (!step.done) {
    const ask = step.value;
    if ('parse' in ask) step = steps.next(ask.parse.map(parseText));
    else {
      step = steps.next(
        ask.hash.map((path) => {
          try {
            return { sha256: createHash('sha256').update(readBoundedFile(path, SAMPLE_IMAGE_MAX_BYTES)).digest('hex') };
          } catch (error) {
            return { problem: sampleProblem(error) };
          }
        }),
      );
    }
  }
  return step.value;
}

/**
 * The same load without blocking the event loop for long: YAML and JSON parsed on a worker
 * thread, sample images hashed a slice at a time. What the main thread still does (listing,
 * reading files of at most 256 KiB, checking the parsed values) is quick.
 * @example const result = await loadScenarioDirsOffThread(dirs)
 */
export async function loadScenarioDirsOffThread(dirs: readonly string[]): Promise<LoadResult> {
  const steps = loading(dirs);
  let step = steps.next();
  while (!step.done) {
    const ask = step.value;
    if ('parse' in ask) step = steps.next(await parseOffThread(ask.parse));
    else {
      const hashes: Hashed[] = [];
      for (const path of ask.hash) {
        try {
          hashes.push({ sha256: await hashBoundedFile(path, SAMPLE_IMAGE_MAX_BYTES) });
        } catch (error) {
          hashes.push({ problem: sampleProblem(error) });
        }
      }
      step = steps.next(hashes);
    }
  }
  return step.value;
}

/**
 * The parsing worker: CommonJS evaluated from a string, so it runs the same from the TypeScript
 * sources (tests) as from dist/; it loads `yaml` from the path the main thread resolved.
 */
const PARSER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const YAML = require(workerData.yaml);
parentPort.once('message', (sources) => {
  parentPort.postMessage(sources.map(({ json, text }) => {
    try {
      return { value: json ? JSON.parse(text) : YAML.parse(text) };
    } catch (error) {
      return { error: String(error && error.message).split('\\n')[0] };
    }
  }));
});
`;

const yamlEntry = createRequire(import.meta.url).resolve('yaml');

/** Parses texts on a worker of its own; a worker that fails or overruns makes every text a problem. */
function parseOffThread(sources: Source[]): Promise<Parsed[]> {
  if (sources.length === 0) return Promise.resolve([]);
  return new Promise((resolvePromise) => {
    // Bounded memory: a text of 256 KiB needs far less; past it the worker dies, not the server.
    const worker = new Worker(PARSER_SOURCE, { eval: true, workerData: { yaml: yamlEntry }, resourceLimits: { maxOldGenerationSizeMb: 256 } });
    let done = false;
    const finish = (result: Parsed[]) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      void worker.terminate();
      resolvePromise(result);
    };
    const failAll = (why: string) => finish(sources.map(() => ({ error: why })));
    const timer = setTimeout(() => failAll(`parsing took longer than ${PARSE_TIMEOUT_MS / 1000} s`), PARSE_TIMEOUT_MS);
    worker.once('message', (parsed: Parsed[]) => finish(parsed));
    worker.once('error', (error) => failAll(`the parser failed: ${error.message.split('\n')[0]}`));
    worker.once('exit', (code) => failAll(`the parser stopped (exit code ${code})`));
    worker.unref(); // a reload in flight never keeps a closing process alive
    worker.postMessage(sources);
  });
}

/**
 * Calls `onChange` (debounced) whenever a file under the directories changes, including a file
 * saved atomically (written elsewhere, renamed over the old one) and a folder deleted and made
 * again; a directory missing now is picked up once it appears (server/watch-tree.ts).
 * @example const stop = watchScenarioDirs(dirs, reload); stop()
 */
export function watchScenarioDirs(dirs: readonly string[], onChange: () => void, debounceMs = 100): () => void {
  return watchTrees(dirs, onChange, debounceMs);
}

/** Formats load errors for a person: one line per bad field. */
export function formatScenarioErrors(errors: readonly ScenarioProblem[]): string {
  return errors.map((e) => e.problems.map((p) => `${e.file}: ${p}`).join('\n')).join('\n');
}
