/**
 * What the emulator keeps stays bounded in bytes, not only in entries: the journal holds
 * `journalSize` entries (test/api/diagnostics.test.ts) and the Request-Key ledger `maxEntries`
 * (server/core/request-key-ledger.test.ts); here, each journal entry stays small however large
 * the client-derived texts it records (path, key version, diagnosis, authenticity values).
 */
import { describe, expect, it } from 'vitest';
import { newSymmetricKey, wrapSymmetricKey } from '../../contracts/client/index.js';
import type { JournalEntry } from '../../server/core/journal.js';
import { JOURNAL_TEXT_LIMIT } from '../../server/core/journal.js';
import { APP, useEmulator } from '../support/harness.js';

/** The longest value whose ciphertext stays within the 4096-character field bound (base64 of 3,008 bytes: 4,012). */
const BIG = 3000;

async function journal(url: string): Promise<{ requests: JournalEntry[]; text: string }> {
  const res = await fetch(`${url}/__emulator/requests`);
  const text = await res.text();
  return { requests: (JSON.parse(text) as { requests: JournalEntry[] }).requests, text };
}

describe.each([
  { journalValues: false, shown: 'masked' },
  { journalValues: true, shown: 'shown' },
])('a 3,000-character authenticity value ($shown in the journal)', ({ journalValues }) => {
  const h = useEmulator({ journalValues, journalSize: 20, logger: () => {} });

  it('is kept as at most the text limit, with its length noted', async () => {
    const answer = await h.client.authenticity('00000000-0000-4000-8000-000000000000', {
      idType: 'resident',
      name: 'N'.repeat(BIG),
      residentNumber: '9001011234567',
      issueDate: '20200115',
    });
    expect(answer.resultCode).toBe(4000122);
    const { requests, text } = await journal(h.url);
    const name = requests.at(-1)!.envelope!.authenticity!.fields['name']!;
    expect(name).toBe(`${(journalValues ? 'N' : '*').repeat(JOURNAL_TEXT_LIMIT)}...(${BIG} chars)`);
    expect(text.length).toBeLessThan(20_000);
    expect(name.length).toBeLessThan(BIG);
  });
});

describe('client texts in many entries', () => {
  const h = useEmulator({ journalSize: 50, logger: () => {} });

  it('100 requests with a 12 KB key version and path: 50 entries, each clipped', async () => {
    const publicKey = await h.client.publicKey('credit-card');
    const headers = { Authorization: APP.secretKey, 'X-Key-Version': 'v'.repeat(12_000), 'Symmetric-Key': wrapSymmetricKey(publicKey.key, newSymmetricKey()) };
    for (let i = 0; i < 100; i++) {
      const answer = await h.client.raw({ method: 'POST', path: `/v2.0/appkeys/${APP.appKey}/credit-card`, headers, multipart: { image: Buffer.alloc(16) } });
      expect(answer.body.header.resultCode).toBe(4000301);
      const junk = await h.client.raw({ method: 'GET', path: `/${'p'.repeat(12_000)}` });
      expect(junk.body.header.resultCode).toBe(4041007);
    }
    const { requests, text } = await journal(h.url);
    expect(requests).toHaveLength(50);
    for (const entry of requests) {
      expect(entry.path.length).toBeLessThanOrEqual(JOURNAL_TEXT_LIMIT + 20);
      expect(entry.diagnosis!.length).toBeLessThanOrEqual(JOURNAL_TEXT_LIMIT + 20);
      expect((entry.envelope?.keyVersion ?? '').length).toBeLessThanOrEqual(JOURNAL_TEXT_LIMIT + 20);
    }
    expect(text.length).toBeLessThan(50 * 2 * (JOURNAL_TEXT_LIMIT + 100) * 2);
  });
});
