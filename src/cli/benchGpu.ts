// `npm run bench:gpu`: HETA (m = 10) on a real GPU through onnxruntime-node's WebGPU execution provider
// (Dawn over Vulkan, the WebGPU kernels the browser runs), for prompts of 16, 64 and 128 tokens on the
// demo model and on a SmolLM2-135M-shaped bundle: passes, time, FLOP/s, the share of the GPU's FP32 peak,
// and agreement with the CPU path on the same attribution. Without a Vulkan driver it says so and exits.
// Not a test: prints a Markdown table.

import { execFileSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { attributionFlops } from '../engine/model/cost';
import { attribute } from '../engine/attribution/heta';
import type { AttributionResult } from '../engine/attribution/schema';
import { topOverlap } from '../engine/metrics/faithfulness';
import { spearman } from '../engine/metrics/stats';
import type { AttributionModel } from '../engine/model/attributionModel';
import { createNodeRuntime } from '../engine/runtime/nodeRuntime';
import { shapeBundle } from '../testing/shapeBundles';
import { promptOfLength } from './benchPrompts';
import { loadBundleDir } from './loadBundle';

/** FP32 peak (TFLOP/s, dense, boost clock) of GPUs this may meet, by a substring of the name nvidia-smi reports. */
const FP32_PEAK_TFLOPS: [string, number][] = [
  ['H200', 67],
  ['H100 SXM', 67],
  ['H100', 51],
  ['A100', 19.5],
  ['L40S', 91.6],
  ['L4', 30.3],
  ['A10G', 31.2],
  ['T4', 8.1],
  ['RTX 4090', 82.6],
];

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: {
    lengths: { type: 'string', default: '16,64,128' },
    m: { type: 'string', default: '10' },
    models: { type: 'string', default: 'demo,smollm2-135m' },
    'peak-tflops': { type: 'string' },
  },
});

function gpuName(): string | null {
  try {
    return execFileSync('nvidia-smi', ['--query-gpu=name', '--format=csv,noheader'], { encoding: 'utf8' }).trim().split('\n')[0] || null;
  } catch {
    return null;
  }
}

const gpu = await createNodeRuntime({ provider: 'webgpu' });
const cpu = await createNodeRuntime();
const name = gpuName();
const peak = values['peak-tflops'] ? Number(values['peak-tflops']) : (FP32_PEAK_TFLOPS.find(([k]) => name?.includes(k))?.[1] ?? null);
const m = Number(values.m);

async function load(dir: string, runtime: typeof gpu): Promise<AttributionModel | null> {
  try {
    return await loadBundleDir(dir, runtime);
  } catch (e) {
    const text = e instanceof Error ? e.message : String(e);
    if (/adapter|vulkan/i.test(text)) {
      console.log(`No WebGPU adapter through Vulkan on this machine (${text.split('\n')[0]}).`);
      console.log('On a machine with an NVIDIA GPU, install libvulkan1 (the Vulkan loader) next to the NVIDIA driver; for a slow software check, set VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json.');
      process.exit(0);
    }
    throw e;
  }
}

function agreement(a: AttributionResult, b: AttributionResult): string {
  const scale = Math.max(...b.scores.map(Math.abs));
  const maxRel = Math.max(...a.scores.map((v, i) => Math.abs(v - b.scores[i]!))) / (scale || 1);
  const k = Math.min(5, b.scores.length);
  return `${maxRel.toExponential(1)} | ${spearman(a.scores, b.scores).toFixed(4)} | ${topOverlap(a.scores, b.scores, k)}/${k}`;
}

console.log(`${gpu.detail}${name ? ` on ${name}` : ''}; FP32 peak ${peak ? `${peak} TFLOP/s` : 'unknown (pass --peak-tflops)'}; ${new Date().toISOString().slice(0, 10)}; m = ${m}`);
console.log('');
console.log('| model | tokens | passes | GPU (s) | GFLOP/s | % of FP32 peak | CPU (s) | max rel. diff of scores | Spearman | top-5 |');
console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const which of values.models!.split(',')) {
  const dir = which === 'demo' ? 'models/demo/bundle' : await shapeBundle(which as 'smollm2-135m', 'q8', undefined, (l) => console.error(l));
  const onGpu = await load(dir, gpu);
  const onCpu = await load(dir, cpu);
  if (!onGpu || !onCpu) continue;
  for (const n of values.lengths!.split(',').map(Number)) {
    const prompt = promptOfLength(onGpu.tokenizer, n);
    await attribute(onGpu, prompt, { kind: 'next' }, { m: 1 }); // warm-up: shaders compile on first use
    let t = performance.now();
    const g = await attribute(onGpu, prompt, { kind: 'next' }, { m });
    const gpuSeconds = (performance.now() - t) / 1000;
    t = performance.now();
    const c = await attribute(onCpu, prompt, { kind: 'next' }, { m });
    const cpuSeconds = (performance.now() - t) / 1000;
    const flops = attributionFlops(onGpu.config, g.target.position, m);
    const rate = flops / gpuSeconds;
    const passes = g.passes.inspect + g.passes.masked + g.passes.gradient;
    console.log(`| ${which} | ${g.target.position} | ${passes} | ${gpuSeconds.toFixed(2)} | ${(rate / 1e9).toFixed(1)} | ${peak ? ((100 * rate) / (peak * 1e12)).toFixed(2) : '–'} | ${cpuSeconds.toFixed(2)} | ${agreement(g, c)} |`);
  }
  await onGpu.release();
  await onCpu.release();
}
