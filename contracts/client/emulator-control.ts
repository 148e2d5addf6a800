/**
 * A typed client of the emulator's admin API (`/__emulator/`, server/admin-openapi.yaml): the
 * clock, reset, the scenario queue and defaults, the request journal, key versions, app keys
 * registered at run time, scenarios, stats and health. Plain fetch, no dependency; request and answer types are generated from the
 * description (admin-types.generated.ts, `npm run generate:types`).
 */
import type { components, operations } from './admin-types.generated.js';

/** The JSON body operation `O` answers with status `S`. */
type Answer<O extends keyof operations, S extends number = 200> =
  operations[O]['responses'] extends Record<S, { content: { 'application/json': infer B } }> ? B : never;

/** The emulator's clock: `now` (ISO 8601) and how far it runs ahead of the wall clock. */
export type EmulatorClock = Answer<'getClock'>;
/** One queued scenario. */
export type QueueEntry = components['schemas']['QueueEntry'];
/** One request of the journal. */
export type JournalEntry = components['schemas']['JournalEntry'];
/** The journal and how many entries it keeps. */
export type Journal = Answer<'listRequests'>;
/** Filters of the journal (all optional). */
export type JournalFilter = NonNullable<operations['listRequests']['parameters']['query']>;
/** Key versions per app key and service. */
export type KeyVersions = Answer<'listKeys'>['keys'][number];
/** What rotating a key answers. */
export type RotatedKey = Answer<'rotateKey'>;
/** What revoking a key version answers. */
export type RevokedKey = Answer<'revokeKey'>;
/** The loaded scenarios and the last load's problems. */
export type ScenarioList = Answer<'listScenarios'>;
/** One scenario, parsed. */
export type ScenarioDetail = components['schemas']['Scenario'];
/** What a reload answers (`reloaded: false` and the problems when a file is invalid). */
export type ReloadResult = components['schemas']['ReloadResult'];
/** Memory and the fill of each bounded store. */
export type EmulatorStats = Answer<'getStats'>;
/** Every app key's default scenarios. */
export type ScenarioDefaults = Answer<'getDefaults'>['defaults'];
/** A service whose key versions the emulator keeps. */
export type KeyService = components['schemas']['ServiceName'];
/** An app key the emulator serves, configured or registered. */
export type AppKeyListing = components['schemas']['AppKeyListing'];

/** The admin API refused a call: its HTTP status and `{error, message}`. */
export class EmulatorControlError extends Error {
  override name = 'EmulatorControlError';

  constructor(
    message: string,
    readonly status: number,
    /** The admin API's error code (`bad_request`, `unauthorized`, `scenario`, ...), when it sent one. */
    readonly code?: string,
  ) {
    super(message);
  }
}

/** The admin API of one emulator. */
export interface EmulatorControl {
  /** `{status: 'ok'}` once the emulator is ready (needs no token). */
  health(): Promise<Answer<'getHealth'>>;
  /** The emulator clock, or as one app key sees it. */
  clock(appKey?: string): Promise<EmulatorClock>;
  /** Moves the clock forward (Request-Keys expire after 3600 s), of every app key or of one; it never moves back. */
  advanceClock(seconds: number, appKey?: string): Promise<EmulatorClock>;
  /** Forgets the queue, defaults, journal, keys, Request-Keys, locks, tokens and clock offsets; or one app key's state alone. */
  reset(appKey?: string): Promise<void>;
  appKeys: {
    /** The app keys served: configured, then registered (never their secret keys). */
    list(): Promise<AppKeyListing[]>;
    /** Registers an app key at run time (idempotent with the same secret key): `created` or `unchanged`. */
    register(appKey: string, secretKey: string): Promise<'created' | 'unchanged'>;
    /** Removes a registered app key and its state. */
    remove(appKey: string): Promise<void>;
  };
  queue: {
    list(): Promise<QueueEntry[]>;
    /** Queues a scenario for the next `times` requests it serves (of one app key, if given); answers the queue. */
    add(scenario: string, options?: { times?: number; appKey?: string }): Promise<QueueEntry[]>;
    clear(): Promise<void>;
  };
  defaults: {
    list(): Promise<ScenarioDefaults>;
    /** Sets an app key's default scenarios (an empty list removes them). */
    set(appKey: string, scenarios: string[]): Promise<ScenarioDefaults>;
    clear(appKey: string): Promise<ScenarioDefaults>;
  };
  journal: {
    /** Requests, oldest first, with diagnoses of the failed ones. */
    list(filter?: JournalFilter): Promise<Journal>;
    clear(): Promise<void>;
  };
  keys: {
    list(): Promise<KeyVersions[]>;
    /** Issues a new current version (of the first app key unless given). */
    rotate(service: KeyService, appKey?: string): Promise<RotatedKey>;
    /** Revokes a version: requests naming it answer 4000301. */
    revoke(service: KeyService, version: string, appKey?: string): Promise<RevokedKey>;
  };
  scenarios: {
    list(): Promise<ScenarioList>;
    get(name: string): Promise<ScenarioDetail>;
    /** Re-reads the scenario files; on a problem the previous set stays (`reloaded: false`). */
    reload(): Promise<ReloadResult>;
  };
  stats(): Promise<EmulatorStats>;
  /** The admin API's OpenAPI description (YAML text). */
  description(): Promise<string>;
}

