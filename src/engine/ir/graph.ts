// A small, immutable graph IR: every value is the single output of one node. Nodes know their static
// shape (with symbolic dims) so errors surface at compile time and autodiff can derive reductions.

import { broadcastShapes, formatShape, normalizeAxis, reshapeShape, ShapeError, type Dim, type Shape } from './shape';

/** `int4` constants hold two signed values per byte, the first in the low nibble (ONNX's packing). */
export type DType = 'float32' | 'int64' | 'int32' | 'int8' | 'uint8' | 'int4' | 'bool';

export type Attr =
  | { kind: 'int'; value: number }
  | { kind: 'ints'; value: readonly number[] }
  | { kind: 'float'; value: number }
  | { kind: 'string'; value: string };

export type ConstData = Float32Array | BigInt64Array | Int32Array | Int8Array | Uint8Array;

export interface Value {
  readonly id: number;
  /** ONNX op type, or 'Input' / 'Constant' for graph inputs and initializers. */
  readonly op: string;
  readonly inputs: readonly Value[];
  readonly attrs: Readonly<Record<string, Attr>>;
  readonly shape: Shape;
  readonly dtype: DType;
  /** Names of graph inputs and initializers (deterministic, used in the ONNX file). */
  readonly name?: string;
  readonly data?: ConstData;
}

const int = (value: number): Attr => ({ kind: 'int', value });
const ints = (value: readonly number[]): Attr => ({ kind: 'ints', value });

function dtypeOf(data: ConstData): DType {
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof BigInt64Array) return 'int64';
  if (data instanceof Int32Array) return 'int32';
  if (data instanceof Int8Array) return 'int8';
  return 'uint8';
}

/**
 * Builds a graph by construction: each method appends one node and returns its value.
 * Composite layers (norms, activations, attention) live in `nn.ts` on top of these primitives.
 */
export class GraphBuilder {
  private nextId = 0;
  private readonly scalars = new Map<string, Value>();
  private readonly names = new Set<string>();

  /** Every node by op, inputs, attributes and type: building the same computation twice returns the first. */
  private readonly known = new Map<string, Value>();

  /**
   * Appends a node, or returns the identical one built before. Deduplicating here keeps the emitted
   * graphs small (autodiff and the passes rebuild many identical shape and transpose nodes), so
   * onnxruntime's own common-subexpression pass, which is slow on large graphs and would merge the
   * deliberately repeated dequantizations (see `recompute`), can stay off.
   */
  private node(op: string, inputs: readonly Value[], shape: Shape, dtype: DType, attrs: Record<string, Attr> = {}): Value {
    const key = `${op}|${inputs.map((i) => i.id).join(',')}|${JSON.stringify(attrs)}|${dtype}|${shape.join(',')}`;
    const seen = this.known.get(key);
    if (seen) return seen;
    const v: Value = { id: this.nextId++, op, inputs, attrs, shape, dtype };
    this.known.set(key, v);
    return v;
  }

  private claimName(name: string): string {
    if (this.names.has(name)) throw new Error(`duplicate graph name '${name}'`);
    this.names.add(name);
    return name;
  }

  /** A graph input; names are per graph, so several graphs of one builder may reuse one. */
  input(name: string, dtype: DType, shape: Shape): Value {
    return { id: this.nextId++, op: 'Input', inputs: [], attrs: {}, shape, dtype, name };
  }

  constant(name: string, data: ConstData, shape: readonly number[]): Value {
    const size = shape.reduce((p, d) => p * d, 1);
    if (size !== data.length) throw new ShapeError(`constant ${name}: ${data.length} values for shape ${formatShape(shape)}`);
    return { id: this.nextId++, op: 'Constant', inputs: [], attrs: {}, shape, dtype: dtypeOf(data), name: this.claimName(name), data };
  }

  /** A signed 4-bit constant: `packed` holds ⌈size/2⌉ bytes, two values each, low nibble first. */
  int4Constant(name: string, packed: Uint8Array, shape: readonly number[]): Value {
    const size = shape.reduce((p, d) => p * d, 1);
    if (Math.ceil(size / 2) !== packed.length) throw new ShapeError(`constant ${name}: ${packed.length} bytes for int4 shape ${formatShape(shape)}`);
    return { id: this.nextId++, op: 'Constant', inputs: [], attrs: {}, shape, dtype: 'int4', name: this.claimName(name), data: packed };
  }

  /** A named constant built once per builder and shared by every graph that asks for it. */
  sharedConstant(name: string, make: () => ConstData, shape: readonly number[]): Value {
    return this.cachedConstant(`named:${name}`, make, shape, name);
  }

