// S_i = (1/m) Σ_k ‖Π_i H Π_i r_k‖₁ with H r from finite differences of a batched gradient function.
// Independent of any model: tests drive it with analytic functions, the engine with the gradient graph.

import { RunningMean } from './components';

/** Gradients ∇g of `count` perturbed copies of X ([count, p, d] in, [count, p, d] out). */
export type BatchedGradient = (xs: Float32Array, count: number) => Promise<Float32Array>;

export interface HessianSensitivityInput {
  x: Float32Array;
  p: number;
  d: number;
  /** Step per token. */
  epsilon: readonly number[];
  /** Sign vectors [m][p][d]. */
  probes: readonly (readonly Int8Array[])[];
  central: boolean;
  batch: number;
  gradient: BatchedGradient;
  /** Forward differences need ∇g(X) itself. */
  baseGradient?: Float32Array;
  signal?: AbortSignal;
  /** After each probe round: running mean, its standard error, and the round's per-token norms. */
  onRound?: (round: number, stats: RunningMean, norms: number[]) => void;
}

export async function hessianSensitivity(input: HessianSensitivityInput): Promise<{ stats: RunningMean; perProbe: number[][]; passes: number }> {
  const { x, p, d, epsilon, probes, central, batch, gradient, signal } = input;
  if (!central && !input.baseGradient) throw new Error('forward differences need the base gradient');
  const stats = new RunningMean(p);
  const perProbe: number[][] = [];
  const signs = central ? [1, -1] : [1];
  let passes = 0;
  for (const [k, roundProbes] of probes.entries()) {
    // One round: every (token i, sign) item perturbs only row i of X.
    const items = Array.from({ length: p }, (_, i) => signs.map((s) => ({ i, s }))).flat();
    const blocks = new Map<string, Float32Array>();
    for (let start = 0; start < items.length; start += batch) {
      const chunk = items.slice(start, start + batch);
      const xs = new Float32Array(chunk.length * p * d);
      chunk.forEach(({ i, s }, b) => {
        xs.set(x, b * p * d);
        const r = roundProbes[i];
        const at = (b * p + i) * d;
        for (let j = 0; j < d; j++) xs[at + j] += s * epsilon[i] * r[j];
      });
      const grads = await gradient(xs, chunk.length);
      passes += chunk.length;
      chunk.forEach(({ i, s }, b) => blocks.set(`${i}:${s}`, grads.slice((b * p + i) * d, (b * p + i + 1) * d)));
      signal?.throwIfAborted();
    }
    const norms: number[] = [];
    for (let i = 0; i < p; i++) {
      const plus = blocks.get(`${i}:1`)!;
      const minus = central ? blocks.get(`${i}:-1`)! : input.baseGradient!.subarray(i * d, (i + 1) * d);
      const step = central ? 2 * epsilon[i] : epsilon[i];
      let norm1 = 0;
      for (let j = 0; j < d; j++) norm1 += Math.abs((plus[j] - minus[j]) / step);
      stats.add(i, norm1);
      norms.push(norm1);
    }
    perProbe.push(norms);
    input.onRound?.(k, stats, norms);
  }
  return { stats, perProbe, passes };
}
