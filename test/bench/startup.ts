/**
 * Start-up time: from launch to the first 200 on /__emulator/health, for the emulator's own
 * process (`node dist/server/main.js`) and for `npm start`. Prints a markdown table of medians.
 * Run: `npm run bench:startup` (optionally `-- --runs 15`).
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { MAIN, ROOT } from '../support/spawn-emulator.js';

const runs = Number(process.argv[process.argv.indexOf('--runs') + 1]) || 10;

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Launches a command and polls health every 2 ms; resolves with milliseconds to the first 200. */
async function timeToHealthy(command: string, args: string[]): Promise<number> {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(command, args, { cwd: ROOT, env: { ...process.env, PORT: String(port) }, stdio: 'ignore', detached: true });
  try {
    for (;;) {
      try {
        const res = await fetch(`http://127.0.0.1:${port}/__emulator/health`);
        if (res.status === 200) return performance.now() - started;
      } catch {
        // not listening yet
      }
      if (performance.now() - started > 10_000) throw new Error(`${command} not healthy within 10 s`);
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  } finally {
    process.kill(-child.pid!, 'SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

const targets: [string, string, string[], number][] = [
  ['node dist/server/main.js', process.execPath, [MAIN], 300],
  ['npm start', 'npm', ['start', '--silent'], 700],
];
console.log(`| start-up (${runs} runs) | median ms | min ms | max ms | target ms |`);
console.log('|---|---:|---:|---:|---:|');
for (const [label, command, args, target] of targets) {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) times.push(await timeToHealthy(command, args));
  console.log(`| ${label} | ${median(times).toFixed(0)} | ${Math.min(...times).toFixed(0)} | ${Math.max(...times).toFixed(0)} | ${target} |`);
}
