// `npm run bench`: wall time of full HETA attributions (m = 10) in Node for prompts of 16, 64 and 256
// tokens, with pass counts, FLOPs and achieved FLOP/s. Prints a Markdown table for the README.

import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { attributionFlops } from '../engine/attribution/cost';
import { attribute } from '../engine/attribution/heta';
import { AttributionModel } from '../engine/model/attributionModel';
import { createNodeRuntime } from '../engine/runtime/nodeRuntime';
import { bundleDirSource } from '../node/bundleFiles';
import { promptOfLength } from './benchPrompts';

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: {
    model: { type: 'string', default: 'models/demo/bundle' },
    lengths: { type: 'string', default: '16,64,256' },
    m: { type: 'string', default: '10' },
    threads: { type: 'string' },
    ablation: { type: 'string', default: '64' },
  },
});

const runtime = await createNodeRuntime({ threads: values.threads ? Number(values.threads) : undefined });
const model = await AttributionModel.load(bundleDirSource(values.model!), runtime);
const m = Number(values.m);
console.log(`model ${model.manifest.modelId} (${model.manifest.parameters.toLocaleString('en-US')} parameters, ${model.manifest.quantization.requested}); ${runtime.detail}; ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'})`);
console.log(`date ${new Date().toISOString().slice(0, 10)}, m = ${m}, central differences`);
console.log('');
console.log('| tokens | total (s) | first partial M+I (s) | passes (inspect / masked / gradient) | GFLOP | GFLOP/s |');
console.log('|---:|---:|---:|---|---:|---:|');
for (const n of values.lengths!.split(',').map(Number)) {
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
if (n > 0) {
  const prompt = promptOfLength(model.tokenizer, n);
  console.log('');
  console.log(`| S at ${n} tokens, m = ${m} | Hessian phase (s) | gradient passes |`);
  console.log('|---|---:|---:|');
  const variants: [string, { maxBatch?: number; prefixReuse: boolean; roundsPerUpdate?: number }][] = [
    ['one item per pass, full sequence', { maxBatch: 1, prefixReuse: false }],
    ['batched, full sequence', { prefixReuse: false }],
    ['batched, cached prefix (default)', { prefixReuse: true }],
    ['batched, cached prefix, all rounds in one batch', { prefixReuse: true, roundsPerUpdate: m }],
  ];
  for (const [label, options] of variants) {
    const r = await attribute(model, prompt, { kind: 'next' }, { m }, options);
    console.log(`| ${label} | ${(r.timings.hessianMs / 1000).toFixed(2)} | ${r.passes.gradient} |`);
  }
}
await model.release();
