/**
 * The report after the case lines: accepted answers, the parity report, calls per endpoint,
 * and the final `N passed, N failed, N skipped` line.
 */
import type { CaseResult } from './runner.js';
import { describeParity } from './snapshots.js';

/**
 * The final line, exactly `N passed, N failed, N skipped`.
 * @example summaryLine(results) // '41 passed, 0 failed, 12 skipped'
 */
export function summaryLine(results: readonly CaseResult[]): string {
  const count = (status: CaseResult['status']) => results.filter((r) => r.status === status).length;
  return `${count('pass')} passed, ${count('fail')} failed, ${count('skip')} skipped`;
}

/**
 * The sections between the case lines and the final line (empty sections are left out).
 * @example reportSections(results, meter.summary()).forEach((line) => console.log(line))
 */
export function reportSections(results: readonly CaseResult[], callSummary: readonly string[]): string[] {
  const lines: string[] = [];
  const accepted = results.filter((r) => r.accepted);
  if (accepted.length > 0) {
    lines.push('', `accepted answers (${accepted.length}; the documentation allows them, so they pass):`);
    for (const r of accepted) lines.push(`  ${r.id}: ${r.accepted}`);
  }
  const noted = results.filter((r) => r.notes.length > 0);
  if (noted.length > 0) {
    lines.push('', 'notes:');
    for (const r of noted) for (const note of r.notes) lines.push(`  ${r.id}: ${note}`);
  }
  const parity = results.filter((r) => r.parity);
  if (parity.length > 0) {
    const count = (status: string) => parity.filter((r) => r.parity!.status === status).length;
    lines.push('', `parity with snapshots: ${count('match')} match, ${count('differs')} differ, ${count('missing')} without a snapshot`);
    for (const r of parity) if (r.parity!.status !== 'match') lines.push(`  ${describeParity(r.id, r.parity!)}`);
  }
  const recorded = results.filter((r) => r.recorded);
  if (recorded.length > 0) {
    const kept = recorded.filter((r) => r.recorded === 'kept-live');
    lines.push('', `snapshots recorded: ${recorded.length - kept.length}${kept.length ? ` (${kept.length} live snapshots kept: ${kept.map((r) => r.id).join(', ')})` : ''}`);
  }
  lines.push('', ...callSummary);
  return lines;
}
