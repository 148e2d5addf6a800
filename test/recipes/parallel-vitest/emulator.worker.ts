/**
 * Each test worker its own appKey (VITEST_POOL_ID is the worker's number), registered once and
 * reset before every test: its keys, Request-Keys, queue entries, defaults and clock are its
 * own, so workers never see each other's state.
 */
import { beforeAll, beforeEach, inject } from 'vitest';

const worker = process.env['VITEST_POOL_ID'] ?? '1';

/** What a test hands its OCR client. */
export const ocr = { baseUrl: inject('ocrBaseUrl'), appKey: `worker-${worker}`, secretKey: `worker-${worker}-secret` };

/**
 * A call of the emulator's admin API.
 * @example await admin('/clock', { advanceSeconds: 3601, appKey: ocr.appKey })
 */
export async function admin(path: string, body: object): Promise<Response> {
  const res = await fetch(`${ocr.baseUrl}/__emulator${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`POST /__emulator${path}: HTTP ${res.status} ${await res.text()}`);
  return res;
}

// 201 the first time, 200 when this worker registered it for an earlier test file.
beforeAll(() => admin('/appkeys', { appKey: ocr.appKey, secretKey: ocr.secretKey }));
beforeEach(() => admin('/reset', { appKey: ocr.appKey }));
