// Interop test: two clients written from the official v2.0 guide alone (a curl+openssl shell
// script and a JDK-only Java program) run against the built emulator. They share no code with
// the emulator or with contracts/, so a passing run means the emulator speaks the documented
// envelope, not merely whatever our own TypeScript client expects.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isLuhnValid } from '../../contracts/lib/plausible.js';
import { runClient, SHELL_CLIENT, SHELL_CLIENT_V21 } from '../support/shell-clients.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const here = fileURLToPath(new URL('./', import.meta.url));
const fixture = (name: string): string => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));
const javaClient = `${here}JdkClient.java`;
const serverMain = `${repoRoot}dist/server/main.js`;

// Java compile-and-run in source-file mode takes a few seconds per call.
const TIMEOUT_MS = 60_000;

function onPath(command: string, versionArg: string): boolean {
  const probe = spawnSync(command, [versionArg], { stdio: 'ignore' });
  return probe.error === undefined && probe.status === 0;
}

// The whole point is to use foreign toolchains; without them there is nothing to run. CI has both.
const missingTools = [
  ['java', '-version'],
  ['openssl', 'version'],
  ['curl', '--version'],
]
  .filter(([command, arg]) => !onPath(command ?? '', arg ?? ''))
  .map(([command]) => command);
const suiteTitle =
  missingTools.length === 0 ? 'interop: independent clients against the emulator' : `interop: SKIPPED because ${missingTools.join(', ')} not on PATH`;

interface Emulator {
  process: ChildProcess;
  baseUrl: string;
  appKey: string;
  secretKey: string;
  userAccessKeyId: string;
  secretAccessKey: string;
}

/** Starts `node dist/server/main.js` on a free port and waits for its ready line. */
function startEmulator(): Promise<Emulator> {
  if (!existsSync(serverMain)) {
    return Promise.reject(new Error(`${serverMain} is missing: run \`npm run build\` first`));
  }
  const child = spawn(process.execPath, [serverMain], {
    cwd: repoRoot,
    env: { ...process.env, PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise<Emulator>((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      reject(new Error(`emulator did not print its ready line within 20 s; output so far:\n${output}`));
    }, 20_000);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString('utf8');
      const ready = /ready at (http:\/\/\S+) \(appKey=(\S+) secretKey=(\S+) userAccessKeyId=(\S+) secretAccessKey=([^\s)]+)\)/.exec(output);
      if (ready) {
        clearTimeout(timer);
        const [, baseUrl, appKey, secretKey, userAccessKeyId, secretAccessKey] = ready as unknown as string[];
        resolve({
          process: child,
          baseUrl: baseUrl!,
          appKey: appKey!,
          secretKey: secretKey!,
          userAccessKeyId: userAccessKeyId!,
          secretAccessKey: secretAccessKey!,
        });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`emulator exited early (code=${code} signal=${signal}):\n${output}`));
    });
  });
}

/** The same checks for both clients: the decrypted values form a plausible card. */
function expectCreditCard(out: Map<string, string>): void {
  expect(out.get('resultCode')).toBe('0');
  const groups = [0, 1, 2, 3].map((i) => out.get(`cardNums[${i}]`));
  for (const group of groups) expect(group).toMatch(/^\d{4}$/);
  expect(out.has('cardNums[4]')).toBe(false);
  const total = out.get('totalCardNum') ?? '';
  // totalCardNum is the concatenation of the groups (the guide's 15-digit example is a typo).
  expect(total).toBe(groups.join(''));
  expect(isLuhnValid(total), `Luhn check of ${total}`).toBe(true);
  expect(out.get('validThru')).toMatch(/^(0[1-9]|1[0-2])\/\d{2}$/);
}

describe.skipIf(missingTools.length > 0)(suiteTitle, () => {
  let emulator: Emulator | undefined;

  beforeAll(async () => {
    emulator = await startEmulator();
  }, TIMEOUT_MS);

  afterAll(() => {
    emulator?.process.kill('SIGTERM');
  });

  const connection = (): [string, string, string] => {
    if (emulator === undefined) throw new Error('emulator not started');
    return [emulator.baseUrl, emulator.appKey, emulator.secretKey];
  };

  for (const image of ['card-856x540.jpg', 'card-856x540.png']) {
    it(
      `curl+openssl client reads the credit card ${image}`,
      async () => {
        expectCreditCard(await runClient('bash', [SHELL_CLIENT, ...connection(), fixture(image)]));
      },
      TIMEOUT_MS,
    );

    it(
      `JDK client reads the credit card ${image}`,
      async () => {
        expectCreditCard(await runClient('java', [javaClient, 'credit-card', ...connection(), fixture(image)]));
      },
      TIMEOUT_MS,
    );
  }

  it(
    'curl+openssl v2.1 client: token, credit card, ID card, authenticity; revoked and garbage tokens 4010006; bad client 401',
    async () => {
      const { baseUrl, appKey, userAccessKeyId, secretAccessKey } = emulator!;
      const out = await runClient('bash', [
        SHELL_CLIENT_V21,
        baseUrl,
        baseUrl, // the emulator serves the token issuer on its own port
        appKey,
        userAccessKeyId,
        secretAccessKey,
        fixture('card-856x540.jpg'),
        fixture('id-resident-900x570.jpg'),
      ]);
      expect(Object.fromEntries(out)).toMatchObject({
        'token.type': 'Bearer',
        'token.expiresIn': '86400',
        'creditCard.resultCode': '0',
        'idCard.resultCode': '0',
        'authenticity.resultCode': '0',
        'authenticity.isAuthenticity': 'true',
        'revoke.status': '200',
        'revoked.status': '200',
        'revoked.resultCode': '4010006',
        'garbage.resultCode': '4010006',
        'badClient.status': '401',
        'badClient.error': 'invalid_client',
        'badClient.wwwAuthenticate': 'Basic',
      });
      expect(isLuhnValid(out.get('creditCard.totalCardNum') ?? '')).toBe(true);
      expect(out.get('idCard.requestKey')).toMatch(/^[0-9a-f-]{36}$/);
    },
    TIMEOUT_MS,
  );

  it(
    'JDK client: id-card, authenticity twice with one Request-Key, stand-alone',
    async () => {
      const out = await runClient('java', [javaClient, 'id-card', ...connection(), fixture('id-resident-900x570.jpg')]);
      expect(out.get('idCard.resultCode')).toBe('0');
      // Guide: /id-card answers a Request-Key response header.
      expect(out.get('requestKey')).toBeTruthy();
      expect(out.get('requestKey')).not.toBe('none');
      expect(out.get('idType')).toBe('resident');
      for (const key of ['name', 'residentNumber', 'issueDate', 'issuer']) {
        expect(out.get(key), `keyValues ${key}`).toBeTruthy();
      }
      // The client sends back exactly what it decrypted, so the card must be authentic.
      expect(out.get('authenticity1.resultCode')).toBe('0');
      expect(out.get('authenticity1.isAuthenticity')).toBe('true');
      // Guide: a Request-Key that got a normal answer cannot be reused.
      expect(out.get('authenticity2.resultCode')).toBe('4000122');
      // Guide: the stand-alone call never carries a Request-Key.
      expect(out.get('standAlone.resultCode')).toBe('0');
      expect(out.get('standAlone.requestKey')).toBe('none');
    },
    TIMEOUT_MS,
  );
});
