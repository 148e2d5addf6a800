import { describe, expect, it } from 'vitest';
import { CaseFailure } from './case.js';
import { probeControl, suiteControl } from './control.js';

function fakeFetch(answers: Record<string, { status?: number; body: unknown }>, seen: string[] = []): typeof fetch {
  return async (input, init) => {
    const key = `${init?.method ?? 'GET'} ${new URL(String(input)).pathname}`;
    seen.push(`${key} ${init?.body ?? ''}`.trim());
    const answer = answers[key] ?? { status: 404, body: { error: 'not_found', message: 'no such admin path' } };
    return new Response(JSON.stringify(answer.body), { status: answer.status ?? 200, headers: { 'content-type': 'application/json' } });
  };
}

describe("suiteControl (the client kit's emulatorControl)", () => {
  it('moves the clock, resets and reads the journal', async () => {
    const seen: string[] = [];
    const control = suiteControl(
      'http://emu/',
      true,
      fakeFetch(
        {
          'POST /__emulator/clock': { body: {} },
          'POST /__emulator/reset': { body: {} },
          'GET /__emulator/requests': { body: { requests: [{ endpoint: 'credit-card', resultCode: 4000303, diagnosis: 'bad padding' }] } },
        },
        seen,
      ),
    );
    await control.advanceClock(3601);
    await control.reset();
    expect((await control.journal.list()).requests.at(-1)?.diagnosis).toBe('bad padding');
    expect(seen).toEqual(['POST /__emulator/clock {"advanceSeconds":3601}', 'POST /__emulator/reset', 'GET /__emulator/requests']);
  });

  it('fails the case when the target has no emulator control, without calling it', async () => {
    const seen: string[] = [];
    const refused = await suiteControl('http://emu', false, fakeFetch({}, seen))
      .reset()
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(CaseFailure);
    expect((refused as Error).message).toBe('POST /__emulator/reset: the target has no emulator control');
    expect(seen).toEqual([]);
  });

  it("throws the client kit's EmulatorControlError when the admin API refuses", async () => {
    await expect(suiteControl('http://emu', true, fakeFetch({})).reset()).rejects.toMatchObject({
      name: 'EmulatorControlError',
      status: 404,
      message: 'POST /__emulator/reset: HTTP 404 not_found: no such admin path',
    });
  });
});

describe('probeControl', () => {
  it('asks /__emulator/health', async () => {
    expect(await probeControl('http://emu', fakeFetch({ 'GET /__emulator/health': { body: { status: 'ok' } } }))).toBe(true);
    expect(await probeControl('http://emu', fakeFetch({}))).toBe(false);
    expect(await probeControl('http://emu', async () => Promise.reject(new Error('down')))).toBe(false);
  });
});
