// Adaptive probing and forward differences: the analytic-Hessian toy in every mode, adaptive with target 0
// against fixed m, seeded reproducibility, and a replay of a dumped run through the full gradient graph.

import { describe, expect, it } from 'vitest';
import { gradient } from '../autodiff/gradient';
import { GraphBuilder } from '../ir/graph';
import { WeightFile, writeOnnx } from '../onnx/writer';
import { createNodeRuntime } from '../runtime/nodeRuntime';
import { loadTinyModel } from '../../testing/tinyModel';
import { attribute } from './heta';
import { AttributionError } from './target';
import { hessianSensitivity, normsFromGradients, type AdaptiveProbing } from './hessian';
import { rademacherProbes } from './random';
import type { AttributionResult } from './schema';

describe('S on an analytic Hessian, fixed and adaptive, central and forward', async () => {
  // g(X) = ½ Σ_i c_i x_iᵀ A x_i + (Σ_i u·x_i)³ / 6: H_ii = c_i A + s·u uᵀ with s = Σ_j u·x_j, and the third derivative
  // is u⊗u⊗u everywhere, so ∇g(x + εv) − ∇g(x) = ε H v + ½ ε² u (u·v)² exactly. Central differences are then
  // exact, and forward differences equal H v + ½ ε u (u·v)²: both leave only float32 rounding.
  const p = 5;
  const d = 6;
  const A = Float32Array.from({ length: d * d }, (_, k) => {
    const [r, c] = [Math.floor(k / d), k % d];
    return Math.cos(r + c) + (r === c ? 2 : 0);
  });
  const u = Float32Array.from({ length: d }, (_, j) => 0.3 * Math.sin(j + 1));
  // Curvatures differ by up to 20× between tokens, so the largest-S rule stops the flat ones early.
  const c = Float32Array.of(1, 0.1, 1, 0.05, 0.3);
  const x = Float32Array.from({ length: p * d }, (_, k) => Math.sin(k * 1.7) * 0.8);
  const g = new GraphBuilder();
  const X = g.input('x', 'float32', ['batch', p, d]);
  const curvature = g.mul(g.constant('c', c, [p, 1]), g.mul(X, g.matmul(X, g.constant('A', A, [d, d]))));
  const quad = g.mul(g.scalar(0.5), g.reduceSum(curvature, [1, 2], false));
  const s = g.reduceSum(g.matmul(X, g.constant('u', u, [d, 1])), [1, 2], false);
  const total = g.reduceSum(g.add(quad, g.div(g.mul(g.mul(s, s), s), g.scalar(6))), [0], false);
  const weights = new WeightFile('w.bin');
  const graph = writeOnnx({ name: 'toy', inputs: [X], outputs: [{ name: 'grad', value: gradient(g, total, X) }] }, weights);
  const session = await (await createNodeRuntime()).createSession({ graph, externalData: weights.byteLength ? [{ path: 'w.bin', data: weights.bytes() }] : [] });
  const fullGradients = async (xs: Float32Array, count: number) => (await session.run({ x: { type: 'float32', dims: [count, p, d], data: xs } })).grad.data as Float32Array;
  const gradientAt = async (tokens: readonly number[], rows: Float32Array) => {
    const count = tokens.length;
    const xs = new Float32Array(count * p * d);
    for (let b = 0; b < count; b++) {
      xs.set(x, b * p * d);
      xs.set(rows.subarray(b * d, (b + 1) * d), (b * p + tokens[b]) * d);
    }
    const grad = await fullGradients(xs, count);
    return Float32Array.from({ length: count * d }, (_, k) => grad[(Math.floor(k / d) * p + tokens[Math.floor(k / d)]) * d + (k % d)]);
  };
  const m = 12;
  const probes = rademacherProbes(3, m, p, d);
  const epsilon = Array(p).fill(1e-2);
  let sDot = 0;
  for (let i = 0; i < p; i++) for (let j = 0; j < d; j++) sDot += u[j] * x[i * d + j];
  /** The exact probe norm: ‖H_ii r + h·u (u·r)²‖₁ with h = ε/2 for forward differences, 0 for central. */
  const exactNorm = (i: number, k: number, h: number) => {
    const r = probes[k][i];
    const ur = u.reduce((acc, uj, j) => acc + uj * r[j], 0);
    let norm = 0;
    for (let a = 0; a < d; a++) {
      let hr = sDot * u[a] * ur + h * u[a] * ur * ur;
      for (let b = 0; b < d; b++) hr += c[i] * A[a * d + b] * r[b];
      norm += Math.abs(hr);
    }
    return norm;
  };
  const cases: [string, boolean, AdaptiveProbing | undefined][] = [
    ['fixed, central', true, undefined],
    ['adaptive, central', true, { seTarget: 0.02, minProbes: 3, step: 2 }],
    ['fixed, forward', false, undefined],
    ['adaptive, forward', false, { seTarget: 0.02, minProbes: 3, step: 2 }],
  ];
  for (const [label, central, adaptive] of cases) {
    it(`${label}: S equals the exact mean over the probes each token used within 1e-3 relative`, async () => {
      const baseGradient = central ? undefined : await fullGradients(x, 1);
      const probeNorms = normsFromGradients({ x, d, epsilon, probes, central, gradientAt, baseGradient });
      const { stats, probesPerToken, perProbe } = await hessianSensitivity({ p, m, tokensPerRound: 2, adaptive, probeNorms });
      if (adaptive) {
        expect(Math.min(...probesPerToken)).toBeGreaterThanOrEqual(adaptive.minProbes);
        expect(probesPerToken.reduce((a, b) => a + b, 0)).toBeLessThan(p * m); // some token stopped early
      } else expect(probesPerToken).toEqual(Array(p).fill(m));
      for (let i = 0; i < p; i++) {
        let exact = 0;
        for (let k = 0; k < probesPerToken[i]; k++) exact += exactNorm(i, k, central ? 0 : epsilon[i] / 2);
        exact /= probesPerToken[i];
        expect(Math.abs(stats.mean[i] - exact) / exact).toBeLessThan(1e-3);
        perProbe.forEach((round, k) => expect(round[i] === null).toBe(k >= probesPerToken[i]));
      }
    });
  }
});

