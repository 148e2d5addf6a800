/**
 * Nothing in a scenario folder can stall the emulator (a spawned process, so that a stall would
 * fail the test by its time limit instead of freezing the test runner):
 * - a FIFO named `evil.yaml` blocked the main thread when read (SIGTERM ignored): now it is a
 *   problem of the set, listed by GET /__emulator/scenarios, and the last good set stays;
 * - a `.yaml` link to /dev/zero was read until memory ran out: now start-up stops with a message;
 * - a file over 256 KiB is not read (parsing 21 MB of YAML blocked the server 5.3 s); a large
 *   file within the bound reloads, parsed on a worker thread.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCENARIO_FILE_MAX_BYTES } from '../../server/scenario-files.js';
import { spawnEmulator, type SpawnedEmulator } from '../../contracts/lib/spawn-emulator.js';

/** A generous guard against a stalled server, not a latency bound. */
const STALL = () => AbortSignal.timeout(20_000);
const GOOD = 'description: mine\nendpoints: [credit-card]\noutcome: { error: 4000111 }\n';

let dir: string;
let emu: SpawnedEmulator;

async function reload(): Promise<{ status: number; body: { reloaded: boolean; problems: Array<{ file: string; problems: string[] }> } }> {
  const answer = await fetch(`${emu.url}/__emulator/scenarios/reload`, { method: 'POST', signal: STALL() });
  return { status: answer.status, body: (await answer.json()) as never };
}

async function listed(): Promise<{ scenarios: Array<{ name: string }>; problems: Array<{ file: string; problems: string[] }> }> {
  return (await fetch(`${emu.url}/__emulator/scenarios`, { signal: STALL() })).json() as never;
}

async function healthy(): Promise<void> {
  expect((await fetch(`${emu.url}/__emulator/health`, { signal: STALL() })).status).toBe(200);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'scenario-folder-'));
  writeFileSync(join(dir, 'mine.yaml'), GOOD);
  emu = await spawnEmulator({ EMULATOR_SCENARIOS_DIR: dir });
});
afterAll(async () => {
  await emu?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('a FIFO in the scenario folder', () => {
  it('is a listed problem; the server answers and the last good set stays in force', async () => {
    const fifo = join(dir, 'evil.yaml');
    execFileSync('mkfifo', [fifo]);
    try {
      const answer = await reload();
      expect(answer.status).toBe(422);
      expect(answer.body.problems).toEqual([{ file: fifo, problems: ['is a FIFO (named pipe), not a regular file: not read'] }]);
      await healthy();
      const now = await listed();
      expect(now.problems).toEqual(answer.body.problems);
      expect(now.scenarios.map((s) => s.name)).toContain('mine');
    } finally {
      rmSync(fifo);
    }
    expect((await reload()).status).toBe(200);
  });

  it('a FIFO as a sample image is a problem too', async () => {
    const fifo = join(dir, 'sample.jpg');
    execFileSync('mkfifo', [fifo]);
    writeFileSync(join(dir, 'sampled.yaml'), `${GOOD}match: { sampleImages: [sample.jpg] }\n`);
    try {
      const answer = await reload();
      expect(answer.body.problems).toEqual([
        { file: join(dir, 'sampled.yaml'), problems: ['match.sampleImages: sample.jpg is a FIFO (named pipe), not a regular file: not read'] },
      ]);
      await healthy();
    } finally {
      rmSync(fifo);
      rmSync(join(dir, 'sampled.yaml'));
    }
  });
});

describe('a file over the size bound', () => {
  it('is a problem, not read; one of the bound reloads (parsed on a worker thread)', async () => {
    const file = join(dir, 'large.yaml');
    // Valid YAML all the way: a long sequence of steps.
    const step = '  - creditCard: { cardNumber: "4111 1111 1111 1111", validThru: "12/30", conf: 0.5 }\n';
    const head = 'description: large\nendpoints: [credit-card]\nsequence:\n';
    const fits = head + step.repeat(Math.floor((SCENARIO_FILE_MAX_BYTES - head.length) / step.length));
    writeFileSync(file, fits);
    try {
      const within = await reload();
      expect(within.body).toMatchObject({ reloaded: true, problems: [] });
      expect((await listed()).scenarios.map((s) => s.name)).toContain('large');
      writeFileSync(file, fits + step);
      const over = await reload();
      expect(over.status).toBe(422);
      expect(over.body.problems).toEqual([{ file, problems: [`is ${fits.length + step.length} bytes; at most ${SCENARIO_FILE_MAX_BYTES} are read`] }]);
      await healthy();
    } finally {
      rmSync(file);
    }
  });
});

describe('at start-up', () => {
  it('a .yaml link to /dev/zero stops the start with a message naming it (no endless read)', async () => {
    const other = mkdtempSync(join(tmpdir(), 'scenario-folder-zero-'));
    try {
      mkdirSync(join(other, 'sub'));
      symlinkSync('/dev/zero', join(other, 'sub', 'zero.yaml'));
      const started = spawnEmulator({ EMULATOR_SCENARIOS_DIR: other }, 20_000);
      await expect(started).rejects.toThrow(/exited with 1[\s\S]*zero\.yaml: is a character device, not a regular file: not read/);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });
});
