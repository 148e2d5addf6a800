#!/usr/bin/env -S node --max-semi-space-size=2 --heap-growing-percent=50
/**
 * The `nhn-ocr-emulator` command (`npm start`): reads the environment, starts, prints one ready
 * line, and shuts down cleanly on SIGINT or SIGTERM.
 *
 * The shebang and `npm start` give node two V8 flags. The emulator keeps little but allocates
 * fast (every request brings an upload of up to 20 MB and its copies), and with V8's default
 * young generation (up to 3 x 16 MiB) and old-generation growth (up to 4x the live size) resident
 * memory settled near 190 MiB after 100,000 requests. A 2 MiB semi-space and a fixed 1.5x growth
 * hold it near 95 MiB; the price is more frequent young-generation collections (garbage
 * collection went from 9% to 14% of the CPU time of public-key calls), lost in the noise of
 * throughput measured here (README, "Benchmarks").
 */
import { ConfigError, loadConfig } from './config.js';
import { startEmulator } from './index.js';

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const emulator = await startEmulator(config);
  const [appKey, secretKey] = [...config.credentials][0]!;
  console.log(`nhn-ocr-emulator ready at ${emulator.url} (appKey=${appKey} secretKey=${secretKey})`);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`nhn-ocr-emulator stopping (${signal})`);
    const force = setTimeout(() => process.exit(0), 3000);
    force.unref();
    emulator.server.closeAllConnections();
    emulator.close().then(
      () => process.exit(0),
      () => process.exit(0),
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) console.error(`nhn-ocr-emulator: ${error.message}`);
  else if ((error as NodeJS.ErrnoException)?.code === 'EADDRINUSE') {
    console.error(`nhn-ocr-emulator: ${(error as Error).message}; set PORT to another port (0 picks a free one)`);
  } else console.error('nhn-ocr-emulator: failed to start:', error);
  process.exit(1);
});
