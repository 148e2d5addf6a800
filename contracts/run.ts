#!/usr/bin/env node
/**
 * `npm run contracts` (`nhn-ocr-contracts` when installed): runs the contract suite against the
 * emulator (started here from dist/), the live service (OCR_BASE_URL) or any server
 * (--target-url), under v2.0, v2.1 or both (--api), and exits 0 when the target agrees, 1 when a
 * case failed or the target diverged from a reading, 2 on a usage error or a target that cannot
 * be started or reached. The work is in lib/cli.ts; see contracts/README.md.
 */
import { runContracts } from './lib/cli.js';

runContracts(process.argv.slice(2), process.env).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`contracts: ${(error as Error)?.stack ?? String(error)}`);
    process.exit(2);
  },
);
