// Faithfulness metrics as pure functions (shared/docs/heta-spec.md, "Faithfulness metrics"): the soft
// normalized comprehensiveness/sufficiency of Zhao & Aletras (generative form, as in ReAGent) and the
// deletion/insertion curves with AOPC. The model passes are driven by evaluate.ts.

/** s_i = max(a_i, 0) / max_j a_j; all zeros when no score is positive. */
export function softImportance(scores: ArrayLike<number>): Float64Array {
  let max = 0;
  for (let i = 0; i < scores.length; i++) max = Math.max(max, scores[i]);
  return Float64Array.from(scores, (a) => (max > 0 ? Math.max(a, 0) / max : 0));
}

/**
 * One soft-masked copy of X [p, d]: element j of token i is kept when u[i·d + j] < keep_i, else set to 0;
 * keep_i = 1 − s_i for Soft-NC (drop the important tokens) and s_i for Soft-NS (keep only them).
 */
export function softMasked(x: ArrayLike<number>, p: number, d: number, s: ArrayLike<number>, uniforms: ArrayLike<number>, kind: 'nc' | 'ns'): Float32Array {
  const out = new Float32Array(p * d);
  for (let i = 0; i < p; i++) {
    const keep = kind === 'nc' ? 1 - s[i] : s[i];
    for (let j = 0; j < d; j++) if (uniforms[i * d + j] < keep) out[i * d + j] = x[i * d + j];
  }
  return out;
}

/** ‖√p − √q‖₂ between two distributions given as log-probabilities. */
export function sqrtDistance(logP: ArrayLike<number>, logQ: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < logP.length; i++) s += (Math.exp(logP[i] / 2) - Math.exp(logQ[i] / 2)) ** 2;
  return Math.sqrt(s);
}

/** SoftComp = ‖√p_masked − √p_orig‖₂² / √2 and SoftSuff = 1 − ‖√p_masked − √p_orig‖₂ / √2 (the spec's formulas). */
export function softTerms(logPOrig: ArrayLike<number>, logPMasked: ArrayLike<number>): { comp: number; suff: number } {
  const dist = sqrtDistance(logPOrig, logPMasked);
  return { comp: (dist * dist) / Math.SQRT2, suff: 1 - dist / Math.SQRT2 };
}

/** KL(P ‖ Q) from log-probabilities (float64). */
export function kl(logP: ArrayLike<number>, logQ: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < logP.length; i++) {
    const p = Math.exp(logP[i]);
    if (p > 0) s += p * (logP[i] - logQ[i]);
  }
  return s;
}

/** Suff₀ = 1 − max(0, KL(p_orig ‖ p_all-zero)). */
export function suffZero(logPOrig: ArrayLike<number>, logPZero: ArrayLike<number>): number {
  return 1 - Math.max(0, kl(logPOrig, logPZero));
}

/**
 * Soft-NC = SoftComp / (1 − Suff₀) and Soft-NS = clamp(SoftSuff − Suff₀, 0, 10) / (1 − Suff₀).
 * NaN when 1 − Suff₀ is 0 (the all-zero context predicts exactly what X does: nothing to normalize by).
 */
export function softNormalized(comp: number, suff: number, suff0: number): { nc: number; ns: number } {
  const denom = 1 - suff0;
  if (!(denom > 1e-12)) return { nc: NaN, ns: NaN };
  return { nc: comp / denom, ns: Math.min(10, Math.max(0, suff - suff0)) / denom };
}

/** Token indices by decreasing score; ties keep position order. NaN scores rank last. */
export function rankDescending(scores: ArrayLike<number>): number[] {
  const key = (i: number) => (Number.isNaN(scores[i]) ? -Infinity : scores[i]);
  return Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => key(b) - key(a) || a - b);
}

/** How many of `reference`'s k highest-scoring tokens are also among `scores`' k highest. */
export function topOverlap(scores: ArrayLike<number>, reference: ArrayLike<number>, k: number): number {
  const top = new Set(rankDescending(reference).slice(0, k));
  return rankDescending(scores).slice(0, k).filter((i) => top.has(i)).length;
}

/** k = 10%, 20%, …, 100% of the context. */
export const CURVE_FRACTIONS: readonly number[] = Array.from({ length: 10 }, (_, k) => (k + 1) / 10);

/** Tokens in the top fraction f of a context of p: round(f·p), at least 1. */
export function tokensAt(fraction: number, p: number): number {
  return Math.min(p, Math.max(1, Math.round(fraction * p)));
}

/**
 * Keep-masks (1 = kept) for the curves: deletion (MoRF) masks the top-k tokens, insertion (LeRF) keeps
 * only the top-k tokens and masks the rest.
 */
export function curveKeepMasks(scores: ArrayLike<number>, kind: 'deletion' | 'insertion', fractions: readonly number[] = CURVE_FRACTIONS): Uint8Array[] {
  const p = scores.length;
  const order = rankDescending(scores);
  return fractions.map((f) => {
    const k = tokensAt(f, p);
    const keep = new Uint8Array(p).fill(kind === 'deletion' ? 1 : 0);
    for (const i of order.slice(0, k)) keep[i] = kind === 'deletion' ? 0 : 1;
    return keep;
  });
}

/** AOPC: the mean of the drops g(X) − g(X̃_k) over the curve's points. */
export function aopc(drops: readonly number[]): number {
  return drops.reduce((s, v) => s + v, 0) / drops.length;
}