  /** A float32 scalar (shape []), shared between all uses of the same value. */
  scalar(value: number): Value {
    return this.cachedConstant(`f${value}`, () => new Float32Array([value]), []);
  }

  /** An int64 vector constant, e.g. a Reshape target or reduction axes. */
  int64s(values: readonly number[]): Value {
    return this.cachedConstant(`i[${values.join(',')}]`, () => BigInt64Array.from(values.map(BigInt)), [values.length]);
  }

  /** An int64 scalar constant (shape []). */
  int64(value: number): Value {
    return this.cachedConstant(`i${value}`, () => BigInt64Array.from([BigInt(value)]), []);
  }

  private cachedConstant(key: string, make: () => ConstData, shape: readonly number[], name?: string): Value {
    let v = this.scalars.get(key);
    if (!v) {
      v = this.constant(name ?? `const_${this.scalars.size}`, make(), shape);
      this.scalars.set(key, v);
    }
    return v;
  }

  // ---- elementwise -------------------------------------------------------------------------

  private binary(op: string, a: Value, b: Value, dtype: DType = a.dtype): Value {
    if (a.dtype !== b.dtype) throw new ShapeError(`${op}: dtype ${a.dtype} vs ${b.dtype}`);
    return this.node(op, [a, b], broadcastShapes(a.shape, b.shape, op), dtype);
  }

  add(a: Value, b: Value): Value { return this.binary('Add', a, b); }
  sub(a: Value, b: Value): Value { return this.binary('Sub', a, b); }
  mul(a: Value, b: Value): Value { return this.binary('Mul', a, b); }
  div(a: Value, b: Value): Value { return this.binary('Div', a, b); }
  less(a: Value, b: Value): Value { return this.binary('Less', a, b, 'bool'); }
  equal(a: Value, b: Value): Value { return this.binary('Equal', a, b, 'bool'); }

  private unary(op: string, x: Value): Value {
    return this.node(op, [x], x.shape, x.dtype);
  }

  neg(x: Value): Value { return this.unary('Neg', x); }
  exp(x: Value): Value { return this.unary('Exp', x); }
  log(x: Value): Value { return this.unary('Log', x); }
  sqrt(x: Value): Value { return this.unary('Sqrt', x); }
  tanh(x: Value): Value { return this.unary('Tanh', x); }
  erf(x: Value): Value { return this.unary('Erf', x); }
  sigmoid(x: Value): Value { return this.unary('Sigmoid', x); }
  abs(x: Value): Value { return this.unary('Abs', x); }
  floor(x: Value): Value { return this.unary('Floor', x); }
  cos(x: Value): Value { return this.unary('Cos', x); }
  sin(x: Value): Value { return this.unary('Sin', x); }

  cast(x: Value, to: DType): Value {
    return this.node('Cast', [x], x.shape, to, { to: int(ONNX_DTYPE[to]) });
  }

  /**
   * float32 = (data − 0) · scale: per row of axis `axis` (scale [n]) or, with `blockSize`, per block of
   * that many elements along `axis` (scale shaped like data with that axis divided by the block size).
   * onnxruntime never constant-folds this op, so quantized weights stay quantized in memory.
   */
  dequantizeLinear(data: Value, scale: Value, axis: number, blockSize?: number): Value {
    const attrs: Record<string, Attr> = { axis: int(axis) };
    if (blockSize !== undefined) attrs.block_size = int(blockSize);
    return this.node('DequantizeLinear', [data, scale], data.shape, 'float32', attrs);
  }

  // ---- linear algebra and reductions -------------------------------------------------------

  /** a [M, K] · bᵀ for b [N, K] (transB) or a · b for b [K, N]: the one product that reads a weight without a transposed copy. */
  gemm(a: Value, b: Value, transB: boolean): Value {
    if (a.shape.length !== 2 || b.shape.length !== 2) throw new ShapeError('Gemm: operands must have rank 2');
    const [k2, n] = transB ? [b.shape[1], b.shape[0]] : b.shape;
    if (a.shape[1] !== k2) throw new ShapeError(`Gemm: inner dims differ, ${formatShape(a.shape)} @ ${formatShape(b.shape)}${transB ? 'ᵀ' : ''}`);
    return this.node('Gemm', [a, b], [a.shape[0], n], a.dtype, { transB: int(transB ? 1 : 0) });
  }

  matmul(a: Value, b: Value): Value {
    if (a.shape.length < 2 || b.shape.length < 2) throw new ShapeError('MatMul: operands must have rank >= 2');
    const [m, k1] = a.shape.slice(-2);
    const [k2, n] = b.shape.slice(-2);
    if (k1 !== k2) throw new ShapeError(`MatMul: inner dims differ, ${formatShape(a.shape)} @ ${formatShape(b.shape)}`);
    const batch = broadcastShapes(a.shape.slice(0, -2), b.shape.slice(0, -2), 'MatMul');
    return this.node('MatMul', [a, b], [...batch, m, n], a.dtype);
  }

