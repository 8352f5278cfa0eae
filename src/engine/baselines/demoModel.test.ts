// Integrated Gradients on the shipped demo model (a Llama: RoPE, RMSNorm, so the zero baseline is the
// degenerate input discussed in integratedGradients.ts). Tolerances are measured, not guessed: on this
// prompt, with α_min from the slope at 0 (3.8·10⁻²¹ here), g(X) − g(0) = 7.9 nats and the completeness error
// is −0.95 / 0.022 / 0.0043 / 0.0011 nats at 128 / 256 / 512 / 1024 steps (the demo model of 2026-12-02,
// evening; the morning's: −1.16 / 0.017 / 0.0020 / 0.0005; the 2026-12-01 one: −1.14 / 0.032 / 0.0065 / 0.0016;
// the 2026-11-30 one: −0.30 / 0.100 / 0.0062 / 0.0014; the 2.4M one reached 0.011 at 256, hence the default of
// 512 steps).

import { describe, expect, it } from 'vitest';
import { AttributionModel } from '../model/attributionModel';
import { createNodeRuntime } from '../runtime/nodeRuntime';
import { bundleDirSource } from '../../node/bundleFiles';
import { AttributionContext } from './context';
import { methodById } from './methods';

describe('IG on the demo bundle', async () => {
  const model = await AttributionModel.load(bundleDirSource('models/demo/bundle'), await createNodeRuntime());
  const prompt = 'Mary put the lantern in the cellar. Question: where is the lantern? Answer: in the';
  const igAt = async (igSteps?: number) => {
    const ctx = await AttributionContext.create(model, prompt, { kind: 'next' }, igSteps ? { igSteps } : {});
    await methodById('ig').compute(ctx);
    return { ctx, diag: ctx.diagnostics.ig as { sum: number; gX: number; g0: number; alphaMin: number; completenessError: number } };
  };

  it('default grid (512 steps): Σ IG = g(X) − g(0) within 0.02 nats, with g(0) and g(X) from the forward graph', async () => {
    const { ctx, diag } = await igAt();
    expect(diag.gX).toBeCloseTo(ctx.g, 4);
    const [zero] = await ctx.logProbs(new Float32Array(ctx.p * ctx.d), 1);
    expect(diag.g0).toBeCloseTo(ctx.objective(zero), 4);
    expect(diag.gX - diag.g0).toBeGreaterThan(5); // a large move: the check is not trivially satisfied
    expect(Math.abs(diag.sum - (diag.gX - diag.g0))).toBeLessThan(0.02);
  });

  it('the gap is quadrature error: it shrinks with the steps (128 → 1024)', async () => {
    const coarse = Math.abs((await igAt(128)).diag.completenessError);
    const fine = Math.abs((await igAt(1024)).diag.completenessError);
    expect(fine).toBeLessThan(0.002);
    expect(fine).toBeLessThan(coarse);
  });

  it('why α_min is per input: g already moves by nats on [0, 10⁻⁹], where one trapezoid is wildly wrong', async () => {
    const { ctx, diag } = await igAt(8);
    expect(diag.alphaMin).toBeLessThan(1e-13);
    const xs = new Float32Array(2 * ctx.p * ctx.d);
    ctx.x.forEach((v, j) => (xs[ctx.p * ctx.d + j] = 1e-9 * v));
    const { grad, g: logprob } = await ctx.gradients(xs, 2);
    const slope = (b: number) => ctx.x.reduce((s, v, j) => s + grad[b * ctx.p * ctx.d + j] * v, 0);
    const trapezoid = (1e-9 / 2) * (slope(0) + slope(1));
    const exact = logprob[1] - logprob[0];
    // measured: exact +0.71 nats, one trapezoid +5·10⁵ (the slope at 10⁻⁹ is enormous)
    expect(Math.abs(exact)).toBeGreaterThan(0.3);
    expect(Math.abs(trapezoid - exact)).toBeGreaterThan(10 * Math.abs(exact));
  });
});
