/**
 * The suite's power, case by case: against each copy of the stand-in (test/stand-in/, written
 * from the documentation alone, sharing nothing with the emulator) that breaks one documented
 * rule (STANDIN_BREAK), the case that watches the rule fails, or diverges from the reading,
 * with a message that names it. Only that case runs (a filter), so each break costs one small
 * run. That the unbroken stand-in passes the whole suite, in live mode as `npm run contracts`
 * runs it, is live-mode.test.ts's part.
 */
import type { ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import type { ApiVersion } from './client/index.js';
import { resultLine } from './lib/runner.js';
import { runSession } from './lib/session.js';
import { spawnStandIn } from '../test/support/stand-in.js';

const CREDENTIALS = { appKey: 'standin-appkey', secretKey: 'standin-secretkey' };
const ACCESS = { userAccessKeyId: 'standin-user-access-key', secretAccessKey: 'standin-secret-access-key' };

/** Each break, a case that must fail (or diverge), and what its line must say. */
const BREAKS: Array<{ rule: string; caseId: string; api?: ApiVersion; status?: 'fail' | 'diverged'; says: RegExp }> = [
  { rule: 'plaintext-values', caseId: 'credit-card/jpg-normal', says: /sent in clear/ },
  { rule: 'request-key-reusable', caseId: 'request-key/single-use', says: /expected 4000122/ },
  { rule: 'no-request-key', caseId: 'request-key/present-for-resident', says: /without a Request-Key header/ },
  { rule: 'request-key-on-stand-alone', caseId: 'request-key/absent-on-stand-alone', says: /stand-alone answered a Request-Key/ },
  { rule: 'http-status-on-error', caseId: 'envelope/oaep-padding', says: /HTTP 400 \(every call answers HTTP 200/ },
  { rule: 'total-card-num-mismatch', caseId: 'credit-card/jpg-normal', says: /totalCardNum .* is not the concatenation of cardNums/ },
  { rule: 'wrong-iv', caseId: 'credit-card/jpg-normal', says: /does not decrypt .*another IV\?/ },
  {
    rule: 'accepts-oaep',
    caseId: 'envelope/oaep-padding',
    status: 'diverged',
    says: /emulator answers 4000302 Invalid symmetric key\., the target answered 0/,
  },
  {
    rule: 'wrong-error-code',
    caseId: 'envelope/unknown-key-version',
    status: 'diverged',
    says: /emulator answers 4000301 Invalid key version\., the target answered 4000302/,
  },
  { rule: 'version-number', caseId: 'public-key/credit-card', says: /result\.version is 0, a number/ },
  { rule: 'resolution-ignored', caseId: 'credit-card/png-low', says: /resolution "normal" for 428x270 px; expected low/ },
  {
    rule: 'missing-header-unknown-error',
    caseId: 'envelope/missing-symmetric-key',
    status: 'diverged',
    says: /emulator answers 4000005 Required headers is missing\., the target answered -1 "Unknown error\."/,
  },
  {
    rule: 'revoked-token-accepted',
    caseId: 'token/revoked-token',
    api: 'v2.1',
    status: 'diverged',
    says: /emulator answers 4010006 Invalid token\., the target answered 0 "SUCCESS"/,
  },
  { rule: 'expires-in-string', caseId: 'token/expires-in-number', api: 'v2.1', says: /expires_in is "86400", a string/ },
  {
    rule: 'invalid-token-4010001',
    caseId: 'token/garbage-token',
    api: 'v2.1',
    status: 'diverged',
    says: /emulator answers 4010006 Invalid token\., the target answered 4010001/,
  },
  { rule: 'plaintext-values-v21', caseId: 'credit-card/jpg-normal', api: 'v2.1', says: /sent in clear/ },
];

let running: ChildProcess | undefined;
afterEach(() => {
  if (running && running.exitCode === null) running.kill('SIGTERM');
  running = undefined;
});

function startStandIn(rule: string): Promise<string> {
  return spawnStandIn(rule, (child) => (running = child));
}

describe('the suite against a stand-in that breaks one rule', () => {
  it.each(BREAKS)('STANDIN_BREAK=$rule is caught by $caseId', async ({ rule, caseId, api = 'v2.0', status = 'fail', says }) => {
    const baseUrl = await startStandIn(rule);
    const { results } = await runSession({
      target: { kind: 'custom', baseUrl, appKey: CREDENTIALS.appKey, lenient: false, control: false, oauthBaseUrl: baseUrl },
      credentials: CREDENTIALS,
      apis: [api],
      access: ACCESS,
      filters: [`${caseId}${api === 'v2.1' ? '@v2.1' : ''}`],
    });
    const caught = results.find((r) => r.caseId === caseId);
    expect(caught?.status, `${caseId} against ${rule}: ${caught ? resultLine(caught) : 'not run'}`).toBe(status);
    expect(caught?.message).toMatch(says);
  });
});
