/**
 * The public, hand-written API of nhn-ocr-emulator for use in-process, e.g. from a test
 * runner's global setup:
 *
 * @example
 * import { startEmulator } from 'nhn-ocr-emulator';
 * const emulator = await startEmulator({ port: 0 });
 * process.env.OCR_BASE_URL = emulator.url;
 * // ... run tests ...
 * await emulator.close();
 */
import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:http';
import { DEFAULTS, type EmulatorConfig } from './config.js';
import { OcrEngine } from './core/engine.js';
import type { KeyFactory } from './core/key-store.js';
import type { RandomSource } from './core/random.js';
import { createApp } from './http/app.js';

export { loadConfig, DEFAULTS, ConfigError, type EmulatorConfig } from './config.js';
export { OcrEngine } from './core/engine.js';
export { ERROR_CATALOGUE, OcrError, failureBody, successBody, type ErrorKey } from './core/errors.js';
export { createApp } from './http/app.js';

/** Options of {@link startEmulator}; everything has a default. */
export interface StartOptions extends Partial<EmulatorConfig> {
  /** Key-pair maker (tests pass fixed keys to skip RSA generation). */
  keyFactory?: KeyFactory;
  random?: RandomSource;
  /** Where server-side faults are reported; defaults to stderr. */
  onFault?: (error: unknown) => void;
}

/** A running emulator. */
export interface RunningEmulator {
  /** Base URL, e.g. `http://127.0.0.1:8080`. */
  url: string;
  host: string;
  port: number;
  engine: OcrEngine;
  server: Server;
  /** Stops accepting connections, ends idle ones and resolves when the server has closed. */
  close(): Promise<void>;
}

/**
 * Starts the emulator on `host:port` (port 0 picks a free one) and resolves once it answers.
 * @example const { url, close } = await startEmulator({ port: 0 })
 */
export async function startEmulator(options: StartOptions = {}): Promise<RunningEmulator> {
  const host = options.host ?? DEFAULTS.host;
  const engine = new OcrEngine({
    credentials: options.credentials ?? new Map([[DEFAULTS.appKey, DEFAULTS.secretKey]]),
    ...(options.keyFactory ? { keyFactory: options.keyFactory } : {}),
    ...(options.random ? { random: options.random } : {}),
  });
  const onFault = options.onFault ?? ((error: unknown) => console.error('nhn-ocr-emulator: internal fault:', error));
  const app = createApp(engine, { maxUploadBytes: options.maxUploadBytes ?? DEFAULTS.maxUploadBytes, onFault });
  const server = createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? DEFAULTS.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${port}`,
    host,
    port,
    engine,
    server,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeIdleConnections();
      }),
  };
}
