// Checkpoint → attribution-ready bundle: heta.json, one ONNX model holding every pass (model.onnx),
// its weights file and the tokenizer. Pure (no Node APIs): the CLI writes the files, the browser can cache them.

import type { Checkpoint } from '../checkpoint/checkpoint';
import type { ModelConfig } from '../checkpoint/types';
import { familyOf } from '../architectures/families';
import { WeightFile, writeDispatchModel, OPSET } from '../onnx/writer';
import { Q4_BLOCK, type QuantScheme } from '../quant/quantize';
import { buildGraphs, GRAPH_IO, PASS_ORDER } from './graphs';
import type { StoredParam } from '../architectures/weights';
import { storeParam } from './storeParam';
import { BUNDLE_FORMAT, BUNDLE_FORMAT_VERSION, fileRecords, MANIFEST_FILE, type BundleManifest } from './manifest';
import { checkFinite, checkUnusedTensors, runnableConfig } from './checkpointChecks';
import { checkTokenizerVocabulary, openTokenizer } from '../tokenizer/tokenizer';

export { BUNDLE_FORMAT, BUNDLE_FORMAT_VERSION, MANIFEST_FILE, type BundleManifest } from './manifest';
/** Bump when the compiler's output for the same checkpoint changes (graphs, quantization): stored bundles made by older compilers are then discarded. */
export const COMPILER_VERSION = 5;
export const WEIGHTS_DATA_FILE = 'weights.bin';
export const MODEL_FILE = 'model.onnx';

export interface CompileProgress {
  stage: 'load' | 'build' | 'write';
  done: number;
  total: number;
  detail: string;
}

export interface CompileOptions {
  quant: QuantScheme;
  modelId: string;
  onProgress?: (p: CompileProgress) => void;
  /** Checked between tensors so a long compile can be cancelled. */
  signal?: AbortSignal;
}

export interface CompiledBundle {
  manifest: BundleManifest;
  files: Map<string, Uint8Array>;
}

async function loadParams(ckpt: Checkpoint, config: ModelConfig, options: CompileOptions) {
  // Shapes as the checkpoint stores them; learned position rows beyond what can run are dropped.
  const specs = familyOf(ckpt.config).params(ckpt.config);
  checkUnusedTensors(ckpt, specs);
  const params = new Map<string, StoredParam>();
  const counted = new Set<string>();
  let parameters = 0;
  const tensors: Record<QuantScheme, number> = { none: 0, q8: 0, q4: 0 };
  for (const [i, spec] of specs.entries()) {
    options.signal?.throwIfAborted();
    let tensor = checkFinite(await ckpt.getTensor(spec.source, spec.shape), spec.source);
    if (spec.kind === 'positions' && tensor.shape[0] > config.maxPositions) {
      tensor = { shape: [config.maxPositions, tensor.shape[1]], data: tensor.data.subarray(0, config.maxPositions * tensor.shape[1]) };
    }
    if (!counted.has(spec.source)) {
      counted.add(spec.source);
      parameters += tensor.data.length;
    }
    const stored = storeParam(spec, tensor, options.quant);
    tensors[stored.kind === 'float' ? 'none' : stored.matrix.scheme]++;
    params.set(spec.key, stored);
    options.onProgress?.({ stage: 'load', done: i + 1, total: specs.length, detail: spec.source });
  }
  return { params, parameters, tensors };
}

export async function compileBundle(ckpt: Checkpoint, options: CompileOptions): Promise<CompiledBundle> {
  const config = runnableConfig(ckpt.config);
  checkTokenizerVocabulary(openTokenizer(ckpt.tokenizerJson, ckpt.tokenizerConfig, `${ckpt.label}: tokenizer.json`), config.vocabSize, `${ckpt.label}: tokenizer.json`);
  const { params, parameters, tensors } = await loadParams(ckpt, config, options);
  options.onProgress?.({ stage: 'build', done: 0, total: 1, detail: 'building graphs and gradients' });
  const { specs } = buildGraphs(config, params);
  const weights = new WeightFile(WEIGHTS_DATA_FILE);
  const files = new Map<string, Uint8Array>();
  options.signal?.throwIfAborted();
  files.set(MODEL_FILE, writeDispatchModel(config.architecture, PASS_ORDER.map((kind) => specs[kind]), weights));
  options.onProgress?.({ stage: 'write', done: 1, total: 1, detail: MODEL_FILE });
  files.set(WEIGHTS_DATA_FILE, weights.bytes());
  const encoder = new TextEncoder();
  files.set('tokenizer.json', encoder.encode(JSON.stringify(ckpt.tokenizerJson)));
  if (ckpt.tokenizerConfig) files.set('tokenizer_config.json', encoder.encode(JSON.stringify(ckpt.tokenizerConfig, null, 2)));
  const manifest: BundleManifest = {
    format: BUNDLE_FORMAT,
    formatVersion: BUNDLE_FORMAT_VERSION,
    modelId: options.modelId,
    architecture: config.architecture,
    hfArchitecture: config.hfArchitecture,
    config,
    parameters,
    specialTokens: { bos: config.bosTokenId, eos: config.eosTokenId },
    quantization: { requested: options.quant, q4BlockSize: Q4_BLOCK, tensors },
    opset: OPSET,
    model: { file: MODEL_FILE, passes: GRAPH_IO },
    weights: { file: WEIGHTS_DATA_FILE, bytes: weights.byteLength },
    tokenizer: { file: 'tokenizer.json', configFile: ckpt.tokenizerConfig ? 'tokenizer_config.json' : null },
    files: await fileRecords(files),
    source: { fingerprint: await ckpt.fingerprint(), files: await ckpt.sha256() },
    createdBy: 'heta-lens compiler',
  };
  files.set(MANIFEST_FILE, encoder.encode(JSON.stringify(manifest, null, 2)));
  return { manifest, files };
}
