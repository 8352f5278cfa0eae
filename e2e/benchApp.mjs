// The app as a user meets it, timed in headless Chromium on WebAssembly with the demo model: the model
// ready on a first visit (fresh browser profile) and on a reload; then, for prompts of 16, 64 and 256
// tokens at the default m, the estimate the page showed before Run, the first coloured heatmap token and
// the full result. Not a test: prints a Markdown table and never fails on timing.
//
//   node e2e/benchApp.mjs            (BENCH_LENGTHS=16,64 for a subset; BENCH_M=2 for another m than the app's)

import { chromium } from 'playwright-core';
import { register } from 'tsx/esm/api';
import { CHROMIUM, CHROMIUM_ARGS, ensureChromium, startVite } from './lib/browser.mjs';

register();
const { AttributionModel } = await import('../src/engine/model/attributionModel.ts');
const { createNodeRuntime } = await import('../src/engine/runtime/nodeRuntime.ts');
const { bundleDirSource } = await import('../src/node/bundleFiles.ts');
const { promptOfLength } = await import('../src/cli/benchPrompts.ts');

const lengths = (process.env.BENCH_LENGTHS ?? '16,64,256').split(',').map(Number);
const m = process.env.BENCH_M;
const bundleDir = 'models/demo/bundle';
const model = await AttributionModel.load(bundleDirSource(bundleDir), await createNodeRuntime());
const prompts = lengths.map((n) => promptOfLength(model.tokenizer, n));
await model.release();

ensureChromium();
const { server, baseUrl } = await startVite();
const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
const seconds = (ms) => (ms / 1000).toFixed(1);

/** Milliseconds from navigation until the model card shows the loaded model. */
async function modelReady(page, navigate) {
  const started = Date.now();
  await navigate();
  await page.waitForSelector('[data-testid=model-backend][data-backend=wasm]', { timeout: 180_000 });
  return Date.now() - started;
}

try {
  const context = await browser.newContext();
  const page = await context.newPage();
  const link = `${baseUrl}/#backend=wasm`;
  // The dev server compiles the app's modules on their first request: one visit first, as a user's second.
  await modelReady(page, () => page.goto(link));
  const fresh = await browser.newContext();
  const freshPage = await fresh.newPage();
  const first = await modelReady(freshPage, () => freshPage.goto(link));
  await fresh.close();
  const reloads = [];
  for (let k = 0; k < 3; k++) reloads.push(await modelReady(page, () => page.reload()));
  reloads.sort((a, b) => a - b);
  console.log(`Chromium ${browser.version()}, WebAssembly, demo model, ${new Date().toISOString().slice(0, 10)}`);
  console.log('');
  console.log(`Model ready: first visit (fresh browser profile) ${seconds(first)} s; reload ${seconds(reloads[1])} s (median of 3: ${reloads.map(seconds).join(', ')}).`);
  console.log('');
  console.log('| tokens | m | estimate shown before Run | asked first? | first coloured token (s) | full result (s) |');
  console.log('|---:|---:|---|---|---:|---:|');
  if (m) await page.fill('[data-testid=m-input]', m);
  const shownM = await page.inputValue('[data-testid=m-input]');
  for (const [k, prompt] of prompts.entries()) {
    await page.fill('[data-testid=prompt-input]', prompt);
    const estimate = await (await page.waitForSelector('[data-testid=run-estimate]', { timeout: 60_000 })).textContent();
    const basis = await page.getAttribute('[data-testid=run-estimate]', 'title');
    // The text's own tokens are shown uncoloured until the run's first token is done.
    await page.click('[data-testid=run-button]');
    let started = Date.now();
    let asked = false;
    let coloured = null;
    for (;;) {
      if (await page.locator('[data-testid=long-run-confirm]').count()) {
        await page.click('[data-testid=long-run-go]');
        asked = true;
        started = Date.now();
      }
      if (coloured === null && (await page.locator('[data-testid=heatmap] [data-testid=token][data-value]').count())) coloured = Date.now() - started;
      if (await page.locator('[data-testid=run-status][data-state=done]').count()) break;
      await page.waitForTimeout(100);
    }
    const done = Date.now() - started;
    console.log(`| ${lengths[k]} | ${shownM} | ${estimate.replace(/^run ≈ /, '')} (${/last run/.test(basis) ? 'measured speed' : 'first pass'}) | ${asked ? 'yes' : 'no'} | ${seconds(coloured)} | ${seconds(done)} |`);
  }
  await context.close();
} finally {
  await browser.close();
  await server.close();
}
