import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
// In a project of your own: import { createOcrClient } from 'nhn-ocr-emulator/client';
import { createOcrClient } from '../../../contracts/client/index.js';
import { admin, ocr } from './emulator.worker.js';

const idCard = readFileSync(new URL('../../fixtures/id-resident-900x570.jpg', import.meta.url));

it("a Request-Key expires an hour later on this worker's clock", async () => {
  const client = createOcrClient(ocr);
  const read = await client.idCard(idCard);
  await admin('/clock', { advanceSeconds: 3601, appKey: ocr.appKey });
  const fields = Object.fromEntries(read.result!.keyValues.map((kv) => [kv.key, kv.value]));
  const answer = await client.authenticity(read.requestKey!, {
    idType: 'resident',
    name: fields['name']!,
    residentNumber: fields['residentNumber']!.replace(/\D/g, ''),
    issueDate: fields['issueDate']!.replace(/\D/g, ''),
  });
  expect(answer.resultCode).toBe(4000122);
});
