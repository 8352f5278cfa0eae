// `npm run bench` (scale section): random checkpoints with the exact shapes of GPT-2 124M, SmolLM2-135M and
// -360M and Qwen2.5-0.5B, as q8 and q4 bundles, each loaded in its own Node process: load time, peak RSS
// after loading and after attributing prompts of 16 and 64 tokens (m = 10). Prints a Markdown table;
// never fails on timing. `--shapes`, `--quants`, `--lengths`, `--m` pick a subset.

import { execFileSync } from 'node:child_process';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { formatBytes } from '../engine/units';
import type { QuantScheme } from '../engine/quant/quantize';
import { REAL_SHAPES, type RealShape } from '../testing/realShapes';
import { shapeBundle } from '../testing/shapeBundles';

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: {
    shapes: { type: 'string', default: Object.keys(REAL_SHAPES).join(',') },
    quants: { type: 'string', default: 'q8,q4' },
    lengths: { type: 'string', default: '16,64' },
    m: { type: 'string', default: '10' },
  },
});

const lengths = values.lengths!.split(',').map(Number);
console.log(`Node ${process.version}, onnxruntime-node CPU, ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'}), ${new Date().toISOString().slice(0, 10)}; m = ${values.m}`);
console.log('');
console.log(`| shape | quant | weights | load (s) | peak after load | ${lengths.map((n) => `${n} tok (s) | peak`).join(' | ')} |`);
console.log(`|---|---|---:|---:|---:|${lengths.map(() => '---:|---:').join('|')}|`);
for (const shape of values.shapes!.split(',') as RealShape[]) {
  for (const quant of values.quants!.split(',') as QuantScheme[]) {
    const dir = await shapeBundle(shape, quant, undefined, (line) => console.error(line));
    const out = execFileSync(process.execPath, ['--import', 'tsx', 'src/cli/benchScaleChild.ts', dir, lengths.join(','), values.m!], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 20 });
    const r = JSON.parse(out.trim().split('\n').pop()!);
    const cells = r.runs.map((run: { seconds: number; peak: number }) => `${run.seconds.toFixed(1)} | ${formatBytes(run.peak)}`);
    console.log(`| ${shape} | ${quant} | ${formatBytes(r.weightBytes)} | ${r.loadSeconds.toFixed(1)} | ${formatBytes(r.afterLoad.peak)} | ${cells.join(' | ')} |`);
  }
}
