// The browser half of `npm run bench`: full HETA attributions (m = 10) of the demo model in headless
// Chromium on WebAssembly with 1 and 2 threads, for prompts of 16, 64 and 256 tokens. Not a test:
// it prints a Markdown table and never fails on timing.

import { chromium } from 'playwright-core';
import { register } from 'tsx/esm/api';
import { CHROMIUM, CHROMIUM_ARGS, ensureChromium, startVite } from './lib/browser.mjs';

register();
const { AttributionModel } = await import('../src/engine/model/attributionModel.ts');
const { createNodeRuntime } = await import('../src/engine/runtime/nodeRuntime.ts');
const { bundleDirSource } = await import('../src/node/bundleFiles.ts');
const { attributionFlops } = await import('../src/engine/model/cost.ts');
const { promptOfLength } = await import('../src/cli/benchPrompts.ts');

const lengths = (process.env.BENCH_LENGTHS ?? '16,64,256').split(',').map(Number);
const m = Number(process.env.BENCH_M ?? 10);
const bundleDir = 'models/demo/bundle';

// Prompts of exact token lengths, made with the bundle's own tokenizer in Node.
const model = await AttributionModel.load(bundleDirSource(bundleDir), await createNodeRuntime());
const prompts = lengths.map((n) => promptOfLength(model.tokenizer, n));
const config = model.config;
await model.release();

ensureChromium();
const { server, baseUrl } = await startVite();
const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
console.log(`Chromium ${browser.version()}, WebAssembly, demo model, m = ${m}`);
console.log('');
console.log('| tokens | threads | total (s) | GFLOP | GFLOP/s |');
console.log('|---:|---:|---:|---:|---:|');
try {
  for (const threads of [1, 2]) {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${baseUrl}/e2e/pages/engine-harness.html`);
    await page.waitForFunction(() => window.engineHarnessReady === true, null, { timeout: 120_000 });
    const run = (prompt, params) =>
      page.evaluate((req) => window.runAttribution(req), { backend: 'wasm', numThreads: threads, bundleUrl: `/${bundleDir}/`, prompt, target: { kind: 'next' }, params });
    await run(prompts[0], { m: 1 }); // load the model and warm up
    for (const [k, prompt] of prompts.entries()) {
      const { result, timings, runtimeDetail } = await run(prompt, { m });
      const flops = attributionFlops(config, result.target.position, m);
      const seconds = timings.attributeMs / 1000;
      if (!runtimeDetail.includes(`${threads} thread`)) console.warn(`warning: asked for ${threads} thread(s), runtime says: ${runtimeDetail}`);
      console.log(`| ${lengths[k]} | ${threads} | ${seconds.toFixed(2)} | ${(flops / 1e9).toFixed(1)} | ${(flops / 1e9 / seconds).toFixed(1)} |`);
    }
    await context.close();
  }
} finally {
  await browser.close();
  await server.close();
}
