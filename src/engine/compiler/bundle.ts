// Checkpoint → attribution-ready bundle: heta.json, four ONNX graphs sharing one weights file,
// and the tokenizer. Pure (no Node APIs): the CLI writes the files, the browser can cache them.

import type { Checkpoint } from '../checkpoint/checkpoint';
import type { ModelConfig } from '../checkpoint/types';
import { familyOf } from '../architectures/families';
import { WeightFile, writeOnnx, OPSET } from '../onnx/writer';
import { Q4_BLOCK, type QuantScheme } from '../quant/quantize';
import { buildGraphs, GRAPH_IO, type GraphKind } from './graphs';
import { storeParam, type StoredParam } from './weights';

export const BUNDLE_FORMAT = 'heta-bundle';
export const BUNDLE_FORMAT_VERSION = 2;
/** Bump when the compiler's output for the same checkpoint changes (graphs, quantization): stored bundles made by older compilers are then discarded. */
export const COMPILER_VERSION = 2;
export const MANIFEST_FILE = 'heta.json';
export const WEIGHTS_DATA_FILE = 'weights.bin';

export interface BundleManifest {
  format: typeof BUNDLE_FORMAT;
  formatVersion: number;
  modelId: string;
  architecture: ModelConfig['architecture'];
  hfArchitecture: string;
  config: ModelConfig;
  parameters: number;
  specialTokens: { bos: number | null; eos: number | null };
  quantization: {
    requested: QuantScheme;
    q4BlockSize: number;
    /** Tensors stored under each scheme (q4 falls back to q8 where a row does not split into blocks). */
    tensors: Record<QuantScheme, number>;
  };
  opset: number;
  graphs: Record<GraphKind, { file: string; inputs: string[]; outputs: string[] }>;
  weights: { file: string; bytes: number };
  tokenizer: { file: string; configFile: string | null };
  source: { fingerprint: string; files: Record<string, string> };
  createdBy: string;
}

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

async function loadParams(ckpt: Checkpoint, options: CompileOptions) {
  const specs = familyOf(ckpt.config).params(ckpt.config);
  const params = new Map<string, StoredParam>();
  const counted = new Set<string>();
  let parameters = 0;
  const tensors: Record<QuantScheme, number> = { none: 0, q8: 0, q4: 0 };
  for (const [i, spec] of specs.entries()) {
    options.signal?.throwIfAborted();
    const tensor = await ckpt.getTensor(spec.source, spec.shape);
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
  const { params, parameters, tensors } = await loadParams(ckpt, options);
  options.onProgress?.({ stage: 'build', done: 0, total: 1, detail: 'building graphs and gradients' });
  const { specs } = buildGraphs(ckpt.config, params);
  const weights = new WeightFile(WEIGHTS_DATA_FILE);
  const files = new Map<string, Uint8Array>();
  const graphs = {} as BundleManifest['graphs'];
  const kinds = Object.keys(specs) as GraphKind[];
  for (const [i, kind] of kinds.entries()) {
    options.signal?.throwIfAborted();
    const file = `${kind}.onnx`;
    files.set(file, writeOnnx(specs[kind], weights));
    graphs[kind] = { file, ...GRAPH_IO[kind] };
    options.onProgress?.({ stage: 'write', done: i + 1, total: kinds.length, detail: file });
  }
  files.set(WEIGHTS_DATA_FILE, weights.bytes());
  const encoder = new TextEncoder();
  files.set('tokenizer.json', encoder.encode(JSON.stringify(ckpt.tokenizerJson)));
  if (ckpt.tokenizerConfig) files.set('tokenizer_config.json', encoder.encode(JSON.stringify(ckpt.tokenizerConfig, null, 2)));
  const manifest: BundleManifest = {
    format: BUNDLE_FORMAT,
    formatVersion: BUNDLE_FORMAT_VERSION,
    modelId: options.modelId,
    architecture: ckpt.config.architecture,
    hfArchitecture: ckpt.config.hfArchitecture,
    config: ckpt.config,
    parameters,
    specialTokens: { bos: ckpt.config.bosTokenId, eos: ckpt.config.eosTokenId },
    quantization: { requested: options.quant, q4BlockSize: Q4_BLOCK, tensors },
    opset: OPSET,
    graphs,
    weights: { file: WEIGHTS_DATA_FILE, bytes: weights.byteLength },
    tokenizer: { file: 'tokenizer.json', configFile: ckpt.tokenizerConfig ? 'tokenizer_config.json' : null },
    source: { fingerprint: await ckpt.fingerprint(), files: await ckpt.sha256() },
    createdBy: 'heta-lens compiler',
  };
  files.set(MANIFEST_FILE, encoder.encode(JSON.stringify(manifest, null, 2)));
  return { manifest, files };
}
