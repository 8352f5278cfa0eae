// HETA's three components and the final score, as pure functions of plain arrays
// (shared/docs/heta-spec.md). The engine feeds them model outputs; tests feed them hand-made data.

/** Row-renormalized ½A + ½I for one head: a [p, p] causal attention matrix (row-major). */
function halfIdentityMix(a: Float32Array, p: number, offset: number): Float64Array {
  const out = new Float64Array(p * p);
  for (let r = 0; r < p; r++) {
    let sum = 0;
    for (let c = 0; c < p; c++) {
      const v = 0.5 * a[offset + r * p + c] + (r === c ? 0.5 : 0);
      out[r * p + c] = v;
      sum += v;
    }
    if (sum > 0) for (let c = 0; c < p; c++) out[r * p + c] /= sum;
  }
  return out;
}

export interface SemanticTransition {
  /** M over the context, clamped at 0 and normalized to sum 1. */
  m: Float64Array;
  /** Per layer, Σ_h Φ^{l,h}[i] ν^{l,h}_i before normalization: [L][p]. */
  perLayer: Float64Array[];
}

/**
 * M[i] = Σ_{l,h} Φ^{l,h}[i] · ν^{l,h}_i with Φ^{l,h} = row q of Â^{l,h} ⋯ Â^{1,h}, over the context 0 … p − 1.
 * `attention` is [L, H, T, T], `valueStrength` [L, H, T] (the inspect graph's outputs over T ≥ p fed
 * tokens; rows past the context, a span's, are hops of the chain but get no share of M).
 */
export function semanticTransition(attention: Float32Array, valueStrength: Float32Array, L: number, H: number, T: number, q: number, p = T): SemanticTransition {
  const perLayer = Array.from({ length: L }, () => new Float64Array(p));
  for (let h = 0; h < H; h++) {
    const mixes = Array.from({ length: L }, (_, l) => halfIdentityMix(attention, T, (l * H + h) * T * T));
    for (let l = 0; l < L; l++) {
      // Φ^{l} = e_q^T Â^l Â^{l-1} ⋯ Â^1, multiplied from the left so only a row vector is carried.
      let phi = new Float64Array(T);
      phi[q] = 1;
      for (let j = l; j >= 0; j--) {
        const next = new Float64Array(T);
        const a = mixes[j];
        for (let r = 0; r <= q; r++) {
          const w = phi[r];
          if (w === 0) continue;
          for (let c = 0; c <= r; c++) next[c] += w * a[r * T + c];
        }
        phi = next;
      }
      const nu = valueStrength.subarray((l * H + h) * T, (l * H + h + 1) * T);
      for (let i = 0; i < p; i++) perLayer[l][i] += phi[i] * nu[i];
    }
  }
  const m = new Float64Array(p);
  for (const layer of perLayer) for (let i = 0; i < p; i++) m[i] += layer[i];
  for (let i = 0; i < p; i++) m[i] = Math.max(0, m[i]);
  const total = m.reduce((s, v) => s + v, 0);
  for (let i = 0; i < p; i++) m[i] = total > 0 ? m[i] / total : 1 / p;
  return { m, perLayer };
}

/**
 * M for an objective over several prediction rows (a span): each row's simplex-normalized M over the
 * context, averaged (heta-spec "Span target"); per-layer values averaged the same way. One row is §1's M.
 */
export function spanTransition(attention: Float32Array, valueStrength: Float32Array, L: number, H: number, T: number, p: number, rows: readonly number[]): SemanticTransition {
  if (rows.length === 1) return semanticTransition(attention, valueStrength, L, H, T, rows[0], p);
  const m = new Float64Array(p);
  const perLayer = Array.from({ length: L }, () => new Float64Array(p));
  for (const row of rows) {
    const one = semanticTransition(attention, valueStrength, L, H, T, row, p);
    for (let i = 0; i < p; i++) m[i] += one.m[i] / rows.length;
    one.perLayer.forEach((layer, l) => layer.forEach((v, i) => (perLayer[l][i] += v / rows.length)));
  }
  return { m, perLayer };
}

