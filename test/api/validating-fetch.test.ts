import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, it } from 'vitest';
import { validatingFetch } from '../support/harness.js';

it('the harness fetch fails a test when an API answer breaks openapi.yaml', async () => {
  const server = createServer((_req, res) => {
    res.setHeader('Content-Type', 'application/json');
    res.end('{"header":{"isSuccessful":true,"resultCode":0,"resultMessage":"SUCCESS"},"result":{"key":"x","version":0}}');
  }).listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    await expect(validatingFetch(`http://127.0.0.1:${port}/v2.0/appkeys/a/public-keys/credit-card`)).rejects.toThrow(/version/);
  } finally {
    server.close();
  }
});
