/**
 * Summarises a V8 CPU profile (`node --cpu-prof`): self time per function, top first.
 */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { ROOT } from '../../contracts/lib/spawn-emulator.js';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** One function's share of the samples. */
export interface SelfTime {
  name: string;
  where: string;
  ms: number;
  percent: number;
}

/**
 * Self time per function (grouped by name and location), top `limit` first. Idle time
 * (`(idle)`) is left out of the percentages, so they are shares of busy time.
 * @example topSelfTime('CPU.123.cpuprofile', 15)
 */
export function topSelfTime(file: string, limit = 15): SelfTime[] {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const totals = new Map<string, SelfTime>();
  let busy = 0;
  profile.samples.forEach((id, i) => {
    const node = byId.get(id);
    if (!node) return;
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === '(idle)') return;
    busy += ms;
    const name = functionName || '(anonymous)';
    const where = url ? `${shorten(url)}:${lineNumber + 1}` : '';
    const key = `${name}\u0000${where}`;
    const entry = totals.get(key) ?? { name, where, ms: 0, percent: 0 };
    entry.ms += ms;
    totals.set(key, entry);
  });
  return [...totals.values()]
    .map((e) => ({ ...e, percent: (100 * e.ms) / busy }))
    .sort((a, b) => b.ms - a.ms)
    .slice(0, limit);
}

function shorten(url: string): string {
  const path = url.replace(/^file:\/\//, '');
  if (path.startsWith('node:')) return path;
  const rel = relative(ROOT, path);
  return rel.replace(/^node_modules\//, '');
}

/** A markdown table of {@link topSelfTime}. */
export function selfTimeTable(rows: SelfTime[]): string {
  const lines = ['| self time | % of busy | function | where |', '|---:|---:|---|---|'];
  for (const r of rows) lines.push(`| ${r.ms.toFixed(0)} ms | ${r.percent.toFixed(1)} | \`${r.name}\` | ${r.where} |`);
  return lines.join('\n');
}
