/**
 * The emulator's own control plane under `/__emulator/` (JSON; described in
 * server/admin-openapi.yaml). Errors here are ordinary HTTP 4xx with
 * `{"error": "...", "message": "..."}`: this is not the emulated API, so loud beats faithful.
 */
import { timingSafeEqual } from 'node:crypto';
import { join } from 'node:path';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { isLoopbackName } from '../base-url.js';
import type { ClockState, EmulatorControls, OcrEngine } from '../core/engine.js';
import type { Journal } from '../core/journal.js';
import { isServiceName, SERVICES } from '../core/key-store.js';
import type { ScenarioBook } from '../core/scenarios/book.js';
import { packageRoot } from '../package-root.js';
import { adminChecker, checked } from './admin-validation.js';
import { writeAnswer } from './answer.js';
import { dashboardRouter } from './dashboard.js';
import { hostLines } from './header-limits.js';
import { adminRefusal, refusalOf, renderRefusal, unknownRoute } from './refusal.js';
import type { UploadBudgetStats } from './upload-budget.js';

/** The admin API's description, as the package ships it: served, and the requests checked against it. */
const ADMIN_DESCRIPTION_FILE = join(packageRoot(), 'server', 'admin-openapi.yaml');

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

/**
 * Without a token the admin API is open on loopback, to the developer's tools, not to the web
 * pages in their browser: any page may send simple requests to a loopback port (a
 * `POST /__emulator/reset`), and a DNS-rebinding page may even read the answers. Browsers name
 * the page's site in `Sec-Fetch-Site` and `Origin`; curl, test runners and the client kit send
 * neither. A rebinding page is same-origin by the browser's lights, but its `Host` is the
 * attacker's name, not a loopback one.
 * @example refuseWebPages(req) // throws a Refusal 403 'cross_origin' for a request from http://evil.example
 */
