// Model parameters as the architectures see them. Loading (async, one tensor at a time so a large
// checkpoint is never held twice in float32) is separate from graph building (sync).

import type { Tensor } from '../checkpoint/types';
import type { GraphBuilder, Value } from '../ir/graph';
import { dequantQ4, dequantQ8 } from '../quant/dequantGraph';
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

/** Which scheme a 2-D parameter gets: q4 needs rows divisible into blocks, else it falls back to q8. */
export function schemeFor(role: ParamSpec['kind'], cols: number, requested: QuantScheme): QuantScheme {
  if (requested === 'none' || role === 'vector' || role === 'positions') return 'none';
  if (requested === 'q4' && cols % Q4_BLOCK !== 0) return 'q8';
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
  if (spec.kind === 'matrix') return { kind: 'float', shape: [cols, rows], data: transpose2d(data, rows, cols), role: 'matrix' };
  return { kind: 'float', shape: [rows, cols], data, role: spec.kind };
}

/** Graph-side access to stored parameters; each dequantization is built once and shared. */
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
    const data = this.memo(`${key}#data`, () =>
      p.kind === 'float'
        ? this.g.constant(key, p.data, p.shape)
        : this.g.constant(`${key}.${p.matrix.scheme}`, p.matrix.data, [p.matrix.rows, p.matrix.scheme === 'q4' ? p.matrix.cols / 2 : p.matrix.cols]),
    );
    if (p.kind === 'float') return { data, p };
    const m = p.matrix;
    const scales = this.memo(`${key}#scales`, () =>
      this.g.constant(`${key}.scales`, m.scales, [m.rows, m.scheme === 'q4' ? m.cols / Q4_BLOCK : 1]),
    );
    return { data, scales, p };
  }

  private dequant(data: Value, scales: Value, m: QuantizedMatrix): Value {
    return m.scheme === 'q8' ? dequantQ8(this.g, data, scales) : dequantQ4(this.g, data, scales, m.cols);
  }

  /** Float [in, out] for x @ W; a table (tied head) serves as a matrix with out = rows. */
  matrix(key: string): Value {
    return this.memo(`${key}#matrix`, () => {
      const { data, scales, p } = this.stored(key);
      if (p.kind === 'float') return p.role === 'matrix' ? data : this.g.transpose(data, [1, 0]);
      return this.g.transpose(this.dequant(data, scales!, p.matrix), [1, 0]);
    });
  }

  vector(key: string): Value {
    return this.stored(key).data;
  }

  /** Float rows of a table (or the positions table) for integer indices of any shape. */
  rows(key: string, indices: Value): Value {
    const { data, scales, p } = this.stored(key);
    if (p.kind === 'float') return this.g.gather(data, indices);
    return this.dequant(this.g.gather(data, indices), this.g.gather(scales!, indices), p.matrix);
  }

  /** Output features of a matrix parameter (rows of its stored form). */
  outFeatures(key: string): number {
    const p = this.get(key);
    return p.kind === 'quant' ? p.matrix.rows : p.role === 'matrix' ? p.shape[1] : p.shape[0];
  }
}
