/**
 * The scenario book on its own: every selection rule against the next one, queue shots, app-key
 * defaults, sequences and the errors a caller gets for names that do not exist or do not fit.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { AppContext } from '../stores/types.js';
import { BUILT_IN_DEFAULTS, outcomeAt, ScenarioBook, ScenarioError, type SelectionInput } from './book.js';
import { MemoryScenarioState } from '../stores/memory-scenario-state.js';
import type { Endpoint, Outcome, Scenario } from './schema.js';

const SHA_A = 'a'.repeat(64);
const SHA_B = 'b'.repeat(64);

function scenario(name: string, endpoints: Scenario['endpoints'], extra: Partial<Scenario> = {}): Scenario {
  return { name, description: name, endpoints, source: `${name}.yaml`, imageSha256: [], outcome: {}, ...extra };
}

/** A set with one scenario per rule, all serving credit-card, so each rule can be pitted against the next. */
const SET: Scenario[] = [
  scenario('credit-card/ok', ['credit-card']),
  scenario('id-card/resident', ['id-card', 'id-card/stand-alone']),
  scenario('by-header', ['credit-card'], { outcome: { error: 'API_CALL_LIMIT_EXCEEDED' } }),
  scenario('by-queue', ['credit-card'], { outcome: { error: 'CREDIT_CARD_INFO_NOT_FOUND' } }),
  scenario('by-image', ['credit-card'], { imageSha256: [SHA_A], outcome: { error: 'OCR_DOCUMENT_CREDIT_CARD_RECOGNITION_FAIL' } }),
  scenario('by-default', ['credit-card'], { outcome: { delayMs: 10 } }),
  scenario('id-only', ['id-card'], { outcome: { error: 'ID_CARD_INFO_NOT_FOUND' } }),
  scenario('everywhere', ['*'], { outcome: { error: 'API_TEMPORARILY_UNAVAILABLE' } }),
  scenario('flaky', ['*'], { outcome: undefined, sequence: [{ error: 'API_TEMPORARILY_UNAVAILABLE' }, { delayMs: 1 }, {}] }),
  scenario('cycling', ['*'], { outcome: undefined, sequence: [{ error: 'API_TEMPORARILY_UNAVAILABLE' }, {}], repeat: 'cycle' }),
];

/** A request's input, with the appKey it is for. */
type Input = Partial<SelectionInput> & { appKey?: string };

const CARD = { endpoint: 'credit-card', appKey: 'app-a' } as const satisfies Input;

let state: MemoryScenarioState;
let book: ScenarioBook;
beforeEach(() => {
  state = new MemoryScenarioState();
  book = new ScenarioBook(state);
  book.replaceAll(SET);
});

/** The context a request of `appKey` starts with, from the memory state. */
function context(appKey: string): AppContext {
  return { appKey, now: 0, globalOffsetMs: 0, generation: '', registeredSecret: undefined, defaults: state.defaultsOf(appKey), queued: state.queued };
}

function select(input: Input = {}) {
  const { appKey, ...rest } = { ...CARD, ...input };
  return book.select(rest as SelectionInput, context(appKey));
}

async function pick(input: Input = {}): Promise<string | undefined> {
  return (await select(input))?.scenario.name;
}

async function reason(input: Input = {}): Promise<string | undefined> {
  return (await select(input))?.reason;
}

describe('selection precedence: header > queue > image match > app default > built-in default', () => {
  it('falls back to the built-in default of the endpoint', async () => {
    expect(await select(CARD)).toMatchObject({ scenario: { name: 'credit-card/ok' }, reason: 'built-in-default', call: 0 });
    expect(await pick({ endpoint: 'id-card' })).toBe('id-card/resident');
    expect(await pick({ endpoint: 'id-card/stand-alone' })).toBe('id-card/resident');
    expect(BUILT_IN_DEFAULTS['credit-card']).toBe('credit-card/ok');
  });

  it('has no scenario for endpoints without a built-in default (public key, authenticity)', async () => {
    expect(await select({ ...CARD, endpoint: 'public-key' })).toBeUndefined();
    expect(await select({ ...CARD, endpoint: 'id-card/authenticity' })).toBeUndefined();
  });

  it('app default beats built-in default', async () => {
    await book.setDefaults('app-a', ['by-default']);
    expect(await select(CARD)).toMatchObject({ scenario: { name: 'by-default' }, reason: 'app-default' });
  });

  it('image match beats app default', async () => {
    await book.setDefaults('app-a', ['by-default']);
    expect(await select({ ...CARD, imageSha256: SHA_A })).toMatchObject({ scenario: { name: 'by-image' }, reason: 'image-match' });
    expect(await pick({ imageSha256: SHA_B })).toBe('by-default');
  });

  it('queue beats image match', async () => {
    await book.enqueue('by-queue');
    expect(await select({ ...CARD, imageSha256: SHA_A })).toMatchObject({ scenario: { name: 'by-queue' }, reason: 'queue' });
    expect(await reason({ imageSha256: SHA_A })).toBe('image-match');
  });

  it('header beats queue, and leaves the queued shot for the next request', async () => {
    await book.enqueue('by-queue');
    expect(await select({ ...CARD, header: 'by-header', imageSha256: SHA_A })).toMatchObject({
      scenario: { name: 'by-header' },
      reason: 'header',
    });
    expect(await book.queue()).toHaveLength(1);
    expect(await pick()).toBe('by-queue');
  });

  it('the chosen outcome is the scenario outcome', async () => {
    expect((await select({ ...CARD, header: 'by-header' }))?.outcome).toEqual({ error: 'API_CALL_LIMIT_EXCEEDED' });
  });
});

