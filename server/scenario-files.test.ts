/**
 * Scenario files on disk: names from paths, YAML and JSON, whole-set loading, sample images,
 * directory order, and hot reload through a running emulator.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createOcrClient } from '../contracts/client/index.js';
import { fixture, fixedKeyFactory } from '../test/support/fixtures.js';
import { startEmulator, type RunningEmulator } from './index.js';
import { BUILT_IN_SCENARIOS_DIR, formatScenarioErrors, loadScenarioDirs } from './scenario-files.js';

const FIXTURE_PNG = new URL('../test/fixtures/card-428x270.png', import.meta.url);

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'scenarios-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Writes a file under the temp dir, making folders as needed. */
function write(path: string, text: string): string {
  const file = join(dir, path);
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, text);
  return file;
}

function loaded(dirs: string[]) {
  const result = loadScenarioDirs(dirs);
  if (!result.ok) throw new Error(formatScenarioErrors(result.errors));
  return new Map(result.scenarios.map((s) => [s.name, s]));
}

describe('loadScenarioDirs', () => {
  it('loads YAML and JSON, named by path without extension', () => {
    write('flat.yaml', 'description: flat\nendpoints: [credit-card]\noutcome: { error: 4000111 }\n');
    write('team/nested.yml', 'description: nested\nendpoints: [id-card]\noutcome:\n  error: ID_CARD_INFO_NOT_FOUND\n');
    write('team/deeper/as-json.json', JSON.stringify({ description: 'json', endpoints: ['*'], sequence: [{ error: 5000503 }, {}] }));
    write('notes.txt', 'not a scenario');
    const scenarios = loaded([dir]);
    expect([...scenarios.keys()].sort()).toEqual(['flat', 'team/deeper/as-json', 'team/nested']);
    expect(scenarios.get('flat')).toMatchObject({ outcome: { error: 'CREDIT_CARD_INFO_NOT_FOUND' }, source: join(dir, 'flat.yaml'), imageSha256: [] });
    expect(scenarios.get('team/nested')?.outcome).toEqual({ error: 'ID_CARD_INFO_NOT_FOUND' });
    expect(scenarios.get('team/deeper/as-json')?.sequence).toEqual([{ error: 'API_TEMPORARILY_UNAVAILABLE' }, {}]);
  });

  it('reads files that start with a byte-order mark', () => {
    write('bom.json', '\uFEFF{"description": "bom", "endpoints": ["credit-card"]}');
    write('bom-too.yaml', '\uFEFFdescription: bom\nendpoints: [id-card]\n');
    expect([...loaded([dir]).keys()].sort()).toEqual(['bom', 'bom-too']);
  });

  it('loads every built-in scenario', () => {
    const names = [...loaded([BUILT_IN_SCENARIOS_DIR]).keys()].sort();
    expect(names).toEqual([
      'credit-card/amex',
      'credit-card/not-found',
      'credit-card/ok',
      'credit-card/recognition-fail',
      'errors/dropped-connection',
      'errors/flaky',
      'errors/rate-limited',
      'errors/unavailable',
      'id-card/driver',
      'id-card/not-authentic',
      'id-card/not-found',
      'id-card/passport',
      'id-card/recognition-fail',
      'id-card/resident',
      'latency/slow',
    ]);
  });

  it('reports a bad file with its path and field, and loads nothing of the set', () => {
    write('good.yaml', 'description: good\nendpoints: [credit-card]\n');
    const bad = write('bad.yaml', 'description: bad\nendpoints: [credit-card]\noutcome:\n  error: 4000999\n  delayMs: -5\n');
    const result = loadScenarioDirs([dir]);
    expect(result).toEqual({
      ok: false,
      errors: [
        {
          file: bad,
          problems: ['outcome.error: 4000999 is not a documented result code or name', 'outcome.delayMs: Invalid value: Expected >=0 but received -5'],
        },
      ],
    });
    expect('scenarios' in result).toBe(false);
    expect(formatScenarioErrors(result.ok ? [] : result.errors)).toBe(
      `${bad}: outcome.error: 4000999 is not a documented result code or name\n${bad}: outcome.delayMs: Invalid value: Expected >=0 but received -5`,
    );
  });

  it("loads the credit-card and ID-card codes of the error-code page; refuses another product's with one line", () => {
    write('card-api-fail.yaml', 'description: the card recogniser fails\nendpoints: [credit-card]\nsequence:\n  - error: 5003011\n  - error: 5003012\n');
    write(
      'id-api-fail.yaml',
      'description: the ID recogniser fails\nendpoints: [id-card]\nsequence:\n  - error: 5003021\n  - error: OCR_DOCUMENT_ID_CARD_API_RETURN_EMPTY\n',
    );
    const loaded = loadScenarioDirs([dir]);
    expect(loaded.ok && loaded.scenarios.find((s) => s.name === 'card-api-fail')?.sequence).toEqual([
      { error: 'OCR_DOCUMENT_CREDIT_CARD_API_FAIL' },
      { error: 'OCR_DOCUMENT_CREDIT_CARD_API_RETURN_EMPTY' },
    ]);
    const business = write('business.yaml', 'description: not ours\nendpoints: [credit-card]\noutcome:\n  error: 5003001\n');
    const result = loadScenarioDirs([dir]);
    expect(formatScenarioErrors(result.ok ? [] : result.errors)).toBe(
      `${business}: outcome.error: 5003001 OCR_DOCUMENT_BUSINESS_API_FAIL belongs to business registration OCR, not to a credit-card or ID-card call`,
    );
  });

  it('a documented code in quotes is refused with a line that says how to write it', () => {
    const quoted = write('quoted.yaml', "description: quoted\nendpoints: [credit-card]\noutcome:\n  error: '5003011'\n");
    const result = loadScenarioDirs([dir]);
    expect(formatScenarioErrors(result.ok ? [] : result.errors)).toBe(
      `${quoted}: outcome.error: "5003011" is a code in quotes: write it as a number (error: 5003011) or by its name (error: OCR_DOCUMENT_CREDIT_CARD_API_FAIL)`,
    );
  });

  it('reports YAML and JSON that do not parse', () => {
    const yaml = write('broken.yaml', 'description: [unclosed\n');
    const json = write('broken.json', '{"description": ');
    const result = loadScenarioDirs([dir]);
    expect(result.ok).toBe(false);
    const errors = result.ok ? [] : result.errors;
    expect(errors.map((e) => e.file).sort()).toEqual([json, yaml].sort());
    for (const error of errors) expect(error.problems[0]).toMatch(/^cannot parse: /);
  });

  it('reports an empty file and a missing directory', () => {
    const empty = write('empty.yaml', '');
    expect(loadScenarioDirs([dir])).toEqual({ ok: false, errors: [{ file: empty, problems: ['a scenario file must be a mapping, not null'] }] });
    const missing = join(dir, 'nope');
    rmSync(empty);
    expect(loadScenarioDirs([dir, missing])).toEqual({ ok: false, errors: [{ file: missing, problems: ['scenario directory does not exist'] }] });
  });

  it('refuses two files of one directory with one name', () => {
    write('twin.yaml', 'description: yaml\nendpoints: [credit-card]\n');
    const json = write('twin.json', '{"description": "json", "endpoints": ["credit-card"]}');
    expect(loadScenarioDirs([dir])).toEqual({
      ok: false,
      errors: [{ file: join(dir, 'twin.yaml'), problems: [`scenario "twin" is also defined by ${json}`] }],
    });
  });

  it('hashes sample images next to the file', () => {
    mkdirSync(join(dir, 'cards'));
    copyFileSync(FIXTURE_PNG, join(dir, 'cards', 'sample.png'));
    write(
      'cards/by-image.yaml',
      `description: by image\nendpoints: [credit-card]\nmatch:\n  sampleImages: [sample.png]\n  imageSha256: ["${'AB'.repeat(32)}"]\n`,
    );
    const sha = createHash('sha256').update(fixture('card-428x270.png')).digest('hex');
    expect(loaded([dir]).get('cards/by-image')?.imageSha256).toEqual(['ab'.repeat(32), sha]);
  });

  it('reports a sample image that is not there', () => {
    const file = write('by-image.yaml', 'description: by image\nendpoints: [credit-card]\nmatch: { sampleImages: [missing.png] }\n');
    expect(loadScenarioDirs([dir])).toEqual({
      ok: false,
      errors: [{ file, problems: ['match.sampleImages: missing.png does not exist next to the file'] }],
    });
  });

  it('a later directory replaces a built-in scenario of the same name', () => {
    const file = write('credit-card/ok.yaml', 'description: overridden\nendpoints: [credit-card]\noutcome: { error: 5003013 }\n');
    const scenarios = loaded([BUILT_IN_SCENARIOS_DIR, dir]);
    expect(scenarios.get('credit-card/ok')).toMatchObject({
      description: 'overridden',
      source: file,
      outcome: { error: 'OCR_DOCUMENT_CREDIT_CARD_RECOGNITION_FAIL' },
    });
    expect(scenarios.get('credit-card/amex')?.source).toBe(join(BUILT_IN_SCENARIOS_DIR, 'credit-card', 'amex.yaml'));
  });
});

