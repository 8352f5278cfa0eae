// Baselines against independent computations: analytic IG on compiled toy graphs, rollout as explicit
// matrix products, Lasso against a known sparse model, and on a compiled tiny Llama: gradients against
// float64 finite differences, occlusion against direct masked passes of the float64 reference forward.

import { describe, expect, it } from 'vitest';
import { gradient } from '../autodiff/gradient';
import { openCheckpoint } from '../checkpoint/checkpoint';
import { memorySource } from '../checkpoint/memorySource';
import { compileBundle } from '../compiler/bundle';
import { GraphBuilder } from '../ir/graph';
import { AttributionModel, memoryBundleSource } from '../model/attributionModel';
import { WeightFile, writeOnnx } from '../onnx/writer';
import { createNodeRuntime } from '../runtime/nodeRuntime';
import { makeTinyCheckpoint } from '../../testing/tinyCheckpoint';
import { loadTinyModel } from '../../testing/tinyModel';
import { referenceForward64, referenceLogProb } from '../../testing/referenceForward';
import { klDivergence } from '../attribution/components';
import { logSoftmax } from '../model/languageModel';
import { attentionRollout, lastLayerAttention } from './attention';
import { AttributionContext } from './context';
import { igGrid, integratedGradients, trapezoidWeights, type BatchGradient } from './integratedGradients';
import { ablationMasks, lasso, lassoCV } from './lasso';
import { methodById, METHODS, parseMethods } from './methods';

/** A compiled toy: per item g(X) = f(X) for X [batch, p, d], with its gradient from our autodiff. */
async function toyGradient(p: number, d: number, build: (g: GraphBuilder, X: ReturnType<GraphBuilder['input']>) => ReturnType<GraphBuilder['input']>): Promise<BatchGradient> {
  const g = new GraphBuilder();
  const X = g.input('x', 'float32', ['batch', p, d]);
  const perItem = build(g, X);
  const total = g.reduceSum(perItem, [0], false);
  const weights = new WeightFile('w.bin');
  const graph = writeOnnx({ name: 'toy', inputs: [X], outputs: [{ name: 'grad', value: gradient(g, total, X) }, { name: 'logprob', value: perItem }] }, weights);
  const session = await (await createNodeRuntime()).createSession({ graph, externalData: weights.byteLength ? [{ path: 'w.bin', data: weights.bytes() }] : [] });
  return async (xs, count) => {
    const out = await session.run({ x: { type: 'float32', dims: [count, p, d], data: xs } });
    return { grad: out.grad.data as Float32Array, g: out.logprob.data as Float32Array };
  };
}

