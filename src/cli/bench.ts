// `npm run bench`: wall time of full HETA attributions (m = 10) in Node for prompts of 16, 64 and 256
// tokens, with pass counts, FLOPs and achieved FLOP/s; the effect of each speed-up on S; and adaptive
// probing against fixed m. Prints Markdown tables for the README. `--sections speed,ablation,adaptive`
// picks the sections (all by default).

import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { attributionFlops } from '../engine/model/cost';
import { attribute } from '../engine/attribution/heta';
import { createNodeRuntime } from '../engine/runtime/nodeRuntime';
import { loadBundleDir } from './loadBundle';
import { promptOfLength } from './benchPrompts';
import { DEFAULT_PARAMS, type AttributionParams } from '../engine/attribution/schema';
import { topOverlap } from '../engine/metrics/faithfulness';
import { spearman } from '../engine/metrics/stats';

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: {
    model: { type: 'string', default: 'models/demo/bundle' },
    lengths: { type: 'string', default: '16,64,256' },
    m: { type: 'string', default: '10' },
    threads: { type: 'string' },
    ablation: { type: 'string', default: '64' },
    adaptive: { type: 'string', default: '16,64' },
    sections: { type: 'string', default: 'speed,ablation,adaptive' },
  },
});
const sections = new Set(values.sections!.split(','));

const runtime = await createNodeRuntime({ threads: values.threads ? Number(values.threads) : undefined });
const model = await loadBundleDir(values.model!, runtime);
const m = Number(values.m);
console.log(`model ${model.manifest.modelId} (${model.manifest.parameters.toLocaleString('en-US')} parameters, ${model.manifest.quantization.requested}); ${runtime.detail}; ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'})`);
console.log(`date ${new Date().toISOString().slice(0, 10)}, m = ${m}, central differences`);
if (sections.has('speed')) {
  console.log('');
  console.log('| tokens | total (s) | first partial M+I (s) | passes (inspect / masked / gradient) | GFLOP | GFLOP/s |');
  console.log('|---:|---:|---:|---|---:|---:|');
}
for (const n of sections.has('speed') ? values.lengths!.split(',').map(Number) : []) {
  const prompt = promptOfLength(model.tokenizer, n);
  await attribute(model, prompt, { kind: 'next' }, { m: 1 }); // warm-up: session optimizations, allocator
  const started = performance.now();
  let firstPartial = NaN;
  const r = await attribute(model, prompt, { kind: 'next' }, { m }, {
    onProgress: (p) => {
      if (p.phase === 'hessian' && p.done === 0) firstPartial = performance.now() - started;
    },
  });
  const seconds = (performance.now() - started) / 1000;
  const flops = attributionFlops(model.config, r.target.position, m);
  console.log(
    `| ${r.target.position} | ${seconds.toFixed(2)} | ${(firstPartial / 1000).toFixed(2)} | ${r.passes.inspect} / ${r.passes.masked} / ${r.passes.gradient} | ${(flops / 1e9).toFixed(1)} | ${(flops / 1e9 / seconds).toFixed(1)} |`,
  );
}
// The effect of each speed-up on S, at one length: unbatched full passes, batched full passes, batched with prefix reuse.
const n = Number(values.ablation);
if (sections.has('ablation') && n > 0) {
  const prompt = promptOfLength(model.tokenizer, n);
  console.log('');
  console.log(`| S at ${n} tokens, m = ${m} | Hessian phase (s) | gradient passes |`);
  console.log('|---|---:|---:|');
  const variants: [string, { maxBatch?: number; prefixReuse: boolean }][] = [
    ['one item per pass, full sequence', { maxBatch: 1, prefixReuse: false }],
    ['batched, full sequence', { prefixReuse: false }],
    ['batched, cached prefix (default)', { prefixReuse: true }],
  ];
  for (const [label, options] of variants) {
    const r = await attribute(model, prompt, { kind: 'next' }, { m }, options);
    console.log(`| ${label} | ${(r.timings.hessianMs / 1000).toFixed(2)} | ${r.passes.gradient} |`);
  }
}
// Adaptive probing (default target and minimum) and forward differences against fixed m with the same seed:
// passes, time, and how far the final scores and S move.
if (sections.has('adaptive')) {
  console.log('');
  console.log(`| tokens | S estimate (m = ${m}, seed 0) | gradient passes | fewer passes than fixed | probes per token (min / mean / max) | Hessian phase (s) | total (s) | Spearman of scores | top-5 overlap | max rel. ΔS | max ΔS / max S |`);
  console.log('|---:|---|---:|---:|---|---:|---:|---:|---:|---:|---:|');
  for (const n of values.adaptive!.split(',').map(Number)) {
    const prompt = promptOfLength(model.tokenizer, n);
    await attribute(model, prompt, { kind: 'next' }, { m: 1 }); // warm-up
    const fixed = await attribute(model, prompt, { kind: 'next' }, { m });
    const variants: [string, Partial<AttributionParams>][] = [
      ['fixed, central', {}],
      [`adaptive, SE ≤ ${DEFAULT_PARAMS.seTarget} · max S, ≥ ${DEFAULT_PARAMS.minProbes} probes`, { adaptive: true }],
      ['fixed, forward (first-order)', { difference: 'forward' }],
    ];
    for (const [label, params] of variants) {
      const r = label === 'fixed, central' ? fixed : await attribute(model, prompt, { kind: 'next' }, { m, ...params });
      const counts = r.sensitivity!.probesPerToken;
      const overlap = topOverlap(r.scores, fixed.scores, 5);
      const S = r.components.S;
      const fixedS = fixed.components.S;
      const maxRel = Math.max(...S.map((s, i) => Math.abs(s - fixedS[i]) / fixedS[i]));
      const maxAbs = Math.max(...S.map((s, i) => Math.abs(s - fixedS[i]))) / Math.max(...fixedS);
      console.log(
        `| ${r.target.position} | ${label} | ${r.passes.gradient} | ${(fixed.passes.gradient / r.passes.gradient).toFixed(2)}× | ` +
          `${Math.min(...counts)} / ${(counts.reduce((a, b) => a + b, 0) / counts.length).toFixed(1)} / ${Math.max(...counts)} | ` +
          `${(r.timings.hessianMs / 1000).toFixed(2)} | ${(r.timings.totalMs / 1000).toFixed(2)} | ${spearman(r.scores, fixed.scores).toFixed(4)} | ${overlap}/5 | ${maxRel.toFixed(3)} | ${maxAbs.toFixed(3)} |`,
      );
    }
  }
}
await model.release();
