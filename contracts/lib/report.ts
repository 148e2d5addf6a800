/**
 * The report after the case lines: divergences (what the emulator must learn), accepted
 * answers, notes, the parity report, calls per endpoint, and the final
 * `N passed, N failed, N diverged, N skipped` line; and the same as Markdown for a CI job summary.
 */
import type { ApiVersion } from '../client/index.js';
import type { CaseResult } from './runner.js';
import { describeParity } from './snapshots.js';

/** Counts of a run. */
export interface Counts {
  passed: number;
  /** Passed on an answer the documentation allows instead of the expected one (part of `passed`). */
  accepted: number;
  failed: number;
  /** Divergences, learned ones included. */
  diverged: number;
  /** Divergences `--learn` recorded (they do not fail the run). */
  learned: number;
  skipped: number;
}

/**
 * Counts results by outcome.
 * @example countResults(results).failed // 0
 */
export function countResults(results: readonly CaseResult[]): Counts {
  const count = (test: (r: CaseResult) => boolean) => results.filter(test).length;
  return {
    passed: count((r) => r.status === 'pass'),
    accepted: count((r) => r.status === 'pass' && r.accepted !== undefined),
    failed: count((r) => r.status === 'fail'),
    diverged: count((r) => r.status === 'diverged'),
    learned: count((r) => r.status === 'diverged' && r.learned === true),
    skipped: count((r) => r.status === 'skip'),
  };
}

/**
 * The exit status of a run: 1 when a case failed or the target diverged from a reading (and
 * the divergence was not learned), else 0.
 * @example exitStatus(results) // 0
 */
export function exitStatus(results: readonly CaseResult[]): 0 | 1 {
  const counts = countResults(results);
  return counts.failed > 0 || counts.diverged > counts.learned ? 1 : 0;
}

/**
 * The final line, exactly `N passed, N failed, N diverged, N skipped` (with `(N learned)` after
 * the divergences when --learn recorded some).
 * @example summaryLine(results) // '41 passed, 0 failed, 0 diverged, 12 skipped'
 */
export function summaryLine(results: readonly CaseResult[]): string {
  const c = countResults(results);
  return `${c.passed} passed, ${c.failed} failed, ${c.diverged} diverged${c.learned ? ` (${c.learned} learned)` : ''}, ${c.skipped} skipped`;
}

/**
 * The sections between the case lines and the final line (empty sections are left out).
 * @example reportSections(results, meter.summary()).forEach((line) => console.log(line))
 */
export function reportSections(results: readonly CaseResult[], callSummary: readonly string[]): string[] {
  const lines: string[] = [];
  const diverged = results.filter((r) => r.status === 'diverged');
  if (diverged.length > 0) {
    const learned = diverged.filter((r) => r.learned).length;
    lines.push(
      '',
      learned === diverged.length
        ? `learned (${learned}; recorded as live snapshots: the emulator is held to them from now on):`
        : `divergences (${diverged.length}; the emulator answers the reading, the target does not: what the emulator must learn):`,
    );
    for (const r of diverged) lines.push(`  ${r.id}: ${r.divergence?.request ? `${r.divergence.request}: ` : ''}${r.message}`);
  }
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
    lines.push(
      '',
      `snapshots recorded: ${recorded.length - kept.length}${kept.length ? ` (${kept.length} live snapshots kept: ${kept.map((r) => r.id).join(', ')})` : ''}`,
    );
  }
  lines.push('', ...callSummary);
  return lines;
}

/** What the Markdown report says about the run besides the results. */
export interface MarkdownContext {
  /** `live https://api-ocr.nhncloudservice.com` and the like. */
  target: string;
  apis: readonly ApiVersion[];
  callSummary: readonly string[];
  /** Cases left out because they are written for a version that did not run. */
  otherVersionOnly?: Partial<Record<ApiVersion, number>>;
  /** When the run ended (default now). */
  at?: Date;
}