describe('hot reload through a running emulator', () => {
  let watched: string;
  let emulator: RunningEmulator;
  const logs: string[] = [];
  beforeAll(async () => {
    watched = mkdtempSync(join(tmpdir(), 'scenarios-watched-'));
    mkdirSync(join(watched, 'mine'));
    writeFileSync(join(watched, 'mine', 'switch.yaml'), 'description: first\nendpoints: [credit-card]\noutcome: { error: 4000111 }\n');
    emulator = await startEmulator({ port: 0, keyFactory: fixedKeyFactory(), scenarioDirs: [watched], logger: (line) => logs.push(line) });
  });
  afterAll(async () => {
    await emulator?.close();
    rmSync(watched, { recursive: true, force: true });
  });

  /** Calls until `check` passes (the watcher debounces, then reloads); gives up after 10 s. */
  async function eventually<T>(probe: () => Promise<T>, check: (value: T) => boolean): Promise<T> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const value = await probe();
      if (check(value) || Date.now() > deadline) return value;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  type Listing = { scenarios: { name: string; description: string }[]; problems: { file: string; problems: string[] }[] };
  const listing = async (): Promise<Listing> => (await fetch(`${emulator.url}/__emulator/scenarios`)).json() as Promise<Listing>;
  const card = fixture('card-428x270.jpg');
  const code = async (scenario: string) => {
    const client = createOcrClient({ baseUrl: emulator.url, appKey: 'emulator-appkey', secretKey: 'emulator-secretkey' });
    return (await client.creditCard(card, { scenario })).resultCode;
  };

  it('serves an edited file, keeps the last good set through a broken one, and loads the fix', async () => {
    const file = join(watched, 'mine', 'switch.yaml');
    expect(await code('mine/switch')).toBe(4000111);

    writeFileSync(file, 'description: second\nendpoints: [credit-card]\noutcome: { error: OCR_DOCUMENT_CREDIT_CARD_RECOGNITION_FAIL }\n');
    expect(
      await eventually(
        () => code('mine/switch'),
        (c) => c === 5003013,
      ),
    ).toBe(5003013);

    writeFileSync(file, 'description: broken\nendpoints: [credit-card]\noutcome: { error: 4000999 }\n');
    const broken = await eventually(listing, (l) => l.problems.length > 0);
    expect(broken.problems).toEqual([{ file, problems: ['outcome.error: 4000999 is not a documented result code or name'] }]);
    expect(broken.scenarios.find((s) => s.name === 'mine/switch')?.description).toBe('second');
    expect(await code('mine/switch')).toBe(5003013);
    expect(logs.some((line) => line.includes('scenario reload failed, previous set stays in force') && line.includes(file))).toBe(true);

    writeFileSync(file, 'description: fixed\nendpoints: [credit-card]\noutcome: {}\n');
    const fixed = await eventually(listing, (l) => l.problems.length === 0);
    expect(fixed.scenarios.find((s) => s.name === 'mine/switch')?.description).toBe('fixed');
    expect(await code('mine/switch')).toBe(0);
  });

  it('follows a file saved atomically (a temporary file renamed over it), version after version', async () => {
    const file = join(watched, 'mine', 'atomic.yaml');
    let saves = 0;
    const save = (text: string) => {
      const temporary = join(watched, 'mine', `.atomic.yaml.${saves++}.tmp`);
      writeFileSync(temporary, text);
      renameSync(temporary, file);
    };
    const described = async (description: string) =>
      (await eventually(listing, (l) => l.scenarios.some((s) => s.name === 'mine/atomic' && s.description === description))).scenarios.find(
        (s) => s.name === 'mine/atomic',
      )?.description;
    writeFileSync(file, 'description: v1\nendpoints: [credit-card]\noutcome: { error: 4000111 }\n');
    expect(await described('v1')).toBe('v1');
    expect(await code('mine/atomic')).toBe(4000111);
    save('description: v2\nendpoints: [credit-card]\noutcome: { error: OCR_DOCUMENT_CREDIT_CARD_RECOGNITION_FAIL }\n');
    expect(await described('v2')).toBe('v2');
    expect(await code('mine/atomic')).toBe(5003013);
    save('description: v3\nendpoints: [credit-card]\noutcome: {}\n');
    expect(await described('v3')).toBe('v3');
    expect(await code('mine/atomic')).toBe(0);
    save('description: broken\nendpoints: [credit-card]\noutcome: { error: 4000999 }\n');
    const broken = await eventually(listing, (l) => l.problems.length > 0);
    expect(broken.problems).toEqual([{ file, problems: ['outcome.error: 4000999 is not a documented result code or name'] }]);
    expect(await code('mine/atomic')).toBe(0);
    save('description: v4\nendpoints: [credit-card]\noutcome: { error: 4000111 }\n');
    expect(await described('v4')).toBe('v4');
    expect((await listing()).problems).toEqual([]);
    expect(await code('mine/atomic')).toBe(4000111);
  });

  it('follows a folder deleted and made again', async () => {
    const folder = join(watched, 'mine', 'again');
    mkdirSync(folder);
    writeFileSync(join(folder, 'one.yaml'), 'description: first\nendpoints: [credit-card]\noutcome: { error: 4000111 }\n');
    await eventually(listing, (l) => l.scenarios.some((s) => s.name === 'mine/again/one'));
    expect(await code('mine/again/one')).toBe(4000111);
    rmSync(folder, { recursive: true });
    const gone = await eventually(listing, (l) => !l.scenarios.some((s) => s.name === 'mine/again/one'));
    expect(gone.scenarios.map((s) => s.name)).not.toContain('mine/again/one');
    mkdirSync(folder);
    writeFileSync(join(folder, 'one.yaml'), 'description: second\nendpoints: [credit-card]\noutcome: { error: 4000111 }\n');
    await eventually(listing, (l) => l.scenarios.some((s) => s.name === 'mine/again/one'));
    // An edit inside the new folder, and an atomic save there: both seen.
    writeFileSync(join(folder, 'one.yaml'), 'description: third\nendpoints: [credit-card]\noutcome: {}\n');
    expect(
      await eventually(
        () => code('mine/again/one'),
        (c) => c === 0,
      ),
    ).toBe(0);
    writeFileSync(join(folder, '.one.tmp'), 'description: fourth\nendpoints: [credit-card]\noutcome: { error: 4000111 }\n');
    renameSync(join(folder, '.one.tmp'), join(folder, 'one.yaml'));
    expect(
      await eventually(
        () => code('mine/again/one'),
        (c) => c === 4000111,
      ),
    ).toBe(4000111);
  });

  it('picks up a new file in a new folder', async () => {
    mkdirSync(join(watched, 'mine', 'new'));
    writeFileSync(join(watched, 'mine', 'new', 'added.json'), '{"description": "added", "endpoints": ["credit-card"], "outcome": {"error": 4000111}}');
    const names = await eventually(listing, (l) => l.scenarios.some((s) => s.name === 'mine/new/added'));
    expect(names.scenarios.map((s) => s.name)).toContain('mine/new/added');
    expect(await code('mine/new/added')).toBe(4000111);
  });

  it('POST /__emulator/scenarios/reload reloads on demand and answers 422 with the problems', async () => {
    const file = join(watched, 'manual.yaml');
    const reload = () => fetch(`${emulator.url}/__emulator/scenarios/reload`, { method: 'POST' });
    writeFileSync(file, 'description: manual\nendpoints: [nowhere]\n');
    const bad = await reload();
    expect(bad.status).toBe(422);
    expect(await bad.json()).toMatchObject({ reloaded: false, problems: [{ file, problems: [expect.stringMatching(/^endpoints\.0: /)] }] });
    writeFileSync(file, 'description: manual\nendpoints: [public-key]\noutcome: { error: 4000006 }\n');
    const ok = await reload();
    expect(ok.status).toBe(200);
    const answer = (await ok.json()) as { reloaded: boolean; problems: unknown[]; count: number };
    expect(answer).toMatchObject({ reloaded: true, problems: [] });
    expect(answer.count).toBe((await listing()).scenarios.length);
    expect((await listing()).scenarios.map((s) => s.name)).toContain('manual');
  });
});

