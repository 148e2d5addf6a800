import { describe, expect, it } from 'vitest';
import { CaseFailure } from './case.js';
import { emulatorControl, probeControl } from './control.js';

function fakeFetch(answers: Record<string, { status?: number; body: unknown }>, seen: string[] = []): typeof fetch {
  return async (input, init) => {
    const key = `${init?.method ?? 'GET'} ${new URL(String(input)).pathname}`;
    seen.push(`${key} ${init?.body ?? ''}`.trim());
    const answer = answers[key] ?? { status: 404, body: { error: 'not_found' } };
    return new Response(JSON.stringify(answer.body), { status: answer.status ?? 200 });
  };
}

describe('emulatorControl', () => {
  it('moves the clock, resets and reads the journal', async () => {
    const seen: string[] = [];
    const control = emulatorControl(
      'http://emu/',
      true,
      fakeFetch(
        {
          'POST /__emulator/clock': { body: {} },
          'POST /__emulator/reset': { body: {} },
          'GET /__emulator/requests': { body: { requests: [{ endpoint: 'POST credit-card', resultCode: 4000303, diagnosis: 'bad padding' }] } },
        },
        seen,
      ),
    );
    await control.advanceClock(3601);
    await control.reset();
    expect((await control.requests()).at(-1)?.diagnosis).toBe('bad padding');
    expect(seen).toEqual(['POST /__emulator/clock {"advanceSeconds":3601}', 'POST /__emulator/reset', 'GET /__emulator/requests']);
  });

  it('fails the case when the admin API is missing or absent', async () => {
    await expect(emulatorControl('http://emu', true, fakeFetch({})).reset()).rejects.toThrow(/answered HTTP 404/);
    await expect(emulatorControl('http://emu', false, fakeFetch({})).reset()).rejects.toBeInstanceOf(CaseFailure);
  });
});

describe('probeControl', () => {
  it('asks /__emulator/health', async () => {
    expect(await probeControl('http://emu', fakeFetch({ 'GET /__emulator/health': { body: { status: 'ok' } } }))).toBe(true);
    expect(await probeControl('http://emu', fakeFetch({}))).toBe(false);
    expect(await probeControl('http://emu', async () => Promise.reject(new Error('down')))).toBe(false);
  });
});
