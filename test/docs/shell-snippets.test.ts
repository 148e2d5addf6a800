/**
 * The documentation's shell snippets run in the shell they are marked for: every ```sh block of
 * the Markdown files parses under a POSIX shell (Debian's sh is dash, which has no bash
 * extensions), every ```bash block under bash, and the curl + openssl request by hand of
 * docs/what-it-emulates.md runs for real against the built emulator, in sh.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, spawnEmulator, type SpawnedEmulator } from '../../contracts/lib/spawn-emulator.js';

/** Every fenced block of a language in the Markdown files git tracks. */
function blocks(language: string): { where: string; text: string }[] {
  const files = execFileSync('git', ['ls-files', '*.md'], { cwd: ROOT, encoding: 'utf8' }).split('\n').filter(Boolean);
  return files.flatMap((file) => {
    const lines = readFileSync(join(ROOT, file), 'utf8').split('\n');
    const found: { where: string; text: string }[] = [];
    for (let i = 0; i < lines.length; i++) {
      if (lines[i] !== `\`\`\`${language}`) continue;
      const end = lines.indexOf('```', i + 1);
      found.push({ where: `${file}:${i + 1}`, text: lines.slice(i + 1, end).join('\n') });
      i = end;
    }
    return found;
  });
}

const has = (command: string) => spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;

describe('shell snippets', () => {
  it.each(blocks('sh').map((b) => [b.where, b] as const))('%s parses in a POSIX sh', (_where, block) => {
    const parsed = spawnSync('sh', ['-n'], { input: block.text, encoding: 'utf8' });
    expect(parsed.stderr).toBe('');
    expect(parsed.status).toBe(0);
  });

  it.skipIf(!has('bash')).each(blocks('bash').map((b) => [b.where, b] as const))('%s parses in bash', (_where, block) => {
    expect(spawnSync('bash', ['-n'], { input: block.text, encoding: 'utf8' }).status).toBe(0);
  });

  it('the sh blocks are plain POSIX: none uses a bash-only form', () => {
    const bashisms = [/\$\{\w+:\d+(:\d+)?\}/, /\[\[/, /<\(/, /\bfunction\s+\w+/, /\w+=\(/, /\$'/];
    for (const block of blocks('sh')) {
      for (const pattern of bashisms) expect(pattern.test(block.text), `${block.where} ${pattern}`).toBe(false);
    }
  });
});

describe.skipIf(!has('openssl') || !has('curl'))('the request by hand of docs/what-it-emulates.md (curl and openssl, in sh)', () => {
  let emulator: SpawnedEmulator;
  let work: string;
  beforeAll(async () => {
    emulator = await spawnEmulator();
    work = mkdtempSync(join(tmpdir(), 'readme-snippet-'));
  });
  afterAll(async () => {
    await emulator?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('reads the card: a 16-digit, Luhn-valid totalCardNum', () => {
    const block = blocks('sh').find((b) => b.where.startsWith('docs/what-it-emulates.md:') && b.text.includes('openssl pkeyutl'));
    expect(block, 'docs/what-it-emulates.md has the curl + openssl block').toBeDefined();
    const script = block!.text.replace('BASE=http://127.0.0.1:8080', `BASE=${emulator.url}`).replace('test/fixtures/', `${join(ROOT, 'test', 'fixtures')}/`);
    const run = spawnSync('sh', ['-eu'], { input: script, cwd: work, encoding: 'utf8', timeout: 30_000 });
    expect(run.stderr).toBe('');
    const digits = run.stdout.trim();
    expect(digits).toMatch(/^\d{16}$/);
    const sum = [...digits].reverse().reduce((acc, d, i) => acc + (i % 2 ? ((Number(d) * 2) % 10) + Math.floor((Number(d) * 2) / 10) : Number(d)), 0);
    expect(sum % 10).toBe(0);
  });
});
