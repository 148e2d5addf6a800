import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { JournalEntry as ServerJournalEntry } from '../../server/core/journal.js';
import { packageRoot } from '../../server/package-root.js';
import type { JournalEntry } from './emulator-control.js';

describe('contracts/client/admin-types.generated.ts', () => {
  it('is what `npm run generate:types` makes of server/admin-openapi.yaml now', () => {
    const root = packageRoot();
    const dir = mkdtempSync(join(tmpdir(), 'admin-types-'));
    try {
      const out = join(dir, 'admin-types.generated.ts');
      // The package's own CLI, as the npm script runs it, so header and formatting match.
      execFileSync(process.execPath, [join(root, 'node_modules/openapi-typescript/bin/cli.js'), 'server/admin-openapi.yaml', '-o', out], {
        cwd: root,
        stdio: 'pipe',
      });
      const committed = readFileSync(join(root, 'contracts/client/admin-types.generated.ts'), 'utf8');
      expect(readFileSync(out, 'utf8'), 'server/admin-openapi.yaml changed: run `npm run generate:types` and commit the result').toBe(committed);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the journal entry', () => {
  // Checked by the compiler (npm run typecheck): the server's JournalEntry (server/core/journal.ts)
  // is the one the admin API describes and the client kit reads, field for field.
  it('the server writes is the one the client kit reads', () => {
    expectTypeOf<ServerJournalEntry>().toEqualTypeOf<JournalEntry>();
  });
});
