// Model parameters as the architectures see them. Loading (async, one tensor at a time so a large
// checkpoint is never held twice in float32) is separate from graph building (sync).

import type { Tensor } from '../checkpoint/types';
import type { GraphBuilder, Value } from '../ir/graph';
import { dequantMatrix, dequantRowsQ8 } from '../quant/dequantGraph';
import { Q4_BLOCK, quantizeQ4, quantizeQ8, type QuantizedMatrix, type QuantScheme } from '../quant/quantize';

/**
 * What an architecture needs from the checkpoint:
 * - `matrix`: a projection used as x @ W. `layout` says how the checkpoint stores it
 *   (`out_in` for torch Linear, `in_out` for GPT-2's Conv1D); `columns` takes a slice of the
 *   output features (GPT-2's fused qkv).
 * - `table`: rows looked up by index (token embeddings), also usable as a tied output head.
 * - `vector`: norm weights and biases (`columns` slices fused biases).
 * - `positions`: learned position table, kept in float32.
 */
export interface ParamSpec {
  key: string;
  source: string;
  kind: 'matrix' | 'table' | 'vector' | 'positions';
  layout?: 'out_in' | 'in_out';
  /** The shape the checkpoint must store (before any column slice). */
  shape: number[];
  columns?: [number, number];
  /**
   * Output features to keep, in this order, of a torch Linear weight ([out, in]: rows) or of its
   * bias: one part of a fused projection whose parts interleave (GPT-NeoX's per-head q|k|v).
   */
  outputs?: readonly number[];
}

/** A parameter in storage form: float32 or quantized rows ([out, in] for matrices). */
export type StoredParam =
  | { kind: 'float'; shape: number[]; data: Float32Array; role: ParamSpec['kind'] }
  | { kind: 'quant'; matrix: QuantizedMatrix; role: ParamSpec['kind'] };

function sliceColumns(t: Tensor, [start, end]: [number, number]): Tensor {
  if (t.shape.length === 1) return { shape: [end - start], data: t.data.slice(start, end) };
  const [rows, cols] = t.shape;
  const out = new Float32Array(rows * (end - start));
  for (let r = 0; r < rows; r++) out.set(t.data.subarray(r * cols + start, r * cols + end), r * (end - start));
  return { shape: [rows, end - start], data: out };
}

function pickOutputs(t: Tensor, outputs: readonly number[]): Tensor {
  const cols = t.shape.length === 1 ? 1 : t.shape[1]!;
  const out = new Float32Array(outputs.length * cols);
  outputs.forEach((row, i) => out.set(t.data.subarray(row * cols, (row + 1) * cols), i * cols));
  return { shape: t.shape.length === 1 ? [outputs.length] : [outputs.length, cols], data: out };
}

function transpose2d(data: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = data[r * cols + c];
  return out;
}

/**
 * Which scheme a 2-D parameter gets. q4 needs rows divisible into blocks, else it falls back to q8.
 * Tables stay q8 under q4: their rows are gathered one token at a time, which onnxruntime does on int8
 * on every provider but not on int4, and the output head they also serve is the most sensitive product.
 */
export function schemeFor(role: ParamSpec['kind'], cols: number, requested: QuantScheme): QuantScheme {
  if (requested === 'none' || role === 'vector' || role === 'positions') return 'none';
  if (requested === 'q4' && (role === 'table' || cols % Q4_BLOCK !== 0)) return 'q8';
  return requested;
}

/** Converts one checkpoint tensor to its storage form. */
export function storeParam(spec: ParamSpec, tensor: Tensor, requested: QuantScheme): StoredParam {
  const t = spec.columns ? sliceColumns(tensor, spec.columns) : spec.outputs ? pickOutputs(tensor, spec.outputs) : tensor;
  if (spec.kind === 'vector' || spec.kind === 'positions') return { kind: 'float', shape: t.shape, data: t.data, role: spec.kind };
  if (t.shape.length !== 2) throw new Error(`${spec.source}: expected a matrix, got shape [${t.shape}]`);
  // Canonical rows are output channels ([out, in]) so quantization blocks run along the reduction axis.
  let [rows, cols] = t.shape;
  let data = t.data;
  if (spec.kind === 'matrix' && spec.layout === 'in_out') {
    data = transpose2d(data, rows, cols);
    [rows, cols] = [cols, rows];
  }
  const scheme = schemeFor(spec.kind, cols, requested);
  if (scheme === 'q8') return { kind: 'quant', matrix: quantizeQ8(data, rows, cols), role: spec.kind };
  if (scheme === 'q4') return { kind: 'quant', matrix: quantizeQ4(data, rows, cols), role: spec.kind };
  return { kind: 'float', shape: [rows, cols], data, role: spec.kind };
}

