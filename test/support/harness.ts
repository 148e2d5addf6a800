/**
 * Starts an emulator in-process on a free port with fixed keys, and a client pointed at it.
 */
import { afterAll, beforeAll } from 'vitest';
import { createOcrClient, type OcrClient } from '../../contracts/client/index.js';
import { startEmulator, type RunningEmulator, type StartOptions } from '../../server/index.js';
import { fixedKeyFactory } from './fixtures.js';
import { expectValidResponse } from '../../contracts/lib/openapi-validator.js';

/**
 * fetch that checks every answer of the emulated API against openapi.yaml, so every HTTP test
 * made through the client kit also proves the description (admin paths are not the API).
 * @example createOcrClient({ baseUrl, appKey, secretKey, fetch: validatingFetch })
 */
export const validatingFetch: typeof fetch = async (input, init) => {
  const response = await fetch(input, init);
  const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url);
  if (url.pathname.startsWith('/__emulator/')) return response;
  const text = await response.clone().text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  expectValidResponse({
    method: init?.method ?? 'GET',
    path: url.pathname,
    status: response.status,
    headers: Object.fromEntries(response.headers),
    body,
  });
  return response;
};

/** The default credentials, and a second app key for cross-app-key cases. */
export const APP = { appKey: 'emulator-appkey', secretKey: 'emulator-secretkey' } as const;
export const OTHER_APP = { appKey: 'other-appkey', secretKey: 'other-secretkey' } as const;

/** What a test file gets. */
export interface Harness {
  emulator: RunningEmulator;
  client: OcrClient;
  url: string;
  /** A client for another app key, or with other credentials. */
  clientFor(credentials: { appKey: string; secretKey: string }): OcrClient;
}

/**
 * Registers beforeAll/afterAll hooks that run an emulator for the file.
 * @example const h = useEmulator(); it('...', async () => { await h.client.creditCard(img) })
 */
export function useEmulator(options: StartOptions = {}): Harness {
  const harness = {} as Harness;
  beforeAll(async () => {
    const emulator = await startEmulator({
      port: 0,
      keyFactory: fixedKeyFactory(),
      // Keys made on first use, in the order a test asks for them (the openssl vectors unwrap
      // under the first key the fixed factory hands out).
      prepareKeys: false,
      credentials: new Map([
        [APP.appKey, APP.secretKey],
        [OTHER_APP.appKey, OTHER_APP.secretKey],
      ]),
      ...options,
    });
    harness.emulator = emulator;
    harness.url = emulator.url;
    harness.clientFor = (credentials) => createOcrClient({ baseUrl: emulator.url, ...credentials, fetch: validatingFetch });
    harness.client = harness.clientFor(APP);
  });
  afterAll(async () => {
    await harness.emulator?.close();
  });
  return harness;
}
