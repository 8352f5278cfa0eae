// The browser half of the scale benchmark: bundles of real shapes (random weights; see src/cli/benchScale.ts)
// loaded in headless Chromium on WebAssembly through the engine harness (the app's worker path), one fresh
// browser per bundle so each renderer's peak memory is its own. Prints a Markdown table; never fails on
// timing. BENCH_SHAPES, BENCH_QUANTS, BENCH_LENGTHS and BENCH_M pick a subset.

import { existsSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { register } from 'tsx/esm/api';
import { CHROMIUM, CHROMIUM_ARGS, ensureChromium, startVite } from './lib/browser.mjs';
import { FIXTURE_PREFIX, fixturesRoot } from './lib/fixturesPlugin.mjs';
import { rendererPeakBytes } from './lib/rendererMemory.mjs';

register();
const { shapeBundle } = await import('../src/testing/shapeBundles.ts');
const { promptOfLength } = await import('../src/cli/benchPrompts.ts');
const { openTokenizer } = await import('../src/engine/tokenizer/tokenizer.ts');

const shapes = (process.env.BENCH_SHAPES ?? 'gpt2-124m,smollm2-135m,smollm2-360m,qwen2.5-0.5b').split(',');
const quants = (process.env.BENCH_QUANTS ?? 'q8,q4').split(',');
const lengths = (process.env.BENCH_LENGTHS ?? '16').split(',').map(Number);
const m = Number(process.env.BENCH_M ?? 10);
const MiB = 2 ** 20;

ensureChromium();
const { server, baseUrl } = await startVite();
const servedRoot = join(fixturesRoot, 'bench-scale');
mkdirSync(servedRoot, { recursive: true });
console.log(`Chromium, WebAssembly (engine harness), m = ${m}, ${new Date().toISOString().slice(0, 10)}`);
console.log('');
console.log(`| shape | quant | load (s) | ${lengths.map((n) => `${n} tok (s)`).join(' | ')} | renderer peak |`);
console.log(`|---|---|---:|${lengths.map(() => '---:').join('|')}|---:|`);
try {
  for (const shape of shapes) {
    for (const quant of quants) {
      const dir = await shapeBundle(shape, quant, undefined, (line) => console.error(line));
      const name = `${shape}-${quant}`;
      if (!existsSync(join(servedRoot, name))) symlinkSync(resolve(dir), join(servedRoot, name));
      // Prompts of exact token lengths, made with the bundle's own tokenizer (no session: the tokenizer alone).
      const json = (file) => JSON.parse(readFileSync(join(dir, file), 'utf8'));
      const tokenizer = openTokenizer(json('tokenizer.json'), existsSync(join(dir, 'tokenizer_config.json')) ? json('tokenizer_config.json') : null, dir);
      const prompts = lengths.map((n) => promptOfLength(tokenizer, n));
      const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
      const cells = [];
      let load = NaN;
      try {
        const page = await browser.newPage();
        await page.goto(`${baseUrl}/e2e/pages/engine-harness.html`);
        await page.waitForFunction(() => window.engineHarnessReady === true, null, { timeout: 120_000 });
        for (const [k, prompt] of prompts.entries()) {
          const { timings } = await page.evaluate((req) => window.runAttribution(req), { backend: 'wasm', bundleUrl: `${FIXTURE_PREFIX}bench-scale/${name}/`, prompt, target: { kind: 'next' }, params: { m } });
          if (k === 0) load = timings.loadMs / 1000;
          cells.push((timings.attributeMs / 1000).toFixed(1));
        }
      } catch (e) {
        cells.push(`failed: ${String(e instanceof Error ? e.message : e).split('\n')[0].slice(0, 80)}`);
      }
      console.log(`| ${shape} | ${quant} | ${Number.isNaN(load) ? '–' : load.toFixed(1)} | ${cells.join(' | ')} | ${(rendererPeakBytes() / MiB).toFixed(0)} MiB |`);
      await browser.close();
    }
  }
} finally {
  await server.close();
}