describe('the queue', () => {
  it('is consumed one shot per request, N shots for N requests', async () => {
    await book.enqueue('by-queue', 3);
    expect(await book.queue()).toEqual([{ scenario: 'by-queue', remaining: 3, appKey: undefined }]);
    expect([await pick(), await pick(), await pick(), await pick()]).toEqual(['by-queue', 'by-queue', 'by-queue', 'credit-card/ok']);
    expect(await book.queue()).toEqual([]);
  });

  it('plays entries first in, first out', async () => {
    await book.enqueue('by-queue');
    await book.enqueue('everywhere');
    expect([await pick(), await pick(), await pick()]).toEqual(['by-queue', 'everywhere', 'credit-card/ok']);
  });

  it('keeps a shot of one app key for that app key', async () => {
    await book.enqueue('by-queue', 1, 'app-b');
    expect(await pick()).toBe('credit-card/ok');
    expect(await book.queue()).toHaveLength(1);
    expect(await pick({ appKey: 'app-b' })).toBe('by-queue');
    expect(await book.queue()).toHaveLength(0);
  });

  it('gives a shot without app key to whichever app key asks first', async () => {
    await book.enqueue('by-queue');
    expect(await pick({ appKey: 'app-b' })).toBe('by-queue');
    expect(await pick()).toBe('credit-card/ok');
  });

  it('is only consumed by endpoints the scenario serves', async () => {
    await book.enqueue('id-only');
    expect(await pick()).toBe('credit-card/ok');
    expect(await pick({ endpoint: 'public-key' })).toBeUndefined();
    expect(await book.queue()).toHaveLength(1);
    expect(await select({ ...CARD, endpoint: 'id-card' })).toMatchObject({ scenario: { name: 'id-only' }, reason: 'queue' });
  });

  it('skips an entry that does not serve the endpoint and plays the next one that does', async () => {
    await book.enqueue('id-only');
    await book.enqueue('by-queue');
    expect(await pick()).toBe('by-queue');
    expect((await book.queue()).map((q) => q.scenario)).toEqual(['id-only']);
  });

  it('a "*" scenario is consumed by the public-key call as well', async () => {
    await book.enqueue('everywhere');
    expect(await select({ ...CARD, endpoint: 'public-key' })).toMatchObject({ scenario: { name: 'everywhere' }, reason: 'queue' });
    expect(await pick()).toBe('credit-card/ok');
  });

  it('refuses unknown names and shot counts below one', async () => {
    await expect(book.enqueue('nope')).rejects.toThrow(ScenarioError);
    for (const times of [0, -1, 1.5, Number.NaN]) await expect(book.enqueue('by-queue', times)).rejects.toThrow(/times must be/);
    expect(await book.queue()).toEqual([]);
  });

  it('clearQueue forgets every shot', async () => {
    await book.enqueue('by-queue', 5);
    await book.clearQueue();
    expect(await pick()).toBe('credit-card/ok');
  });
});

describe('app-key defaults', () => {
  it('apply to their app key only, and pick the first that serves the endpoint', async () => {
    await book.setDefaults('app-a', ['id-only', 'by-default']);
    expect(await pick()).toBe('by-default');
    expect(await pick({ endpoint: 'id-card' })).toBe('id-only');
    expect(await pick({ endpoint: 'id-card/stand-alone' })).toBe('id-card/resident');
    expect(await pick({ appKey: 'app-b' })).toBe('credit-card/ok');
    expect(await book.defaults()).toEqual({ 'app-a': ['id-only', 'by-default'] });
  });

  it('an empty list removes them; unknown names are refused and change nothing', async () => {
    await book.setDefaults('app-a', ['by-default']);
    await expect(book.setDefaults('app-a', ['by-default', 'nope'])).rejects.toThrow(ScenarioError);
    expect(await book.defaults()).toEqual({ 'app-a': ['by-default'] });
    await book.setDefaults('app-a', []);
    expect(await book.defaults()).toEqual({});
    expect(await pick()).toBe('credit-card/ok');
  });
});

