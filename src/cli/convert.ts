// `heta convert <checkpoint-dir | hf:org/name[@revision]> <bundle-dir> [--quant none|q8|q4] [--id <model-id>] [--hub-url <url>] [--force]`

import { basename, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { openCheckpoint } from '../engine/checkpoint/checkpoint';
import type { FileSource } from '../engine/checkpoint/types';
import { planCheckpointDownload } from '../engine/hub/downloadPlan';
import { DEFAULT_HUB_URL, formatHubSpec, HUB_SPEC_PREFIX, isHubSpec, parseHubSpec } from '../engine/hub/hubRef';
import { hubFileSource } from '../engine/hub/hubSource';
import { compileBundle, MANIFEST_FILE } from '../engine/compiler/bundle';
import type { QuantScheme } from '../engine/quant/quantize';
import { checkBundleOutput, cleanLeftovers, writeBundleDir } from '../node/bundleFiles';
import { MAX_CONTEXT_TOKENS } from '../engine/limits';
import { directorySource } from '../node/fileSource';
import { formatBytes } from '../engine/units';
import { progressLine } from './progress';

const SCHEMES: QuantScheme[] = ['none', 'q8', 'q4'];
const USAGE = 'usage: heta convert <checkpoint-dir | hf:org/name[@revision]> <bundle-dir> [--quant none|q8|q4] [--id <model-id>] [--hub-url <url>] [--force]';

/**
 * A hub model, downloaded with a progress line. HF_TOKEN (sent to that hub only) opens gated models;
 * HF_ENDPOINT is the hub's usual variable for a mirror.
 */
async function hubSource(spec: string, hubUrl: string, progress: ReturnType<typeof progressLine>, signal: AbortSignal): Promise<{ source: FileSource; id: string }> {
  const ref = parseHubSpec(spec, hubUrl);
  const token = process.env.HF_TOKEN;
  const source = hubFileSource(ref, {
    headers: token ? { authorization: `Bearer ${token}` } : undefined,
    signal,
    onProgress: (p) => {
      const current = p.files.find((f) => f.total === null || f.loaded < f.total)?.name ?? '';
      progress.update('downloading', p.loaded, p.total, `${formatBytes(p.loaded)} of ${formatBytes(p.total)} ${current}`);
    },
  });
  await source.expect((await planCheckpointDownload(source)).files);
  return { source, id: formatHubSpec(ref).slice(HUB_SPEC_PREFIX.length) };
}

export async function convertCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { quant: { type: 'string', default: 'q8' }, id: { type: 'string' }, 'hub-url': { type: 'string' }, force: { type: 'boolean', default: false } },
  });
  if (positionals.length !== 2) throw new Error(USAGE);
  const quant = values.quant as QuantScheme;
  if (!SCHEMES.includes(quant)) throw new Error(`--quant must be one of ${SCHEMES.join(', ')}, got '${values.quant}'`);
  const [spec, out] = positionals as [string, string];
  const to = resolve(out);
  const local = isHubSpec(spec) ? undefined : resolve(spec);
  // Before any work: the output must be safe to write (leftovers of an interrupted run are tidied first).
  for (const note of await cleanLeftovers(to)) console.error(note);
  await checkBundleOutput(to, { force: values.force, source: local });

  // Ctrl-C stops the compile between steps and removes the partial folder; once the swap has begun it completes.
  const controller = new AbortController();
  const onSigint = () => {
    if (controller.signal.aborted) process.exit(130); // a second Ctrl-C quits at once; the next run tidies up
    console.error('\ninterrupted: stopping and removing the partial output, the existing bundle is kept (Ctrl-C again to quit at once)');
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  try {
    const started = performance.now();
    const progress = progressLine();
    const { source, id } = local === undefined
      ? await hubSource(spec, values['hub-url'] ?? process.env.HF_ENDPOINT ?? DEFAULT_HUB_URL, progress, controller.signal)
      : { source: directorySource(local), id: basename(local) };
    const ckpt = await openCheckpoint(source, (p) => progress.update(p.kind === 'read' ? 'reading' : 'hashing', p.done, p.total, p.file));
    progress.done();
    const { manifest, files } = await compileBundle(ckpt, {
      quant,
      modelId: values.id ?? id,
      signal: controller.signal,
      onProgress: (p) => progress.update(p.stage, p.done, p.total, p.detail),
    });
    progress.done();
    const bytes = await writeBundleDir(to, files, { force: values.force, source: local, signal: controller.signal });
    const seconds = (performance.now() - started) / 1000;
    const c = manifest.config;
    const capped = ckpt.config.maxPositions > c.maxPositions ? ` (capped from the config's ${ckpt.config.maxPositions.toLocaleString('en-US')} to ${MAX_CONTEXT_TOKENS.toLocaleString('en-US')}, the longest context heta runs)` : '';
    console.log(
      [
        `converted ${manifest.hfArchitecture} '${manifest.modelId}' → ${to}`,
        `  parameters   ${manifest.parameters.toLocaleString('en-US')} (${c.numLayers} layers, d=${c.hiddenSize}, heads ${c.numHeads}/${c.numKvHeads} kv, vocab ${c.vocabSize})`,
        `  context      ${c.maxPositions.toLocaleString('en-US')} tokens${capped}`,
        `  quantization ${quant} (tensors: ${Object.entries(manifest.quantization.tensors).map(([k, n]) => `${k} ${n}`).join(', ')})`,
        `  bundle       ${formatBytes(bytes)} (weights ${formatBytes(manifest.weights.bytes)}; SHA-256 of every file in ${MANIFEST_FILE})`,
        `  time         ${seconds.toFixed(1)} s`,
      ].join('\n'),
    );
  } catch (e) {
    if (controller.signal.aborted) {
      process.exitCode = 130;
      throw new Error(`interrupted; nothing was written to ${to}`);
    }
    throw e;
  } finally {
    process.off('SIGINT', onSigint);
  }
}
