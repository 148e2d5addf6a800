/**
 * The emulator's own control plane under `/__emulator/` (JSON; described in
 * server/admin-openapi.yaml). Errors here are ordinary HTTP 4xx with
 * `{"error": "...", "message": "..."}`: this is not the emulated API, so loud beats faithful.
 */
import { timingSafeEqual } from 'node:crypto';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { isLoopbackName } from '../base-url.js';
import { RegistrationError, type ClockState, type EmulatorControls, type OcrEngine } from '../core/engine.js';
import type { Journal } from '../core/journal.js';
import { isServiceName, KeyPersistenceError, SERVICES } from '../core/key-store.js';
import { type ScenarioBook, ScenarioError } from '../core/scenarios/book.js';
import { isStoreUnavailable } from '../core/stores/unavailable.js';
import { dashboardRouter } from './dashboard.js';
import { hostLines } from './header-limits.js';
import type { UploadBudgetStats } from './upload-budget.js';

/** What the admin API needs besides the engine. */
export interface AdminOptions {
  journal: Journal;
  /** When set, every admin call needs `Authorization: Bearer <token>`. */
  adminToken?: string | undefined;
  /** When false, every admin path but health answers 403. */
  adminEnabled?: boolean;
  /** Re-reads the scenario files; resolves with problems (empty when the new set is in force). */
  reloadScenarios?: () => Promise<{ file: string; problems: string[] }[]> | { file: string; problems: string[] }[];
  /** Problems of the last scenario load (the previous good set stays in force). */
  scenarioProblems?: () => { file: string; problems: string[] }[];
  /** The admin API's own OpenAPI description, served as is. */
  adminDescription?: () => string;
  /** The upload budget's figures (server/http/upload-budget.ts), for GET /__emulator/stats. */
  uploads?: () => UploadBudgetStats;
}

class AdminError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Without a token the admin API is open on loopback, to the developer's tools, not to the web
 * pages in their browser: any page may send simple requests to a loopback port (a
 * `POST /__emulator/reset`), and a DNS-rebinding page may even read the answers. Browsers name
 * the page's site in `Sec-Fetch-Site` and `Origin`; curl, test runners and the client kit send
 * neither. A rebinding page is same-origin by the browser's lights, but its `Host` is the
 * attacker's name, not a loopback one.
 * @example refuseWebPages(req) // throws AdminError 403 'cross_origin' for a request from http://evil.example
 */
function refuseWebPages(req: Request): void {
  // The server refuses a second Host before this (header-limits.ts); an app mounted elsewhere
  // must not judge by the first of two either.
  if (hostLines(req) > 1) throw new AdminError(400, 'bad_request', 'more than one Host header (RFC 9112 section 3.2)');
  // No Host at all is an HTTP/1.0 tool; every browser sends one. A target in absolute form
  // (`GET http://name/__emulator/reset`) names the host itself, and RFC 9112 section 3.2.2 has
  // the server take it over the Host header: both must be loopback, whichever a proxy reads.
  for (const host of [req.headers.host?.replace(/:\d+$/, ''), targetHost(req.originalUrl)]) {
    if (host !== undefined && !isLoopbackName(host)) {
      throw new AdminError(
        403,
        'cross_origin',
        `the admin API answers only to a loopback Host without EMULATOR_ADMIN_TOKEN, not "${clip(host)}" (a DNS-rebinding page?)`,
      );
    }
  }
  const site = req.headers['sec-fetch-site'];
  const origin = req.headers.origin;
  let originHost: string | undefined;
  try {
    originHost = origin === undefined ? undefined : new URL(origin).host;
  } catch {
    originHost = '(unreadable)';
  }
  if (site === 'cross-site' || site === 'same-site' || (originHost !== undefined && originHost !== req.headers.host?.toLowerCase())) {
    throw new AdminError(
      403,
      'cross_origin',
      `the admin API refuses requests from web pages (Origin ${clip(origin ?? site ?? '')}); set EMULATOR_ADMIN_TOKEN to call it with a token`,
    );
  }
}

/**
 * The host a request target in absolute form names (without port or brackets), or undefined for
 * the usual origin form (`/path`).
 * @example targetHost('http://evil.example:8080/__emulator/reset') // 'evil.example'
 */
function targetHost(target: string): string | undefined {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(target)) return undefined;
  try {
    return new URL(target).hostname.replace(/^\[(.*)\]$/, '$1');
  } catch {
    return '(unreadable)';
  }
}

