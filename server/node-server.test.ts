/**
 * The Node server's own parts: the slow-client deadlines it is built with and a listen failure
 * as one line. (What it answers on the wire: test/hardening and test/api/process.test.ts.)
 */
import { createServer } from 'node:http';
import { describe, expect, it } from 'vitest';
import { ConfigError } from './config.js';
import { createNodeServer, listen, serverTimeouts } from './node-server.js';

const DEFAULT_TIMEOUTS = { headersTimeoutMs: 20_000, requestTimeoutMs: 120_000, keepAliveTimeoutMs: 5_000 };

describe('serverTimeouts', () => {
  it('checks the deadlines at a quarter of the smallest, between 10 ms and 1 s', () => {
    expect(serverTimeouts(DEFAULT_TIMEOUTS)).toEqual({
      headersTimeout: 20_000,
      requestTimeout: 120_000,
      keepAliveTimeout: 5_000,
      connectionsCheckingInterval: 1_000,
    });
    expect(serverTimeouts({ ...DEFAULT_TIMEOUTS, headersTimeoutMs: 400 }).connectionsCheckingInterval).toBe(100);
    expect(serverTimeouts({ ...DEFAULT_TIMEOUTS, headersTimeoutMs: 20 }).connectionsCheckingInterval).toBe(10);
  });

  it('keeps the headers deadline within the request deadline, and Node’s interval when both are off', () => {
    expect(serverTimeouts({ ...DEFAULT_TIMEOUTS, requestTimeoutMs: 1_000 }).headersTimeout).toBe(1_000);
    expect(serverTimeouts({ ...DEFAULT_TIMEOUTS, requestTimeoutMs: 0 }).headersTimeout).toBe(20_000);
    expect(serverTimeouts({ ...DEFAULT_TIMEOUTS, headersTimeoutMs: 0, requestTimeoutMs: 0 }).connectionsCheckingInterval).toBe(30_000);
  });
});

describe('listen', () => {
  it('resolves with the port bound', async () => {
    const { server, drain } = createNodeServer(
      (_req, res) => res.end(),
      { ...DEFAULT_TIMEOUTS, diagnosisHeader: true },
      () => {},
    );
    const port = await listen(server, '127.0.0.1', 0, {});
    expect(port).toBeGreaterThan(0);
    expect(await drain(1_000)).toBe(0);
  });

  it('names a port in use as the option given, or as the default', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as { port: number }).port;
    try {
      const failure = (given: { port?: number }) =>
        listen(createServer(), '127.0.0.1', port, given).then(
          () => undefined,
          (error: unknown) => error,
        );
      const asOption = await failure({ port });
      expect(asOption).toBeInstanceOf(ConfigError);
      expect((asOption as ConfigError).message).toBe(`startEmulator option port=${port} is in use (EADDRINUSE); give another port (0 picks a free one)`);
      expect((asOption as ConfigError).setting).toBe('port');
      expect(((await failure({})) as ConfigError).message).toBe(`port ${port} (the default) is in use (EADDRINUSE); give another port (0 picks a free one)`);
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });
});