describe('Integrated Gradients on compiled toy graphs', () => {
  const p = 5;
  const d = 4;
  const x = Float32Array.from({ length: p * d }, (_, k) => Math.sin(1.3 * k + 0.4));

  it('g linear in X: IG equals gradient×input on any grid, and Σ IG = g(X) − g(0)', async () => {
    const W = Float32Array.from({ length: p * d }, (_, k) => Math.cos(0.7 * k));
    const gradAt = await toyGradient(p, d, (g, X) => g.add(g.reduceSum(g.mul(X, g.constant('W', W, [p, d])), [1, 2], false), g.scalar(-2)));
    const gxi = Float64Array.from({ length: p }, (_, i) => W.slice(i * d, (i + 1) * d).reduce((s, w, j) => s + w * x[i * d + j], 0));
    for (const alphas of [igGrid('uniform', 1), igGrid('uniform', 16), igGrid('log', 3), igGrid('log', 32)]) {
      const r = await integratedGradients(x, p, d, alphas, gradAt, 4);
      r.scores.forEach((v, i) => expect(Math.abs(v - gxi[i])).toBeLessThan(1e-5));
      expect(Math.abs(r.sum - (r.gX - r.g0))).toBeLessThan(1e-5);
      expect(r.g0).toBeCloseTo(-2, 6);
    }
  });

  it('g = s³/6 with s = Σ_i u·x_i: uniform-grid IG is the exact IG times (1 + 1/(2N²)); the log grid converges too', async () => {
    const u = Float32Array.from({ length: d }, (_, j) => 0.4 * Math.cos(j + 0.5));
    const gradAt = await toyGradient(p, d, (g, X) => {
      const s = g.reduceSum(g.matmul(X, g.constant('u', u, [d, 1])), [1, 2], false);
      return g.div(g.mul(g.mul(s, s), s), g.scalar(6));
    });
    const ux = Array.from({ length: p }, (_, i) => u.reduce((acc, uj, j) => acc + uj * x[i * d + j], 0));
    const s = ux.reduce((a, b) => a + b, 0);
    // ∇_i g(αX) = (αs)²/2 · u, so IG_i = s²(u·x_i)/2 · ∫α² dα = s²(u·x_i)/6; the uniform trapezoid rule gives ∫α² ≈ 1/3 + 1/(6N²).
    const exact = ux.map((v) => (s * s * v) / 6);
    const tol = 1e-5 * Math.abs(s) ** 3 + 1e-6;
    let previous = Infinity;
    for (const steps of [2, 4, 8, 32]) {
      const r = await integratedGradients(x, p, d, igGrid('uniform', steps), gradAt, 3);
      const factor = 1 + 1 / (2 * steps * steps);
      r.scores.forEach((v, i) => expect(Math.abs(v - exact[i] * factor)).toBeLessThan(tol));
      const error = Math.max(...r.scores.map((v, i) => Math.abs(v - exact[i])));
      expect(error).toBeLessThan(previous);
      previous = error;
      expect(Math.abs(r.gX - s ** 3 / 6)).toBeLessThan(1e-5);
    }
    const log = await integratedGradients(x, p, d, igGrid('log', 256), gradAt, 64);
    log.scores.forEach((v, i) => expect(Math.abs(v - exact[i])).toBeLessThan(0.01 * Math.abs(exact[i]) + tol));
  });

  it('grids run from 0 to 1 and their trapezoid weights sum to 1', () => {
    for (const [kind, n] of [['uniform', 1], ['uniform', 7], ['log', 1], ['log', 2], ['log', 32]] as const) {
      const a = igGrid(kind, n);
      expect(a).toHaveLength(n + 1);
      expect(a[0]).toBe(0);
      expect(a[n]).toBe(1);
      for (let k = 1; k <= n; k++) expect(a[k]).toBeGreaterThan(a[k - 1]);
      expect(trapezoidWeights(a).reduce((x, y) => x + y, 0)).toBeCloseTo(1, 12);
    }
    expect(igGrid('log', 32)[1]).toBeCloseTo(1e-9, 20);
  });
});

