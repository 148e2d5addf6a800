#!/usr/bin/env node
/**
 * The `nhn-ocr-emulator` command (`npm start`): reads the environment, starts, prints one ready
 * line, and shuts down cleanly on SIGINT or SIGTERM.
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
