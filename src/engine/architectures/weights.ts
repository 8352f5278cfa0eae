// Model parameters as the architectures see them: what each family asks of a checkpoint (ParamSpec) and
// graph-side access to the stored parameters (ModelWeights). Loading them (compiler/storeParam.ts, async,
// one tensor at a time so a large checkpoint is never held twice in float32) is separate from graph
// building (sync).

import type { GraphBuilder, Value } from '../ir/graph';
import { dequantMatrix, dequantRowsQ8 } from '../quant/dequantGraph';
import { Q4_BLOCK, type QuantizedMatrix, type QuantScheme } from '../quant/quantize';

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
