#!/usr/bin/env node
/**
 * Makes sure the real components some tests drive are on this machine before `npm test` runs
 * (it is the `pretest` script): Debian's `chromium` for the dashboard tests, `redis-server`
 * for the shared-state tests, a JDK with JUnit 5, Python 3 with pytest, requests and
 * cryptography, and Go for the example suites in examples/, podman and its companions for the
 * container tests. A missing one is installed with apt-get when this runs as root on a
 * Debian-like system (CI, containers, a fresh machine); otherwise, or when
 * `NHN_OCR_TEST_INSTALL=never`, it prints the command to run and the tests that need it are
 * skipped, saying why: a component that cannot be installed only costs those tests. With
 * `NHN_OCR_TEST_INSTALL=require` (what .ci/run sets) a component still missing after that fails
 * the run instead, so CI never passes with those tests skipped.
 *
 * @example node test/support/system-packages.mjs          # install what is missing, if allowed
 * @example NHN_OCR_TEST_INSTALL=never npm test              # never touch the system
 * @example NHN_OCR_TEST_INSTALL=require npm test            # CI: every component or no run
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** What the tests need: the Debian package, and where the tests look for its program. */
const COMPONENTS = [
  { pkg: 'chromium', tests: 'test/dashboard', present: () => existsSync('/usr/bin/chromium') },
  {
    pkg: 'redis-server',
    tests: 'shared-state',
    present: () => onPath('redis-server') || existsSync('/usr/bin/redis-server') || existsSync('/usr/sbin/redis-server'),
  },
  // The example suites in examples/ (test/examples/run-example.ts looks in the same places).
  { pkg: 'default-jdk-headless', tests: 'examples/java', present: () => onPath('javac') || existsSync('/usr/bin/javac') },
  { pkg: 'junit5', tests: 'examples/java', present: () => existsSync('/usr/share/java/junit-platform-console-standalone.jar') },
  { pkg: 'python3-pytest', tests: 'examples/python', present: () => existsSync('/usr/lib/python3/dist-packages/pytest/__init__.py') },
  { pkg: 'python3-requests', tests: 'examples/python', present: () => existsSync('/usr/lib/python3/dist-packages/requests/__init__.py') },
  { pkg: 'python3-cryptography', tests: 'examples/python', present: () => existsSync('/usr/lib/python3/dist-packages/cryptography/__init__.py') },
  { pkg: 'golang-go', tests: 'examples/go', present: () => onPath('go') || existsSync('/usr/bin/go') },
  // The container image's tests (test/container): podman as root with runc, its network stack
  // (netavark and aardvark-dns, whose DNS lets compose's services find Redis by name; iptables
  // for published ports), podman-compose, and mmdebstrap for the stand-in of the base image.
  ...['podman', 'runc', 'podman-compose', 'mmdebstrap'].map((pkg) => ({
    pkg,
    tests: 'test/container',
    present: () => onPath(pkg) || existsSync(`/usr/sbin/${pkg}`),
  })),
  { pkg: 'netavark', tests: 'test/container', present: () => existsSync('/usr/lib/podman/netavark') },
  { pkg: 'aardvark-dns', tests: 'test/container', present: () => existsSync('/usr/lib/podman/aardvark-dns') },
  { pkg: 'iptables', tests: 'test/container', present: () => onPath('iptables') || existsSync('/usr/sbin/iptables') },
];

/** Whether `program` is on PATH. */
function onPath(program) {
  return spawnSync('sh', ['-c', `command -v ${program}`], { stdio: 'ignore' }).status === 0;
}

/**
 * Runs apt-get, waiting up to ten minutes while another apt or dpkg holds a lock (a machine's
 * first minutes often run unattended upgrades): dpkg's lock through apt's own option, the package
 * lists' lock (which `apt-get update` does not wait for) by trying again every five seconds.
 */
function apt(args) {
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const deadline = Date.now() + 600_000;
  for (;;) {
    const run = spawnSync('apt-get', ['-o', 'DPkg::Lock::Timeout=600', ...args], { stdio: ['ignore', 'inherit', 'pipe'], env, encoding: 'utf8' });
    if (run.status === 0) return;
    if (!/Could not get lock/.test(run.stderr) || Date.now() > deadline) {
      process.stderr.write(run.stderr);
      throw new Error(`apt-get ${args[0]} exited ${run.status ?? run.signal}`);
    }
    console.log('test setup: waiting for another apt-get or dpkg to release its lock');
    spawnSync('sleep', ['5']);
  }
}

/** Why apt-get may not be used here, or undefined when it may. */
function whyNoApt() {
  if (process.env.NHN_OCR_TEST_INSTALL === 'never') return 'NHN_OCR_TEST_INSTALL=never';
  if (process.platform !== 'linux') return `${process.platform} is not Linux`;
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return 'not running as root';
  if (!onPath('apt-get')) return 'no apt-get';
  return undefined;
}

const missing = COMPONENTS.filter((component) => !component.present());
if (missing.length > 0) {
  const packages = missing.map((component) => component.pkg);
  const reason = whyNoApt();
  if (reason) {
    for (const component of missing) {
      console.log(
        `test setup: ${component.pkg} is missing (${reason}); the ${component.tests} tests will be skipped. Install it with: sudo apt-get install -y ${component.pkg}`,
      );
    }
  } else {
    console.log(
      `test setup: ${packages.join(', ')} missing; installing them with apt-get as root, since the tests drive the real programs (NHN_OCR_TEST_INSTALL=never: install nothing, skip those tests)`,
    );
    try {
      apt(['update', '-qq']);
      apt(['install', '-y', '-qq', '--no-install-recommends', ...packages]);
    } catch (error) {
      // Chromium without its recommends still runs headless; the others need none. A failed
      // install (no mirror reachable) leaves the tests to skip with their reasons, unless required.
      const then =
        process.env.NHN_OCR_TEST_INSTALL === 'require'
          ? 'the run stops (NHN_OCR_TEST_INSTALL=require)'
          : `the tests that need ${packages.join(' or ')} will be skipped`;
      console.log(`test setup: apt-get failed (${error.message.split('\n')[0]}); ${then}`);
    }
  }
  const still = missing.filter((component) => !component.present());
  if (still.length > 0 && process.env.NHN_OCR_TEST_INSTALL === 'require') {
    console.error(
      `test setup: ${still.map((component) => component.pkg).join(' and ')} missing and NHN_OCR_TEST_INSTALL=require: not running the tests without them`,
    );
    process.exit(1);
  }
}
