/**
 * JUnit XML for CI systems: one `<testcase>` per contract case, `<failure>` or `<skipped>` with
 * the same text the console line shows.
 */

/** What JUnit needs to know of one case. */
export interface JunitCase {
  id: string;
  status: 'pass' | 'fail' | 'skip';
  /** The difference (fail) or the reason (skip). */
  message?: string;
  /** Anything else worth keeping (accepted answers, parity notes); written to system-out. */
  output?: string;
  durationMs?: number;
}

/**
 * Escapes text for XML attributes and content, dropping characters XML 1.0 cannot carry.
 * @example escapeXml('a < b & "c"') // 'a &lt; b &amp; &quot;c&quot;'
 */
export function escapeXml(text: string): string {
  return text
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/**
 * Renders a JUnit XML document; the case's area (`credit-card` of `credit-card/jpg-normal`)
 * becomes its classname.
 * @example writeFileSync('contracts.xml', junitXml('contracts', results))
 */
export function junitXml(suiteName: string, cases: readonly JunitCase[], timestamp = new Date()): string {
  const count = (status: JunitCase['status']) => cases.filter((c) => c.status === status).length;
  const seconds = (ms = 0) => (ms / 1000).toFixed(3);
  const total = cases.reduce((sum, c) => sum + (c.durationMs ?? 0), 0);
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${escapeXml(suiteName)}" tests="${cases.length}" failures="${count('fail')}" skipped="${count('skip')}" time="${seconds(total)}">`,
    `  <testsuite name="${escapeXml(suiteName)}" tests="${cases.length}" failures="${count('fail')}" errors="0" skipped="${count('skip')}" time="${seconds(total)}" timestamp="${timestamp.toISOString()}">`,
  ];
  for (const c of cases) {
    const area = c.id.includes('/') ? c.id.slice(0, c.id.indexOf('/')) : suiteName;
    const open = `    <testcase classname="${escapeXml(`${suiteName}.${area}`)}" name="${escapeXml(c.id)}" time="${seconds(c.durationMs)}"`;
    const inner: string[] = [];
    if (c.status === 'fail') inner.push(`      <failure message="${escapeXml(firstLine(c.message ?? 'failed'))}">${escapeXml(c.message ?? '')}</failure>`);
    if (c.status === 'skip') inner.push(`      <skipped message="${escapeXml(c.message ?? 'skipped')}"/>`);
    if (c.output) inner.push(`      <system-out>${escapeXml(c.output)}</system-out>`);
    lines.push(inner.length === 0 ? `${open}/>` : [`${open}>`, ...inner, '    </testcase>'].join('\n'));
  }
  lines.push('  </testsuite>', '</testsuites>', '');
  return lines.join('\n');
}

function firstLine(text: string): string {
  return text.split('\n')[0]!.slice(0, 500);
}
