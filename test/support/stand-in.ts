/**
 * Starts the documentation-only stand-in of the live service (test/stand-in/stand-in-server.mjs),
 * optionally breaking one rule, and reads its ready line.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The stand-in's script. */
export const STAND_IN = fileURLToPath(new URL('../stand-in/stand-in-server.mjs', import.meta.url));

/**
 * Spawns the stand-in on a free port (`STANDIN_BREAK=rule` when given) and resolves with its base
 * URL once it is ready; `track` is told the child first, so the caller can stop it however the
 * start ends.
 * @example const url = await spawnStandIn('plaintext-values', (child) => children.add(child))
 */
export function spawnStandIn(rule: string, track: (child: ChildProcess) => void): Promise<string> {
  const child = spawn(process.execPath, [STAND_IN], { env: { ...process.env, PORT: '0', STANDIN_BREAK: rule }, stdio: ['ignore', 'pipe', 'pipe'] });
  track(child);
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