describe('hot reload of a scenario directory deleted and made again', () => {
  it('lists the missing directory as a problem, keeps the set, and loads the new directory', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'scenarios-parent-'));
    const root = join(parent, 'mine');
    mkdirSync(root);
    writeFileSync(join(root, 'one.yaml'), 'description: first\nendpoints: [credit-card]\noutcome: { error: 4000111 }\n');
    const emulator = await startEmulator({ port: 0, keyFactory: fixedKeyFactory(), scenarioDirs: [root], logger: () => {} });
    type Listing = { scenarios: { name: string; description: string }[]; problems: { file: string; problems: string[] }[] };
    const listing = async (): Promise<Listing> => (await fetch(`${emulator.url}/__emulator/scenarios`)).json() as Promise<Listing>;
    const until = async (check: (l: Listing) => boolean): Promise<Listing> => {
      const deadline = Date.now() + 10_000;
      for (;;) {
        const value = await listing();
        if (check(value) || Date.now() > deadline) return value;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    try {
      rmSync(root, { recursive: true });
      const missing = await until((l) => l.problems.length > 0);
      expect(missing.problems).toEqual([{ file: root, problems: ['scenario directory does not exist'] }]);
      expect(missing.scenarios.find((s) => s.name === 'one')?.description).toBe('first');
      mkdirSync(root);
      writeFileSync(join(root, 'one.yaml'), 'description: second\nendpoints: [credit-card]\noutcome: {}\n');
      const back = await until((l) => l.problems.length === 0 && l.scenarios.some((s) => s.name === 'one' && s.description === 'second'));
      expect(back.problems).toEqual([]);
      expect(back.scenarios.find((s) => s.name === 'one')?.description).toBe('second');
      writeFileSync(join(root, '.one.tmp'), 'description: third\nendpoints: [credit-card]\noutcome: {}\n');
      renameSync(join(root, '.one.tmp'), join(root, 'one.yaml'));
      expect(
        (await until((l) => l.scenarios.some((s) => s.name === 'one' && s.description === 'third'))).scenarios.find((s) => s.name === 'one')?.description,
      ).toBe('third');
    } finally {
      await emulator.close();
      rmSync(parent, { recursive: true, force: true });
    }
  });
});
