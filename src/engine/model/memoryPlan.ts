// Before a model is downloaded or compiled: how much memory it will need (the checkpoint download, the
// compiler's working set, the bundle's weights held once by onnxruntime at their stored precision, its
// graph, the float32 matrix a product dequantizes, activations of batched passes for the chosen context)
// against what the device reports. A model that cannot fit is refused, or its batch and context are
// reduced, with a message that says so, instead of the tab running out of memory. The constants below
// are fitted to measurements on random checkpoints of real shapes (README, "Memory").

import type { ModelConfig } from '../checkpoint/types';
import { Q4_BLOCK, type QuantScheme } from '../quant/quantize';
import { schemeFor } from '../architectures/weights';
import { formatBytes } from '../units';

/** Activations of a batched pass are kept around this many floats, whatever the prompt length. */
export const BATCH_ACTIVATION_FLOATS = 64e6;
export const DEFAULT_MAX_BATCH = 64;

/** Floats of activations one item of a batched pass keeps over T tokens (all layers). */
export function activationFloatsPerItem(config: ModelConfig, T: number): number {
  const { hiddenSize: d, numLayers: L, numHeads: H, intermediateSize: F } = config;
  return T * L * (8 * d + 3 * F + 3 * H * T);
}

/** Items per batch so that activations stay around BATCH_ACTIVATION_FLOATS. */
export function batchSizeFor(model: { config: ModelConfig }, T: number, maxBatch = DEFAULT_MAX_BATCH): number {
  return Math.max(1, Math.min(maxBatch, Math.floor(BATCH_ACTIVATION_FLOATS / activationFloatsPerItem(model.config, T))));
}

// Fitted to the peak memory of random checkpoints of GPT-2 124M, SmolLM2-135M/360M and Qwen2.5-0.5B shapes,
// q8 and q4, loading and attributing 16 tokens (README, "Real model sizes"): the Chromium renderer and the
// Node process alike are within −11% … +13% of this model. Loading holds the process (runtime, page,
// worker), three copies of the weights (as read, while hashed, onnxruntime's), the graph and a share of
// the float32 embedding table; an attribution adds ≈ 2.5 float32 embedding tables (the output head
// dequantizes it forward and backward, and the allocator keeps freed regions) and its activations.

/** The process before any model: runtime, page, worker, tokenizer. */
export const BASE_BYTES = 400 * 2 ** 20;
/** Copies of the weights while loading: as read, while hashed, onnxruntime's. */
export const LOAD_WEIGHT_COPIES = 3;
/** onnxruntime's memory for the graph of the five passes, per layer. */
export const GRAPH_BYTES_PER_LAYER = 2.5 * 2 ** 20;
/** The float32 embedding table's share of loading and of running an attribution. */
const LOAD_TABLE_SHARE = 0.15;
const RUN_TABLES = 2.5;
/** What the allocator holds beyond a pass's live activations. */
export const ARENA_SLACK = 1.3;
/** wasm32: onnxruntime-web's WebAssembly heap cannot grow past 4 GiB. */
export const WASM_MEMORY_LIMIT = 4 * 2 ** 30;
/** Share of the reported device memory one tab may plan to use (the OS, the browser and other tabs need the rest). */
export const DEVICE_MEMORY_SHARE = 0.5;
/** Prompt length the app plans for when the model reads more (longer prompts are rare in an attribution view). */
export const PLANNED_CONTEXT = 1024;
const MIN_CONTEXT = 32;
/** The backward pass keeps the forward activations it differentiates: about twice the forward's. */
const BACKWARD_FACTOR = 2;
export interface DeviceMemory {
  /** navigator.deviceMemory in bytes (browsers round it and cap it, Chromium at 8 GiB), or null when unknown. */
  deviceBytes: number | null;
  /** The GPU adapter's maxBufferSize, or null without WebGPU. */
  gpuMaxBufferBytes: number | null;
}

export interface MemoryEstimate {
  parameters: number;
  /** Checkpoint files as downloaded (held while compiling). */
  checkpointBytes: number;
  /** Peak of the compiler: checkpoint + float32 copy of the largest tensor + stored weights + the bundle's weights file. */
  compileBytes: number;
  /** The bundle's weights at their stored precision: held once by onnxruntime (and once more while loading). */
  weightBytes: number;
  /** onnxruntime's memory for the graph of every pass. */
  graphBytes: number;
  /** Peak while loading: the process, the weights as read, hashed and held by onnxruntime, the graph. */
  loadBytes: number;
  /** The largest single tensor in float32 (the token embedding), what one GPU buffer must hold and what the output head dequantizes for one product. */
  largestTensorBytes: number;
  /** Activations of one batched pass at `batch` × `context`, backward included. */
  activationBytes: number;
  batch: number;
  context: number;
}

