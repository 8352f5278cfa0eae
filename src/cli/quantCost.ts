// `npx tsx src/cli/quantCost.ts <bundle-dir>...`: what quantized storage costs at run time —
// session creation, resident memory, and forward / gradient pass times (batch 8 × 64 tokens).

import { createNodeRuntime } from '../engine/runtime/nodeRuntime';
import { loadBundleDir } from './loadBundle';

const B = 8;
const T = 64;
const REPEATS = 21;

async function median(run: () => Promise<unknown>): Promise<number> {
  await run();
  const times: number[] = [];
  for (let i = 0; i < REPEATS; i++) {
    const t = performance.now();
    await run();
    times.push(performance.now() - t);
  }
  return times.sort((a, b) => a - b)[REPEATS >> 1];
}

console.log('| bundle | quant | weights MiB | load ms | RSS after load MiB | forward ms | gradient ms |');
console.log('|---|---|---:|---:|---:|---:|---:|');
for (const dir of process.argv.slice(2)) {
  const rssBefore = process.memoryUsage().rss;
  const t0 = performance.now();
  const model = await loadBundleDir(dir, await createNodeRuntime());
  const loadMs = performance.now() - t0;
  const rss = (process.memoryUsage().rss - rssBefore) / 2 ** 20;
  const d = model.config.hiddenSize;
  const x = Float32Array.from({ length: B * T * d }, (_, i) => Math.sin(i) * 0.05);
  const forward = await median(() => model.logitsAt(x, B, T, Array(B).fill(T - 1)));
  const gradient = await median(() => model.gradient(x, B, T, { rows: [T - 1], ids: [1], weights: [1] }));
  const m = model.manifest;
  console.log(`| ${m.modelId} | ${m.quantization.requested} | ${(m.weights.bytes / 2 ** 20).toFixed(1)} | ${loadMs.toFixed(0)} | ${rss.toFixed(0)} | ${forward.toFixed(1)} | ${gradient.toFixed(1)} |`);
  await model.release();
}
