// Conversion between host tensors and ONNX Runtime tensors, shared by the web and Node runtimes.
// Written against the structural shape both onnxruntime-web and onnxruntime-node expose, so this
// file imports neither.

import { ModelLoadError, type Backend, type DataType, type GraphOptimization, type HostTensor, type ModelFiles } from './types';

/**
 * Session options both runtimes use. The memory pattern sizes one block per run from the first run's
 * allocations, including every dequantized matrix, whose buffers it does not reuse: on a
 * SmolLM2-135M-shaped q8 bundle a 16-token attribution peaked at 1.45 GiB with it and 0.90 GiB without,
 * no slower. (onnxruntime-web turns it off for WebGPU itself.)
 *
 * Log level 3 (errors): on WebGPU every session logs "VerifyEachNodeIsAssignedToAnEp" warnings because
 * shape arithmetic runs on the CPU by design; a normal run should leave the console clean, and real
 * failures still arrive as errors.
 */
export const SESSION_OPTIONS = { enableMemPattern: false, logSeverityLevel: 3 } as const;

/**
 * onnxruntime's graph rewrites cost most of a small model's start and save memory on a large one.
 * Measured on the dispatch model: the 5.5M-parameter demo bundle's session takes 2 s instead of 6.5 s to
 * create in Chromium (WebAssembly) without them (0.6 s vs 1.8 s in Node), and attributes as fast; a
 * SmolLM2-135M-shaped q8 bundle's 16-token attribution peaks at 1.35 GB without them and 0.97 GB with
 * them (Node, `benchScaleChild`). So small models skip them and large ones keep them.
 */
export const FAST_START_MAX_PARAMETERS = 50e6;

export function graphOptimizationFor(parameters: number): GraphOptimization {
  return parameters <= FAST_START_MAX_PARAMETERS ? 'disabled' : 'all';
}

/**
 * Session configuration both runtimes pass as `extra`.
 * - Prepacking copies every constant weight matrix into a kernel-specific layout once per node that reads
 *   it; with all passes in one model the same matrix is read by a node in each pass, so prepacking would
 *   bring back the per-pass copies the dispatch model removes (measured in Node: one 128 MiB float32
 *   matrix read by 4 passes, 595 MiB resident with prepacking, 343 MiB without; run time unchanged).
 * - Common-subexpression elimination would merge the backward pass's fresh dequantization of each weight
 *   with the forward pass's, keeping a float32 copy of every weight alive through a gradient pass; the
 *   compiler already deduplicates everything else (ir/graph.ts).
 */
export const SESSION_CONFIG = {
  session: { disable_prepacking: '1' },
  optimization: { disable_specified_optimizers: 'CommonSubexpressionElimination' },
} as const;

/** The part of an ORT tensor we read. */
export interface OrtTensorLike {
  readonly type: string;
  readonly dims: readonly number[];
  readonly data: unknown;
}

export type OrtTensorCtor<T> = new (type: DataType, data: HostTensor['data'], dims: readonly number[]) => T;

const ARRAY_OF: Record<DataType, { name: string; check: (d: unknown) => boolean }> = {
  float32: { name: 'Float32Array', check: (d) => d instanceof Float32Array },
  int64: { name: 'BigInt64Array', check: (d) => d instanceof BigInt64Array },
  int32: { name: 'Int32Array', check: (d) => d instanceof Int32Array },
};

export function elementCount(dims: readonly number[]): number {
  let n = 1;
  for (const d of dims) n *= d;
  return n;
}

/** Validates a host tensor and wraps it as an ORT tensor (no copy). */
export function toOrt<T>(Ctor: OrtTensorCtor<T>, name: string, t: HostTensor): T {
  const spec = ARRAY_OF[t.type];
  if (!spec) throw new Error(`input '${name}': unsupported data type '${String(t.type)}'`);
  if (!spec.check(t.data)) {
    throw new Error(`input '${name}': type '${t.type}' needs a ${spec.name}, got ${t.data?.constructor?.name}`);
  }
  if (!t.dims.every((d) => Number.isInteger(d) && d >= 0)) {
    throw new Error(`input '${name}': invalid dims [${t.dims.join(', ')}]`);
  }
  const n = elementCount(t.dims);
  if (t.data.length !== n) {
    throw new Error(`input '${name}': dims [${t.dims.join(', ')}] need ${n} elements, data has ${t.data.length}`);
  }
  return new Ctor(t.type, t.data, t.dims);
}

/** Copies an ORT output into a host tensor that stays valid after the ORT tensor is disposed. */
export function fromOrt(name: string, t: OrtTensorLike): HostTensor {
  const dims = [...t.dims];
  switch (t.type) {
    case 'float32':
      return { type: 'float32', dims, data: new Float32Array(t.data as Float32Array) };
    case 'int64':
      return { type: 'int64', dims, data: new BigInt64Array(t.data as BigInt64Array) };
    case 'int32':
      return { type: 'int32', dims, data: new Int32Array(t.data as Int32Array) };
    default:
      throw new Error(`output '${name}': unsupported data type '${t.type}'`);
  }
}

/** Checks that every requested name exists; ORT's own message for this is vague. */
export function checkNames(kind: 'input' | 'output', given: readonly string[], known: readonly string[]): void {
  for (const n of given) {
    if (!known.includes(n)) throw new Error(`unknown ${kind} '${n}' (the graph has: ${known.join(', ')})`);
  }
}

export function checkFeeds(feeds: Record<string, unknown>, inputNames: readonly string[]): void {
  checkNames('input', Object.keys(feeds), inputNames);
  const missing = inputNames.filter((n) => !(n in feeds));
  if (missing.length) throw new Error(`missing input${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}`);
}

/** What error messages call a model: its name, else its size. */
export function modelName(files: ModelFiles): string {
  return files.name ?? `graph of ${files.graph.byteLength} bytes`;
}

export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export function loadError(files: ModelFiles, backend: Backend, e: unknown): ModelLoadError {
  let reason = errorText(e).trim();
  if (/external data/i.test(reason)) {
    const given = files.externalData?.map((f) => `'${f.path}'`).join(', ');
    reason += ` [external data files given: ${given || 'none'}]`;
  }
  return new ModelLoadError(modelName(files), backend, reason);
}

/** Catches what ORT reports obscurely (an empty buffer gives 'Model data pointer is null'). */
export function checkGraphBytes(files: ModelFiles): void {
  if (!(files.graph instanceof Uint8Array)) throw new Error('the graph must be a Uint8Array');
  if (files.graph.byteLength === 0) throw new Error('the graph is empty (0 bytes)');
}

/** The ORT `externalData` option: in-memory files, matched by the graph's `location` strings. */
export function externalDataOption(files: ModelFiles): { path: string; data: Uint8Array }[] | undefined {
  return files.externalData?.map((f) => ({ path: f.path, data: f.data }));
}