/** Text for a Markdown table cell: one line, pipes escaped, not too long. */
function cell(text = '', max = 300): string {
  const flat = text.replace(/\s*\n\s*/g, ' ').replace(/\|/g, '\\|');
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/**
 * The run as Markdown, for people: the counts, then per divergence the case, the request and
 * what the emulator answers against what the target answered; the failures, accepted answers
 * and skips; the calls. Fit for `$GITHUB_STEP_SUMMARY`.
 * @example writeFileSync(process.env.GITHUB_STEP_SUMMARY!, markdownReport(results, { target: 'live https://api-ocr.nhncloudservice.com', apis: ['v2.0'], callSummary }))
 */
export function markdownReport(results: readonly CaseResult[], context: MarkdownContext): string {
  const c = countResults(results);
  const verdict =
    c.failed > 0 || c.diverged > c.learned
      ? 'FAILED, the target and the contract disagree'
      : c.learned > 0
        ? 'divergences learned'
        : 'the target agrees with the contract';
  const lines = [
    `## Contract suite: ${verdict}`,
    '',
    `Target: ${context.target}; API ${context.apis.join(' and ')}; ${(context.at ?? new Date()).toISOString().replace(/\.\d+Z$/, 'Z')}.`,
    '',
    '| passed | failed | diverged | accepted | skipped |',
    '| ---: | ---: | ---: | ---: | ---: |',
    `| ${c.passed} | ${c.failed} | ${c.diverged}${c.learned ? ` (${c.learned} learned)` : ''} | ${c.accepted} | ${c.skipped} |`,
    '',
    '*accepted* cases passed on an answer the documentation allows (a synthetic image not read, a rate limit); they count among the passed.',
  ];
  const diverged = results.filter((r) => r.status === 'diverged');
  if (diverged.length > 0) {
    lines.push(
      '',
      `### Divergences: what the emulator must learn${c.learned ? ' (learned: recorded as live snapshots)' : ''}`,
      '',
      '| case | request | emulator answers | the target answered |',
      '| --- | --- | --- | --- |',
      ...diverged.map(
        (r) =>
          `| \`${r.id}\`: ${cell(r.divergence?.title)} | ${r.divergence?.request ? `\`${r.divergence.request}\`` : ''} | ${cell(r.divergence?.emulator)} | ${cell(r.divergence?.target)} |`,
      ),
    );
  }
  const failed = results.filter((r) => r.status === 'fail');
  if (failed.length > 0) {
    lines.push('', '### Failures', '', '| case | difference |', '| --- | --- |', ...failed.map((r) => `| \`${r.id}\` | ${cell(r.message, 600)} |`));
  }
  const accepted = results.filter((r) => r.accepted);
  if (accepted.length > 0) {
    lines.push('', '### Accepted answers', '', '| case | why it passes |', '| --- | --- |', ...accepted.map((r) => `| \`${r.id}\` | ${cell(r.accepted)} |`));
  }
  const skipped = results.filter((r) => r.status === 'skip');
  if (skipped.length > 0) {
    const byReason = new Map<string, string[]>();
    for (const r of skipped) byReason.set(r.message ?? '', [...(byReason.get(r.message ?? '') ?? []), r.id]);
    lines.push('', `<details><summary>Skipped: ${skipped.length}</summary>`, '', '| reason | cases |', '| --- | --- |');
    for (const [reason, ids] of byReason) lines.push(`| ${cell(reason)} | ${ids.map((id) => `\`${id}\``).join(', ')} |`);
    lines.push('', '</details>');
  }
  const notRun = Object.entries(context.otherVersionOnly ?? {}).filter(([, n]) => n! > 0);
  if (notRun.length > 0) {
    lines.push('', `Not run: ${notRun.map(([api, n]) => `${n} ${api}-only cases (\`--api ${api}\` or \`both\`)`).join(', ')}.`);
  }
  lines.push('', '<details><summary>Calls</summary>', '', '```', ...context.callSummary, '```', '', '</details>', '');
  return lines.join('\n');
}
