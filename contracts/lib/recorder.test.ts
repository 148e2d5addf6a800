import { describe, expect, it } from 'vitest';
import { BudgetExhausted, CallMeter } from './budget.js';
import { Recorder } from './recorder.js';

const answer = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

describe('Recorder', () => {
  it('records each answer, keyed by its headers, and validates it against openapi.yaml', async () => {
    const body = { header: { isSuccessful: false, resultCode: 4010001, resultMessage: 'Invalid appKey or secretKey.' } };
    const recorder = new Recorder(new CallMeter(), async () => answer(body));
    const response = await recorder.fetch('http://h/v2.0/appkeys/k/public-keys/id-card', { method: 'GET' });
    expect(await response.json()).toEqual(body);
    const [exchange] = recorder.exchanges;
    expect(exchange).toMatchObject({ endpoint: 'GET public-keys/id-card', request: 'GET /v2.0/appkeys/{appKey}/public-keys/id-card', status: 200, body });
    expect(recorder.exchangeFor(response.headers)).toBe(exchange);
    expect(exchange?.openApiErrors).toEqual([]);
  });

  it('reports what openapi.yaml says about a wrong answer', async () => {
    const recorder = new Recorder(new CallMeter(), async () => answer({ header: { isSuccessful: false, resultCode: 4010001 } }, 401));
    await recorder.fetch('http://h/v2.0/appkeys/k/public-keys/id-card');
    expect(recorder.exchanges[0]?.openApiErrors.join('\n')).toMatch(/HTTP 401/);
  });

  it('refuses calls past the budget before sending them', async () => {
    let sent = 0;
    const recorder = new Recorder(new CallMeter(1), async () => {
      sent++;
      return answer({});
    });
    await recorder.fetch('http://h/x');
    await expect(recorder.fetch('http://h/x')).rejects.toBeInstanceOf(BudgetExhausted);
    expect(sent).toBe(1);
  });

  it('forgets the previous case', async () => {
    const recorder = new Recorder(new CallMeter(), async () => answer({}));
    await recorder.fetch('http://h/x');
    recorder.startCase();
    expect(recorder.exchanges).toEqual([]);
  });
});