/**
 * Graph-side access to stored parameters. Every matrix (and table) is stored once, as [out, in] rows,
 * float32 or quantized, and read in place: x · Wᵀ is Gemm with transB and its gradient dY · W a MatMul
 * (see the Gemm rule in autodiff/vjp.ts), so no pass needs a transposed copy that onnxruntime would keep. A quantized weight is dequantized where it is used, by a node of its own per
 * use, so its float32 form lives only for the one product that reads it.
 */
export class ModelWeights {
  private readonly cache = new Map<string, Value>();

  constructor(
    private readonly g: GraphBuilder,
    private readonly params: ReadonlyMap<string, StoredParam>,
  ) {}

  private get(key: string): StoredParam {
    const p = this.params.get(key);
    if (!p) throw new Error(`parameter '${key}' was not loaded`);
    return p;
  }

  private memo(key: string, make: () => Value): Value {
    let v = this.cache.get(key);
    if (!v) {
      v = make();
      this.cache.set(key, v);
    }
    return v;
  }

  /** The stored constants of a parameter (raw, possibly quantized), created once. */
  private stored(key: string): { data: Value; scales?: Value; p: StoredParam } {
    const p = this.get(key);
    if (p.kind === 'float') return { data: this.memo(`${key}#data`, () => this.g.constant(key, p.data, p.shape)), p };
    const m = p.matrix;
    const name = `${key}.${m.scheme}`;
    const data = this.memo(`${key}#data`, () =>
      m.scheme === 'q4' ? this.g.int4Constant(name, m.data as Uint8Array, [m.rows, m.cols]) : this.g.constant(name, m.data, [m.rows, m.cols]),
    );
    const scales = this.memo(`${key}#scales`, () => this.g.constant(`${key}.scales`, m.scales, m.scheme === 'q4' ? [m.rows, m.cols / Q4_BLOCK] : [m.rows]));
    return { data, scales, p };
  }

  /** A matrix or table as float32 [out, in]: the constant itself, or a new dequantization of it. */
  weight(key: string): Value {
    const { data, scales, p } = this.stored(key);
    return p.kind === 'float' ? data : dequantMatrix(this.g, data, scales!, p.matrix);
  }

  /**
   * x [..., in] → x · Wᵀ [..., out] (a table serves as the tied output head, out = its rows): one Gemm
   * with transB over all rows, batched activations flattened to rows and back.
   */
  project(key: string, x: Value): Value {
    const w = this.weight(key);
    if (x.shape.length === 2) return this.g.gemm(x, w, true);
    const [out, inFeatures] = w.shape as [number, number];
    const lead = x.shape.slice(0, -1);
    const rows = this.g.gemm(this.g.reshape(x, [-1, inFeatures]), w, true);
    return this.g.reshapeTo(rows, this.g.concat([this.g.shapeOf(x, 0, lead.length), this.g.int64s([out])], 0), [...lead, out]);
  }

  vector(key: string): Value {
    return this.stored(key).data;
  }

  /** Float rows of a table (or the positions table) for integer indices of any shape. */
  rows(key: string, indices: Value): Value {
    const { data, scales, p } = this.stored(key);
    if (p.kind === 'float') return this.g.gather(data, indices);
    if (p.matrix.scheme !== 'q8') throw new Error(`table '${key}' must be stored q8 or float32, not ${p.matrix.scheme}`);
    return dequantRowsQ8(this.g, this.g.gather(data, indices), this.g.gather(scales!, indices));
  }
}
