// HETA against independent computations: an analytic Hessian, direct masked passes with a float64
// reference forward, and the invariants the spec pins down.

import { describe, expect, it } from 'vitest';
import { gradient } from '../autodiff/gradient';
import { GraphBuilder } from '../ir/graph';
import { WeightFile, writeOnnx } from '../onnx/writer';
import { createNodeRuntime } from '../runtime/nodeRuntime';
import { loadTinyModel } from '../../testing/tinyModel';
import { referenceForward64 } from '../../testing/referenceForward';
import { klDivergence, logSoftmax } from './components';
import { attribute, AttributionError } from './heta';
import { hessianSensitivity, normsFromGradients } from './hessian';
import { rademacherProbes } from './random';

describe('Hessian sensitivity on an analytic function', () => {
  // g(X) = ½ Σ_i x_iᵀ A x_i + (Σ_i u·x_i)³ / 6, so the diagonal block is H_ii = A + s·u uᵀ with s = Σ_j u·x_j.
  // Central differences are exact for a cubic g; only float32 rounding remains.
  const p = 4;
  const d = 6;
  const A = Float32Array.from({ length: d * d }, (_, k) => {
    const [r, c] = [Math.floor(k / d), k % d];
    return Math.cos(r + c) + (r === c ? 2 : 0); // symmetric
  });
  const u = Float32Array.from({ length: d }, (_, j) => 0.3 * Math.sin(j + 1));
  const x = Float32Array.from({ length: p * d }, (_, k) => Math.sin(k * 1.7) * 0.8);

  it('S equals the exact ‖H_ii r‖₁ mean within 1e-3 relative', async () => {
    const g = new GraphBuilder();
    const X = g.input('x', 'float32', ['batch', p, d]);
    const quad = g.mul(g.scalar(0.5), g.reduceSum(g.mul(X, g.matmul(X, g.constant('A', A, [d, d]))), [1, 2], false));
    const s = g.reduceSum(g.matmul(X, g.constant('u', u, [d, 1])), [1, 2], false);
    const cubic = g.div(g.mul(g.mul(s, s), s), g.scalar(6));
    const total = g.reduceSum(g.add(quad, cubic), [0], false);
    const weights = new WeightFile('w.bin');
    const graph = writeOnnx({ name: 'toy', inputs: [X], outputs: [{ name: 'grad', value: gradient(g, total, X) }] }, weights);
    const externalData = weights.byteLength ? [{ path: 'w.bin', data: weights.bytes() }] : [];
    const session = await (await createNodeRuntime()).createSession({ graph, externalData });

    const m = 8;
    const probes = rademacherProbes(3, m, p, d);
    const epsilon = Array(p).fill(1e-2);
    // Full-X gradients from the compiled toy graph; block i is what the estimator asks for.
    const gradientAt = async (i: number, rows: Float32Array, count: number) => {
      const xs = new Float32Array(count * p * d);
      for (let b = 0; b < count; b++) {
        xs.set(x, b * p * d);
        xs.set(rows.subarray(b * d, (b + 1) * d), (b * p + i) * d);
      }
      const grad = (await session.run({ x: { type: 'float32', dims: [count, p, d], data: xs } })).grad.data as Float32Array;
      return Float32Array.from({ length: count * d }, (_, k) => grad[(Math.floor(k / d) * p + i) * d + (k % d)]);
    };
    const { stats } = await hessianSensitivity({ p, m, roundsPerUpdate: 3, probeNorms: normsFromGradients({ x, d, epsilon, probes, central: true, gradientAt }) });
    let sDot = 0;
    for (let i = 0; i < p; i++) for (let j = 0; j < d; j++) sDot += u[j] * x[i * d + j];
    for (let i = 0; i < p; i++) {
      let exact = 0;
      for (const round of probes) {
        const r = round[i];
        const ur = u.reduce((acc, uj, j) => acc + uj * r[j], 0);
        for (let a = 0; a < d; a++) {
          let hr = sDot * u[a] * ur;
          for (let b = 0; b < d; b++) hr += A[a * d + b] * r[b];
          exact += Math.abs(hr);
        }
      }
      exact /= m;
      expect(Math.abs(stats.mean[i] - exact) / exact).toBeLessThan(1e-3);
    }
    await session.release();
  });
});

