/**
 * The scenario library of a running emulator: the first load, reloads that keep the previous
 * set when the new one fails, and the watcher's log lines. (Reloads through the admin API and a
 * running emulator: server/scenario-files.test.ts.)
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from './config.js';
import { ScenarioBook } from './core/scenarios/book.js';
import { BUILT_IN_SCENARIOS_DIR } from './scenario-files.js';
import { openScenarioLibrary } from './scenario-library.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'scenario-library-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const GOOD = 'description: mine\nendpoints: [credit-card]\noutcome: { error: 4000111 }\n';

describe('openScenarioLibrary', () => {
  it('loads the built-in scenarios, then the given directories', () => {
    writeFileSync(join(dir, 'mine.yaml'), GOOD);
    const book = new ScenarioBook();
    const library = openScenarioLibrary(book, [dir]);
    expect(library.dirs).toEqual([BUILT_IN_SCENARIOS_DIR, dir]);
    expect(book.get('mine')?.description).toBe('mine');
    expect(book.get('credit-card/ok')).toBeDefined();
    expect(library.problems()).toEqual([]);
  });

  it('refuses to start on files that do not load, naming them', () => {
    writeFileSync(join(dir, 'broken.yaml'), 'endpoints: [nowhere]\n');
    const error = (() => {
      try {
        openScenarioLibrary(new ScenarioBook(), [dir]);
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(/^scenario files are invalid:\n/);
    expect((error as Error).message).toContain('broken.yaml');
  });

  it('keeps the previous set in force when a reload fails, and reports its problems until one succeeds', async () => {
    const file = join(dir, 'mine.yaml');
    writeFileSync(file, GOOD);
    const book = new ScenarioBook();
    const library = openScenarioLibrary(book, [dir]);
    writeFileSync(file, 'description: [not, closed\n');
    const problems = await library.reload();
    expect(problems.map((p) => p.file)).toEqual([file]);
    expect(library.problems()).toEqual(problems);
    expect(book.get('mine')?.description).toBe('mine');
    writeFileSync(file, GOOD.replace('mine', 'changed'));
    expect(await library.reload()).toEqual([]);
    expect(library.problems()).toEqual([]);
    expect(book.get('mine')?.description).toBe('changed');
  });

  it('runs reloads one at a time, each seeing the files as they were when it ran', async () => {
    const file = join(dir, 'mine.yaml');
    writeFileSync(file, GOOD);
    const book = new ScenarioBook();
    const library = openScenarioLibrary(book, [dir]);
    const [first, second] = await Promise.all([library.reload(), library.reload()]);
    expect(first).toEqual([]);
    expect(second).toEqual([]);
    expect(book.get('mine')).toBeDefined();
  });

  it('reloads on a change while watched, and logs the outcome', async () => {
    const file = join(dir, 'mine.yaml');
    writeFileSync(file, GOOD);
    const book = new ScenarioBook();
    const library = openScenarioLibrary(book, [dir]);
    const lines: string[] = [];
    const stop = library.watch((line) => lines.push(line));
    try {
      writeFileSync(file, GOOD.replace('mine', 'watched'));
      // The watcher debounces, then reloads off the main thread: bounded generously.
      for (let waited = 0; lines.length === 0 && waited < 10_000; waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(lines[0]).toMatch(/^nhn-ocr-emulator: scenarios reloaded \(\d+\)$/);
      expect(book.get('mine')?.description).toBe('watched');
    } finally {
      stop();
    }
  });
});
