// Arithmetic cost of the passes HETA runs, for benchmarks and time estimates (multiply-adds count as 2
// FLOPs).

import type { ModelConfig } from '../checkpoint/types';

/** FLOPs of one forward pass over T tokens with logits for `rows` rows. */
export function forwardFlops(c: ModelConfig, T: number, rows = 1): number {
  const kv = c.numKvHeads * c.headDim;
  const q = c.numHeads * c.headDim;
  const projections = c.hiddenSize * (2 * q + 2 * kv); // q, k, v, o
  const mlp = c.hiddenSize * c.intermediateSize * (c.mlp === 'swiglu' ? 3 : 2);
  const attention = 2 * T * q; // QKᵀ and PV per query position, averaged causal ≈ T/2 each
  const perToken = 2 * c.numLayers * (projections + mlp) + 2 * c.numLayers * attention * 0.5;
  return T * perToken + 2 * rows * c.hiddenSize * c.vocabSize;
}

/** A gradient pass is a forward pass and a backward pass of about twice its cost. */
export function gradientFlops(c: ModelConfig, T: number): number {
  return 3 * forwardFlops(c, T, 1);
}

/**
 * FLOPs of one probe of token i (i = 0 … p−1) for a sequence of T tokens: two gradient passes (central
 * differences) or one (forward). With prefix reuse the pass covers only positions i … T−1 (attention to
 * the cached prefix is counted as if it were local, a small undercount).
 */
export function probeFlops(c: ModelConfig, T: number, i: number, central = true, prefixReuse = true): number {
  return (central ? 2 : 1) * gradientFlops(c, prefixReuse ? T - i : T);
}

/** FLOPs of each phase of one HETA attribution: p context tokens of T fed, `rows` objective rows, m probes per token. */
export function attributionWork(c: ModelConfig, p: number, m: number, { T = p, rows = 1, central = true, prefixReuse = true } = {}) {
  const perProbe = Array.from({ length: p }, (_, i) => probeFlops(c, T, i, central, prefixReuse));
  const inspect = forwardFlops(c, T, T);
  const masked = p * forwardFlops(c, T, rows);
  return { inspect, masked, perProbe, hessian: m * perProbe.reduce((a, b) => a + b, 0) };
}

/** Total FLOPs of one HETA attribution for a context of p tokens (next-token target). */
export function attributionFlops(c: ModelConfig, p: number, m: number, central = true, prefixReuse = true): number {
  const w = attributionWork(c, p, m, { central, prefixReuse });
  return w.inspect + w.masked + w.hessian;
}