export interface MemoryPlan {
  verdict: 'ok' | 'downsized' | 'refused';
  estimate: MemoryEstimate;
  /** What the plan allows: batch cap for batched passes and the longest prompt. */
  maxBatch: number;
  maxContext: number;
  /** The bytes the plan must stay under, and where that limit comes from. */
  budgetBytes: number;
  budgetSource: string;
  /** One-line account for the UI; for 'downsized' and 'refused' it says what to do. */
  message: string;
  /** A note about WebGPU (a tensor larger than the adapter's buffer limit runs on WebAssembly). */
  gpuNote: string | null;
}

/** Model width, query and key/value widths, and whether the MLP is gated (three matrices, not two). */
function widths(c: ModelConfig): { d: number; q: number; kv: number; gated: boolean } {
  return { d: c.hiddenSize, q: c.numHeads * c.headDim, kv: c.numKvHeads * c.headDim, gated: c.mlp === 'swiglu' || c.mlp === 'geglu' || c.mlp === 'geglu_tanh' };
}

/** The quantizable matrices of a config as the compiler stores them ([out, in]), with how many there are. */
function matrices(c: ModelConfig): { rows: number; cols: number; count: number; table: boolean }[] {
  const { d, q, kv, gated } = widths(c);
  const L = c.numLayers;
  return [
    { rows: q, cols: d, count: L, table: false },
    { rows: kv, cols: d, count: 2 * L, table: false },
    { rows: d, cols: q, count: L, table: false },
    { rows: c.intermediateSize, cols: d, count: (gated ? 2 : 1) * L, table: false },
    { rows: d, cols: c.intermediateSize, count: L, table: false },
    { rows: c.vocabSize, cols: d, count: c.tieWordEmbeddings ? 1 : 2, table: true },
  ];
}

/** Parameter count implied by a config (what compileBundle will count). */
export function parameterCount(c: ModelConfig): number {
  const { d, q, kv, gated } = widths(c);
  const attnBias = (c.qkvBias ? q + 2 * kv : 0) + (c.outBias ? d : 0) + (c.qkNorm ? 2 * c.headDim : 0);
  const mlpBias = c.mlpBias ? (gated ? 2 : 1) * c.intermediateSize + d : 0;
  const norms = (c.norm === 'layernorm' ? 2 : 1) * d;
  const layerVectors = attnBias + mlpBias + (c.sandwichNorms ? 4 : 2) * norms;
  const positions = c.positions === 'learned' ? c.maxPositions * d : 0;
  return matrixParameters(c) + c.numLayers * layerVectors + norms + positions;
}

/** Parameters in matrices and tables (quantizable), as opposed to norms, biases and position tables. */
function matrixParameters(c: ModelConfig): number {
  return matrices(c).reduce((sum, m) => sum + m.rows * m.cols * m.count, 0);
}

/** Bytes of the bundle's weights file for `c` at `quant` (the compiler's layout: matrices [out, in] with row scales or int4 blocks, tables q8 under q4, vectors float32). */
export function storedWeightBytes(c: ModelConfig, quant: QuantScheme): number {
  const bytes = ({ rows, cols, table }: { rows: number; cols: number; table: boolean }): number => {
    const scheme = schemeFor(table ? 'table' : 'matrix', cols, quant);
    if (scheme === 'none') return 4 * rows * cols;
    if (scheme === 'q8') return rows * cols + 4 * rows;
    return (rows * cols) / 2 + 4 * rows * (cols / Q4_BLOCK);
  };
  const vectors = parameterCount(c) - matrixParameters(c);
  return matrices(c).reduce((sum, m) => sum + bytes(m) * m.count, 0) + 4 * vectors;
}

/** Bytes of one batched pass's activations; batches are also capped by the attribution's own activation limit. */
function activationsAt(config: ModelConfig, maxBatch: number, context: number): number {
  return batchSizeFor({ config }, context, maxBatch) * activationFloatsPerItem(config, context) * 4 * BACKWARD_FACTOR;
}

