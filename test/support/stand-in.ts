/**
 * Starts the documentation-only stand-in of the live service (test/stand-in/stand-in-server.mjs)
 * on a free port, optionally breaking one rule, and reads its ready line.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The stand-in's script. */
export const STAND_IN = fileURLToPath(new URL('../stand-in/stand-in-server.mjs', import.meta.url));

/** A started stand-in. */
export interface StartedStandIn {
  /** Its base URL, `http://127.0.0.1:<port>`. */
  url: string;
  /** The first line it printed, e.g. `stand-in ready at http://127.0.0.1:4321 (break: wrong-iv)`. */
  readyLine: string;
  child: ChildProcess;
}

/**
 * Spawns the stand-in with `env` added to this process's environment (`STANDIN_BREAK` empty
 * unless given) and resolves once its first line is out; `track` is told the child first, so the
 * caller can stop it however the start ends.
 * @example const { url } = await startStandInProcess({ STANDIN_BREAK: 'wrong-iv' }, (child) => children.add(child))
 */
export function startStandInProcess(env: Record<string, string>, track: (child: ChildProcess) => void): Promise<StartedStandIn> {
  const child = spawn(process.execPath, [STAND_IN], { env: { ...process.env, PORT: '0', STANDIN_BREAK: '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  track(child);
  let stdout = '';
  let stderr = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`stand-in not ready: ${stdout}${stderr}`)), 10_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const newline = stdout.indexOf('\n');
      if (newline < 0) return;
      clearTimeout(timer);
      const readyLine = stdout.slice(0, newline);
      const match = /^stand-in ready at (\S+)/.exec(readyLine);
      if (match) resolve({ url: match[1]!, readyLine, child });
      else reject(new Error(`unexpected ready line: ${readyLine}`));
    });
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`stand-in exited with ${code}: ${stderr}`));
    });
  });
}

/**
 * {@link startStandInProcess} breaking `rule` (none when empty), resolving with the base URL.
 * @example const url = await spawnStandIn('plaintext-values', (child) => children.add(child))
 */
export async function spawnStandIn(rule: string, track: (child: ChildProcess) => void): Promise<string> {
  return (await startStandInProcess({ STANDIN_BREAK: rule }, track)).url;
}