/** A client-sent text, cut short for an error message. */
function clip(text: string): string {
  return text.length > 100 ? `${text.slice(0, 100)}...` : text;
}

/** An admin route group: adds its routes to the router. */
type RouteGroup = (router: Router, targets: AdminTargets, options: AdminOptions) => void;

/** What the admin routes act on: the emulator's controls and the scenario book. */
interface AdminTargets {
  controls: EmulatorControls;
  book: ScenarioBook;
}

/**
 * Builds the admin router: health, the access guard, then one small group of routes per kind
 * of state.
 * @example app.use('/__emulator', adminRouter(engine, { journal }))
 */
export function adminRouter(engine: OcrEngine, options: AdminOptions): Router {
  const router = express.Router();
  router.get('/health', (_req, res) => {
    const { date, pinned } = engine.behaviour;
    res.json({ status: 'ok', apiDate: date, apiDatePinned: pinned });
  });
  // The dashboard's files hold no data, so with a token they load without one (a browser cannot
  // send it on a navigation) and the page asks for the token; its data calls need it as any call.
  router.use(
    dashboardRouter((req) => {
      if (options.adminEnabled === false)
        throw new AdminError(403, 'admin_disabled', 'the admin API is off: bound to a non-loopback address without EMULATOR_ADMIN_TOKEN');
      if (!options.adminToken) refuseWebPages(req);
    }),
  );
  router.use(accessGuard(options));
  router.use(express.json({ limit: '1mb', strict: true }));
  const groups: RouteGroup[] = [descriptionRoutes, scenarioRoutes, queueRoutes, defaultsRoutes, stateRoutes, keyRoutes, appKeyRoutes, journalRoutes];
  const targets: AdminTargets = { controls: engine.controls, book: engine.scenarios };
  for (const group of groups) group(router, targets, options);
  router.use((req, _res, next) => next(new AdminError(404, 'not_found', `no admin endpoint ${req.method} ${req.baseUrl}${req.path}`)));
  router.use(renderAdminError);
  return router;
}

/** Off, token, or loopback without web pages (README, "Who may use it"). */
function accessGuard(options: AdminOptions) {
  return (req: Request, _res: Response, next: NextFunction) => {
    if (options.adminEnabled === false)
      throw new AdminError(403, 'admin_disabled', 'the admin API is off: bound to a non-loopback address without EMULATOR_ADMIN_TOKEN');
    if (options.adminToken && !tokenMatches(req.headers.authorization, options.adminToken)) {
      throw new AdminError(401, 'unauthorized', 'the admin API needs Authorization: Bearer <EMULATOR_ADMIN_TOKEN>');
    }
    if (!options.adminToken) refuseWebPages(req);
    next();
  };
}

/** `GET /openapi.yaml`: this API's own description. */
const descriptionRoutes: RouteGroup = (router, _targets, options) => {
  router.get('/openapi.yaml', (_req, res) => {
    if (!options.adminDescription) throw new AdminError(404, 'not_found', 'no admin description available');
    res.type('application/yaml').send(options.adminDescription());
  });
};

/** The loaded scenarios: list, reload, one in full. */
const scenarioRoutes: RouteGroup = (router, { book }, options) => {
  router.get('/scenarios', (_req, res) => {
    res.json({
      scenarios: book.list().map(({ name, description, endpoints, source }) => ({ name, description, endpoints, source })),
      problems: options.scenarioProblems?.() ?? [],
    });
  });
  router.post('/scenarios/reload', async (_req, res) => {
    const problems = (await options.reloadScenarios?.()) ?? [];
    res.status(problems.length ? 422 : 200).json({ reloaded: problems.length === 0, problems, count: book.list().length });
  });
  router.get('/scenarios/*name', (req, res) => {
    const name = ([] as string[]).concat((req.params as { name: string | string[] }).name).join('/');
    res.json(book.require(name));
  });
};

/** The queue of next outcomes. */
const queueRoutes: RouteGroup = (router, { controls, book }) => {
  router.get('/queue', async (_req, res) => {
    res.json({ queue: await book.queue() });
  });
  router.post('/queue', async (req, res) => {
    const { scenario, times, appKey } = body(req);
    if (typeof scenario !== 'string') throw new AdminError(400, 'bad_request', 'body needs "scenario": a scenario name');
    // A shot for an app key the emulator does not accept would wait in the queue forever.
    const target = await knownAppKeyIfGiven(controls, appKey);
    const entry = await book.enqueue(scenario, times === undefined ? 1 : Number(times), target);
    res.status(201).json({ queued: entry, queue: await book.queue() });
  });
  router.delete('/queue', async (_req, res) => {
    await book.clearQueue();
    res.json({ queue: [] });
  });
};