export interface FlowEdge {
  /** Layer 1 … L: the edge goes from position `from` at layer l−1 to position `to` at layer l. */
  layer: number;
  from: number;
  to: number;
  /** Share of the target row's attention flow carried by this edge (each layer's edges sum to ≤ 1). */
  weight: number;
}

/**
 * The attention flow that ends at the prediction row q, for the layer graph: with head-averaged
 * Â^l and b_L = e_q, b_{l−1} = b_l Â^l, the edge j→k of layer l carries b_l[k] · Â^l[k, j].
 * Keeps the `maxPerLayer` strongest edges of each layer.
 */
export function flowEdges(attention: Float32Array, L: number, H: number, p: number, q: number, maxPerLayer = 4 * p): FlowEdge[] {
  const edges: FlowEdge[] = [];
  let b = new Float64Array(p);
  b[q] = 1;
  for (let l = L - 1; l >= 0; l--) {
    const avg = new Float64Array(p * p);
    for (let h = 0; h < H; h++) {
      const mix = halfIdentityMix(attention, p, (l * H + h) * p * p);
      for (let k = 0; k < p * p; k++) avg[k] += mix[k] / H;
    }
    const layerEdges: FlowEdge[] = [];
    const next = new Float64Array(p);
    for (let k = 0; k < p; k++) {
      if (b[k] === 0) continue;
      for (let j = 0; j <= k; j++) {
        const w = b[k] * avg[k * p + j];
        next[j] += w;
        if (w > 0) layerEdges.push({ layer: l + 1, from: j, to: k, weight: w });
      }
    }
    layerEdges.sort((x, y) => y.weight - x.weight);
    edges.push(...layerEdges.slice(0, maxPerLayer));
    b = next;
  }
  return edges.sort((x, y) => x.layer - y.layer || y.weight - x.weight);
}

/** KL(P ‖ Q) from log-probabilities. */
export function klDivergence(logP: Float64Array, logQ: Float64Array): number {
  let kl = 0;
  for (let i = 0; i < logP.length; i++) {
    const p = Math.exp(logP[i]);
    if (p > 0) kl += p * (logP[i] - logQ[i]);
  }
  return Math.max(0, kl);
}

/** Attr_i = M[i] · (β S_i + γ I_i) (Eq. 5); recomputed instantly when β or γ change. */
/**
 * How S and I enter the score. 'raw' is the paper's Eq. 5. In 'normalized', S and I are each divided by
 * their sum over the context first, so both lie on the same simplex as M and β, γ trade Hessian against
 * KL: with raw components S is 40–1000 where I is 0.0003–3 on the demo model, and γ moves no rank.
 */
export type ComponentScaling = 'raw' | 'normalized';

function overSum(v: ArrayLike<number>): ArrayLike<number> {
  let total = 0;
  for (let k = 0; k < v.length; k++) total += v[k];
  return total > 0 ? Float64Array.from(v, (x) => x / total) : new Float64Array(v.length);
}

/** Attr_i = M[i] · (β S_i + γ I_i), with S and I as they are or each normalized over the context. */
export function hetaScores(m: ArrayLike<number>, s: ArrayLike<number>, i: ArrayLike<number>, beta: number, gamma: number, scaling: ComponentScaling = 'raw'): Float64Array {
  const [S, I] = scaling === 'normalized' ? [overSum(s), overSum(i)] : [s, i];
  return Float64Array.from(m, (mi, k) => mi * (beta * S[k] + gamma * I[k]));
}

/** Running mean and standard error of S_i over probes (Welford). */
export class RunningMean {
  readonly n: Float64Array;
  readonly mean: Float64Array;
  private readonly m2: Float64Array;

  constructor(size: number) {
    this.n = new Float64Array(size);
    this.mean = new Float64Array(size);
    this.m2 = new Float64Array(size);
  }

  add(i: number, x: number): void {
    this.n[i] += 1;
    const delta = x - this.mean[i];
    this.mean[i] += delta / this.n[i];
    this.m2[i] += delta * (x - this.mean[i]);
  }

  standardError(): Float64Array {
    return Float64Array.from(this.mean, (_, i) => (this.n[i] > 1 ? Math.sqrt(this.m2[i] / (this.n[i] - 1) / this.n[i]) : 0));
  }
}
