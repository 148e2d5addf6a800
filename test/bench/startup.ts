/**
 * Start-up time: from launch to the first 200 on /__emulator/health, for the emulator's own
 * process (`node dist/server/main.js`) and for `npm start`. Prints a markdown table of medians.
 * Run: `npm run bench:startup` (optionally `-- --runs 15`). `npm run bench` measures the first
 * row too, beside Prism's.
 */
import { pathToFileURL } from 'node:url';
import { MAIN, NODE_FLAGS } from '../support/spawn-emulator.js';
import { median, startupTimes, type Probe } from './processes.js';

/** The emulator's readiness probe. */
export const HEALTH: Probe = { path: '/__emulator/health' };

/**
 * Launch-to-healthy times of `node dist/server/main.js`, in milliseconds.
 * @example median(await emulatorStartupTimes(10)) // 210
 */
export function emulatorStartupTimes(runs: number, env: Record<string, string> = {}): Promise<number[]> {
  return startupTimes('emulator', process.execPath, [...NODE_FLAGS, MAIN], HEALTH, runs, env);
}

async function main(): Promise<void> {
  const runs = Number(process.argv[process.argv.indexOf('--runs') + 1]) || 10;
  const targets: [string, () => Promise<number[]>, number][] = [
    ['node dist/server/main.js', () => emulatorStartupTimes(runs), 300],
    ['npm start', () => startupTimes('npm start', 'npm', ['start', '--silent'], HEALTH, runs), 700],
  ];
  console.log(`| start-up (${runs} runs) | median ms | min ms | max ms | target ms |`);
  console.log('|---|---:|---:|---:|---:|');
  for (const [label, measure, target] of targets) {
    const times = await measure();
    console.log(`| ${label} | ${median(times).toFixed(0)} | ${Math.min(...times).toFixed(0)} | ${Math.max(...times).toFixed(0)} | ${target} |`);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