  private reduce(op: 'ReduceSum' | 'ReduceMean' | 'ReduceMax', x: Value, axes: readonly number[], keepdims: boolean): Value {
    const norm = axes.map((a) => normalizeAxis(a, x.shape.length));
    const shape: Dim[] = [];
    x.shape.forEach((d, i) => {
      if (!norm.includes(i)) shape.push(d);
      else if (keepdims) shape.push(1);
    });
    // Opset 18: axes are an input for every Reduce op.
    return this.node(op, [x, this.int64s(norm)], shape, x.dtype, { keepdims: int(keepdims ? 1 : 0) });
  }

  reduceSum(x: Value, axes: readonly number[], keepdims = true): Value { return this.reduce('ReduceSum', x, axes, keepdims); }
  reduceMean(x: Value, axes: readonly number[], keepdims = true): Value { return this.reduce('ReduceMean', x, axes, keepdims); }
  reduceMax(x: Value, axes: readonly number[], keepdims = true): Value { return this.reduce('ReduceMax', x, axes, keepdims); }

  softmax(x: Value): Value {
    return this.node('Softmax', [x], x.shape, x.dtype, { axis: int(-1) });
  }

  logSoftmax(x: Value): Value {
    return this.node('LogSoftmax', [x], x.shape, x.dtype, { axis: int(-1) });
  }

  // ---- shape manipulation ------------------------------------------------------------------

  transpose(x: Value, perm: readonly number[]): Value {
    if (perm.length !== x.shape.length) throw new ShapeError(`Transpose: perm ${perm} for rank ${x.shape.length}`);
    return this.node('Transpose', [x], perm.map((p) => x.shape[p]), x.dtype, { perm: ints(perm) });
  }

  /** Swaps the last two axes. */
  transposeLast(x: Value): Value {
    const r = x.shape.length;
    const perm = [...Array(r).keys()];
    [perm[r - 2], perm[r - 1]] = [perm[r - 1], perm[r - 2]];
    return this.transpose(x, perm);
  }

  /** Reshape to a static target (0 copies the input dim, -1 infers one dim). */
  reshape(x: Value, target: readonly number[]): Value {
    return this.node('Reshape', [x, this.int64s(target)], reshapeShape(x.shape, target), x.dtype);
  }

  /** Inserts size-1 axes at the given (output) positions. */
  unsqueeze(x: Value, axes: readonly number[]): Value {
    const rank = x.shape.length + axes.length;
    const norm = axes.map((a) => normalizeAxis(a, rank)).sort((a, b) => a - b);
    const shape: Dim[] = [...x.shape];
    for (const a of norm) shape.splice(a, 0, 1);
    return this.node('Unsqueeze', [x, this.int64s(norm)], shape, x.dtype);
  }

  /** Merges axes `axis` and `axis + 1` (both static) while keeping the other, possibly dynamic, dims. */
  mergeAxes(x: Value, axis: number): Value {
    const [a, b] = [x.shape[axis], x.shape[axis + 1]];
    if (typeof a !== 'number' || typeof b !== 'number') throw new ShapeError(`mergeAxes: axes ${axis}, ${axis + 1} must be static`);
    const parts: Value[] = [];
    if (axis > 0) parts.push(this.shapeOf(x, 0, axis));
    parts.push(this.int64s([a * b]));
    if (axis + 2 < x.shape.length) parts.push(this.shapeOf(x, axis + 2));
    const shape = [...x.shape.slice(0, axis), a * b, ...x.shape.slice(axis + 2)];
    return this.node('Reshape', [x, parts.length === 1 ? parts[0] : this.concat(parts, 0)], shape, x.dtype);
  }

  /** Reshape to a runtime int64 shape whose static form is `shape`. */
  reshapeTo(x: Value, shapeValue: Value, shape: Shape): Value {
    return this.node('Reshape', [x, shapeValue], shape, x.dtype);
  }

  /** The same op on the same inputs as a new node, so its result can be freed and computed again later. */
  recompute(v: Value): Value {
    if (v.op === 'Input' || v.op === 'Constant') return v;
    return { id: this.nextId++, op: v.op, inputs: v.inputs, attrs: v.attrs, shape: v.shape, dtype: v.dtype };
  }

