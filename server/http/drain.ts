/**
 * Stopping without dropping what is in flight (docs/security.md, "Stopping"): the listening
 * socket closes at once (new connections are refused), idle keep-alive connections close at once,
 * and every request already accepted gets its whole answer, a request still sending its body or
 * waiting out a scenario's `delayMs` included. Those answers, and any given while draining, say
 * `Connection: close` (RFC 9112 section 9.6), so each connection closes after its last answer
 * instead of idling until the keep-alive timeout. After the bound, what is still open is closed.
 */
import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';

/** A request listener that knows its unanswered requests, and the drain that waits for them. */
export interface Drainable {
  listener: RequestListener;
  /**
   * Stops the server as above; resolves once it has closed, with how many requests were still
   * unanswered when `boundMs` passed (their connections closed then), 0 when all were answered.
   */
  drain(server: Server, boundMs: number): Promise<number>;
}

/**
 * Wraps the server's request listener (use the wrapped one for every way a request arrives).
 * @example const drainable = drainableListener(app); const server = createServer(drainable.listener); ...; const cut = await drainable.drain(server, 8000)
 */
export function drainableListener(listener: RequestListener): Drainable {
  const unanswered = new Set<ServerResponse>();
  let draining: Server | undefined;
  const wrapped = (req: IncomingMessage, res: ServerResponse) => {
    unanswered.add(res);
    res.once('close', () => {
      unanswered.delete(res);
      // Its connection may now be idle (an answer already under way when the drain began keeps
      // its keep-alive): close it rather than wait for the keep-alive timeout.
      if (draining) setImmediate(() => draining!.closeIdleConnections());
    });
    if (draining) res.shouldKeepAlive = false;
    listener(req, res);
  };
  const drain = (server: Server, boundMs: number) =>
    new Promise<number>((resolve) => {
      draining = server;
      // Node writes `Connection: close` and ends the connection after an answer whose
      // shouldKeepAlive is false (unless the answer sets a Connection header itself; none does).
      for (const res of unanswered) if (!res.headersSent) res.shouldKeepAlive = false;
      let cut = 0;
      const bound = setTimeout(() => {
        cut = unanswered.size;
        server.closeAllConnections();
      }, boundMs);
      server.close(() => {
        clearTimeout(bound);
        resolve(cut);
      });
      server.closeIdleConnections();
    });
  return { listener: wrapped, drain };
}
