/**
 * The API's calls without express: the public-key GET every client makes first and load tests
 * make most, and the four POST operations. Express's routing and response helpers cost the GET
 * ~8x what Node's HTTP alone does, and a reused-key upload about a tenth of its time
 * (test/bench/README.md). A call settles through the same code as every route and is answered
 * with the same bytes (test/api/fast-lane.test.ts compares the two); anything unusual (another
 * method, a query, an escape, a GET with a body) goes to express.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApiVersion } from '../core/auth.js';
import type { OcrEngine } from '../core/engine.js';
import { apiCall, type Operation, type OperationName } from './api-routes.js';
import { readyToAnswer } from './body.js';
import type { Answer, Settle } from './settle.js';

/**
 * The public-key call as the lane takes it: a plain path (no query, no percent-escapes), so that
 * what the lane reads is exactly what express's router would have decoded.
 */
const PUBLIC_KEY_PATH = /^\/(v2\.[01])\/appkeys\/([A-Za-z0-9._~-]+)\/public-keys\/([A-Za-z0-9._~-]+)$/;

/** The four POST operations as the lane takes them, on the same terms. */
const OPERATION_PATH = /^\/(v2\.[01])\/appkeys\/([A-Za-z0-9._~-]+)\/(credit-card|id-card|id-card\/stand-alone|id-card\/authenticity)$/;

/** What the lane needs. */
export interface FastLaneOptions {
  engine: OcrEngine;
  operations: Record<OperationName, Operation>;
  settle: Settle;
  onFault: (error: unknown) => void;
}

/**
 * Builds the lane: it answers a request it takes and returns true, or returns false for express.
 * @example const lane = fastLane({ engine, operations, settle, onFault }); (req, res) => lane(req, res) || app(req, res)
 */
export function fastLane({ engine, operations, settle, onFault }: FastLaneOptions): (req: IncomingMessage, res: ServerResponse) => boolean {
  const answer = (req: IncomingMessage, res: ServerResponse, settled: Promise<Answer>) => answerFast(req, res, settled, onFault);
  return (req, res) => {
    const url = req.url ?? '';
    if (req.method === 'GET') {
      if (req.headers['transfer-encoding'] !== undefined || (req.headers['content-length'] ?? '0') !== '0') return false;
      const match = PUBLIC_KEY_PATH.exec(url);
      if (!match) return false;
      const call = apiCall(match[1] as ApiVersion, match[2]!, req);
      answer(
        req,
        res,
        settle('GET', match[0], req.headers, (trace) => engine.publicKey(trace, call, match[3]!)),
      );
      return true;
    }
    if (req.method !== 'POST') return false;
    const match = OPERATION_PATH.exec(url);
    if (!match) return false;
    const call = apiCall(match[1] as ApiVersion, match[2]!, req);
    const operation = operations[match[3] as OperationName];
    answer(
      req,
      res,
      settle('POST', match[0], req.headers, (trace) => operation(call, req, res, trace)),
    );
    return true;
  };
}

/** Writes a settled answer as express's route would (`route` in app.ts, res.set, res.json). */
function answerFast(req: IncomingMessage, res: ServerResponse, settled: Promise<Answer>, onFault: (error: unknown) => void): void {
  settled
    .then(async (answer) => {
      if (!(await readyToAnswer(req, answer))) return;
      // As express's res.json writes it: same headers, same order, same body.
      const text = JSON.stringify(answer.body);
      res.writeHead(answer.status, { ...answer.headers, 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
      res.end(text);
    })
    .catch((error: unknown) => {
      onFault(error);
      res.destroy();
    });
}
