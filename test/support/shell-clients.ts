/**
 * The independent clients of test/interop (a curl + openssl shell script per API version, written
 * from the official guides alone) and a runner that reads their `name=value` output: shared by the
 * interop tests (against `node dist/server/main.js`) and the container tests (against the image).
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from '../../contracts/lib/spawn-emulator.js';

const execFileAsync = promisify(execFile);

/** The v2.0 client: `bash SHELL_CLIENT BASE_URL APPKEY SECRETKEY IMAGE`. */
export const SHELL_CLIENT = join(ROOT, 'test', 'interop', 'curl-openssl-client.sh');
/** The v2.1 client: `bash SHELL_CLIENT_V21 OCR_BASE_URL OAUTH_BASE_URL APPKEY USER_ACCESS_KEY_ID SECRET_ACCESS_KEY CARD_IMAGE ID_IMAGE`. */
export const SHELL_CLIENT_V21 = join(ROOT, 'test', 'interop', 'curl-openssl-client-v21.sh');

/**
 * What the v2.1 shell client prints when every step went right: a token, a card, an ID card and
 * its authenticity, the revoked token refused, a bad client refused.
 * @example expect(Object.fromEntries(await runClient('bash', [SHELL_CLIENT_V21, ...]))).toMatchObject(V21_CLIENT_SUCCEEDED)
 */
export const V21_CLIENT_SUCCEEDED: Readonly<Record<string, string>> = {
  'token.type': 'Bearer',
  'creditCard.resultCode': '0',
  'idCard.resultCode': '0',
  'authenticity.resultCode': '0',
  'authenticity.isAuthenticity': 'true',
  'revoked.resultCode': '4010006',
  'badClient.status': '401',
};

/**
 * The path of a file under test/fixtures.
 * @example fixturePath('card-856x540.jpg')
 */
export function fixturePath(name: string): string {
  return join(ROOT, 'test', 'fixtures', name);
}

/**
 * Runs a client and parses its `name=value` lines (a value may itself contain '='); throws with
 * its output when it exits non-zero.
 * @example const out = await runClient('bash', [SHELL_CLIENT, url, 'emulator-appkey', 'emulator-secretkey', fixturePath('card-856x540.jpg')])
 */
export async function runClient(command: string, args: string[], timeoutMs = 60_000): Promise<Map<string, string>> {
  let stdout: string;
  try {
    ({ stdout } = await execFileAsync(command, args, { cwd: ROOT, timeout: timeoutMs, encoding: 'utf8' }));
  } catch (err) {
    const e = err as { code?: unknown; stdout?: string; stderr?: string };
    throw new Error(`${command} ${args.join(' ')} failed (exit ${String(e.code)})\nstdout:\n${e.stdout ?? ''}\nstderr:\n${e.stderr ?? ''}`);
  }
  const values = new Map<string, string>();
  for (const line of stdout.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) values.set(line.slice(0, eq), line.slice(eq + 1));
  }
  return values;
}
