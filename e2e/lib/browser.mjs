// Shared by the e2e runner and the browser benchmark: Debian's Chromium (installed with apt when
// missing and running as root), its flags for this closed network, and a Vite dev server with the
// test fixtures plugin.

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer as createNetServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fixturesPlugin } from './fixturesPlugin.mjs';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--enable-unsafe-webgpu',
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
  // No --enable-features=...: it would replace the list Playwright passes.
];

export function ensureChromium() {
  if (existsSync(CHROMIUM)) return;
  if (CHROMIUM !== '/usr/bin/chromium') throw new Error(`CHROMIUM_PATH=${CHROMIUM} does not exist`);
  if (process.getuid?.() !== 0) {
    throw new Error(
      'Chromium not found at /usr/bin/chromium and not running as root to install it: ' +
        'run `sudo apt-get install -y chromium` or set CHROMIUM_PATH',
    );
  }
  console.log('Chromium missing: installing with apt-get (this takes a few minutes)...');
  for (const args of [['update'], ['install', '-y', '--no-install-recommends', 'chromium']]) {
    const r = spawnSync('apt-get', args, { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    if (r.status !== 0) throw new Error(`apt-get ${args.join(' ')} failed (exit ${r.status})`);
  }
  if (!existsSync(CHROMIUM)) throw new Error('apt-get installed chromium but /usr/bin/chromium is still missing');
}

function freePort() {
  return new Promise((res, rej) => {
    const srv = createNetServer();
    srv.unref();
    srv.on('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => res(port));
    });
  });
}

export async function startVite() {
  const { createServer } = await import('vite');
  const port = await freePort();
  const server = await createServer({
    root: repoRoot,
    configFile: join(repoRoot, 'vite.config.ts'),
    logLevel: 'warn',
    clearScreen: false,
    plugins: [fixturesPlugin()],
    // No HMR or file watching: a test run must not reload its pages when sources change underneath it.
    server: { host: '127.0.0.1', port, strictPort: true, open: false, hmr: false, watch: null },
  });
  await server.listen();
  return { server, baseUrl: `http://127.0.0.1:${port}` };
}

