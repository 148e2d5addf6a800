/**
 * Every link inside the repository's Markdown goes somewhere: `#anchors` to a heading of the
 * file (GitHub's slugs), relative paths to a file or folder that exists, `page.md#anchor` to a
 * heading of that page. A renamed heading or a moved file otherwise leaves a dead link that no
 * reader reports.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DOCS = [
  ...[
    'README.md',
    'CONTRIBUTING.md',
    'ARCHITECTURE.md',
    'test/bench/README.md',
    'examples/README.md',
    'examples/java/README.md',
    'examples/python/README.md',
    'examples/go/README.md',
  ],
  // Every page under docs/, which other files link into by anchor.
  ...readdirSync(join(ROOT, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => `docs/${name}`),
];

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
function slug(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/`/g, '')
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');
}

/** The file's headings as anchors (a repeated heading gets -1, -2, ... as on GitHub). */
function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const result = new Set<string>();
  for (const line of withoutCode(markdown).split('\n')) {
    const match = /^#{1,6} (.+?)\s*$/.exec(line);
    if (!match) continue;
    const base = slug(match[1]!);
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    result.add(count === 0 ? base : `${base}-${count}`);
  }
  return result;
}

/** The text without fenced code blocks, whose `#` lines are not headings. */
function withoutCode(markdown: string): string {
  return markdown.replace(/^```[^\n]*\n[\s\S]*?^```$/gm, '');
}

/** Link targets of the form `](target)` outside code. */
function links(markdown: string): string[] {
  return [...withoutCode(markdown).matchAll(/\]\(([^)\s]+)\)/g)].map((match) => match[1]!);
}

describe.each(DOCS)('%s', (doc) => {
  const markdown = readFileSync(join(ROOT, doc), 'utf8');
  const targets = links(markdown).filter((target) => !/^[a-z]+:/.test(target));

  it('has links to check', () => {
    expect(targets.length).toBeGreaterThan(0);
  });

  it('links only to its own headings', () => {
    const own = anchors(markdown);
    const dead = targets.filter((target) => target.startsWith('#') && !own.has(target.slice(1)));
    expect(dead).toEqual([]);
  });

  it('links only to files that exist', () => {
    const dead = targets
      .filter((target) => !target.startsWith('#'))
      .map((target) => target.split('#')[0]!)
      .filter((path) => !existsSync(join(ROOT, dirname(doc), decodeURIComponent(path))));
    expect(dead).toEqual([]);
  });

  it('links into other Markdown files only to their headings', () => {
    const dead = targets
      .filter((target) => /^[^#]+\.md#/.test(target))
      .filter((target) => {
        const [path, anchor] = target.split('#') as [string, string];
        const file = join(ROOT, dirname(doc), decodeURIComponent(path));
        return existsSync(file) && !anchors(readFileSync(file, 'utf8')).has(anchor);
      });
    expect(dead).toEqual([]);
  });
});

describe('slug', () => {
  it.each([
    ['Dated behaviour', 'dated-behaviour'],
    ['v2.0 or v2.1', 'v20-or-v21'],
    ['Keys that survive a restart', 'keys-that-survive-a-restart'],
    ['`EMULATOR_API_DATE`: the table', 'emulator_api_date-the-table'],
  ])('%s -> %s', (heading, expected) => {
    expect(slug(heading)).toBe(expected);
  });
});