/** How to reach the admin API. */
export interface EmulatorControlOptions {
  /** Replaces global fetch. */
  fetch?: typeof fetch;
}

/**
 * The admin API of the emulator at `baseUrl`; `token` is EMULATOR_ADMIN_TOKEN when it is set.
 * A refused call throws EmulatorControlError with the status and the API's error code.
 * @example
 * const control = emulatorControl('http://127.0.0.1:8080');
 * await control.queue.add('credit-card/not-found');
 * await control.advanceClock(3601);
 * const { requests } = await control.journal.list({ failed: true });
 */
export function emulatorControl(baseUrl: string, token?: string, options: EmulatorControlOptions = {}): EmulatorControl {
  const doFetch = options.fetch ?? fetch;
  const base = `${baseUrl.replace(/\/+$/, '')}/__emulator`;

  async function call<T>(method: string, path: string, body?: unknown, accept: readonly number[] = []): Promise<T> {
    return (await request<T>(method, path, body, accept)).body;
  }

  async function request<T>(method: string, path: string, body?: unknown, accept: readonly number[] = []): Promise<{ status: number; body: T }> {
    const headers: Record<string, string> = {};
    if (token) headers['Authorization'] = `Bearer ${token}`;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const response = await doFetch(`${base}${path}`, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    const text = await response.text();
    const type = response.headers.get('content-type') ?? '';
    const parsed = /json/.test(type) && text ? parseJson(text) : text;
    if (response.ok || accept.includes(response.status)) return { status: response.status, body: parsed as T };
    const refusal = parsed as { error?: unknown; message?: unknown };
    const code = typeof refusal?.error === 'string' ? refusal.error : undefined;
    const message = typeof refusal?.message === 'string' ? refusal.message : String(text).slice(0, 200);
    throw new EmulatorControlError(`${method} /__emulator${path}: HTTP ${response.status}${code ? ` ${code}` : ''}: ${message}`, response.status, code);
  }

  const keyTarget = (appKey: string | undefined, extra: Record<string, unknown> = {}) => ({ ...(appKey !== undefined ? { appKey } : {}), ...extra });
  const segment = encodeURIComponent;

  return {
    health: () => call('GET', '/health'),
    clock: (appKey) => call('GET', appKey === undefined ? '/clock' : `/clock?appKey=${segment(appKey)}`),
    advanceClock: (seconds, appKey) => call('POST', '/clock', keyTarget(appKey, { advanceSeconds: seconds })),
    reset: async (appKey) => void (await call('POST', '/reset', appKey === undefined ? undefined : { appKey })),
    appKeys: {
      list: async () => (await call<Answer<'listAppKeys'>>('GET', '/appkeys')).appKeys,
      register: async (appKey, secretKey) => ((await request('POST', '/appkeys', { appKey, secretKey })).status === 201 ? 'created' : 'unchanged'),
      remove: async (appKey) => void (await call('DELETE', `/appkeys/${segment(appKey)}`)),
    },
    queue: {
      list: async () => (await call<Answer<'getQueue'>>('GET', '/queue')).queue,
      add: async (scenario, { times, appKey } = {}) =>
        (await call<Answer<'enqueueScenario', 201>>('POST', '/queue', { scenario, ...(times !== undefined ? { times } : {}), ...keyTarget(appKey) })).queue,
      clear: async () => void (await call('DELETE', '/queue')),
    },
    defaults: {
      list: async () => (await call<Answer<'getDefaults'>>('GET', '/defaults')).defaults,
      set: async (appKey, scenarios) => (await call<Answer<'setDefaults'>>('PUT', `/defaults/${segment(appKey)}`, { scenarios })).defaults,
      clear: async (appKey) => (await call<Answer<'deleteDefaults'>>('DELETE', `/defaults/${segment(appKey)}`)).defaults,
    },
    journal: {
      list: (filter = {}) => {
        const query = new URLSearchParams(
          Object.entries(filter).flatMap(([name, value]) => (value === undefined ? [] : [[name, String(value)] as [string, string]])),
        );
        return call('GET', `/requests${query.size ? `?${query}` : ''}`);
      },
      clear: async () => void (await call('DELETE', '/requests')),
    },
    keys: {
      list: async () => (await call<Answer<'listKeys'>>('GET', '/keys')).keys,
      rotate: (service, appKey) => call('POST', `/keys/${segment(service)}/rotate`, keyTarget(appKey)),
      revoke: (service, version, appKey) => call('POST', `/keys/${segment(service)}/revoke`, keyTarget(appKey, { version })),
    },
    scenarios: {
      list: () => call('GET', '/scenarios'),
      // A scenario name may hold '/', which the admin API takes as is.
      get: (name) => call('GET', `/scenarios/${name.split('/').map(segment).join('/')}`),
      reload: () => call('POST', '/scenarios/reload', undefined, [422]),
    },
    stats: () => call('GET', '/stats'),
    description: () => call('GET', '/openapi.yaml'),
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
