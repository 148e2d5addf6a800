/**
 * What Linux says about a process: resident memory (`VmRSS` in /proc/<pid>/status) and open
 * file descriptors (entries of /proc/<pid>/fd: sockets, files, pipes). Linux only, like CI.
 */
import { readdirSync, readFileSync } from 'node:fs';

/**
 * Resident memory of a process in bytes.
 * @example rssBytes(child.pid!) // 61_440_000
 */
export function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1];
  if (kb === undefined) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(kb) * 1024;
}

/**
 * Number of open file descriptors of a process.
 * @example openFds(child.pid!) // 23
 */
export function openFds(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).length;
}

/**
 * Samples a process's resident memory every `everyMs` until stopped; `peak` is the largest seen.
 * @example const sampler = sampleRss(pid); await work(); const { peak } = sampler.stop()
 */
export function sampleRss(pid: number, everyMs = 20): { stop(): { peak: number; samples: number } } {
  let peak = rssBytes(pid);
  let samples = 1;
  const timer = setInterval(() => {
    try {
      peak = Math.max(peak, rssBytes(pid));
      samples++;
    } catch {
      // the process has exited; the peak so far stands
    }
  }, everyMs);
  return {
    stop() {
      clearInterval(timer);
      try {
        peak = Math.max(peak, rssBytes(pid));
      } catch {
        // exited
      }
      return { peak, samples };
    },
  };
}
