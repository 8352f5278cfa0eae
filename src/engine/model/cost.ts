// Arithmetic cost of the passes HETA runs, for benchmarks and the catalog's time estimate (multiply-adds
// count as 2 FLOPs).

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
 * Total FLOPs of one HETA attribution for a context of p tokens. With prefix reuse the Hessian pass for
 * token i covers only positions i … p−1 (attention to the cached prefix is counted as if it were local,
 * a small undercount).
 */
export function attributionFlops(c: ModelConfig, p: number, m: number, central = true, prefixReuse = true): number {
  const inspect = forwardFlops(c, p, p);
  const masked = p * forwardFlops(c, p, 1);
  let perProbe = 0;
  for (let i = 0; i < p; i++) perProbe += gradientFlops(c, prefixReuse ? p - i : p);
  return inspect + masked + (central ? 2 : 1) * m * perProbe;
}
