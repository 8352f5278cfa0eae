#!/usr/bin/env node
// End-to-end test runner: Vite dev server + headless Chromium (WebGPU via SwiftShader) + specs.
//
//   node e2e/run.mjs [filter ...]
//
// Runs every e2e/**/*.spec.{mjs,ts} sequentially. A spec's exported functions are its tests; each
// receives a context (see `makeContext`). `export const timeout = ms` in a spec sets its per-test
// timeout (default E2E_TIMEOUT_MS or 120 s). A filter keeps the tests whose "file › name"
// contains it (case-insensitive). Ends with the line "N passed, M failed"; exit code 1 if any
// test failed or none ran.
//
// Environment: CHROMIUM_PATH (default /usr/bin/chromium), E2E_TIMEOUT_MS, E2E_HEADED=1.

import { mkdirSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { register } from 'tsx/esm/api';
import { CHROMIUM, CHROMIUM_ARGS, ensureChromium, startVite } from './lib/browser.mjs';
import { FIXTURE_PREFIX, fixturesRoot } from './lib/fixturesPlugin.mjs';

const e2eDir = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(e2eDir, '..');
const DEFAULT_TIMEOUT_MS = Number(process.env.E2E_TIMEOUT_MS) || 120_000;
const filters = process.argv.slice(2).map((f) => f.toLowerCase());

function findSpecs(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...findSpecs(path));
    else if (/\.spec\.(mjs|ts)$/.test(name)) out.push(path);
  }
  return out;
}

function withTimeout(promise, ms, label) {
  let timer;
  const t = new Promise((_, rej) => {
    timer = setTimeout(() => rej(new Error(`${label} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, t]).finally(() => clearTimeout(timer));
}

/**
 * The context a test receives:
 *   browser      the Playwright Browser
 *   baseUrl      the Vite dev server, e.g. http://127.0.0.1:41234
 *   repoRoot     absolute path of the repository
 *   fixturesDir  e2e/.fixtures/<spec name>/ (created), for files generated at runtime
 *   fixtureUrl(file)  URL of a file under fixturesDir, served by the dev server
 *   openPage(path)    a new page in a fresh browser context (closed after the test), navigated
 *                     to baseUrl + path; its console errors, page errors and failed requests are
 *                     collected and printed if the test fails
 *   log(...args)      output printed under the test's line
 */
function makeContext({ browser, baseUrl, specName }) {
  const fixturesDir = join(fixturesRoot, specName);
  mkdirSync(fixturesDir, { recursive: true });
  const contexts = [];
  const consoleErrors = [];
  const logs = [];
  const ctx = {
    browser,
    baseUrl,
    repoRoot,
    fixturesDir,
    fixtureUrl: (file) => `${FIXTURE_PREFIX}${specName}/${file}`,
    log: (...args) => logs.push(args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' ')),
    async openPage(path = '/') {
      const context = await browser.newContext();
      contexts.push(context);
      const page = await context.newPage();
      page.on('console', (msg) => {
        const text = msg.text();
        if (msg.type() === 'error' && !/^Failed to load resource: the server responded with a status/.test(text)) consoleErrors.push(`console.error: ${text}`);
      });
      page.on('pageerror', (err) => consoleErrors.push(`page error: ${err.message}`));
      page.on('requestfailed', (req) => consoleErrors.push(`request failed: ${req.url()} (${req.failure()?.errorText})`));
      // (console messages from the page's workers arrive here too)
      page.on('response', (res) => {
        if (res.status() >= 400 && !res.url().endsWith('/favicon.ico')) consoleErrors.push(`HTTP ${res.status()}: ${res.url()}`);
      });
      await page.goto(new URL(path, baseUrl).href);
      return page;
    },
  };
  const cleanup = async () => {
    await Promise.all(contexts.map((c) => c.close().catch(() => {})));
  };
  return { ctx, cleanup, consoleErrors, logs };
}

function indent(text) {
  return String(text)
    .split('\n')
    .map((l) => `     ${l}`)
    .join('\n');
}

async function main() {
  register(); // lets specs (and what they import) be TypeScript
  const specs = findSpecs(e2eDir);
  const plan = [];
  for (const file of specs) {
    const specName = relative(e2eDir, file).replace(/\.spec\.(mjs|ts)$/, '').replaceAll(sep, '__');
    const mod = await import(pathToFileURL(file).href);
    const timeout = typeof mod.timeout === 'number' ? mod.timeout : DEFAULT_TIMEOUT_MS;
    for (const [name, fn] of Object.entries(mod)) {
      if (typeof fn !== 'function') continue;
      const title = `${relative(e2eDir, file)} › ${name}`;
      if (filters.length && !filters.some((f) => title.toLowerCase().includes(f))) continue;
      plan.push({ title, fn, timeout, specName });
    }
  }
  if (!plan.length) {
    console.log(`no tests matched${filters.length ? ` the filter ${filters.join(' ')}` : ''}`);
    console.log('0 passed, 0 failed');
    return 1;
  }

  ensureChromium();
  const { chromium } = await import('playwright-core');
  const { server, baseUrl } = await startVite();
  let browser;
  let passed = 0;
  let failed = 0;
  try {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: process.env.E2E_HEADED !== '1',
      args: CHROMIUM_ARGS,
    });
    console.log(`e2e: ${plan.length} test(s), Chromium ${browser.version()}, ${baseUrl}`);
    for (const test of plan) {
      const started = Date.now();
      const { ctx, cleanup, consoleErrors, logs } = makeContext({ browser, baseUrl, specName: test.specName });
      let error;
      try {
        await withTimeout(Promise.resolve().then(() => test.fn(ctx)), test.timeout, 'test');
      } catch (e) {
        error = e;
      }
      await cleanup();
      const secs = ((Date.now() - started) / 1000).toFixed(1);
      if (!error) {
        passed++;
        console.log(`ok   ${test.title} (${secs} s)`);
        for (const l of logs) console.log(indent(l));
      } else {
        failed++;
        console.log(`FAIL ${test.title} (${secs} s)`);
        for (const l of logs) console.log(indent(l));
        console.log(indent(error instanceof Error ? (error.stack ?? error.message) : String(error)));
        if (consoleErrors.length) console.log(indent(`browser errors:\n${consoleErrors.join('\n')}`));
      }
    }
  } finally {
    await browser?.close().catch(() => {});
    await server.close().catch(() => {});
  }
  console.log(`${passed} passed, ${failed} failed`);
  return failed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(`e2e runner error: ${e instanceof Error ? (e.stack ?? e.message) : e}`);
    console.log('0 passed, 1 failed');
    process.exit(1);
  },
);