describe('HETA on a compiled tiny Llama', async () => {
  const { ckpt, model, lookup } = await loadTinyModel({ family: 'llama', gqa: true, seed: 5 });
  const prompt = 'the cat sat on the mat because it was warm';

  it('M sums to 1; M, S, I are finite and non-negative; scores follow M·(βS+γI)', async () => {
    const r = await attribute(model, prompt, { kind: 'next' }, { m: 3, beta: 0.3, gamma: 0.9 });
    const p = r.target.position;
    expect(r.components.M).toHaveLength(p);
    expect(Math.abs(r.components.M.reduce((s, v) => s + v, 0) - 1)).toBeLessThan(1e-9);
    for (const key of ['M', 'S', 'I', 'S_stderr'] as const) {
      for (const v of r.components[key]) {
        expect(Number.isFinite(v)).toBe(true);
        expect(v).toBeGreaterThanOrEqual(0);
      }
    }
    r.scores.forEach((score, i) => expect(score).toBeCloseTo(r.components.M[i] * (0.3 * r.components.S[i] + 0.9 * r.components.I[i]), 12));
    expect(r.passes.gradient).toBe(2 * p * 3);
  });

  it('I equals KL of a direct masked reference forward', async () => {
    const r = await attribute(model, prompt, { kind: 'position', position: 6 }, { m: 1 });
    const p = 6;
    const { hiddenSize: d, vocabSize: V } = ckpt.config;
    const x = await model.embed(r.tokens.slice(0, p).map((t) => t.id));
    const clean = logSoftmax(referenceForward64(ckpt.config, lookup, x, p).logits.subarray((p - 1) * V, p * V));
    expect(r.target.id).toBe(r.tokens[6].id);
    for (let i = 0; i < p; i++) {
      const masked = Float64Array.from(x);
      masked.fill(0, i * d, (i + 1) * d);
      const kl = klDivergence(clean, logSoftmax(referenceForward64(ckpt.config, lookup, masked, p).logits.subarray((p - 1) * V, p * V)));
      expect(Math.abs(r.components.I[i] - kl)).toBeLessThan(1e-5 + 1e-3 * kl);
    }
  });

  it('S from the in-graph probe pass (cached prefix) equals host differences of full gradient passes', async () => {
    const a = await attribute(model, prompt, { kind: 'next' }, { m: 2 }, { prefixReuse: true });
    const b = await attribute(model, prompt, { kind: 'next' }, { m: 2 }, { prefixReuse: false });
    a.components.S.forEach((s, i) => expect(Math.abs(s - b.components.S[i])).toBeLessThan(1e-3 * Math.max(...b.components.S)));
  });

  it('same seed gives identical results, another seed other probes', async () => {
    const a = await attribute(model, prompt, { kind: 'next' }, { m: 2, seed: 7 }, { dumpProbes: true });
    const b = await attribute(model, prompt, { kind: 'next' }, { m: 2, seed: 7 }, { dumpProbes: true });
    const c = await attribute(model, prompt, { kind: 'next' }, { m: 2, seed: 8 }, { dumpProbes: true });
    expect(b.scores).toEqual(a.scores);
    expect(b.components.S).toEqual(a.components.S);
    expect(b.probes).toEqual(a.probes);
    expect(c.probes).not.toEqual(a.probes);
  });

  it('reports progress with partial results and can be cancelled', async () => {
    const phases: string[] = [];
    const controller = new AbortController();
    const run = attribute(model, prompt, { kind: 'next' }, { m: 5 }, {
      signal: controller.signal,
      roundsPerUpdate: 1,
      onProgress: (p) => {
        phases.push(`${p.phase}:${p.done}`);
        if (p.phase === 'hessian' && p.done === 1) {
          expect(p.partial?.components.I.some((v) => v > 0)).toBe(true);
          controller.abort();
        }
      },
    });
    await expect(run).rejects.toThrow(/abort/i);
    expect(phases).toContain('inspect:0');
    expect(phases).toContain('hessian:1');
    expect(phases).not.toContain('hessian:2');
  });

  it('rejects bad input with clear messages', async () => {
    await expect(attribute(model, '   ', { kind: 'next' })).rejects.toThrow(/prompt is empty/);
    await expect(attribute(model, prompt, { kind: 'position', position: 0 })).rejects.toThrow(/out of range/);
    await expect(attribute(model, prompt, { kind: 'position', position: 999 })).rejects.toThrow(/out of range/);
    await expect(attribute(model, prompt, { kind: 'next', tokenId: 10 ** 6 })).rejects.toThrow(AttributionError);
    const long = 'word '.repeat(ckpt.config.maxPositions + 5);
    await expect(attribute(model, long, { kind: 'next' })).rejects.toThrow(/reads at most/);
  });
});
