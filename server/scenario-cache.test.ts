import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseScenarioYaml, writeScenarioStore } from './scenario-cache.js';
import { BUILT_IN_SCENARIOS_DIR } from './scenario-files.js';

const dir = mkdtempSync(join(tmpdir(), 'scenario-cache-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the parsed built-in scenarios', () => {
  it('store what YAML makes of every built-in file, keyed by its text', () => {
    const store = join(dir, 'store.json');
    const files = readdirSync(BUILT_IN_SCENARIOS_DIR, { recursive: true })
      .map(String)
      .filter((name) => name.endsWith('.yaml'));
    expect(writeScenarioStore(BUILT_IN_SCENARIOS_DIR, store)).toBe(files.length);
    const values = Object.values(JSON.parse(readFileSync(store, 'utf8')) as Record<string, unknown>);
    expect(values).toEqual(expect.arrayContaining(files.map((name) => parse(readFileSync(join(BUILT_IN_SCENARIOS_DIR, name), 'utf8')))));
  });

  it('leave out a file YAML refuses or JSON cannot hold', () => {
    writeFileSync(join(dir, 'x.yaml'), 'a: .inf\n');
    writeFileSync(join(dir, 'y.yaml'), 'a: [unclosed\n');
    expect(writeScenarioStore(dir, join(dir, 'odd.json'))).toBe(0);
  });

  it('answer as YAML does, stored or not, with a copy each time', () => {
    const builtIn = readFileSync(join(BUILT_IN_SCENARIOS_DIR, 'errors', 'flaky.yaml'), 'utf8');
    const first = parseScenarioYaml(builtIn) as Record<string, unknown>;
    expect(first).toEqual(parse(builtIn));
    first['description'] = 'changed by a caller';
    expect(parseScenarioYaml(builtIn)).toEqual(parse(builtIn));
    expect(parseScenarioYaml(`${builtIn}\n# edited\n`)).toEqual(parse(builtIn));
    expect(() => parseScenarioYaml('a: [unclosed')).toThrow();
  });
});
