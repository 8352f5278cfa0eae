// A Vite plugin serving e2e/.fixtures at /__e2e_fixtures/ on the dev and preview servers
// (Vite's own static serving skips dot folders, and a production build has no such files).
import { createReadStream, existsSync, statSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export const FIXTURE_PREFIX = '/__e2e_fixtures/';
export const fixturesRoot = join(dirname(dirname(fileURLToPath(import.meta.url))), '.fixtures');

function middleware(req, res, next) {
  const url = req.url ?? '';
  if (!url.startsWith(FIXTURE_PREFIX)) return next();
  const rel = decodeURIComponent(url.slice(FIXTURE_PREFIX.length).split('?')[0]);
  const path = resolve(fixturesRoot, rel);
  if (!path.startsWith(fixturesRoot + sep) || !existsSync(path) || !statSync(path).isFile()) {
    res.statusCode = 404;
    res.end('not found');
    return;
  }
  res.setHeader('Content-Type', 'application/octet-stream');
  res.setHeader('Content-Length', String(statSync(path).size));
  res.setHeader('Cache-Control', 'no-store');
  createReadStream(path).pipe(res);
}

export function fixturesPlugin() {
  return {
    name: 'e2e-fixtures',
    configureServer(server) {
      server.middlewares.use(middleware);
    },
    configurePreviewServer(server) {
      server.middlewares.use(middleware);
    },
  };
}