export function estimateMemory(
  config: ModelConfig,
  options: { checkpointBytes: number; quant: QuantScheme; context?: number; maxBatch?: number },
): MemoryEstimate {
  const parameters = parameterCount(config);
  const context = Math.min(config.maxPositions, options.context ?? PLANNED_CONTEXT);
  const batch = options.maxBatch ?? DEFAULT_MAX_BATCH;
  const weightBytes = storedWeightBytes(config, options.quant);
  const graphBytes = GRAPH_BYTES_PER_LAYER * config.numLayers;
  const largestTensorBytes = 4 * Math.max(config.vocabSize * config.hiddenSize, config.intermediateSize * config.hiddenSize);
  return {
    parameters,
    checkpointBytes: options.checkpointBytes,
    compileBytes: options.checkpointBytes + largestTensorBytes + 2 * weightBytes,
    weightBytes,
    graphBytes,
    loadBytes: BASE_BYTES + LOAD_WEIGHT_COPIES * weightBytes + graphBytes + LOAD_TABLE_SHARE * 4 * config.vocabSize * config.hiddenSize,
    largestTensorBytes,
    activationBytes: activationsAt(config, batch, context),
    batch,
    context,
  };
}

/** Checks the estimate against the device; shrinks batch, then context, before refusing. */
export function planMemory(config: ModelConfig, estimate: MemoryEstimate, device: DeviceMemory): MemoryPlan {
  const deviceBudget = device.deviceBytes === null ? Infinity : device.deviceBytes * DEVICE_MEMORY_SHARE;
  const budgetBytes = Math.min(deviceBudget, WASM_MEMORY_LIMIT);
  const budgetSource =
    deviceBudget < WASM_MEMORY_LIMIT
      ? `half of the ${formatBytes(device.deviceBytes!)} this device reports`
      : `WebAssembly's ${formatBytes(WASM_MEMORY_LIMIT)} memory limit${device.deviceBytes === null ? ' (the browser does not report device memory)' : ''}`;
  const gpuNote =
    device.gpuMaxBufferBytes !== null && estimate.largestTensorBytes > device.gpuMaxBufferBytes
      ? `the largest weight matrix (${formatBytes(estimate.largestTensorBytes)}) exceeds this GPU's buffer limit (${formatBytes(device.gpuMaxBufferBytes)}), so it runs on WebAssembly`
      : null;
  const plan = (verdict: MemoryPlan['verdict'], batch: number, context: number, message: string): MemoryPlan => ({
    verdict,
    estimate: { ...estimate, batch, context, activationBytes: activationsAt(config, batch, context) },
    maxBatch: batch,
    maxContext: context,
    budgetBytes,
    budgetSource,
    message,
    gpuNote,
  });
  // Running: what loading left, the dequantized output head's regions and a pass's activations with the allocator's slack.
  const table = 4 * config.vocabSize * config.hiddenSize;
  const running = (batch: number, context: number) => estimate.loadBytes + RUN_TABLES * table + ARENA_SLACK * activationsAt(config, batch, context);
  const needs = (batch: number, context: number) => Math.max(estimate.compileBytes, estimate.loadBytes, running(batch, context));
  const summary = (batch: number, context: number) =>
    `needs about ${formatBytes(needs(batch, context))} (weights ${formatBytes(estimate.weightBytes)}, output head ${formatBytes(RUN_TABLES * table)} in float32 while it runs, activations ${formatBytes(activationsAt(config, batch, context))} at batch ${batchSizeFor({ config }, context, batch)} × ${context} tokens; loading ${formatBytes(estimate.loadBytes)}, compiling ${formatBytes(estimate.compileBytes)}); budget ${formatBytes(budgetBytes)}, ${budgetSource}`;

  if (needs(estimate.batch, estimate.context) <= budgetBytes) return plan('ok', estimate.batch, estimate.context, `Memory: ${summary(estimate.batch, estimate.context)}.`);
  if (Math.max(estimate.compileBytes, estimate.loadBytes, running(1, Math.min(MIN_CONTEXT, estimate.context))) >= budgetBytes) {
    return plan(
      'refused',
      estimate.batch,
      estimate.context,
      `This model is too large for this device: it ${summary(estimate.batch, estimate.context)}. Choose a smaller model or a smaller quantization (q4 holds about half of q8's weights).`,
    );
  }
  for (let context = estimate.context; context >= Math.min(MIN_CONTEXT, estimate.context); context = Math.floor(context / 2)) {
    for (let batch = estimate.batch; batch >= 1; batch = Math.floor(batch / 2)) {
      if (needs(batch, context) <= budgetBytes) {
        return plan(
          'downsized',
          batch,
          context,
          `Reduced to fit this device: ${[context < estimate.context ? `prompts of at most ${context} tokens` : '', batch < estimate.batch ? `batches of at most ${batch} items` : ''].filter(Boolean).join(', ')}; it ${summary(batch, context)}.`,
        );
      }
    }
  }
  return plan('refused', estimate.batch, estimate.context, `This model is too large for this device: even with one item per batch it ${summary(1, MIN_CONTEXT)}. Choose a smaller model.`);
}