describe('attention baselines on a hand-made stack', () => {
  // L = 3 layers, H = 2 heads, T = 4, causal rows summing to 1 (random but fixed).
  const L = 3;
  const H = 2;
  const T = 4;
  const att = new Float32Array(L * H * T * T);
  let seed = 1;
  const rand = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
  for (let lh = 0; lh < L * H; lh++) {
    for (let r = 0; r < T; r++) {
      const row = Array.from({ length: r + 1 }, rand);
      const sum = row.reduce((a, b) => a + b, 0);
      row.forEach((v, c) => (att[(lh * T + r) * T + c] = v / sum));
    }
  }

  it('rollout equals row q of the explicit product Â³Â²Â¹ with Â = ½·mean_h A + ½I', () => {
    const matrices = Array.from({ length: L }, (_, l) => {
      const m = Array.from({ length: T }, (_, r) => Array.from({ length: T }, (_, c) => {
        let a = 0;
        for (let h = 0; h < H; h++) a += att[((l * H + h) * T + r) * T + c];
        return 0.5 * (a / H) + (r === c ? 0.5 : 0);
      }));
      return m.map((row) => row.map((v) => v / row.reduce((s, x) => s + x, 0)));
    });
    const mul = (a: number[][], b: number[][]) => a.map((row) => b[0].map((_, c) => row.reduce((s, v, k) => s + v * b[k][c], 0)));
    const product = mul(mul(matrices[2], matrices[1]), matrices[0]);
    for (let q = 0; q < T; q++) {
      const r = attentionRollout(att, L, H, T, q);
      expect(r).toHaveLength(q + 1);
      r.forEach((v, c) => expect(v).toBeCloseTo(product[q][c], 12));
      expect(r.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    }
  });

  it('a single identity layer rolls out to e_q; uniform attention mixes half to the rest', () => {
    const eye = new Float32Array(T * T);
    for (let i = 0; i < T; i++) eye[i * T + i] = 1;
    expect(Array.from(attentionRollout(eye, 1, 1, T, 3))).toEqual([0, 0, 0, 1]);
    const uni = new Float32Array(T * T);
    for (let r = 0; r < T; r++) for (let c = 0; c <= r; c++) uni[r * T + c] = 1 / (r + 1);
    const r = attentionRollout(uni, 1, 1, T, 3);
    [0.125, 0.125, 0.125, 0.625].forEach((v, i) => expect(r[i]).toBeCloseTo(v, 12));
  });

  it('last-layer attention is row q of the last layer averaged over heads', () => {
    const q = 2;
    const r = lastLayerAttention(att, L, H, T, q);
    for (let c = 0; c <= q; c++) expect(r[c]).toBeCloseTo((att[(((L - 1) * H) * T + q) * T + c] + att[(((L - 1) * H + 1) * T + q) * T + c]) / 2, 7);
  });
});

describe('ContextCite surrogate', () => {
  it('ablation masks are seeded and keep about half the tokens', () => {
    const a = ablationMasks(4, 200, 30);
    expect(ablationMasks(4, 200, 30)).toEqual(a);
    expect(ablationMasks(5, 200, 30)).not.toEqual(a);
    const kept = a.reduce((s, m) => s + m.reduce((t, v) => t + v, 0), 0) / (200 * 30);
    expect(Math.abs(kept - 0.5)).toBeLessThan(0.03);
  });

  it('Lasso recovers a sparse linear model, zeroes everything at λ_max, and satisfies the KKT conditions', () => {
    const p = 20;
    const Z = ablationMasks(1, 120, p);
    const w = new Float64Array(p);
    w[3] = 2;
    w[7] = -1.5;
    w[12] = 0.8;
    const y = Z.map((z) => -3 + z.reduce((s, v, j) => s + v * w[j], 0));
    const fit = lasso(Z, y, 1e-4);
    expect(fit.converged).toBe(true);
    fit.weights.forEach((v, j) => expect(Math.abs(v - w[j])).toBeLessThan(1e-2));
    expect(fit.intercept).toBeCloseTo(-3, 1);
    expect(Array.from(lasso(Z, y, 1).weights).every((v) => v === 0)).toBe(true);
    // KKT at a moderate penalty: |z_jᵀ r|/n ≤ λ, with equality and matching sign where w_j ≠ 0.
    const mid = lasso(Z, y, 0.2);
    const n = Z.length;
    for (let j = 0; j < p; j++) {
      let c = 0;
      for (let s = 0; s < n; s++) {
        const pred = mid.intercept + Z[s].reduce((acc, v, k) => acc + v * mid.weights[k], 0);
        c += Z[s][j] * (y[s] - pred);
      }
      c /= n;
      if (mid.weights[j] === 0) expect(Math.abs(c)).toBeLessThanOrEqual(mid.lambda * (1 + 1e-3));
      else expect(c).toBeCloseTo(Math.sign(mid.weights[j]) * mid.lambda, 3);
    }
  });
});

describe('Lasso with cross-validated λ', () => {
  it('on noisy data from a sparse model: keeps the true support and is sparser than a near-unpenalized fit', () => {
    const p = 40;
    const Z = ablationMasks(9, 100, p);
    const w = new Float64Array(p);
    w[2] = 1.5;
    w[17] = -2;
    w[30] = 1;
    let state = 11;
    const noise = () => ((state = (state * 48271) % 2147483647) / 2147483647 - 0.5) * 0.6;
    const y = Z.map((z) => 0.5 + z.reduce((s, v, j) => s + v * w[j], 0) + noise());
    const cv = lassoCV(Z, y);
    expect(cv.path).toHaveLength(20);
    const nz = (f: Float64Array) => f.reduce((c, v) => c + (v !== 0 ? 1 : 0), 0);
    for (const j of [2, 17, 30]) expect(Math.sign(cv.fit.weights[j])).toBe(Math.sign(w[j]));
    expect(nz(cv.fit.weights)).toBeLessThan(nz(lasso(Z, y, 1e-3).weights));
    expect(nz(cv.fit.weights)).toBeLessThanOrEqual(12);
    // the chosen λ is on the path and within one standard error rule: never below the CV minimum's λ
    const best = cv.path.reduce((b, e) => (e.mse < b.mse ? e : b));
    expect(cv.lambdaRelative).toBeGreaterThanOrEqual(best.lambdaRelative);
  });
});

describe('the method registry', () => {
  it('parses lists and rejects unknown ids', () => {
    expect(parseMethods('all').map((m) => m.id)).toEqual(METHODS.map((m) => m.id));
    expect(parseMethods('ig, heta,ig').map((m) => m.id)).toEqual(['ig', 'heta']);
    expect(() => parseMethods('heta,shap')).toThrow(/unknown method 'shap'/);
  });
});

describe('baselines on a compiled tiny Llama', async () => {
  const { ckpt, model, lookup } = await loadTinyModel({ family: 'llama', gqa: true, seed: 5 });
  const { hiddenSize: d, vocabSize: V } = ckpt.config;
  const prompt = 'the cat sat on the mat because';
  const ctx = await AttributionContext.create(model, prompt, { kind: 'next' }, { heta: { m: 2 }, igSteps: 64, contextCiteSamples: 48 });
  const { p, q, x, targetId: t } = ctx;
  const g64 = (xs: ArrayLike<number>) => referenceLogProb(ckpt.config, lookup, xs, p, q, t);

  it('saliency and gradient×input agree with float64 finite differences of g', async () => {
    const sal = await methodById('saliency').compute(ctx);
    const gxi = await methodById('gxi').compute(ctx);
    const h = 1e-4;
    for (let i = 0; i < p; i++) {
      // ∇_i g · x_i is the derivative of g when row i is scaled by (1 + α), at α = 0.
      const plus = Float64Array.from(x);
      const minus = Float64Array.from(x);
      for (let j = 0; j < d; j++) {
        plus[i * d + j] *= 1 + h;
        minus[i * d + j] *= 1 - h;
      }
      const fd = (g64(plus) - g64(minus)) / (2 * h);
      expect(Math.abs(gxi[i] - fd)).toBeLessThan(2e-4 + 2e-3 * Math.abs(fd));
    }
    for (const i of [0, p - 1]) {
      let norm = 0;
      for (let j = 0; j < d; j++) {
        const plus = Float64Array.from(x);
        const minus = Float64Array.from(x);
        plus[i * d + j] += h;
        minus[i * d + j] -= h;
        norm += ((g64(plus) - g64(minus)) / (2 * h)) ** 2;
      }
      expect(Math.abs(sal[i] - Math.sqrt(norm))).toBeLessThan(1e-3 * Math.sqrt(norm) + 1e-5);
    }
    expect(ctx.passes.gradient).toBe(1); // the base gradient is shared by both
  });

  it('IG on the log grid is complete within 1% of g(X) − g(0); the uniform grid is not (the zero input is degenerate)', async () => {
    const errors: Record<string, number> = {};
    for (const grid of ['log', 'uniform'] as const) {
      const c = await AttributionContext.create(model, prompt, { kind: 'next' }, { igSteps: 128, igGrid: grid });
      await methodById('ig').compute(c);
      const diag = c.diagnostics.ig as { sum: number; gX: number; g0: number };
      expect(diag.gX).toBeCloseTo(ctx.g, 4);
      expect(diag.g0).toBeCloseTo(g64(new Float64Array(p * d)), 4);
      errors[grid] = Math.abs(diag.sum - (diag.gX - diag.g0)) / Math.abs(diag.gX - diag.g0);
    }
    expect(errors.log).toBeLessThan(0.01);
    expect(errors.uniform).toBeGreaterThan(10 * errors.log);
  });

  it('attention baselines read the real attention of the reference forward', async () => {
    const ref = referenceForward64(ckpt.config, lookup, x, p);
    const { numLayers: L, numHeads: H } = ckpt.config;
    const last = await methodById('attention').compute(ctx);
    for (let j = 0; j < p; j++) {
      let a = 0;
      for (let h = 0; h < H; h++) a += ref.attention[L - 1][(h * p + q) * p + j] / H;
      expect(Math.abs(last[j] - a)).toBeLessThan(1e-5);
    }
    const flat = new Float64Array(L * H * p * p);
    ref.attention.forEach((a, l) => flat.set(a, l * H * p * p));
    const roll = await methodById('rollout').compute(ctx);
    attentionRollout(flat, L, H, p, q).forEach((v, j) => expect(Math.abs(roll[j] - v)).toBeLessThan(1e-5));
  });

  it('occlusion equals g(X) − g(X with row i zeroed) by direct float64 passes, and its KL is HETA’s I', async () => {
    const occ = await methodById('occlusion').compute(ctx);
    const heta = await ctx.heta();
    const clean = logSoftmax(referenceForward64(ckpt.config, lookup, x, p).logits.subarray(q * V, p * V));
    for (let i = 0; i < p; i++) {
      const masked = Float64Array.from(x);
      masked.fill(0, i * d, (i + 1) * d);
      const lp = logSoftmax(referenceForward64(ckpt.config, lookup, masked, p).logits.subarray(q * V, p * V));
      expect(Math.abs(occ[i] - (clean[t] - lp[t]))).toBeLessThan(1e-4);
      expect(Math.abs(heta.components.I[i] - klDivergence(clean, lp))).toBeLessThan(1e-5 + 1e-3 * klDivergence(clean, lp));
    }
  });

  it('HETA and its ablations come from one attribute() result', async () => {
    const r = await ctx.heta();
    expect(r.target.id).toBe(t);
    expect(r.target.position).toBe(p);
    const [heta, mOnly, sOnly, iOnly, noGate] = await Promise.all(['heta', 'heta-m', 'heta-s', 'heta-i', 'heta-nogate'].map((id) => methodById(id).compute(ctx)));
    expect(Array.from(heta)).toEqual(r.scores);
    expect(Array.from(mOnly)).toEqual(r.components.M);
    expect(Array.from(sOnly)).toEqual(r.components.S);
    expect(Array.from(iOnly)).toEqual(r.components.I);
    noGate.forEach((v, i) => expect(v).toBeCloseTo(0.5 * r.components.S[i] + 0.5 * r.components.I[i], 12));
    expect(r.passes.gradient).toBe(2 * p * 2);
  });

  it('ContextCite fits the log-probabilities of real ablated passes', async () => {
    const w = await methodById('contextcite').compute(ctx);
    expect(w).toHaveLength(p);
    expect(w.every(Number.isFinite)).toBe(true);
    const masks = ablationMasks(ctx.options.contextCiteSeed, ctx.options.contextCiteSamples, p);
    // The surrogate's inputs are real passes: check two ablations against the float64 reference.
    for (const keep of masks.slice(0, 2)) {
      const xs = Float64Array.from(x);
      for (let i = 0; i < p; i++) if (!keep[i]) xs.fill(0, i * d, (i + 1) * d);
      const [lp] = await ctx.logProbs(ctx.withMasked(keep), 1);
      expect(Math.abs(ctx.objective(lp) - g64(xs))).toBeLessThan(1e-4);
    }
    expect(ctx.diagnostics.contextcite.converged).toBe(true);
    expect(ctx.diagnostics.contextcite.nonzero).toBeLessThanOrEqual(p);
  });
});

describe('IG on a compiled tiny GPT-2 (positions added inside the model: the zero input is not degenerate)', async () => {
  const ckpt = await openCheckpoint(memorySource(makeTinyCheckpoint({ family: 'gpt2', seed: 3 }), 'tiny-gpt2'));
  const bundle = await compileBundle(ckpt, { quant: 'none', modelId: 'tiny-gpt2' });
  const model = await AttributionModel.load(memoryBundleSource(bundle.files), await createNodeRuntime());

  it.each(['uniform', 'log'] as const)('%s grid, 64 steps: Σ IG is within 1%% of g(X) − g(0)', async (grid) => {
    const ctx = await AttributionContext.create(model, 'a bird in the hand is worth', { kind: 'next' }, { igSteps: 64, igGrid: grid });
    await methodById('ig').compute(ctx);
    const diag = ctx.diagnostics.ig as { sum: number; gX: number; g0: number };
    expect(Math.abs(diag.sum - (diag.gX - diag.g0))).toBeLessThan(0.01 * Math.abs(diag.gX - diag.g0));
  });
});
