// The ContextCite-style surrogate (Cohen-Wang et al. 2024): random context ablations and a sparse linear
// model of the target log-probability on the keep-masks, fitted by Lasso with cyclic coordinate descent.

import { seededUniform } from '../attribution/random';

/** n keep-masks over p tokens, each token kept with probability ½, from a seeded generator: [n][p], 1 = kept. */
export function ablationMasks(seed: number, n: number, p: number): Uint8Array[] {
  const next = seededUniform(seed);
  return Array.from({ length: n }, () => Uint8Array.from({ length: p }, () => (next() < 0.5 ? 1 : 0)));
}

export interface LassoFit {
  weights: Float64Array;
  intercept: number;
  /** The penalty used (absolute) and λ_max, the smallest penalty with all weights zero. */
  lambda: number;
  lambdaMax: number;
  iterations: number;
  converged: boolean;
}

/**
 * min_{w,b} (1/2n) ‖y − b − Zw‖² + λ ‖w‖₁ with an unpenalized intercept (features and target centred).
 * λ = lambdaRelative · λ_max, λ_max = max_j |z_jᵀ(y − ȳ)| / n, so the penalty is scale-free.
 */
export function lasso(Z: readonly ArrayLike<number>[], y: ArrayLike<number>, lambdaRelative: number, maxIterations = 2000, tolerance = 1e-9, start?: ArrayLike<number>): LassoFit {
  const n = Z.length;
  const p = n > 0 ? Z[0].length : 0;
  if (n === 0) throw new Error('lasso needs at least one sample');
  const zMean = new Float64Array(p);
  let yMean = 0;
  for (let s = 0; s < n; s++) {
    yMean += y[s] / n;
    for (let j = 0; j < p; j++) zMean[j] += Z[s][j] / n;
  }
  // Column-major centred features for the coordinate updates.
  const cols = Array.from({ length: p }, (_, j) => Float64Array.from({ length: n }, (_, s) => Z[s][j] - zMean[j]));
  const colSq = cols.map((c) => c.reduce((a, v) => a + v * v, 0) / n);
  const residual = Float64Array.from({ length: n }, (_, s) => y[s] - yMean);
  let lambdaMax = 0;
  for (let j = 0; j < p; j++) lambdaMax = Math.max(lambdaMax, Math.abs(cols[j].reduce((a, v, s) => a + v * residual[s], 0)) / n);
  const lambda = lambdaRelative * lambdaMax;
  const w = new Float64Array(p);
  if (start) {
    for (let j = 0; j < p; j++) {
      w[j] = start[j];
      if (w[j] !== 0) for (let s = 0; s < n; s++) residual[s] -= cols[j][s] * w[j];
    }
  }
  const scale = residual.reduce((a, v) => a + v * v, 0) / n || 1;
  let iterations = 0;
  let converged = false;
  while (iterations < maxIterations) {
    iterations++;
    let maxChange = 0;
    for (let j = 0; j < p; j++) {
      if (colSq[j] === 0) continue;
      const c = cols[j];
      let rho = 0;
      for (let s = 0; s < n; s++) rho += c[s] * (residual[s] + c[s] * w[j]);
      rho /= n;
      const updated = Math.sign(rho) * Math.max(0, Math.abs(rho) - lambda) / colSq[j];
      const delta = updated - w[j];
      if (delta !== 0) {
        for (let s = 0; s < n; s++) residual[s] -= c[s] * delta;
        w[j] = updated;
        maxChange = Math.max(maxChange, delta * delta * colSq[j]);
      }
    }
    if (maxChange <= tolerance * scale) {
      converged = true;
      break;
    }
  }
  const intercept = yMean - w.reduce((a, v, j) => a + v * zMean[j], 0);
  return { weights: w, intercept, lambda, lambdaMax, iterations, converged };
}

export interface LassoCV {
  fit: LassoFit;
  /** The chosen penalty relative to λ_max and the path's cross-validated mean squared errors. */
  lambdaRelative: number;
  path: { lambdaRelative: number; mse: number }[];
}

/**
 * λ by K-fold cross-validation on a geometric path λ_max · 10^(−3k/(P−1)), k = 0 … P−1, taking the largest λ
 * whose CV error is within one standard error of the minimum (the usual one-standard-error rule, which
 * favours the sparser model); folds are s mod K. The returned fit uses all samples at the chosen λ.
 */
export function lassoCV(Z: readonly ArrayLike<number>[], y: ArrayLike<number>, folds = 5, pathLength = 20): LassoCV {
  const rel = Array.from({ length: pathLength }, (_, k) => 10 ** ((-3 * k) / (pathLength - 1)));
  const errors = rel.map(() => [] as number[]);
  for (let f = 0; f < folds; f++) {
    const train = Z.flatMap((_, s) => (s % folds !== f ? [s] : []));
    const test = Z.flatMap((_, s) => (s % folds === f ? [s] : []));
    if (test.length === 0 || train.length < 2) continue;
    let warm: Float64Array | undefined;
    rel.forEach((r, k) => {
      const fit = lasso(train.map((s) => Z[s]), train.map((s) => y[s]), r, 2000, 1e-9, warm);
      warm = fit.weights;
      for (const s of test) {
        let pred = fit.intercept;
        for (let j = 0; j < fit.weights.length; j++) pred += fit.weights[j] * Z[s][j];
        errors[k].push((y[s] - pred) ** 2);
      }
    });
  }
  const mse = errors.map((e) => e.reduce((a, b) => a + b, 0) / e.length);
  const se = errors.map((e, k) => Math.sqrt(e.reduce((a, v) => a + (v - mse[k]) ** 2, 0) / Math.max(1, e.length - 1) / e.length));
  let best = 0;
  for (let k = 1; k < rel.length; k++) if (mse[k] < mse[best]) best = k;
  let chosen = best;
  for (let k = 0; k < best; k++) {
    if (mse[k] <= mse[best] + se[best]) {
      chosen = k;
      break;
    }
  }
  return { fit: lasso(Z, y, rel[chosen]), lambdaRelative: rel[chosen], path: rel.map((r, k) => ({ lambdaRelative: r, mse: mse[k] })) };
}
