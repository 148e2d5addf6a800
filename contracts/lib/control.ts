/**
 * The emulator control the suite uses: the client kit's own `emulatorControl`
 * (contracts/client/emulator-control.ts), the one users import, so the suite exercises what ships.
 * Scenarios travel as the request header `X-Emulator-Scenario` (see CaseContext.hint). Admin
 * calls are not API calls: they are neither counted against the budget nor validated against
 * openapi.yaml.
 */
import { emulatorControl, type EmulatorControl } from '../client/emulator-control.js';
import { CaseFailure } from './case-outcomes.js';

/**
 * The admin API of a target; on a target without emulator control (`available` false) every
 * call fails the case instead of reaching the server.
 * @example const control = suiteControl('http://127.0.0.1:8080', true); await control.advanceClock(3601);
 */
export function suiteControl(baseUrl: string, available: boolean, doFetch: typeof fetch = fetch): EmulatorControl {
  return emulatorControl(baseUrl, undefined, { fetch: available ? doFetch : noControl });
}

/** The fetch of a target without emulator control: a case that calls it anyway fails. */
const noControl: typeof fetch = async (input, init) => {
  throw new CaseFailure(`${init?.method ?? 'GET'} ${new URL(String(input)).pathname}: the target has no emulator control`);
};

/**
 * Whether a server has the admin API: `GET /__emulator/health` answers `{"status":"ok"}`.
 * @example await probeControl('http://127.0.0.1:8080') // true for the emulator
 */
export async function probeControl(baseUrl: string, doFetch: typeof fetch = fetch): Promise<boolean> {
  // Read as JSON whatever its content type, which the client kit would not: a server that is
  // not the emulator must simply answer no.
  try {
    const response = await doFetch(`${baseUrl.replace(/\/+$/, '')}/__emulator/health`);
    const body = (await response.json()) as { status?: unknown };
    return response.ok && body.status === 'ok';
  } catch {
    return false;
  }
}
