// `heta convert <checkpoint-dir> <bundle-dir> [--quant none|q8|q4] [--id <model-id>]`

import { basename, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { openCheckpoint } from '../engine/checkpoint/checkpoint';
import { compileBundle } from '../engine/compiler/bundle';
import type { QuantScheme } from '../engine/quant/quantize';
import { writeBundleDir } from '../node/bundleFiles';
import { directorySource } from '../node/fileSource';
import { formatBytes, progressLine } from './progress';

const SCHEMES: QuantScheme[] = ['none', 'q8', 'q4'];

export async function convertCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { quant: { type: 'string', default: 'q8' }, id: { type: 'string' } },
  });
  if (positionals.length !== 2) throw new Error('usage: heta convert <checkpoint-dir> <bundle-dir> [--quant none|q8|q4] [--id <model-id>]');
  const quant = values.quant as QuantScheme;
  if (!SCHEMES.includes(quant)) throw new Error(`--quant must be one of ${SCHEMES.join(', ')}, got '${values.quant}'`);
  const [from, to] = positionals.map((p) => resolve(p));
  const started = performance.now();
  const progress = progressLine();
  const ckpt = await openCheckpoint(directorySource(from), (p) => progress.update(p.kind === 'read' ? 'reading' : 'hashing', p.done, p.total, p.file));
  progress.done();
  const { manifest, files } = await compileBundle(ckpt, {
    quant,
    modelId: values.id ?? basename(from),
    onProgress: (p) => progress.update(p.stage, p.done, p.total, p.detail),
  });
  progress.done();
  const bytes = await writeBundleDir(to, files);
  const seconds = (performance.now() - started) / 1000;
  const c = manifest.config;
  console.log(
    [
      `converted ${manifest.hfArchitecture} '${manifest.modelId}' → ${to}`,
      `  parameters   ${manifest.parameters.toLocaleString('en-US')} (${c.numLayers} layers, d=${c.hiddenSize}, heads ${c.numHeads}/${c.numKvHeads} kv, vocab ${c.vocabSize})`,
      `  quantization ${quant} (tensors: ${Object.entries(manifest.quantization.tensors).map(([k, n]) => `${k} ${n}`).join(', ')})`,
      `  bundle       ${formatBytes(bytes)} (weights ${formatBytes(manifest.weights.bytes)})`,
      `  time         ${seconds.toFixed(1)} s`,
    ].join('\n'),
  );
}
