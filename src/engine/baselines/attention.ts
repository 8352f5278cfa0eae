// Attention baselines as pure functions of the inspect graph's attention output [L, H, T, T]
// (shared/docs/heta-spec.md, "Baselines a user compares against").

/** Row q of the last layer's attention, averaged over heads: [p]. */
export function lastLayerAttention(attention: ArrayLike<number>, L: number, H: number, T: number, q: number, p = q + 1): Float64Array {
  const out = new Float64Array(p);
  for (let h = 0; h < H; h++) {
    const at = (((L - 1) * H + h) * T + q) * T;
    for (let j = 0; j < p; j++) out[j] += attention[at + j] / H;
  }
  return out;
}

/**
 * Attention rollout (Abnar & Zuidema 2020): per layer the head-averaged attention Ā^l, mixed with the
 * residual as Â^l = ½Ā^l + ½I and row-renormalized; the rollout is Â^L ⋯ Â^1 and the scores are its row q.
 * Carried as a row vector from the left (e_q Â^L ⋯ Â^1), so the cost is L·T² rather than L·T³.
 */
export function attentionRollout(attention: ArrayLike<number>, L: number, H: number, T: number, q: number, p = q + 1): Float64Array {
  let row = new Float64Array(T);
  row[q] = 1;
  for (let l = L - 1; l >= 0; l--) {
    const next = new Float64Array(T);
    for (let r = 0; r < T; r++) {
      if (row[r] === 0) continue;
      const mixed = new Float64Array(T);
      let sum = 0;
      for (let c = 0; c < T; c++) {
        let a = 0;
        for (let h = 0; h < H; h++) a += attention[((l * H + h) * T + r) * T + c];
        mixed[c] = 0.5 * (a / H) + (r === c ? 0.5 : 0);
        sum += mixed[c];
      }
      for (let c = 0; c < T; c++) next[c] += (row[r] * mixed[c]) / (sum > 0 ? sum : 1);
    }
    row = next;
  }
  return row.slice(0, p);
}
