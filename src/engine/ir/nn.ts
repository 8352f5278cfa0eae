// Composite layers lowered to IR primitives in one place, so only the primitives need gradient rules.

import type { GraphBuilder, Value } from './graph';

/** RMSNorm as Llama/Qwen2 define it: x / sqrt(mean(x²) + eps) · w. */
export function rmsNorm(g: GraphBuilder, x: Value, weight: Value, eps: number): Value {
  const meanSquare = g.reduceMean(g.mul(x, x), [-1]);
  return g.mul(g.div(x, g.sqrt(g.add(meanSquare, g.scalar(eps)))), weight);
}

/** LayerNorm over the last axis with biased variance (GPT-2). */
export function layerNorm(g: GraphBuilder, x: Value, weight: Value, bias: Value, eps: number): Value {
  const centered = g.sub(x, g.reduceMean(x, [-1]));
  const variance = g.reduceMean(g.mul(centered, centered), [-1]);
  const normalized = g.div(centered, g.sqrt(g.add(variance, g.scalar(eps))));
  return g.add(g.mul(normalized, weight), bias);
}

/** GPT-2's tanh approximation of GELU ("gelu_new"). */
export function geluNew(g: GraphBuilder, x: Value): Value {
  const cube = g.mul(g.mul(x, x), x);
  const inner = g.mul(g.add(x, g.mul(cube, g.scalar(0.044715))), g.scalar(Math.sqrt(2 / Math.PI)));
  return g.mul(g.mul(x, g.scalar(0.5)), g.add(g.scalar(1), g.tanh(inner)));
}

/** Exact GELU, x · Φ(x) = ½x(1 + erf(x/√2)) (torch's default; GPT-NeoX/Pythia `gelu`). */
export function gelu(g: GraphBuilder, x: Value): Value {
  return g.mul(g.mul(x, g.scalar(0.5)), g.add(g.scalar(1), g.erf(g.mul(x, g.scalar(Math.SQRT1_2)))));
}

export function silu(g: GraphBuilder, x: Value): Value {
  return g.mul(x, g.sigmoid(x));
}

/** Float one-hot rows: out[..., j] = (indices[...] == j) for j < size (runtime scalar `size`). */
export function oneHot(g: GraphBuilder, indices: Value, size: Value, sizeSymbol: number | string): Value {
  const classes = g.range(size, sizeSymbol);
  return g.cast(g.equal(g.unsqueeze(indices, [-1]), classes), 'float32');
}
