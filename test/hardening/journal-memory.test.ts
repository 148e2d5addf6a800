/**
 * The journal is bounded in memory, not only in entries and in the characters it shows:
 * - each text it keeps is a copy of at most 512 characters. A `slice` kept the whole request
 *   text alive behind it (V8 sliced strings), so unauthenticated calls with 14,000-character app
 *   keys held ~40 KB each: 1,000 entries 62 MB, a million of them killed the process;
 * - the entries' estimated bytes are bounded too, and shown by GET /__emulator/stats.
 * Memory is measured as V8 heap after a full garbage collection, in this process (the emulator
 * runs in-process), which is exact enough to tell 2 KB an entry from 40 KB.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import type { JournalEntry } from '../../server/core/journal.js';
import { useEmulator } from '../support/harness.js';
import { sendRaw } from '../support/wire-client.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const KEY_CHARS = 14_000;

/** A heap figure after collecting everything collectable. */
function liveHeap(): number {
  for (let i = 0; i < 3; i++) gc();
  return process.memoryUsage().heapUsed;
}

/** `count` public-key calls without credentials, each with its own 14,000-character app key. */
async function longKeyCalls(port: number, count: number, tag: string): Promise<void> {
  for (let i = 0; i < count; i += 25) {
    await Promise.all(
      Array.from({ length: Math.min(25, count - i) }, async (_, j) => {
        const n = i + j;
        const appKey = `${tag}${n}-`.padEnd(KEY_CHARS, 'k');
        // Half without credentials, half with a wrong secret key (whose diagnosis quotes the app key).
        const auth = n % 2 ? 'Authorization: wrong\r\n' : '';
        const answer = await sendRaw(port, {
          bytes: Buffer.from(`GET /v2.0/appkeys/${appKey}/public-keys/credit-card HTTP/1.1\r\nHost: 127.0.0.1\r\n${auth}Connection: close\r\n\r\n`),
        });
        expect(JSON.parse(answer.body.toString('utf8')).header.resultCode).toBe(n % 2 ? 4010001 : 4000005);
      }),
    );
  }
}

async function stats(url: string): Promise<{ journal: { held: number; capacity: number; bytes: number; maxBytes: number } }> {
  return (await fetch(`${url}/__emulator/stats`)).json() as never;
}

describe('1,000 calls with 14,000-character app keys', () => {
  const h = useEmulator({ journalSize: 100_000, logger: () => {} });

  it('hold a few KB an entry, not the request texts behind them', async () => {
    await longKeyCalls(h.emulator.port, 50, 'warm'); // code paths and buffers warmed up first
    const before = liveHeap();
    await longKeyCalls(h.emulator.port, 1000, 'call');
    const grown = liveHeap() - before;
    if (process.env['SHOW_GROWTH']) console.log(`heap grew by ${(grown / 1024 / 1024).toFixed(1)} MB for 1,000 entries`);
    // ~2.5 KB an entry (three texts clipped to 512 characters); ~40 KB each when slices held the
    // request's texts.
    expect(grown).toBeLessThan(1000 * 8 * 1024);
    const { journal } = await stats(h.url);
    expect(journal.held).toBe(1050);
    expect(journal.bytes).toBeGreaterThan(1050 * 1024);
    expect(journal.bytes).toBeLessThan(1050 * 4 * 1024);
  });

  it('each entry shows its texts clipped, with their length', async () => {
    const { requests } = (await (await fetch(`${h.url}/__emulator/requests?limit=1`)).json()) as { requests: JournalEntry[] };
    const [entry] = requests;
    expect(entry!.appKey).toMatch(/^call999-k+\.\.\.\(14000 chars\)$/);
    expect(entry!.appKey!.length).toBe(512 + '...(14000 chars)'.length);
    expect(entry!.path.length).toBeLessThanOrEqual(540);
    expect(entry!.diagnosis).toMatch(/^appKey "call999-k+\.\.\.\(\d+ chars\)$/);
    expect(entry!.diagnosis!.length).toBeLessThanOrEqual(540);
  });
});

describe('the journal byte budget', () => {
  const h = useEmulator({ journalSize: 100_000, journalMaxBytes: 256 * 1024, logger: () => {} });

  it('drops the oldest entries past it, whatever the entry count allows, and says so in stats', async () => {
    await longKeyCalls(h.emulator.port, 300, 'budget');
    const { journal } = await stats(h.url);
    expect(journal).toMatchObject({ capacity: 100_000, maxBytes: 256 * 1024 });
    expect(journal.bytes).toBeLessThanOrEqual(256 * 1024);
    expect(journal.held).toBeGreaterThan(50);
    expect(journal.held).toBeLessThan(300);
    const { requests } = (await (await fetch(`${h.url}/__emulator/requests`)).json()) as { requests: JournalEntry[] };
    expect(requests).toHaveLength(journal.held);
    expect(requests.at(-1)!.appKey).toMatch(/^budget299-/);
  });
});