/** Per-appKey default scenarios. */
const defaultsRoutes: RouteGroup = (router, { controls, book }) => {
  router.get('/defaults', async (_req, res) => {
    res.json({ defaults: await book.defaults() });
  });
  router.put('/defaults/:appKey', async (req, res) => {
    const { scenarios } = body(req);
    if (!Array.isArray(scenarios) || !scenarios.every((s) => typeof s === 'string')) {
      throw new AdminError(400, 'bad_request', 'body needs "scenarios": an array of scenario names');
    }
    await book.setDefaults(await knownAppKey(controls, String(req.params['appKey'])), scenarios);
    res.json({ defaults: await book.defaults() });
  });
  router.delete('/defaults/:appKey', async (req, res) => {
    await book.setDefaults(String(req.params['appKey']), []);
    res.json({ defaults: await book.defaults() });
  });
};

/** Reset and the clock, of every appKey or of one. */
const stateRoutes: RouteGroup = (router, { controls }, options) => {
  router.post('/reset', async (req, res) => {
    const requested = body(req)['appKey'];
    const appKey = await knownAppKeyIfGiven(controls, requested);
    await controls.reset(appKey);
    options.journal.reset(appKey);
    res.json({ reset: true, ...(appKey === undefined ? {} : { appKey }) });
  });
  router.get('/clock', async (req, res) => {
    const requested = req.query['appKey'];
    const appKey = await knownAppKeyIfGiven(controls, requested);
    res.json(clockAnswer(await controls.clockState(appKey), appKey));
  });
  router.post('/clock', async (req, res) => {
    const { advanceSeconds, appKey: requested } = body(req);
    if (typeof advanceSeconds !== 'number' || !Number.isFinite(advanceSeconds) || advanceSeconds < 0) {
      throw new AdminError(400, 'bad_request', 'body needs "advanceSeconds": a number >= 0 (the clock only moves forward)');
    }
    const appKey = await knownAppKeyIfGiven(controls, requested);
    const state = await controls.advanceClock(advanceSeconds, appKey).catch((error: unknown) => {
      throw error instanceof RangeError ? new AdminError(400, 'bad_request', error.message) : error;
    });
    res.json(clockAnswer(state, appKey));
  });
};

/** Key versions: list, rotate, revoke. */
const keyRoutes: RouteGroup = (router, { controls }) => {
  router.get('/keys', async (req, res) => {
    const requested = req.query['appKey'];
    const given = await knownAppKeyIfGiven(controls, requested);
    const appKeys = given === undefined ? (await controls.appKeys()).map((k) => k.appKey) : [given];
    const keys = await Promise.all(
      appKeys.flatMap((appKey) =>
        SERVICES.map(async (service) => {
          const versions = (await controls.keyVersions(appKey, service)).map(({ version, revoked, issuedAt }) => ({
            version,
            revoked,
            issuedAt: new Date(issuedAt).toISOString(),
          }));
          return { appKey, service, versions };
        }),
      ),
    );
    res.json({ keys });
  });
  router.post('/keys/:service/rotate', async (req, res) => {
    const { service, appKey } = await keyTarget(req, controls);
    const key = await controls.rotateKey(appKey, service);
    const versions = (await controls.keyVersions(appKey, service)).map((k) => ({ version: k.version, revoked: k.revoked }));
    res.json({ appKey, service, version: key.version, versions });
  });
  router.post('/keys/:service/revoke', async (req, res) => {
    const { service, appKey } = await keyTarget(req, controls);
    const { version } = body(req);
    if (typeof version !== 'string') throw new AdminError(400, 'bad_request', 'body needs "version": the key version string to revoke');
    const current = await controls.revokeKey(appKey, service, version);
    if (!current) throw new AdminError(404, 'not_found', `version ${version} was never issued for ${service} of appKey "${appKey}"`);
    res.json({ appKey, service, revoked: version, current: current.version });
  });
};

