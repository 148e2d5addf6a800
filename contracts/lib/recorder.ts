/**
 * The fetch every API call of the suite goes through: it counts the call against the budget,
 * keeps the answer for the case's parity snapshot, and checks it against openapi.yaml (calls to
 * the token issuer are counted and kept, but openapi.yaml does not describe the issuer: the
 * token cases check those answers themselves).
 */
import { type CallMeter, classifyEndpoint, isIssuerCall, requestLine } from './budget.js';
import { validateAgainstOpenApi } from './openapi.js';

/** One call and its answer. */
export interface RecordedExchange {
  endpoint: string;
  /** `POST /v2.0/appkeys/{appKey}/credit-card` */
  request: string;
  status: number;
  headers: Headers;
  /** Parsed JSON, or the text when the body is not JSON. */
  body: unknown;
  /** What openapi.yaml says is wrong with the answer. */
  openApiErrors: string[];
}

/**
 * Wraps fetch for a run: counts, records, validates.
 * @example
 * const recorder = new Recorder(new CallMeter(60));
 * const client = createOcrClient({ baseUrl, appKey, secretKey, fetch: recorder.fetch });
 */
export class Recorder {
  /** The exchanges of the case running now. */
  exchanges: RecordedExchange[] = [];
  readonly #byHeaders = new WeakMap<Headers, RecordedExchange>();

  constructor(
    readonly meter: CallMeter,
    private readonly inner: typeof fetch = globalThis.fetch,
  ) {}

  /** Starts a new case: forgets the exchanges of the previous one. */
  startCase(): void {
    this.exchanges = [];
  }

  /** The exchange whose answer carried these headers (the client hands `Response.headers` on as is). */
  exchangeFor(headers: Headers): RecordedExchange | undefined {
    return this.#byHeaders.get(headers);
  }

  /** The wrapped fetch. */
  readonly fetch: typeof fetch = async (input, init) => {
    const method = (init?.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase();
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const endpoint = classifyEndpoint(method, url);
    this.meter.take(endpoint);
    const response = await this.inner(input, init);
    const text = await response.clone().text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // Not JSON: the validator reports it against the declared media type.
    }
    const verdict = isIssuerCall(url)
      ? { errors: [] }
      : validateAgainstOpenApi({ method, path: url, status: response.status, headers: Object.fromEntries(response.headers), body });
    const exchange: RecordedExchange = {
      endpoint,
      request: requestLine(method, url),
      status: response.status,
      headers: response.headers,
      body,
      openApiErrors: verdict.errors,
    };
    this.exchanges.push(exchange);
    this.#byHeaders.set(response.headers, exchange);
    return response;
  };
}