describe('image match', () => {
  it('is case-insensitive on the registered digest', async () => {
    book.replaceAll([...SET.filter((s) => s.name !== 'by-image'), scenario('upper', ['credit-card'], { imageSha256: [SHA_B.toUpperCase()] })]);
    expect(await pick({ imageSha256: SHA_B })).toBe('upper');
  });

  it('is skipped when the matched scenario does not serve the endpoint', async () => {
    expect(await pick({ endpoint: 'id-card', imageSha256: SHA_A })).toBe('id-card/resident');
  });

  it('one image may select a credit-card scenario and an ID-card scenario', async () => {
    book.replaceAll([...SET, scenario('card-image', ['credit-card'], { imageSha256: [SHA_B] }), scenario('id-image', ['id-card'], { imageSha256: [SHA_B] })]);
    expect(await pick({ imageSha256: SHA_B })).toBe('card-image');
    expect(await pick({ endpoint: 'id-card', imageSha256: SHA_B })).toBe('id-image');
  });
});

describe('sequences', () => {
  it('play the n-th outcome on the n-th call and then stay on the last (repeat: last, the default)', async () => {
    const outcomes = await sequence(5, { header: 'flaky' });
    expect(outcomes.map((s) => s.call)).toEqual([0, 1, 2, 3, 4]);
    expect(outcomes.map((s) => s.outcome)).toEqual([{ error: 'API_TEMPORARILY_UNAVAILABLE' }, { delayMs: 1 }, {}, {}, {}]);
  });

  it('start over with repeat: cycle', async () => {
    const errors = (await sequence(5, { header: 'cycling' })).map((s) => s.outcome.error);
    expect(errors).toEqual(['API_TEMPORARILY_UNAVAILABLE', undefined, 'API_TEMPORARILY_UNAVAILABLE', undefined, 'API_TEMPORARILY_UNAVAILABLE']);
  });

  it('count calls per app key, whichever rule chose the scenario', async () => {
    expect((await select({ ...CARD, header: 'flaky' }))!.call).toBe(0);
    await book.enqueue('flaky');
    expect(await select(CARD)).toMatchObject({ reason: 'queue', call: 1 });
    expect((await select({ ...CARD, appKey: 'app-b', header: 'flaky' }))!.call).toBe(0);
  });

  it('start again from the first step after reset', async () => {
    await select({ ...CARD, header: 'flaky' });
    await select({ ...CARD, header: 'flaky' });
    state.reset();
    expect((await select({ ...CARD, header: 'flaky' }))!.call).toBe(0);
  });

  it('outcomeAt reads a scenario without state', async () => {
    const steps: Outcome[] = [{ error: 'FAIL' }, { delayMs: 5 }];
    expect(outcomeAt({ sequence: steps }, 0)).toEqual({ error: 'FAIL' });
    expect(outcomeAt({ sequence: steps }, 9)).toEqual({ delayMs: 5 });
    expect(outcomeAt({ sequence: steps, repeat: 'cycle' }, 9)).toEqual({ delayMs: 5 });
    expect(outcomeAt({ sequence: steps, repeat: 'cycle' }, 10)).toEqual({ error: 'FAIL' });
    expect(outcomeAt({ outcome: { delayMs: 3 } }, 7)).toEqual({ delayMs: 3 });
    expect(outcomeAt({}, 0)).toEqual({});
  });
});

describe('names that do not exist or do not fit', () => {
  it('an unknown header name is a 404 ScenarioError listing the known names', async () => {
    let error: unknown;
    try {
      await select({ ...CARD, header: 'nope' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ScenarioError);
    expect((error as ScenarioError).status).toBe(404);
    expect((error as ScenarioError).message).toContain('unknown scenario "nope"');
    expect((error as ScenarioError).message).toContain('credit-card/ok, cycling, everywhere');
  });

  it('a header naming a scenario for another endpoint is a 400 ScenarioError', async () => {
    await expect(select({ ...CARD, header: 'id-only' })).rejects.toThrow(ScenarioError);
    await expect(select({ ...CARD, header: 'id-only' })).rejects.toThrow('scenario "id-only" serves id-card, not credit-card');
    try {
      book.require('id-only', 'credit-card' satisfies Endpoint);
    } catch (error) {
      expect((error as ScenarioError).status).toBe(400);
    }
  });

  it('replaceAll swaps the whole set: names of the old set are gone', async () => {
    book.replaceAll([scenario('credit-card/ok', ['credit-card'])]);
    expect(book.list().map((s) => s.name)).toEqual(['credit-card/ok']);
    expect(() => book.require('by-header')).toThrow(ScenarioError);
    expect(await pick({ imageSha256: SHA_A })).toBe('credit-card/ok');
  });

  it('reset keeps the scenarios but forgets queue and defaults', async () => {
    await book.enqueue('by-queue');
    await book.setDefaults('app-a', ['by-default']);
    state.reset();
    expect(await book.queue()).toEqual([]);
    expect(await book.defaults()).toEqual({});
    expect(book.list()).toHaveLength(SET.length);
  });
});

/** `n` selections in a row, each after the one before. */
async function sequence(n: number, input: Input) {
  const outcomes = [];
  for (let i = 0; i < n; i++) outcomes.push((await select(input))!);
  return outcomes;
}