/** AppKeys registered at run time: one per parallel test worker. */
const appKeyRoutes: RouteGroup = (router, { controls }) => {
  router.get('/appkeys', async (_req, res) => {
    const appKeys = await controls.appKeys();
    res.json({ appKeys, registered: appKeys.filter((k) => k.source === 'registered').length, max: controls.maxRegisteredAppKeys });
  });
  router.post('/appkeys', async (req, res) => {
    const { appKey, secretKey } = body(req);
    const { outcome, source } = await controls.registerAppKey(appKey as string, secretKey as string).catch((error: unknown) => {
      throw error instanceof RegistrationError ? registrationRefused(error) : error;
    });
    res.status(outcome === 'created' ? 201 : 200).json({ appKey, source });
  });
  router.delete('/appkeys/:appKey', async (req, res) => {
    const appKey = String(req.params['appKey']);
    const outcome = await controls.removeAppKey(appKey);
    if (outcome === 'configured')
      throw new AdminError(409, 'conflict', `appKey "${appKey}" is configured (EMULATOR_APPKEY, EMULATOR_EXTRA_CREDENTIALS), not registered: it stays`);
    if (outcome === 'unknown') throw new AdminError(404, 'not_found', `appKey "${appKey}" is not registered`);
    res.json({ removed: appKey });
  });
};

/** The journal and the figures of the bounded stores. */
const journalRoutes: RouteGroup = (router, { controls }, options) => {
  const { journal } = options;
  // What the emulator holds right now, every store with its bound: to tell a leak from a full
  // cache when memory grows under load.
  router.get('/stats', async (_req, res) => {
    const memory = process.memoryUsage();
    const { store, requestKeys, keyCache } = await controls.stats();
    res.json({
      uptimeSeconds: Math.round(process.uptime()),
      memory: { rss: memory.rss, heapTotal: memory.heapTotal, heapUsed: memory.heapUsed, external: memory.external, arrayBuffers: memory.arrayBuffers },
      store,
      ...(requestKeys ? { requestKeys } : {}),
      keyCache,
      journal: { held: journal.size, capacity: journal.capacity, bytes: journal.bytes, maxBytes: journal.maxBytes },
      ...(options.uploads ? { uploads: options.uploads() } : {}),
    });
  });
  router.get('/requests', (req, res) => {
    const limit = wholeNumber(req, 'limit');
    const since = wholeNumber(req, 'since');
    const resultCode = req.query['resultCode'] === undefined ? undefined : Number(req.query['resultCode']);
    if (resultCode !== undefined && !Number.isInteger(resultCode)) throw new AdminError(400, 'bad_request', 'resultCode must be a whole number');
    res.json({
      requests: journal.list({
        ...(limit !== undefined ? { limit } : {}),
        ...(since !== undefined ? { since } : {}),
        ...(resultCode !== undefined ? { resultCode } : {}),
        ...(typeof req.query['endpoint'] === 'string' ? { endpoint: req.query['endpoint'] } : {}),
        ...(typeof req.query['appKey'] === 'string' ? { appKey: req.query['appKey'] } : {}),
        failedOnly: req.query['failed'] === 'true',
      }),
      capacity: journal.capacity,
      // A live view polls with ?since=<lastId>; a lastId below its own means the journal's ids
      // started over (another emulator process on the same port).
      lastId: journal.lastId,
    });
  });
  router.delete('/requests', (_req, res) => {
    journal.reset();
    res.json({ requests: [] });
  });
  // The Request-Keys held, masked, with their state by their appKey's clock: a clock advance
  // shows as keys turning `expired`. On Redis, the newest of every process (held and max are
  // not counted there).
  router.get('/request-keys', async (req, res) => {
    const limit = wholeNumber(req, 'limit') ?? 100;
    const { views, stats, ttlSeconds } = await controls.requestKeys(limit);
    res.json({
      requestKeys: views.map((view) => ({ ...view, issuedAt: new Date(view.issuedAt).toISOString(), expiresAt: new Date(view.expiresAt).toISOString() })),
      ...(stats ? { held: stats.held, max: stats.max } : {}),
      ttlSeconds,
      store: controls.storeKind,
    });
  });
};