  /**
   * Reshape to the runtime shape of `like` (used by gradients to undo reshapes). A constant target is
   * used whenever the static shapes determine one: onnxruntime loads graphs with many Shape-fed
   * Reshapes in time quadratic in their number.
   */
  reshapeLike(x: Value, like: Value): Value {
    const target = constantReshapeTarget(x.shape, like.shape);
    return this.node('Reshape', [x, target ? this.int64s(target) : this.shapeOf(like)], like.shape, x.dtype);
  }

  /** Broadcast `x` to the runtime shape of `like`. */
  expandLike(x: Value, like: Value): Value {
    return this.node('Expand', [x, this.shapeOf(like)], like.shape, x.dtype);
  }

  shapeOf(x: Value, start?: number, end?: number): Value {
    const attrs: Record<string, Attr> = {};
    if (start !== undefined) attrs.start = int(start);
    if (end !== undefined) attrs.end = int(end);
    const len = (end ?? x.shape.length) - (start ?? 0);
    return this.node('Shape', [x], [len], 'int64', attrs);
  }

  /** The runtime size of one axis as an int64 scalar. */
  dimOf(x: Value, axis: number): Value {
    const a = normalizeAxis(axis, x.shape.length);
    const s = this.shapeOf(x, a, a + 1);
    return this.node('Reshape', [s, this.int64s([])], [], 'int64');
  }

  /** int64 [0, 1, ..., n-1] for a runtime scalar n whose static value is `symbol`. */
  range(n: Value, symbol: Dim): Value {
    return this.rangeFrom(this.int64(0), n, symbol);
  }

  /** int64 [start, …, end-1] for runtime scalars; `symbol` names its length. */
  rangeFrom(start: Value, end: Value, symbol: Dim): Value {
    return this.node('Range', [start, end, this.int64(1)], [symbol], 'int64');
  }

  /** Elements [start, end) of one axis, with runtime int64 [1] bounds; `symbol` names the new size. */
  slice(x: Value, start: Value, end: Value, axis: number, symbol: Dim): Value {
    const a = normalizeAxis(axis, x.shape.length);
    const shape = [...x.shape];
    shape[a] = symbol;
    return this.node('Slice', [x, start, end, this.int64s([a])], shape, x.dtype);
  }

  /** Broadcasts `x` to a runtime int64 shape whose static form is `shape`. */
  expand(x: Value, shapeValue: Value, shape: Shape): Value {
    return this.node('Expand', [x, shapeValue], shape, x.dtype);
  }

  concat(xs: readonly Value[], axis: number): Value {
    const rank = xs[0].shape.length;
    const a = normalizeAxis(axis, rank);
    const shape = [...xs[0].shape];
    const parts = xs.map((x) => x.shape[a]);
    shape[a] = parts.every((p) => typeof p === 'number')
      ? (parts as number[]).reduce((s, p) => s + p, 0)
      : parts.join('+');
    return this.node('Concat', xs, shape, xs[0].dtype, { axis: int(a) });
  }

  /** Gathers rows of `data` along axis 0 with integer indices of any shape. */
  gather(data: Value, indices: Value): Value {
    return this.node('Gather', [data, indices], [...indices.shape, ...data.shape.slice(1)], data.dtype, { axis: int(0) });
  }
}

/**
 * A Reshape target (0 = keep the input's dimension at that index, −1 = inferred, at most once) that turns
 * `from` into `to`, or null when the static shapes do not determine one. Equal symbols mean equal sizes.
 */
export function constantReshapeTarget(from: Shape, to: Shape): number[] | null {
  let inferred = 0;
  const target = to.map((d, i) => {
    if (typeof d === 'number') return d;
    if (i < from.length && from[i] === d) return 0;
    inferred++;
    return -1;
  });
  return inferred <= 1 ? target : null;
}

export const ONNX_DTYPE: Record<DType, number> = {
  float32: 1,
  uint8: 2,
  int8: 3,
  int4: 22,
  int32: 6,
  int64: 7,
  bool: 9,
};

/** Every node reachable from `outputs`, inputs before users (deterministic order). */
export function topologicalOrder(outputs: readonly Value[]): Value[] {
  const seen = new Set<number>();
  const order: Value[] = [];
  const stack: { v: Value; expanded: boolean }[] = outputs.map((v) => ({ v, expanded: false })).reverse();
  while (stack.length) {
    const top = stack.pop()!;
    if (top.expanded) {
      order.push(top.v);
      continue;
    }
    if (seen.has(top.v.id)) continue;
    seen.add(top.v.id);
    stack.push({ v: top.v, expanded: true });
    for (let i = top.v.inputs.length - 1; i >= 0; i--) {
      const inp = top.v.inputs[i];
      if (!seen.has(inp.id)) stack.push({ v: inp, expanded: false });
    }
  }
  return order;
}
