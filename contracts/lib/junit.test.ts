import { describe, expect, it } from 'vitest';
import { escapeXml, junitXml } from './junit.js';

describe('junitXml', () => {
  const xml = junitXml(
    'contracts',
    [
      { id: 'credit-card/jpg-normal', status: 'pass', durationMs: 120 },
      { id: 'envelope/oaep', status: 'fail', message: 'expected 4000302 <x>, got 0 & "y"', durationMs: 5 },
      { id: 'scenarios/not-found', status: 'skip', message: 'needs emulator control', output: 'note' },
    ],
    new Date('2026-01-02T03:04:05Z'),
  );

  it('counts and names the cases', () => {
    expect(xml).toContain('<testsuite name="contracts" tests="3" failures="1" errors="0" skipped="1" time="0.125" timestamp="2026-01-02T03:04:05.000Z">');
    expect(xml).toContain('<testcase classname="contracts.credit-card" name="credit-card/jpg-normal" time="0.120"/>');
  });

  it('writes failures and skips, escaped', () => {
    expect(xml).toContain('<failure message="expected 4000302 &lt;x&gt;, got 0 &amp; &quot;y&quot;">');
    expect(xml).toContain('<skipped message="needs emulator control"/>');
    expect(xml).toContain('<system-out>note</system-out>');
  });

  it('is well-formed enough to balance its tags', () => {
    expect(xml.match(/<testcase /g)?.length).toBe(3);
    expect(xml.match(/<\/testcase>/g)?.length).toBe(2);
  });
});

describe('escapeXml', () => {
  it('drops control characters XML cannot hold', () => {
    expect(escapeXml('a\u0001b\tc')).toBe('ab\tc');
  });
});
