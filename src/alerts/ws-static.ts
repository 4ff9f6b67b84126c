/**
 * The HTTP side of the alert server: serves the live dashboard (`src/alerts/dashboard/`, static
 * files, no build step) and chart.js's UMD build from `node_modules`. Only a fixed list of files is
 * served (no path from the URL ever reaches the file system), read once at start.
 */
import { readFileSync, existsSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { requestUrl } from './ws-upgrade.js';

interface StaticFile {
  readonly body: Buffer;
  readonly type: string;
}

/**
 * The dashboard directory: next to this module when run from `src/` (tsx), or `src/alerts/dashboard`
 * of the package when run from `dist/alerts/` (package.json `files` ships it).
 * @throws Error when neither exists (a broken install).
 */
function dashboardDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const dir of [join(here, 'dashboard'), join(here, '..', '..', 'src', 'alerts', 'dashboard')]) {
    if (existsSync(join(dir, 'index.html'))) return dir;
  }
  throw new Error(`the dashboard files were not found next to ${here} (expected src/alerts/dashboard/index.html)`);
}

/** chart.js's UMD build (`dist/chart.umd.min.js`), found through the package's own entry point. */
function chartJsUmd(): string {
  const entry = createRequire(import.meta.url).resolve('chart.js');
  return join(dirname(entry), 'chart.umd.min.js');
}

let files: ReadonlyMap<string, StaticFile> | null = null;

/** The served files by URL path, loaded on first use. */
function staticFiles(): ReadonlyMap<string, StaticFile> {
  if (files === null) {
    const dir = dashboardDir();
    const js = 'text/javascript; charset=utf-8';
    files = new Map<string, StaticFile>([
      ['/', { body: readFileSync(join(dir, 'index.html')), type: 'text/html; charset=utf-8' }],
      ['/app.js', { body: readFileSync(join(dir, 'app.js')), type: js }],
      ['/style.css', { body: readFileSync(join(dir, 'style.css')), type: 'text/css; charset=utf-8' }],
      ['/vendor/chart.umd.min.js', { body: readFileSync(chartJsUmd()), type: js }],
    ]);
  }
  return files;
}

/** Loads the files now, so that a broken install fails at server start rather than on the first request. */
export function preloadStaticFiles(): void {
  staticFiles();
}

/** Answers one HTTP request: a dashboard file, 404 for any other path (or a target that is not a URL), 405 for a method other than GET/HEAD. */
export function serveStatic(req: IncomingMessage, res: ServerResponse): void {
  const path = requestUrl(req)?.pathname ?? null;
  const file = path === null ? undefined : staticFiles().get(path === '/index.html' ? '/' : path);
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain' }).end('method not allowed\n');
    return;
  }
  if (file === undefined) {
    res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found\n');
    return;
  }
  res.writeHead(200, {
    'Content-Type': file.type,
    'Content-Length': file.body.length,
    'Cache-Control': 'no-cache',
    'X-Content-Type-Options': 'nosniff',
    'Content-Security-Policy': "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; style-src 'self'",
  });
  res.end(req.method === 'HEAD' ? undefined : file.body);
}
