// A real-size model in the browser: a random checkpoint with SmolLM2-135M's exact shape (30 layers,
// d = 576, 49,152-token vocabulary), compiled to a q8 bundle, loaded by the engine harness on WebAssembly
// (the app's worker path: fetch, SHA-256, one onnxruntime-web session) and attributing a short prompt.
// The bundle format this replaced died with std::bad_alloc here. Times and memory are logged, not asserted.

import assert from 'node:assert/strict';
import { symlinkSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { shapeBundle } from '../src/testing/shapeBundles.ts';
import { rendererPeakBytes } from './lib/rendererMemory.mjs';

export const timeout = 600_000;

const MiB = 2 ** 20;

export async function wasmLoadsAndAttributesSmolLM2Shape(ctx) {
  const dir = await shapeBundle('smollm2-135m', 'q8', undefined, (line) => ctx.log(line));
  // Served from the fixtures folder (the dev server does not serve .cache).
  const served = join(ctx.fixturesDir, 'smollm2-135m-q8');
  if (!existsSync(served)) symlinkSync(resolve(dir), served);
  const page = await ctx.openPage('/e2e/pages/engine-harness.html');
  await page.waitForFunction(() => window.engineHarnessReady === true || window.engineHarnessError !== undefined, null, { timeout: 60_000 });
  const { result, timings, runtimeDetail } = await page.evaluate((req) => window.runAttribution(req), {
    backend: 'wasm',
    bundleUrl: ctx.fixtureUrl('smollm2-135m-q8/'),
    prompt: 'The cat sat on the mat because',
    target: { kind: 'next' },
    params: { m: 1 },
  });
  assert.match(runtimeDetail, /^WebAssembly/);
  assert.ok(result.tokens.length >= 4, `tokens: ${result.tokens.length}`);
  assert.ok(result.scores.every(Number.isFinite), 'every score is finite');
  assert.equal(result.scores.length, result.target.position);
  ctx.log(`SmolLM2-135M shape, q8, ${runtimeDetail}: load ${(timings.loadMs / 1000).toFixed(1)} s, attribute ${result.target.position} tokens (m = 1) ${(timings.attributeMs / 1000).toFixed(1)} s (the whole Run with predictions and warm-up ${(timings.runMs / 1000).toFixed(1)} s), renderer peak ${(rendererPeakBytes() / MiB).toFixed(0)} MiB`);
}