function refuseWebPages(req: Request): void {
  // The server refuses a second Host before this (header-limits.ts); an app mounted elsewhere
  // must not judge by the first of two either.
  if (hostLines(req) > 1) throw adminRefusal(400, 'bad_request', 'more than one Host header (RFC 9112 section 3.2)');
  // No Host at all is an HTTP/1.0 tool; every browser sends one. A target in absolute form
  // (`GET http://name/__emulator/reset`) names the host itself, and RFC 9112 section 3.2.2 has
  // the server take it over the Host header: both must be loopback, whichever a proxy reads.
  for (const host of [req.headers.host?.replace(/:\d+$/, ''), targetHost(req.originalUrl)]) {
    if (host !== undefined && !isLoopbackName(host)) {
      throw adminRefusal(
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
    throw adminRefusal(
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
type RouteGroup = (router: Router, targets: AdminTargets, options: AdminOptions, check: Check) => void;

/** The middleware that checks a request against its operation in the description (admin-validation.ts). */
type Check = ReturnType<typeof adminChecker>;

/** What the admin routes act on: the emulator's controls and the scenario book. */
interface AdminTargets {
  controls: EmulatorControls;
  book: ScenarioBook;
  /** Which appKeys the routes take: the served ones, or in record mode any (record-step.ts). */
  scope: AppKeyScope;
}

/** What decides whether an admin call may name an appKey. */
type AppKeyScope = Pick<EmulatorControls, 'isKnownAppKey'>;

/**
 * In record mode the emulator serves whatever appKey the client sends (the live service checks
 * it), so a test's per-appKey reset must not be refused before its first call is forwarded.
 */
const EVERY_APP_KEY: AppKeyScope = { isKnownAppKey: async () => true };

/**
 * Builds the admin router: health, the access guard, then one small group of routes per kind
 * of state.
 * @example app.use('/__emulator', adminRouter(engine, { journal }))
 */
export function adminRouter(engine: OcrEngine, options: AdminOptions, { everyAppKey = false }: { everyAppKey?: boolean } = {}): Router {
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
        throw adminRefusal(403, 'admin_disabled', 'the admin API is off: bound to a non-loopback address without EMULATOR_ADMIN_TOKEN');
      if (!options.adminToken) refuseWebPages(req);
    }),
  );
  router.use(accessGuard(options));
  router.use(express.json({ limit: '1mb', strict: true }));
  const check = adminChecker(ADMIN_DESCRIPTION_FILE);
  const groups: RouteGroup[] = [descriptionRoutes, scenarioRoutes, queueRoutes, defaultsRoutes, stateRoutes, keyRoutes, appKeyRoutes, journalRoutes];
  const targets: AdminTargets = { controls: engine.controls, book: engine.scenarios, scope: everyAppKey ? EVERY_APP_KEY : engine.controls };
  for (const group of groups) group(router, targets, options, check);
  router.use((req, _res, next) => next(unknownRoute(req.method, `${req.baseUrl}${req.path}`)));
  // Every admin refusal, as `{"error", "message"}` with its status (refusal.ts); no diagnosis header: this is not the API.
  router.use((error: unknown, req: Request, res: Response, _next: NextFunction) => {
    void writeAnswer(
      req,
      res,
      renderRefusal(
        refusalOf(error, 'admin', () => {}),
        false,
      ),
    );
  });
  return router;
}

/** Off, token, or loopback without web pages (docs/admin-api.md, "Who may use it"). */
function accessGuard(options: AdminOptions) {
  return (req: Request, _res: Response, next: NextFunction) => {
    if (options.adminEnabled === false)
      throw adminRefusal(403, 'admin_disabled', 'the admin API is off: bound to a non-loopback address without EMULATOR_ADMIN_TOKEN');
    if (options.adminToken && !tokenMatches(req.headers.authorization, options.adminToken)) {
      throw adminRefusal(401, 'unauthorized', 'the admin API needs Authorization: Bearer <EMULATOR_ADMIN_TOKEN>');
    }
    if (!options.adminToken) refuseWebPages(req);
    next();
  };
}

/** `GET /openapi.yaml`: this API's own description. */
const descriptionRoutes: RouteGroup = (router, _targets, options) => {
  router.get('/openapi.yaml', (_req, res) => {
    if (!options.adminDescription) throw adminRefusal(404, 'not_found', 'no admin description available');
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
const queueRoutes: RouteGroup = (router, { book, scope }, _options, check) => {
  router.get('/queue', async (_req, res) => {
    res.json({ queue: await book.queue() });
  });
  router.post('/queue', check('POST /__emulator/queue'), async (_req, res) => {
    const { scenario, times, appKey } = checked(res).body as { scenario: string; times?: number; appKey?: string };
    // A shot for an app key the emulator does not accept would wait in the queue forever.
    const target = await knownAppKeyIfGiven(scope, appKey);
    const entry = await book.enqueue(scenario, times ?? 1, target);
    res.status(201).json({ queued: entry, queue: await book.queue() });
  });
  router.delete('/queue', async (_req, res) => {
    await book.clearQueue();
    res.json({ queue: [] });
  });
};

/** Per-appKey default scenarios. */
const defaultsRoutes: RouteGroup = (router, { book, scope }, _options, check) => {
  router.get('/defaults', async (_req, res) => {
    res.json({ defaults: await book.defaults() });
  });
  router.put('/defaults/:appKey', check('PUT /__emulator/defaults/{appKey}'), async (req, res) => {
    const { scenarios } = checked(res).body as { scenarios: string[] };
    await book.setDefaults(await knownAppKey(scope, String(req.params['appKey'])), scenarios);
    res.json({ defaults: await book.defaults() });
  });
  router.delete('/defaults/:appKey', async (req, res) => {
    await book.setDefaults(String(req.params['appKey']), []);
    res.json({ defaults: await book.defaults() });
  });
};

/** Reset and the clock, of every appKey or of one. */
const stateRoutes: RouteGroup = (router, { controls, scope }, options, check) => {
  router.post('/reset', check('POST /__emulator/reset'), async (_req, res) => {
    const appKey = await knownAppKeyIfGiven(scope, checked(res).body['appKey'] as string | undefined);
    await controls.reset(appKey);
    options.journal.reset(appKey);
    res.json({ reset: true, ...(appKey === undefined ? {} : { appKey }) });
  });
  router.get('/clock', check('GET /__emulator/clock'), async (_req, res) => {
    const appKey = await knownAppKeyIfGiven(scope, checked(res).query['appKey'] as string | undefined);
    res.json(clockAnswer(await controls.clockState(appKey), appKey));
  });
  router.post('/clock', check('POST /__emulator/clock'), async (_req, res) => {
    const { advanceSeconds, appKey: requested } = checked(res).body as { advanceSeconds: number; appKey?: string };
    const appKey = await knownAppKeyIfGiven(scope, requested);
    res.json(clockAnswer(await controls.advanceClock(advanceSeconds, appKey), appKey));
  });
};

/** Key versions: list, rotate, revoke. */
const keyRoutes: RouteGroup = (router, { controls, scope }, _options, check) => {
  router.get('/keys', check('GET /__emulator/keys'), async (_req, res) => {
    const given = await knownAppKeyIfGiven(scope, checked(res).query['appKey'] as string | undefined);
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
  router.post('/keys/:service/rotate', check('POST /__emulator/keys/{service}/rotate'), async (req, res) => {
    const { service, appKey } = await keyTarget(req, res, controls, scope);
    const key = await controls.rotateKey(appKey, service);
    const versions = (await controls.keyVersions(appKey, service)).map((k) => ({ version: k.version, revoked: k.revoked }));
    res.json({ appKey, service, version: key.version, versions });
  });
  router.post('/keys/:service/revoke', check('POST /__emulator/keys/{service}/revoke'), async (req, res) => {
    const { service, appKey } = await keyTarget(req, res, controls, scope);
    const { version } = checked(res).body as { version: string };
    const current = await controls.revokeKey(appKey, service, version);
    if (!current) throw adminRefusal(404, 'not_found', `version ${version} was never issued for ${service} of appKey "${appKey}"`);
    res.json({ appKey, service, revoked: version, current: current.version });
  });
};

/** AppKeys registered at run time: one per parallel test worker. */
const appKeyRoutes: RouteGroup = (router, { controls }, _options, check) => {
  router.get('/appkeys', async (_req, res) => {
    const appKeys = await controls.appKeys();
    res.json({ appKeys, registered: appKeys.filter((k) => k.source === 'registered').length, max: controls.maxRegisteredAppKeys });
  });
  router.post('/appkeys', check('POST /__emulator/appkeys'), async (_req, res) => {
    const { appKey, secretKey } = checked(res).body as { appKey: string; secretKey: string };
    const { outcome, source } = await controls.registerAppKey(appKey, secretKey);
    res.status(outcome === 'created' ? 201 : 200).json({ appKey, source });
  });
  router.delete('/appkeys/:appKey', async (req, res) => {
    const appKey = String(req.params['appKey']);
    const outcome = await controls.removeAppKey(appKey);
    if (outcome === 'configured')
      throw adminRefusal(409, 'conflict', `appKey "${appKey}" is configured (EMULATOR_APPKEY, EMULATOR_EXTRA_CREDENTIALS), not registered: it stays`);
    if (outcome === 'unknown') throw adminRefusal(404, 'not_found', `appKey "${appKey}" is not registered`);
    res.json({ removed: appKey });
  });
};

/** The journal and the figures of the bounded stores. */
const journalRoutes: RouteGroup = (router, { controls }, options, check) => {
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
  router.get('/requests', check('GET /__emulator/requests'), (_req, res) => {
    const { limit, since, resultCode, endpoint, appKey, failed } = checked(res).query as {
      limit?: number;
      since?: number;
      resultCode?: number;
      endpoint?: string;
      appKey?: string;
      failed?: boolean;
    };
    res.json({
      requests: journal.list({
        ...(limit !== undefined ? { limit } : {}),
        ...(since !== undefined ? { since } : {}),
        ...(resultCode !== undefined ? { resultCode } : {}),
        ...(endpoint !== undefined ? { endpoint } : {}),
        ...(appKey !== undefined ? { appKey } : {}),
        failedOnly: failed === true,
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
  router.get('/request-keys', check('GET /__emulator/request-keys'), async (_req, res) => {
    const limit = (checked(res).query['limit'] as number | undefined) ?? 100;
    const { views, stats, ttlSeconds } = await controls.requestKeys(limit);
    res.json({
      requestKeys: views.map((view) => ({ ...view, issuedAt: new Date(view.issuedAt).toISOString(), expiresAt: new Date(view.expiresAt).toISOString() })),
      ...(stats ? { held: stats.held, max: stats.max } : {}),
      ttlSeconds,
      store: controls.storeKind,
    });
  });
};

/** The service a key route names (404 when it is none) and the appKey of its body, or the default one. */
async function keyTarget(req: Request, res: Response, controls: EmulatorControls, scope: AppKeyScope) {
  const service = String(req.params['service']);
  if (!isServiceName(service)) throw adminRefusal(404, 'not_found', `service must be ${SERVICES.join(' or ')}`);
  const appKey = (checked(res).body['appKey'] as string | undefined) ?? controls.defaultAppKey;
  return { service, appKey: await knownAppKey(scope, appKey) };
}

/** An `appKey` given in a (checked) body or query: undefined when absent, 404 when not served. */
async function knownAppKeyIfGiven(scope: AppKeyScope, value: string | undefined): Promise<string | undefined> {
  return value === undefined ? undefined : knownAppKey(scope, value);
}

/** The appKey if the emulator serves it (configured or registered), else 404. */
async function knownAppKey(scope: AppKeyScope, appKey: string): Promise<string> {
  if (!(await scope.isKnownAppKey(appKey))) throw adminRefusal(404, 'not_found', `appKey "${appKey}" is neither configured nor registered`);
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
 * docs promise `Bearer` (docs/admin-api.md, "Who may use it"), and a check looser than documented is a check a client learns to
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
