/**
 * The emulator's admin API, the only emulator control the suite uses: `POST /__emulator/clock`,
 * `POST /__emulator/reset`, `GET /__emulator/requests`. Scenarios travel as the request header
 * `X-Emulator-Scenario` (see CaseContext.hint). Admin calls are not API calls: they are neither
 * counted against the budget nor validated against openapi.yaml.
 */
import { CaseFailure } from './case-outcomes.js';

/** One journal entry; only these fields are relied on. */
export interface JournalEntry {
  endpoint?: string;
  resultCode?: number;
  diagnosis?: string;
  [field: string]: unknown;
}

/** The admin API of a target. */
export interface EmulatorControl {
  readonly available: boolean;
  /** Moves the emulator's clock forward (Request-Key validity is 3600 s). */
  advanceClock(seconds: number): Promise<void>;
  /** Forgets all state: keys, Request-Keys, locks, the clock. */
  reset(): Promise<void>;
  /** The request journal, newest last. */
  requests(): Promise<JournalEntry[]>;
}

/**
 * The admin API at a base URL; with `available` false every call fails the case.
 * @example const control = emulatorControl('http://127.0.0.1:8080', true); await control.advanceClock(3601);
 */
export function emulatorControl(baseUrl: string, available: boolean, doFetch: typeof fetch = fetch): EmulatorControl {
  const base = baseUrl.replace(/\/+$/, '');
  async function call(method: string, path: string, body?: unknown): Promise<unknown> {
    if (!available) throw new CaseFailure(`${method} ${path}: the target has no emulator control`);
    const init: RequestInit = { method };
    if (body !== undefined) init.headers = { 'Content-Type': 'application/json' };
    if (body !== undefined) init.body = JSON.stringify(body);
    const response = await doFetch(`${base}${path}`, init);
    const text = await response.text();
    if (!response.ok) throw new CaseFailure(`admin API ${method} ${path} answered HTTP ${response.status}: ${text.slice(0, 200)}`);
    try {
      return text === '' ? undefined : JSON.parse(text);
    } catch {
      throw new CaseFailure(`admin API ${method} ${path} answered a body that is not JSON: ${text.slice(0, 200)}`);
    }
  }
  return {
    available,
    async advanceClock(seconds) {
      await call('POST', '/__emulator/clock', { advanceSeconds: seconds });
    },
    async reset() {
      await call('POST', '/__emulator/reset');
    },
    async requests() {
      const answer = (await call('GET', '/__emulator/requests')) as { requests?: unknown } | undefined;
      if (!Array.isArray(answer?.requests)) throw new CaseFailure('admin API GET /__emulator/requests: no "requests" array');
      return answer.requests as JournalEntry[];
    },
  };
}

/**
 * Whether a server has the admin API: `GET /__emulator/health` answers `{"status":"ok"}`.
 * @example await probeControl('http://127.0.0.1:8080') // true for the emulator
 */
export async function probeControl(baseUrl: string, doFetch: typeof fetch = fetch): Promise<boolean> {
  try {
    const response = await doFetch(`${baseUrl.replace(/\/+$/, '')}/__emulator/health`);
    const body = (await response.json()) as { status?: unknown };
    return response.ok && body.status === 'ok';
  } catch {
    return false;
  }
}
