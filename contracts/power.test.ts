/**
 * The suite's power: it passes against the stand-in (test/stand-in/, written from the
 * documentation alone, sharing nothing with the emulator) and fails against each copy of it
 * that breaks one documented rule (STANDIN_BREAK), with a failing case that names the rule.
 * Emulator-control cases skip: the stand-in has no scenarios or admin API.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { resultLine } from './lib/runner.js';
import { runSession } from './lib/session.js';

const STAND_IN = fileURLToPath(new URL('../test/stand-in/stand-in-server.mjs', import.meta.url));
const CREDENTIALS = { appKey: 'standin-appkey', secretKey: 'standin-secretkey' };

/** Each break, a case that must fail, and what its failure must say. */
const BREAKS: Array<{ rule: string; caseId: string; says: RegExp }> = [
  { rule: 'plaintext-values', caseId: 'credit-card/jpg-normal', says: /sent in clear/ },
  { rule: 'request-key-reusable', caseId: 'request-key/single-use', says: /expected 4000122/ },
  { rule: 'no-request-key', caseId: 'request-key/present-for-resident', says: /without a Request-Key header/ },
  { rule: 'request-key-on-stand-alone', caseId: 'request-key/absent-on-stand-alone', says: /stand-alone answered a Request-Key/ },
  { rule: 'http-status-on-error', caseId: 'envelope/oaep-padding', says: /HTTP 400 \(every call answers HTTP 200/ },
  { rule: 'total-card-num-mismatch', caseId: 'credit-card/jpg-normal', says: /totalCardNum .* is not the concatenation of cardNums/ },
  { rule: 'wrong-iv', caseId: 'credit-card/jpg-normal', says: /does not decrypt .*another IV\?/ },
  { rule: 'accepts-oaep', caseId: 'envelope/oaep-padding', says: /expected 4000302 Invalid symmetric key\., got 0/ },
  { rule: 'wrong-error-code', caseId: 'envelope/unknown-key-version', says: /expected 4000301 Invalid key version\., got 4000302/ },
  { rule: 'version-number', caseId: 'public-key/credit-card', says: /result\.version is 0, a number/ },
  { rule: 'resolution-ignored', caseId: 'credit-card/png-low', says: /resolution "normal" for 428x270 px; expected low/ },
];

let running: ChildProcess | undefined;
afterEach(() => {
  if (running && running.exitCode === null) running.kill('SIGTERM');
  running = undefined;
});

function startStandIn(rule?: string): Promise<string> {
  const env = { ...process.env, PORT: '0', STANDIN_BREAK: rule ?? '' };
  const child = spawn(process.execPath, [STAND_IN], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  running = child;
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`stand-in not ready: ${output}`)), 10_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /stand-in ready at (\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`stand-in exited with ${code}: ${output}`)));
  });
}

async function runAgainstStandIn(rule?: string) {
  const baseUrl = await startStandIn(rule);
  const { results } = await runSession({
    target: { kind: 'custom', baseUrl, appKey: CREDENTIALS.appKey, lenient: false, control: false },
    credentials: CREDENTIALS,
  });
  return results;
}

describe('the suite against the stand-in', () => {
  it('passes the unbroken stand-in, skipping only what needs emulator control or a second app key', async () => {
    const results = await runAgainstStandIn();
    expect(results.filter((r) => r.status === 'fail').map(resultLine)).toEqual([]);
    const skipReasons = new Set(results.filter((r) => r.status === 'skip').map((r) => r.message));
    for (const reason of skipReasons) expect(reason).toMatch(/needs emulator control|needs a second app key/);
    expect(results.filter((r) => r.status === 'pass').length).toBeGreaterThan(45);
  });

  it.each(BREAKS)('fails against STANDIN_BREAK=$rule, in $caseId', async ({ rule, caseId, says }) => {
    const results = await runAgainstStandIn(rule);
    const failing = results.find((r) => r.id === caseId);
    expect(failing?.status, `${caseId} against ${rule}: ${failing ? resultLine(failing) : 'not run'}`).toBe('fail');
    expect(failing?.message).toMatch(says);
  });
});
