/**
 * The scenario book: the loaded scenarios and every rule that picks one for a request. First
 * match wins: the `X-Emulator-Scenario` header, then the admin queue, then image match rules,
 * then the app key's defaults, then the built-in default for the endpoint.
 */
import type { AppContext, ScenarioState } from '../stores/types.js';
import { MemoryScenarioState } from '../stores/memory-scenario-state.js';
import type { Endpoint, Outcome, Scenario } from './schema.js';
import { serves } from './schema.js';

/** Why a scenario was chosen (shown in the journal). */
export type SelectionReason = 'header' | 'queue' | 'image-match' | 'app-default' | 'built-in-default';

/** A chosen scenario and the outcome for this call. */
export interface Selection {
  scenario: Scenario;
  reason: SelectionReason;
  /** 0-based call number of this scenario for this app key. */
  call: number;
  outcome: Outcome;
}

/** A queued shot, as the admin API shows it. */
export interface QueueEntry {
  scenario: string;
  remaining: number;
  appKey?: string | undefined;
}

/** A request to select for. */
export interface SelectionInput {
  endpoint: Endpoint;
  header?: string | undefined;
  imageSha256?: string | undefined;
}

/** The scenario each endpoint falls back to. */
export const BUILT_IN_DEFAULTS: Partial<Record<Endpoint, string>> = {
  'credit-card': 'credit-card/ok',
  'id-card': 'id-card/resident',
  'id-card/stand-alone': 'id-card/resident',
};

/** A scenario name that does not exist or does not fit; the admin API answers it with 4xx. */
export class ScenarioError extends Error {
  override name = 'ScenarioError';
  constructor(
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

/**
 * Holds the loaded scenarios (per process) and picks one for a request; the selection state
 * (queue, per-appKey defaults, call counters) is kept by a {@link ScenarioState} store, in
 * memory or on Redis.
 * @example
 * const book = new ScenarioBook(); book.replaceAll(loaded);
 * await book.enqueue('credit-card/not-found', 2);
 * (await book.select({ endpoint: 'credit-card' }, await stores.context('a')))?.scenario.name // 'credit-card/not-found'
 */
export class ScenarioBook {
  #scenarios = new Map<string, Scenario>();
  /** Digest to scenarios, in load order: one image may select a card scenario and an ID scenario. */
  #byImage = new Map<string, Scenario[]>();

  constructor(readonly state: ScenarioState = new MemoryScenarioState()) {}

  /** Swaps in a whole new set at once: never half a set. */
  replaceAll(scenarios: readonly Scenario[]): void {
    this.#scenarios = new Map(scenarios.map((s) => [s.name, s]));
    this.#byImage = new Map();
    for (const scenario of scenarios) {
      for (const sha of new Set(scenario.imageSha256.map((s) => s.toLowerCase()))) {
        this.#byImage.set(sha, [...(this.#byImage.get(sha) ?? []), scenario]);
      }
    }
  }

  list(): Scenario[] {
    return [...this.#scenarios.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  get(name: string): Scenario | undefined {
    return this.#scenarios.get(name);
  }

  /** A scenario by name that serves the endpoint, or a ScenarioError saying why not. */
  require(name: string, endpoint?: Endpoint): Scenario {
    const scenario = this.#scenarios.get(name);
    if (!scenario) {
      throw new ScenarioError(`unknown scenario "${name}"; known: ${[...this.#scenarios.keys()].sort().join(', ')}`, 404);
    }
    if (endpoint && !serves(scenario, endpoint)) {
      throw new ScenarioError(`scenario "${name}" serves ${scenario.endpoints.join(', ')}, not ${endpoint}`);
    }
    return scenario;
  }

  /** Queues a scenario for the next `times` requests it serves (optionally of one app key). */
  async enqueue(name: string, times = 1, appKey?: string): Promise<QueueEntry> {
    const scenario = this.require(name);
    if (!Number.isInteger(times) || times < 1) throw new ScenarioError('times must be a whole number of at least 1');
    await this.state.enqueue({ scenario: name, remaining: times, appKey, endpoints: scenario.endpoints });
    return { scenario: name, remaining: times, appKey };
  }

  async queue(): Promise<QueueEntry[]> {
    return (await this.state.queue()).map(({ scenario, remaining, appKey }) => ({ scenario, remaining, appKey }));
  }

  clearQueue(): Promise<void> {
    return this.state.clearQueue();
  }

  /** Sets an app key's default scenarios (one per endpoint family is typical). */
  async setDefaults(appKey: string, names: readonly string[]): Promise<void> {
    for (const name of names) this.require(name);
    await this.state.setDefaults(appKey, names);
  }

  defaults(): Promise<Record<string, string[]>> {
    return this.state.defaults();
  }

  /** Whether any rule could pick a scenario for the request: when not, `select` need not be asked. */
  mayPick({ endpoint, header, imageSha256 }: SelectionInput, app: AppContext): boolean {
    if (header || app.queued || BUILT_IN_DEFAULTS[endpoint] !== undefined) return true;
    if (imageSha256 && this.#byImage.has(imageSha256.toLowerCase())) return true;
    return app.defaults.some((name) => this.#scenarios.get(name) !== undefined);
  }

  /** Picks the scenario for a request and advances its sequence; undefined when none applies. */
  async select(input: SelectionInput, app: AppContext): Promise<Selection | undefined> {
    // Most calls have no scenario to play: answered without the picking's own awaits.
    if (!this.mayPick(input, app)) return undefined;
    const picked = await this.#pick(input, app);
    if (!picked) return undefined;
    const call = await this.state.nextCall(app, picked.scenario.name);
    return { ...picked, call, outcome: outcomeAt(picked.scenario, call) };
  }

  async #pick({ endpoint, header, imageSha256 }: SelectionInput, app: AppContext): Promise<Omit<Selection, 'call' | 'outcome'> | undefined> {
    if (header) return { scenario: this.require(header, endpoint), reason: 'header' };
    // A shot of a scenario a reload has removed since is used up without effect.
    const shot = app.queued ? await this.state.takeShot(app.appKey, endpoint) : undefined;
    const queued = shot === undefined ? undefined : this.#scenarios.get(shot);
    if (queued) return { scenario: queued, reason: 'queue' };
    const matched = imageSha256 ? this.#byImage.get(imageSha256.toLowerCase())?.find((s) => serves(s, endpoint)) : undefined;
    if (matched) return { scenario: matched, reason: 'image-match' };
    for (const name of app.defaults) {
      const scenario = this.#scenarios.get(name);
      if (scenario && serves(scenario, endpoint)) return { scenario, reason: 'app-default' };
    }
    const fallback = BUILT_IN_DEFAULTS[endpoint];
    const scenario = fallback ? this.#scenarios.get(fallback) : undefined;
    return scenario ? { scenario, reason: 'built-in-default' } : undefined;
  }
}

/**
 * The outcome of a scenario's n-th call (0-based): WireMock-style state without a state machine.
 * @example outcomeAt({ sequence: [{ error: 'API_TEMPORARILY_UNAVAILABLE' }, {}] }, 5) // {} (repeat: last)
 */
export function outcomeAt(scenario: Pick<Scenario, 'outcome' | 'sequence' | 'repeat'>, call: number): Outcome {
  const steps = scenario.sequence;
  if (!steps) return scenario.outcome ?? {};
  const index = scenario.repeat === 'cycle' ? call % steps.length : Math.min(call, steps.length - 1);
  return steps[index]!;
}