describe('adaptive probing on a compiled tiny Llama', async () => {
  const { model } = await loadTinyModel({ family: 'llama', gqa: true, seed: 5 });
  const prompt = 'the cat sat on the mat because it was warm and the dog';
  const next = { kind: 'next' } as const;

  for (const [label, difference, prefixReuse] of [
    ['central differences in the probe graph', 'central', true],
    ['forward differences', 'forward', false],
  ] as const) {
    it(`${label}: adaptive with target 0 equals fixed m exactly, in rounds of other sizes`, async () => {
      const fixed = await attribute(model, prompt, next, { m: 5, seed: 11, difference }, { prefixReuse, dumpProbes: true });
      // Fixed m = 5 runs rounds of ⌈5/4⌉ = 2 probes; adaptive starts with 3, then 2.
      const zero = await attribute(model, prompt, next, { m: 5, seed: 11, difference, adaptive: true, seTarget: 0, minProbes: 3 }, { prefixReuse, dumpProbes: true });
      for (const key of ['S', 'S_stderr', 'S_probes', 'I', 'M'] as const) expect(zero.components[key]).toEqual(fixed.components[key]);
      expect(zero.scores).toEqual(fixed.scores);
      expect(zero.probes).toEqual(fixed.probes);
      expect(zero.passes.gradient).toBe(fixed.passes.gradient);
      expect(zero.sensitivity?.passesSaved).toBe(0);
      expect(fixed.sensitivity).toMatchObject({ probing: 'fixed', difference, order: difference === 'central' ? 'second-order' : 'first-order', stopRule: null });
      const p = fixed.target.position;
      expect(fixed.sensitivity?.fixedGradientPasses).toBe(difference === 'central' ? 2 * p * 5 : 1 + p * 5);
      expect(fixed.passes.gradient).toBe(fixed.sensitivity?.fixedGradientPasses);
    });
  }

  const adaptiveParams = { m: 8, seed: 4, adaptive: true, seTarget: 0.05, minProbes: 3 };
  let adaptiveRun: AttributionResult;
  it('adaptive stops tokens early, records what it did, and each S is the mean of the fixed-m probes it used', async () => {
    const progress: [number, number][] = [];
    adaptiveRun = await attribute(model, prompt, next, adaptiveParams, { dumpProbes: true, onProgress: (u) => u.phase === 'hessian' && progress.push([u.done, u.total]) });
    const fixed = await attribute(model, prompt, next, { m: 8, seed: 4 });
    const rec = adaptiveRun.sensitivity!;
    const p = adaptiveRun.target.position;
    expect(adaptiveRun.version).toBe(3);
    expect(rec.probing).toBe('adaptive');
    expect(rec.stopRule).toMatch(/0\.05 · max_j S_j/);
    expect(rec.probesPerToken).toHaveLength(p);
    for (const n of rec.probesPerToken) expect(n >= 3 && n <= 8).toBe(true);
    const used = rec.probesPerToken.reduce((a, b) => a + b, 0);
    expect(used).toBeLessThan(p * 8);
    expect(rec.gradientPasses).toBe(2 * used);
    expect(adaptiveRun.passes.gradient).toBe(2 * used);
    expect(rec.passesSaved).toBe(2 * p * 8 - 2 * used);
    // Progress counts probes against the most still possible, which shrinks to what was used.
    expect(progress[0]).toEqual([0, p * 8]);
    expect(progress.at(-1)).toEqual([used, used]);
    for (let k = 1; k < progress.length; k++) expect(progress[k][1]).toBeLessThanOrEqual(progress[k - 1][1]);
    // The stopping rule restated over the fixed run's probe norms: rounds of 3, then 2; after each, a token
    // stops when its standard error is at most 0.05 × the largest running S.
    const norms = (i: number, n: number) => fixed.components.S_probes.slice(0, n).map((round) => round[i] as number);
    const meanSe = (v: number[]) => {
      const mean = v.reduce((a, b) => a + b, 0) / v.length;
      return { mean, se: Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (v.length - 1) / v.length) };
    };
    const expected = Array<number>(p).fill(3);
    for (let active = [...expected.keys()]; active.length; ) {
      const largest = Math.max(...expected.map((n, i) => meanSe(norms(i, n)).mean));
      active = active.filter((i) => expected[i] < 8 && meanSe(norms(i, expected[i])).se > 0.05 * largest);
      for (const i of active) expected[i] = Math.min(8, expected[i] + 2);
    }
    expect(rec.probesPerToken).toEqual(expected);
    rec.probesPerToken.forEach((n, i) => {
      const ownProbes = fixed.components.S_probes.slice(0, n).map((round) => round[i] as number);
      expect(adaptiveRun.components.S[i]).toBeCloseTo(ownProbes.reduce((a, b) => a + b, 0) / n, 9);
      expect(adaptiveRun.components.S_probes.map((round) => round[i]).slice(0, n)).toEqual(ownProbes);
      expect(adaptiveRun.probes!.every((round, k) => (round[i] === null) === (k >= n))).toBe(true);
    });
  });

  it('the same seed and target give identical results', async () => {
    const again = await attribute(model, prompt, next, adaptiveParams, { dumpProbes: true });
    expect(again.components).toEqual(adaptiveRun.components);
    expect(again.scores).toEqual(adaptiveRun.scores);
    expect(again.probes).toEqual(adaptiveRun.probes);
    expect(again.sensitivity).toEqual(adaptiveRun.sensitivity);
  });

  it('a replay of the dumped probes through the full gradient graph gives S within 1e-3 of the largest S', async () => {
    // Independent of the probe graph: full-sequence gradients at X ± ε_i r (no cached prefix), differenced here.
    const r = adaptiveRun;
    const p = r.target.position;
    const d = model.config.hiddenSize;
    const x = await model.embed(r.tokens.slice(0, p).map((t) => t.id));
    const largest = Math.max(...r.components.S);
    for (let i = 0; i < p; i++) {
      const signs = r.probes!.map((round) => round[i]).filter((v): v is string => v !== null);
      expect(signs).toHaveLength(r.sensitivity!.probesPerToken[i]);
      const eps = r.params.epsilon[i];
      const xs = new Float32Array(2 * signs.length * p * d);
      signs.forEach((sign, k) => {
        for (const [b, s] of [[2 * k, 1], [2 * k + 1, -1]]) {
          xs.set(x, b * p * d);
          for (let j = 0; j < d; j++) xs[(b * p + i) * d + j] += s * eps * (sign[j] === '+' ? 1 : -1);
        }
      });
      const n = 2 * signs.length;
      const { grad } = await model.gradient(xs, n, p, { rows: [p - 1], ids: [r.target.id], weights: [1] });
      let mean = 0;
      for (let k = 0; k < signs.length; k++) {
        for (let j = 0; j < d; j++) mean += Math.abs(grad[(2 * k * p + i) * d + j] - grad[((2 * k + 1) * p + i) * d + j]) / (2 * eps);
      }
      mean /= signs.length;
      expect(Math.abs(mean - r.components.S[i])).toBeLessThan(1e-3 * largest);
    }
  });

  it('rejects out-of-range adaptive settings and unknown differences', async () => {
    await expect(attribute(model, prompt, next, { adaptive: true, seTarget: -0.1 })).rejects.toThrow(/standard-error target must be a number from 0 to 1/);
    await expect(attribute(model, prompt, next, { adaptive: true, minProbes: 1 })).rejects.toThrow(/minimum probes per token must be an integer from 2/);
    await expect(attribute(model, prompt, next, { difference: 'backward' as 'forward' })).rejects.toThrow(AttributionError);
  });
});
