/**
 * Counting and capping the calls a run makes. The live service is paid per call, so a live run
 * stops issuing calls once its budget is spent and skips the remaining cases.
 */

/** Thrown when a call would exceed the budget; the runner skips the case with this reason. */
export class BudgetExhausted extends Error {
  constructor(readonly limit: number) {
    super(`call budget of ${limit} calls used up (--max-calls)`);
    this.name = 'BudgetExhausted';
  }
}

/**
 * Names the endpoint a request goes to, with the app key replaced: the unit of the call summary.
 * v2.1 calls are named with their version, token-issuer calls by their path.
 * @example classifyEndpoint('POST', 'https://host/v2.0/appkeys/abc/id-card/stand-alone') // 'POST id-card/stand-alone'
 * @example classifyEndpoint('GET', 'http://h/v2.0/appkeys/abc/public-keys/credit-card') // 'GET public-keys/credit-card'
 * @example classifyEndpoint('POST', 'http://h/v2.1/appkeys/abc/credit-card') // 'POST v2.1 credit-card'
 * @example classifyEndpoint('POST', 'https://oauth.api.nhncloudservice.com/oauth2/token/create') // 'POST oauth2/token/create'
 */
export function classifyEndpoint(method: string, url: string): string {
  const path = new URL(url, 'http://x').pathname;
  const verb = method.toUpperCase();
  if (/^\/oauth2\/token\/(create|revoke)$/.test(path)) return `${verb} ${path.slice(1)}`;
  const match = /^\/v2\.([01])\/appkeys\/[^/]+\/(.+)$/.exec(path);
  const known = ['public-keys/credit-card', 'public-keys/id-card', 'credit-card', 'id-card', 'id-card/stand-alone', 'id-card/authenticity'];
  if (match && known.includes(match[2]!)) return `${verb} ${match[1] === '1' ? 'v2.1 ' : ''}${match[2]}`;
  return `${verb} (other path)`;
}

/**
 * Whether a URL is one of the token issuer's (not an OCR call: no envelope, no openapi.yaml).
 * @example isIssuerCall('https://oauth.api.nhncloudservice.com/oauth2/token/create') // true
 */
export function isIssuerCall(url: string): boolean {
  return new URL(url, 'http://x').pathname.startsWith('/oauth2/');
}

/**
 * The request line a snapshot records: the app key replaced by `{appKey}`.
 * @example requestLine('GET', 'http://h:1/v2.0/appkeys/abc/public-keys/id-card') // 'GET /v2.0/appkeys/{appKey}/public-keys/id-card'
 * @example requestLine('POST', 'http://h:1/v2.1/appkeys/abc/credit-card') // 'POST /v2.1/appkeys/{appKey}/credit-card'
 */
export function requestLine(method: string, url: string): string {
  const path = new URL(url, 'http://x').pathname.replace(/^\/(v2\.[01])\/appkeys\/[^/]+/, '/$1/appkeys/{appKey}');
  return `${method.toUpperCase()} ${path}`;
}

/**
 * Counts calls per endpoint and refuses calls past the limit.
 * @example
 * const meter = new CallMeter(60);
 * meter.take('POST credit-card'); // throws BudgetExhausted on the 61st call
 */
export class CallMeter {
  readonly counts = new Map<string, number>();
  #total = 0;

  /** `limit` undefined: count without a cap. */
  constructor(readonly limit?: number) {}

  get total(): number {
    return this.#total;
  }

  /** Whether the budget is spent. */
  get exhausted(): boolean {
    return this.limit !== undefined && this.#total >= this.limit;
  }

  /** Counts one call, or throws if the budget is spent. */
  take(endpoint: string): void {
    if (this.exhausted) throw new BudgetExhausted(this.limit!);
    this.#total++;
    this.counts.set(endpoint, (this.counts.get(endpoint) ?? 0) + 1);
  }

  /** The summary lines, busiest endpoint first. */
  summary(): string[] {
    const rows = [...this.counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
    const cap = this.limit === undefined ? '' : ` of a budget of ${this.limit}`;
    return [`calls: ${this.#total}${cap}`, ...rows.map(([endpoint, n]) => `  ${String(n).padStart(4)}  ${endpoint}`)];
  }
}
