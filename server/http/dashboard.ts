/**
 * The dashboard: one page at `GET /__emulator/` that shows the journal live and drives the
 * admin API (docs/admin-api.md, "Dashboard"). Its three files are plain HTML, JavaScript and CSS in
 * `server/dashboard/`, shipped in the package and served as they are: no build step, nothing
 * fetched from elsewhere, so it works offline. The page reads everything through the admin API
 * itself, from its own origin.
 *
 * Every file goes out with a Content-Security-Policy that lets the page load and call only its
 * own origin, so nothing it shows (a diagnosis quoting client text, a scenario file's
 * description) can run script or send a request anywhere else.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import express, { type Request, type Response, type Router } from 'express';
import { packageRoot } from '../package-root.js';

/** Where the page's files are. */
export const DASHBOARD_DIR = join(packageRoot(), 'server', 'dashboard');

/** The files the page is made of, by the name they are served under, with their media types. */
const FILES: Readonly<Record<string, string>> = {
  'index.html': 'text/html; charset=utf-8',
  'dashboard.js': 'text/javascript; charset=utf-8',
  'dashboard.css': 'text/css; charset=utf-8',
  'icon.svg': 'image/svg+xml',
};

/**
 * Only this origin, for everything; no inline script or style, no frames, no forms posted
 * anywhere, no plugins. `default-src 'none'` with each kind allowed back from 'self' is
 * stricter than `default-src 'self'`.
 */
export const DASHBOARD_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * The dashboard's routes; `guard` throws to refuse a request (the admin API's rules for pages).
 * @example router.use(dashboardRouter((req) => refuseWebPages(req)))
 */
export function dashboardRouter(guard: (req: Request) => void): Router {
  const router = express.Router();
  const send = (name: string, req: Request, res: Response): void => {
    guard(req);
    res.set({
      'Content-Type': FILES[name]!,
      'Content-Security-Policy': DASHBOARD_CSP,
      'X-Content-Type-Options': 'nosniff',
      'X-Frame-Options': 'DENY',
      'Referrer-Policy': 'no-referrer',
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Resource-Policy': 'same-origin',
      'Cache-Control': 'no-store',
    });
    // Read on each request: four small files, and an edited file shows on reload.
    res.send(readFileSync(join(DASHBOARD_DIR, name)));
  };
  // Only GET (and HEAD) are the page's: other methods leave this router for the admin API's 404
  // instead of getting the router's automatic `OPTIONS` answer in plain text.
  router.use((req, _res, next) => next(req.method === 'GET' || req.method === 'HEAD' ? undefined : 'router'));
  router.get('/', (req, res) => send('index.html', req, res));
  router.get('/dashboard/:file', (req, res, next) => {
    const file = String(req.params['file']);
    if (file === 'index.html' || !Object.hasOwn(FILES, file)) {
      next();
      return;
    }
    send(file, req, res);
  });
  return router;
}
