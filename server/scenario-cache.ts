/**
 * The built-in scenario files, parsed ahead of time. `npm run build` stores what YAML makes of
 * each built-in file in dist/server/built-in-scenarios.json, keyed by a digest of the file's
 * text; loading a file whose text has a stored digest takes the stored value, and only another
 * text is parsed as YAML. So start-up neither loads the yaml package nor parses the built-in
 * files (together about a fifth of the emulator's start-up; test/bench/README.md). A file
 * edited since the build has another digest and is parsed as usual: the store may be stale,
 * never wrong. server/build.mjs writes the store (writeScenarioStore).
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import type { parse as ParseYaml } from 'yaml';
import { packageRoot } from './package-root.js';

/** Where the build stores the parsed built-in files. */
export const PARSED_SCENARIOS_FILE = join(packageRoot(), 'dist', 'server', 'built-in-scenarios.json');

let stored: Map<string, unknown> | undefined;
let parseYaml: typeof ParseYaml | undefined;

/**
 * What YAML makes of `text`: the stored value when the build parsed this very text, else the
 * yaml package's answer (loaded on first need; it throws on text that is not YAML).
 * @example parseScenarioYaml('description: x') // { description: 'x' }
 */
export function parseScenarioYaml(text: string): unknown {
  stored ??= readStore(PARSED_SCENARIOS_FILE);
  const key = digest(text);
  // A copy: the stored value is shared by every load.
  if (stored.has(key)) return structuredClone(stored.get(key));
  parseYaml ??= (createRequire(import.meta.url)('yaml') as { parse: typeof ParseYaml }).parse;
  return parseYaml(text);
}

/**
 * Parses every YAML file under `dir` and writes the store; a file YAML refuses, or whose value
 * JSON cannot hold exactly, is left out (it is parsed at load time, as any other file).
 * @example writeScenarioStore() // 15
 */
export function writeScenarioStore(dir = join(packageRoot(), 'scenarios'), file = PARSED_SCENARIOS_FILE): number {
  const parse = (createRequire(import.meta.url)('yaml') as { parse: typeof ParseYaml }).parse;
  const store: Record<string, unknown> = {};
  for (const path of yamlFiles(dir)) {
    const text = readFileSync(path, 'utf8').replace(/^\uFEFF/, '');
    let value: unknown;
    try {
      value = parse(text);
    } catch {
      continue;
    }
    if (isDeepStrictEqual(JSON.parse(JSON.stringify(value) ?? 'null'), value)) store[digest(text)] = value;
  }
  writeFileSync(file, `${JSON.stringify(store)}\n`);
  return Object.keys(store).length;
}

function readStore(file: string): Map<string, unknown> {
  if (!existsSync(file)) return new Map();
  try {
    return new Map(Object.entries(JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>));
  } catch {
    return new Map();
  }
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && /\.ya?ml$/i.test(entry.name))
    .map((entry) => join(entry.parentPath ?? entry.path, entry.name));
}

function digest(text: string): string {
  return createHash('sha256').update(text).digest('base64url');
}
