/** One emulator for the whole test run; its URL goes to every worker. */
import type { TestProject } from 'vitest/node';
// In a project of your own: import { startEmulator } from 'nhn-ocr-emulator';
import { startEmulator } from '../../../server/index.js';

declare module 'vitest' {
  export interface ProvidedContext {
    ocrBaseUrl: string;
  }
}

/**
 * Starts the emulator before the workers, stops it after them.
 * @example globalSetup: ['./emulator.global.ts']
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const emulator = await startEmulator({ port: 0, logger: () => {} });
  project.provide('ocrBaseUrl', emulator.url);
  return () => emulator.close();
}
