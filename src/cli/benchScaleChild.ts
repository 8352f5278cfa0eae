// One bundle in its own process, so its peak RSS is its own: load time and memory, then HETA (m = 10 by
// default) on prompts of the given lengths. Prints one JSON line. Used by benchScale.ts.

import { attribute } from '../engine/attribution/heta';
import { createNodeRuntime } from '../engine/runtime/nodeRuntime';
import { promptOfLength } from './benchPrompts';
import { loadBundleDir } from './loadBundle';

const [dir, lengthList = '16', mText = '10'] = process.argv.slice(2);
const peakBytes = () => process.resourceUsage().maxRSS * 1024;
const started = performance.now();
const model = await loadBundleDir(dir!, await createNodeRuntime(), process.stderr);
const loadSeconds = (performance.now() - started) / 1000;
const afterLoad = { rss: process.memoryUsage().rss, peak: peakBytes() };
const runs: { tokens: number; seconds: number; peak: number; passes: number }[] = [];
for (const n of lengthList.split(',').filter(Boolean).map(Number)) {
  const t = performance.now();
  const r = await attribute(model, promptOfLength(model.tokenizer, n), { kind: 'next' }, { m: Number(mText) });
  runs.push({ tokens: r.target.position, seconds: (performance.now() - t) / 1000, peak: peakBytes(), passes: r.passes.gradient });
}
await model.release();
console.log(JSON.stringify({ loadSeconds, afterLoad, runs, weightBytes: model.manifest.weights.bytes, backend: model.backendDetail }));