/** Every admin error, as `{"error", "message"}` with its HTTP status. */
function renderAdminError(error: unknown, _req: Request, res: Response, _next: NextFunction): void {
  if (error instanceof AdminError) res.status(error.status).json({ error: error.code, message: error.message });
  else if (error instanceof ScenarioError) res.status(error.status).json({ error: 'scenario', message: error.message });
  else if ((error as { type?: string }).type === 'entity.parse.failed') res.status(400).json({ error: 'bad_request', message: 'body is not valid JSON' });
  else if ((error as { status?: number }).status === 413) res.status(413).json({ error: 'too_large', message: 'body is larger than 1 MB' });
  // Whatever else body-parser or the router refuses as the client's fault (a charset or
  // Content-Encoding it cannot read, a path that does not decode, a body cut off) keeps its
  // 4xx: a 500 is for the emulator's own faults only.
  else if (clientErrorStatus(error)) res.status(clientErrorStatus(error)!).json({ error: 'bad_request', message: clientErrorMessage(error) });
  // Out of reach or refusing (out of memory, a read-only replica): the message says which.
  else if (isStoreUnavailable(error)) res.status(503).json({ error: 'unavailable', message: error.diagnosis });
  // The keys directory refused a write: say which file and why (nothing was changed).
  else if (error instanceof KeyPersistenceError) res.status(500).json({ error: 'internal', message: error.message });
  else res.status(500).json({ error: 'internal', message: 'internal error' });
}

/** The 4xx status of an http-errors error (body-parser, router), if it is one. */
function clientErrorStatus(error: unknown): number | undefined {
  const status = (error as { status?: unknown } | undefined)?.status;
  return typeof status === 'number' && status >= 400 && status < 500 ? status : undefined;
}

function clientErrorMessage(error: unknown): string {
  const { expose, message } = error as { expose?: unknown; message?: unknown };
  return expose === true && typeof message === 'string' ? message.slice(0, 200) : 'the request could not be read';
}

/** A query parameter that must be a whole number >= 0, if given. */
function wholeNumber(req: Request, name: string): number | undefined {
  const raw = req.query[name];
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (typeof raw !== 'string' || !Number.isInteger(value) || value < 0) throw new AdminError(400, 'bad_request', `${name} must be a whole number`);
  return value;
}

function body(req: Request): Record<string, unknown> {
  const value: unknown = req.body;
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

async function keyTarget(req: Request, controls: EmulatorControls) {
  const service = String(req.params['service']);
  if (!isServiceName(service)) throw new AdminError(404, 'not_found', `service must be ${SERVICES.join(' or ')}`);
  const requested = body(req)['appKey'];
  const appKey = typeof requested === 'string' ? requested : controls.defaultAppKey;
  return { service, appKey: await knownAppKey(controls, appKey) };
}

/** An `appKey` given in a body or query: undefined when absent, 400 when not a string, 404 when not served. */
async function knownAppKeyIfGiven(controls: EmulatorControls, value: unknown): Promise<string | undefined> {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new AdminError(400, 'bad_request', '"appKey" must be a string');
  return knownAppKey(controls, value);
}

/** A refused registration as its admin answer. */
function registrationRefused(error: RegistrationError): AdminError {
  if (error.kind === 'invalid') return new AdminError(400, 'bad_request', `body needs "appKey" and "secretKey": ${error.message}`);
  if (error.kind === 'conflict') return new AdminError(409, 'conflict', error.message);
  return new AdminError(507, 'full', `${error.message} (DELETE /__emulator/appkeys/{appKey})`);
}

/** The appKey if the emulator serves it (configured or registered), else 404. */
async function knownAppKey(controls: EmulatorControls, appKey: string): Promise<string> {
  if (!(await controls.isKnownAppKey(appKey))) throw new AdminError(404, 'not_found', `appKey "${appKey}" is neither configured nor registered`);
  return appKey;
}

function clockAnswer(state: ClockState, appKey: string | undefined) {
  return {
    now: new Date(state.now).toISOString(),
    offsetSeconds: state.offsetMs / 1000,
    ...(appKey === undefined ? {} : { appKey, appKeyOffsetSeconds: (state.appKeyOffsetMs ?? 0) / 1000 }),
  };
}

/**
 * Whether `Authorization` carries the admin token as `Bearer <token>`: the scheme named, in any
 * case (RFC 9110 section 11.1: auth-schemes are case-insensitive), one or more spaces (section
 * 11.4: `auth-scheme 1*SP token68`), then exactly the token. A bare token is refused: the
 * README promises `Bearer`, and a check looser than documented is a check a client learns to
 * lean on.
 * @example tokenMatches('bearer t0ken', 't0ken') // true
 * @example tokenMatches('t0ken', 't0ken') // false
 */
function tokenMatches(header: string | undefined, token: string): boolean {
  const credentials = /^Bearer +(.*)$/is.exec(header ?? '');
  if (!credentials) return false;
  const given = Buffer.from(credentials[1]!);
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
