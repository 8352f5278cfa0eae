// Integrated Gradients on the shipped demo model (a Llama: RoPE, RMSNorm, so the zero baseline is the
// degenerate input discussed in integratedGradients.ts): completeness holds on the log grid.

import { describe, expect, it } from 'vitest';
import { AttributionModel } from '../model/attributionModel';
import { createNodeRuntime } from '../runtime/nodeRuntime';
import { bundleDirSource } from '../../node/bundleFiles';
import { AttributionContext } from './context';
import { methodById } from './methods';

describe('IG on the demo bundle', async () => {
  const model = await AttributionModel.load(bundleDirSource('models/demo/bundle'), await createNodeRuntime());
  const prompt = 'Mary put the lantern in the cellar. Question: where is the lantern? Answer: in the';

  it('log grid, 128 steps: Σ IG = g(X) − g(0) within 0.05 nats + 5%', async () => {
    const ctx = await AttributionContext.create(model, prompt, { kind: 'next' }, { igSteps: 128, igGrid: 'log' });
    await methodById('ig').compute(ctx);
    const { sum, gX, g0 } = ctx.diagnostics.ig as { sum: number; gX: number; g0: number };
    expect(gX).toBeCloseTo(ctx.g, 4);
    const [zero] = await ctx.logProbs(new Float32Array(ctx.p * ctx.d), 1);
    expect(g0).toBeCloseTo(zero[ctx.targetId], 4);
    expect(Math.abs(sum - (gX - g0))).toBeLessThan(0.05 + 0.05 * Math.abs(gX - g0));
  });
});
