// S_i = (1/m) Σ_k ‖Π_i H Π_i r_k‖₁ with H r from finite differences of the gradient.
// Independent of any model: tests drive it with analytic functions, the engine with its compiled graphs.

import { RunningMean } from './components';

/** ‖Π_i H Π_i r_k‖₁ for token i and each of the given probe rounds k (one number per round). */
export type ProbeNorms = (i: number, rounds: readonly number[]) => Promise<ArrayLike<number>>;

/**
 * Block i of ∇g at `count` copies of X whose row i is replaced by `rows` ([count, d] in and out).
 * Only row i changes, so an implementation may reuse everything before position i.
 */
export type TokenGradients = (i: number, rows: Float32Array, count: number) => Promise<Float32Array>;

export interface HessianSensitivityInput {
  p: number;
  m: number;
  /** Probe rounds evaluated together per token (bigger batches) before the running estimate is reported. */
  roundsPerUpdate: number;
  probeNorms: ProbeNorms;
  signal?: AbortSignal;
  /** After each group of rounds: rounds done, running mean with its standard error, per-probe norms so far. */
  onUpdate?: (roundsDone: number, stats: RunningMean, perProbe: number[][]) => void;
}

export async function hessianSensitivity(input: HessianSensitivityInput): Promise<{ stats: RunningMean; perProbe: number[][] }> {
  const { p, m, probeNorms, signal } = input;
  const stats = new RunningMean(p);
  const perProbe: number[][] = Array.from({ length: m }, () => new Array<number>(p).fill(0));
  const group = Math.max(1, Math.min(m, input.roundsPerUpdate));
  for (let k0 = 0; k0 < m; k0 += group) {
    const rounds = Array.from({ length: Math.min(group, m - k0) }, (_, j) => k0 + j);
    for (let i = 0; i < p; i++) {
      const norms = await probeNorms(i, rounds);
      signal?.throwIfAborted();
      rounds.forEach((k, n) => {
        stats.add(i, norms[n]);
        perProbe[k][i] = norms[n];
      });
    }
    input.onUpdate?.(k0 + rounds.length, stats, perProbe.slice(0, k0 + rounds.length));
  }
  return { stats, perProbe };
}

export interface HostDifferencesInput {
  x: Float32Array;
  d: number;
  /** Step per token. */
  epsilon: readonly number[];
  /** Sign vectors [m][p][d]. */
  probes: readonly (readonly Int8Array[])[];
  central: boolean;
  gradientAt: TokenGradients;
  /** Forward differences need ∇g(X) itself ([p, d]). */
  baseGradient?: Float32Array;
}

/** Probe norms from block gradients, differenced and reduced on the host (forward or central differences). */
export function normsFromGradients(input: HostDifferencesInput): ProbeNorms {
  const { x, d, epsilon, probes, central, gradientAt } = input;
  if (!central && !input.baseGradient) throw new Error('forward differences need the base gradient');
  const signs = central ? [1, -1] : [1];
  return async (i, rounds) => {
    const items = rounds.flatMap((k) => signs.map((s) => ({ k, s })));
    const rows = new Float32Array(items.length * d);
    items.forEach(({ k, s }, b) => {
      const r = probes[k][i];
      for (let j = 0; j < d; j++) rows[b * d + j] = x[i * d + j] + s * epsilon[i] * r[j];
    });
    const grads = await gradientAt(i, rows, items.length);
    return rounds.map((_, n) => {
      const plus = grads.subarray(n * signs.length * d, (n * signs.length + 1) * d);
      const minus = central ? grads.subarray((n * 2 + 1) * d, (n * 2 + 2) * d) : input.baseGradient!.subarray(i * d, (i + 1) * d);
      const step = central ? 2 * epsilon[i] : epsilon[i];
      let norm1 = 0;
      for (let j = 0; j < d; j++) norm1 += Math.abs((plus[j] - minus[j]) / step);
      return norm1;
    });
  };
}
