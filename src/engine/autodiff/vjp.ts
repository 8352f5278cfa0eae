// Vector-Jacobian products, one rule per differentiable primitive, written with the same builder
// as the forward pass so the backward graph is simply more graph. A rule returns the gradient for
// each input (null where an input is not differentiable, e.g. a Reshape's target shape).

import type { GraphBuilder, Value } from '../ir/graph';
import type { Shape } from '../ir/shape';

export type VjpRule = (g: GraphBuilder, node: Value, dY: Value) => (Value | null)[];

/** Sums a broadcast gradient back down to the shape of the operand it flowed into. */
export function unbroadcast(g: GraphBuilder, grad: Value, target: Shape): Value {
  let out = grad;
  const extra = grad.shape.length - target.length;
  if (extra > 0) out = g.reduceSum(out, [...Array(extra).keys()], false);
  const axes: number[] = [];
  target.forEach((d, i) => {
    if (d === 1 && out.shape[i] !== 1) axes.push(i);
  });
  if (axes.length) out = g.reduceSum(out, axes, true);
  return out;
}

/** A stored weight as a product reads it: a float constant, or a quantized one dequantized for this use. */
function isWeight(v: Value): boolean {
  return (v.op === 'Constant' && v.dtype === 'float32' && v.shape.length === 2) || v.op === 'DequantizeLinear';
}

function staticCount(x: Value, axes: readonly number[]): number {
  let n = 1;
  for (const a of axes) {
    const d = x.shape[a < 0 ? a + x.shape.length : a];
    if (typeof d !== 'number') throw new Error(`ReduceMean gradient needs a static size, axis ${a} is '${d}'`);
    n *= d;
  }
  return n;
}

/** Axes of a Reduce node, stored as its constant second input. */
function reduceAxes(node: Value): number[] {
  return Array.from(node.inputs[1].data as BigInt64Array, Number);
}

/** Brings a reduced gradient back to the input's shape. */
function expandReduced(g: GraphBuilder, node: Value, dY: Value): Value {
  const keep = node.attrs.keepdims?.kind === 'int' ? node.attrs.keepdims.value : 1;
  const d = keep ? dY : g.unsqueeze(dY, reduceAxes(node));
  return g.expandLike(d, node.inputs[0]);
}

export const vjpRules: Record<string, VjpRule> = {
  Add: (g, n, dY) => [unbroadcast(g, dY, n.inputs[0].shape), unbroadcast(g, dY, n.inputs[1].shape)],
  Sub: (g, n, dY) => [unbroadcast(g, dY, n.inputs[0].shape), unbroadcast(g, g.neg(dY), n.inputs[1].shape)],
  Mul: (g, n, dY) => [
    unbroadcast(g, g.mul(dY, n.inputs[1]), n.inputs[0].shape),
    unbroadcast(g, g.mul(dY, n.inputs[0]), n.inputs[1].shape),
  ],
  Div: (g, n, dY) => {
    const [a, b] = n.inputs;
    const da = g.div(dY, b);
    // d(a/b)/db = -a/b² = -(a/b)/b
    const db = g.neg(g.div(g.mul(dY, n), b));
    return [unbroadcast(g, da, a.shape), unbroadcast(g, db, b.shape)];
  },
  Neg: (g, _n, dY) => [g.neg(dY)],
  Exp: (g, n, dY) => [g.mul(dY, n)],
  Log: (g, n, dY) => [g.div(dY, n.inputs[0])],
  Sqrt: (g, n, dY) => [g.div(g.mul(dY, g.scalar(0.5)), n)],
  Tanh: (g, n, dY) => [g.mul(dY, g.sub(g.scalar(1), g.mul(n, n)))],
  // d erf(x)/dx = 2/√π · exp(−x²)
  Erf: (g, n, dY) => {
    const x = n.inputs[0];
    return [g.mul(dY, g.mul(g.exp(g.neg(g.mul(x, x))), g.scalar(2 / Math.sqrt(Math.PI))))];
  },
  Sigmoid: (g, n, dY) => [g.mul(dY, g.mul(n, g.sub(g.scalar(1), n)))],
  MatMul: (g, n, dY) => {
    const [a, b] = n.inputs;
    // A weight operand (W · xᵀ, see architectures/weights.ts) is read again as stored and the transposes go
    // on the activations: Wᵀ · dY = (dYᵀ · W)ᵀ, so no pass holds a transposed copy of a weight.
    const da = isWeight(b) ? g.transposeLast(g.matmul(g.recompute(b), g.transposeLast(dY))) : g.matmul(dY, g.transposeLast(b));
    const db = isWeight(a) ? g.transposeLast(g.matmul(g.transposeLast(dY), g.recompute(a))) : g.matmul(g.transposeLast(a), dY);
    return [unbroadcast(g, da, a.shape), unbroadcast(g, db, b.shape)];
  },
  // Gemm is only ever a product with a weight (x · Wᵀ for rows x, see architectures/weights.ts): the gradient
  // flows to x alone, and the weight is read again through a new node (a fresh dequantization for a
  // quantized one) instead of keeping the forward pass's float32 copy alive until the backward pass.
  Gemm: (g, n, dY) => {
    const [, b] = n.inputs;
    const w = g.recompute(b);
    const transB = n.attrs.transB?.kind === 'int' && n.attrs.transB.value === 1;
    return [transB ? g.matmul(dY, w) : g.gemm(dY, w, true), null];
  },
  ReduceSum: (g, n, dY) => [expandReduced(g, n, dY), null],
  ReduceMean: (g, n, dY) => [
    g.div(expandReduced(g, n, dY), g.scalar(staticCount(n.inputs[0], reduceAxes(n)))),
    null,
  ],
  Softmax: (g, n, dY) => {
    // dX = Y ⊙ (dY − Σ dY⊙Y)
    const s = g.reduceSum(g.mul(dY, n), [-1], true);
    return [g.mul(n, g.sub(dY, s))];
  },
  LogSoftmax: (g, n, dY) => {
    // dX = dY − softmax ⊙ Σ dY
    const s = g.reduceSum(dY, [-1], true);
    return [g.sub(dY, g.mul(g.exp(n), s))];
  },
  Transpose: (g, n, dY) => {
    const perm = n.attrs.perm.value as readonly number[];
    const inverse: number[] = [];
    perm.forEach((p, i) => (inverse[p] = i));
    return [g.transpose(dY, inverse)];
  },
  Reshape: (g, n, dY) => [g.reshapeLike(dY, n.inputs[0]), null],
  Unsqueeze: (g, n, dY) => [g.reshapeLike(dY, n.inputs[0]), null],
  Expand: (g, n, dY) => [unbroadcast(g, dY, n.inputs[0].shape), null],
  Concat: (g, n, dY) => {
    // Each input gets its own stretch of the gradient along the concatenation axis.
    const axis = (n.attrs.axis as { value: number }).value;
    let start = g.int64s([0]);
    return n.inputs.map((inp) => {
      const end = g.add(start, g.shapeOf(inp, axis, axis + 1));
      const part = g.slice(dY, start, end, axis, inp.shape[axis]);
      start = end;
      return part;
    });
  },
};
