/**
 * Secrets stay out of what the emulator writes down: request log lines (`log: 'requests'`),
 * fault reports and the journal (GET /__emulator/requests) never carry a secret key (right or
 * wrong), a symmetric key (hex, base64 or base64url), a Request-Key, a decrypted value of a
 * result or an authenticity value, unless the operator opted in with journalValues
 * (EMULATOR_JOURNAL_VALUES=show), which shows authenticity values in the journal only. The ready
 * line of `npm start` shows the configured credentials by design (test/api/process.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { createOcrClient, newSymmetricKey } from '../../contracts/client/index.js';
import type { StartOptions } from '../../server/index.js';
import { fixture } from '../support/fixtures.js';
import { useEmulator } from '../support/harness.js';

const SECRET = 'S3cret-leak-check-91b2';
const WRONG_SECRET = 'Wr0ng-secret-leak-check-7f3a';
const APP = { appKey: 'leak-check-app', secretKey: SECRET };

/** Everything the emulator wrote down: log lines, faults, the journal. */
function recorder() {
  const lines: string[] = [];
  const faults: string[] = [];
  const options: StartOptions = {
    credentials: new Map([[APP.appKey, APP.secretKey]]),
    log: 'requests',
    logger: (line) => lines.push(line),
    onFault: (error) => faults.push(error instanceof Error ? `${error.stack}` : String(error)),
  };
  return { lines, faults, options };
}

/** The forms a secret byte string could be written in. */
function forms(bytes: Buffer): string[] {
  const base64 = bytes.toString('base64');
  return [
    bytes.toString('hex'),
    bytes.toString('hex').toUpperCase(),
    base64,
    base64.replace(/=+$/, ''),
    base64.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, ''),
  ];
}

async function written(url: string, lines: string[], faults: string[]): Promise<string> {
  const journal = await (await fetch(`${url}/__emulator/requests`)).text();
  return [...lines, ...faults, journal].join('\n');
}

describe.each([
  { journalValues: false, label: 'by default' },
  { journalValues: true, label: 'with journalValues (EMULATOR_JOURNAL_VALUES=show)' },
])('secrets in logs, faults and the journal, $label', ({ journalValues }) => {
  const { lines, faults, options } = recorder();
  const h = useEmulator({ ...options, journalValues });

  it('never shows secret keys, symmetric keys, Request-Keys or decrypted result values', async () => {
    const client = createOcrClient({ baseUrl: h.url, ...APP });
    const secrets: string[] = [SECRET, WRONG_SECRET];

    const wrong = createOcrClient({ baseUrl: h.url, appKey: APP.appKey, secretKey: WRONG_SECRET });
    expect((await wrong.fetchPublicKey('credit-card')).resultCode).toBe(4010001);

    const cardKey = newSymmetricKey();
    const card = await client.creditCard(fixture('card-856x540.jpg'), { symmetricKey: cardKey });
    expect(card.resultCode).toBe(0);
    secrets.push(...forms(cardKey), card.result!.totalCardNum, ...card.result!.cardNums.map((n) => n.value), card.result!.validThru.value);

    const idKey = newSymmetricKey();
    const id = await client.idCard(fixture('id-resident-900x570.jpg'), { symmetricKey: idKey, scenario: 'id-card/resident' });
    expect(id.resultCode).toBe(0);
    secrets.push(...forms(idKey), id.requestKey!, ...id.result!.keyValues.map((kv) => kv.value).filter((v) => v.length >= 4));

    // A failing envelope too: the key a broken client sent must not be logged either.
    const brokenKey = newSymmetricKey();
    expect((await client.creditCard(fixture('card-428x270.jpg'), { symmetricKey: brokenKey, iv: Buffer.alloc(16) })).resultCode).toBe(4000003);
    secrets.push(...forms(brokenKey));

    const text = await written(h.url, lines, faults);
    expect(lines.length).toBeGreaterThanOrEqual(4); // one line per request: the log is on
    for (const secret of secrets) expect(text, `"${secret}" was written down`).not.toContain(secret);
    expect(faults).toEqual([]);
  });

  it(`authenticity values: ${journalValues ? 'in the journal only (opted in), never in log lines' : 'nowhere'}`, async () => {
    const client = createOcrClient({ baseUrl: h.url, ...APP });
    const id = await client.idCard(fixture('id-resident-900x570.jpg'), { scenario: 'id-card/resident' });
    const values = { name: '김비밀테스트', residentNumber: '8812311234567', issueDate: '20191231' };
    const key = newSymmetricKey();
    const answer = await client.authenticity(id.requestKey!, { idType: 'resident', ...values }, { symmetricKey: key });
    expect(answer.resultCode).toBe(0);
    const journal = await (await fetch(`${h.url}/__emulator/requests`)).text();
    for (const value of Object.values(values)) {
      expect(lines.join('\n')).not.toContain(value);
      if (journalValues) expect(journal).toContain(value);
      else expect(journal).not.toContain(value);
    }
    for (const form of [...forms(key), id.requestKey!]) expect(`${lines.join('\n')}\n${journal}`).not.toContain(form);
  });
});
