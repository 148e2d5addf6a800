/**
 * The Node HTTP server around the app: what happens before a request exists (the documented
 * answers to `CONNECT`, unparsable requests, an unknown `Expect`, header limits, a repeated
 * `Host` and slow clients; docs/security.md), stopping without dropping what is in flight
 * (server/http/drain.ts), and a listen failure as one line naming the setting at fault.
 */
import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerOptions } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { ConfigError, type EmulatorConfig } from './config.js';
import { answerClientError, answerClientErrorWithDiagnosis, answerConnect } from './http/client-error.js';
import { drainableListener } from './http/drain.js';
import { applyHeaderLimits, limitHeaderLines, MAX_HEADER_BYTES, refuseRepeatedHost } from './http/header-limits.js';

/** What the server needs of the configuration. */
export type NodeServerSettings = Pick<EmulatorConfig, 'headersTimeoutMs' | 'requestTimeoutMs' | 'keepAliveTimeoutMs' | 'diagnosisHeader'>;

/** A server not yet listening, and how to stop it. */
export interface NodeServer {
  server: Server;
  /**
   * Refuses new connections, answers the requests in flight, closes what is still open after
   * `boundMs`; resolves with how many requests were cut then (0 when all were answered).
   */
  drain(boundMs: number): Promise<number>;
}

/**
 * A server for `app`. `refusedRepeatedHost` is told of each request refused for a second `Host`
 * header before the app saw it (the app journals its own refusals; this lets the caller journal
 * these).
 * @example const { server, drain } = createNodeServer(app, config, (req) => journal(req)); await listen(server, config.host, config.port, {})
 */
export function createNodeServer(app: RequestListener, settings: NodeServerSettings, refusedRepeatedHost: (req: IncomingMessage) => void): NodeServer {
  // One listener for every way a request arrives, so each passes the header-line limit and is
  // waited for when the emulator stops.
  const drainable = drainableListener(limitHeaderLines(refuseRepeatedHost(app, refusedRepeatedHost)));
  const listener = drainable.listener;
  const server = applyHeaderLimits(createServer({ ...serverTimeouts(settings), maxHeaderSize: MAX_HEADER_BYTES }, listener));
  const withDiagnosis = settings.diagnosisHeader;
  server.on('clientError', withDiagnosis ? answerClientErrorWithDiagnosis : answerClientError);
  server.on('connect', (req: IncomingMessage, socket: Duplex) => answerConnect(req, socket, withDiagnosis));
  // An Expect other than 100-continue: Node would answer a bare 417 before the app sees the
  // request. RFC 9110 section 10.1.1 lets a server ignore an expectation it does not know (417
  // is a MAY), and a request to an API path deserves its own answer on HTTP 200 (docs/security.md,
  // "Malformed requests"), so it goes to the app as if the header were not there.
  server.on('checkExpectation', listener);
  return { server, drain: (boundMs) => drainable.drain(server, boundMs) };
}

/**
 * Listens on `host:port` and resolves with the port bound (port 0 picks a free one). A failure
 * rejects with a one-line ConfigError naming host or port, as an option when `given` has it, as
 * the default otherwise (the command renames it after the environment variable or flag it came
 * from).
 * @example const port = await listen(server, '127.0.0.1', 0, {})
 */
export async function listen(server: Server, host: string, port: number, given: { host?: unknown; port?: unknown }): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  }).catch((error: unknown) => {
    throw listenError(error as NodeJS.ErrnoException, host, port, given);
  });
  return (server.address() as AddressInfo).port;
}

/** A listen failure as one line naming the setting at fault. */
function listenError(error: NodeJS.ErrnoException, host: string, port: number, given: { host?: unknown; port?: unknown }): unknown {
  const named = (key: 'host' | 'port', value: string | number) =>
    given[key] !== undefined ? `startEmulator option ${key}=${JSON.stringify(value)}` : `${key} ${JSON.stringify(value)} (the default)`;
  const fail = (key: 'host' | 'port', value: string | number, problem: string) => new ConfigError(`${named(key, value)} ${problem}`, key, problem);
  switch (error.code) {
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_FAIL':
    case 'EAI_NONAME':
      return fail('host', host, `cannot be resolved (${error.code}); give an IP address or a host name of this machine`);
    case 'EADDRNOTAVAIL':
      return fail('host', host, 'is no address of this machine (EADDRNOTAVAIL)');
    case 'EADDRINUSE':
      return fail('port', port, 'is in use (EADDRINUSE); give another port (0 picks a free one)');
    case 'EACCES':
      return fail('port', port, 'needs privileges this process lacks (EACCES); give a port from 1024 up (0 picks a free one)');
    default:
      return error;
  }
}

/**
 * Node's slow-client limits: a client that trickles its headers (slowloris) or its body is cut
 * off with 408. Node checks the deadlines every `connectionsCheckingInterval` (30 s by default),
 * so that interval follows the smallest deadline.
 * @example serverTimeouts({ headersTimeoutMs: 20_000, requestTimeoutMs: 120_000, keepAliveTimeoutMs: 5_000 }).connectionsCheckingInterval // 1000
 */
export function serverTimeouts(settings: Pick<EmulatorConfig, 'headersTimeoutMs' | 'requestTimeoutMs' | 'keepAliveTimeoutMs'>): ServerOptions {
  const requestTimeout = settings.requestTimeoutMs;
  // Node refuses a headers deadline later than the request deadline.
  const headersTimeout = Math.min(settings.headersTimeoutMs, requestTimeout || Infinity);
  const smallest = Math.min(headersTimeout, requestTimeout || headersTimeout);
  return {
    headersTimeout,
    requestTimeout,
    keepAliveTimeout: settings.keepAliveTimeoutMs,
    // Both deadlines off (0): Node's own interval.
    connectionsCheckingInterval: smallest > 0 ? Math.max(10, Math.min(1_000, Math.floor(smallest / 4))) : 30_000,
  };
}
