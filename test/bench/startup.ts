/**
 * Start-up time: from launch to the first 200 on /__emulator/health, for the emulator's own
 * process (`node dist/server/main.js` with npm start's node flags), side by side with a bare
 * express app (test/bench/bare-express.mjs: express loaded, one route, listening) and with
 * `npm start`. Runs alternate between the servers so that other load on the machine hits them
 * alike. Target: the emulator within 1.3x of the bare express app. Prints a markdown table of
 * medians. Run: `npm run bench:startup` (optionally `-- --runs 15`). `npm run bench` measures
 * the first two rows too, beside Prism's.
 */
import { fileURLToPath, pathToFileURL } from 'node:url';
import { MAIN, NODE_FLAGS } from '../../contracts/lib/spawn-emulator.js';
import { median, startupTimes, type Probe } from './processes.js';

/** The emulator's readiness probe. */
export const HEALTH: Probe = { path: '/__emulator/health' };

/** The yardstick: a bare express app, run as plain node. */
export const BARE_EXPRESS = fileURLToPath(new URL('./bare-express.mjs', import.meta.url));

/** How much slower than the bare express app the emulator may start. */
export const STARTUP_TARGET_RATIO = 1.3;

/**
 * Launch-to-healthy times of `node dist/server/main.js`, in milliseconds.
 * @example median(await emulatorStartupTimes(10)) // 210
 */
export function emulatorStartupTimes(runs: number, env: Record<string, string> = {}): Promise<number[]> {
  return startupTimes('emulator', process.execPath, [...NODE_FLAGS, MAIN], HEALTH, runs, env);
}

/** Launch-to-first-answer times of the bare express app, in milliseconds. */
export function bareExpressStartupTimes(runs: number): Promise<number[]> {
  return startupTimes('bare express', process.execPath, [BARE_EXPRESS], HEALTH, runs);
}

/**
 * The emulator and the bare express app started in turn, `runs` times each.
 * @example const { emulator, bare } = await sideBySideStartup(10); median(emulator) / median(bare) // 1.1
 */
export async function sideBySideStartup(runs: number): Promise<{ emulator: number[]; bare: number[] }> {
  const emulator: number[] = [];
  const bare: number[] = [];
  for (let i = 0; i < runs; i++) {
    emulator.push(...(await emulatorStartupTimes(1)));
    bare.push(...(await bareExpressStartupTimes(1)));
  }
  return { emulator, bare };
}

async function main(): Promise<void> {
  const runs = Number(process.argv[process.argv.indexOf('--runs') + 1]) || 10;
  const { emulator, bare } = await sideBySideStartup(runs);
  const npmStart = await startupTimes('npm start', 'npm', ['start', '--silent'], HEALTH, runs);
  const row = (label: string, times: number[], target: string) =>
    console.log(`| ${label} | ${median(times).toFixed(0)} | ${Math.min(...times).toFixed(0)} | ${Math.max(...times).toFixed(0)} | ${target} |`);
  console.log(`| start-up (${runs} runs) | median ms | min ms | max ms | target |`);
  console.log('|---|---:|---:|---:|---|');
  row(`node ${NODE_FLAGS.join(' ')} dist/server/main.js`, emulator, `<= ${STARTUP_TARGET_RATIO}x bare express`);
  row('bare express app (node test/bench/bare-express.mjs)', bare, '-');
  row('npm start', npmStart, '-');
  const ratio = median(emulator) / median(bare);
  console.log(`\nemulator / bare express: ${ratio.toFixed(2)}x (target <= ${STARTUP_TARGET_RATIO}x: ${ratio <= STARTUP_TARGET_RATIO ? 'met' : 'missed'})`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
