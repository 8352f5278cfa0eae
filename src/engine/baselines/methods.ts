// The method registry: every attribution method the evaluation and the comparison view know, each a
// function of the shared AttributionContext (same target, same g = log softmax(f(X)[q])[t]).

import { hetaScores } from '../attribution/components';
import { attentionRollout, lastLayerAttention } from './attention';
import type { AttributionContext } from './context';
import { autoAlphaMin, gradientTimesInput, igGrid, integratedGradients, saliency } from './integratedGradients';
import { ablationMasks, lasso, lassoCV } from './lasso';

export type MethodFamily = 'heta' | 'heta-ablation' | 'gradient' | 'attention' | 'perturbation';

export interface AttributionMethod {
  id: string;
  label: string;
  family: MethodFamily;
  description: string;
  /** One score per context token (positions 0 … p−1); larger = more important. */
  compute(ctx: AttributionContext): Promise<Float64Array>;
}

const f64 = (a: readonly number[]) => Float64Array.from(a);

export const METHODS: readonly AttributionMethod[] = [
  {
    id: 'heta',
    label: 'HETA',
    family: 'heta',
    description: 'M · (βS + γI), from attribute()',
    compute: async (ctx) => f64((await ctx.heta()).scores),
  },
  {
    id: 'heta-m',
    label: 'HETA: M only',
    family: 'heta-ablation',
    description: 'the semantic transition gate M alone',
    compute: async (ctx) => f64((await ctx.heta()).components.M),
  },
  {
    id: 'heta-s',
    label: 'HETA: S only',
    family: 'heta-ablation',
    description: 'the Hessian sensitivity S alone',
    compute: async (ctx) => f64((await ctx.heta()).components.S),
  },
  {
    id: 'heta-i',
    label: 'HETA: I only',
    family: 'heta-ablation',
    description: 'the KL information impact I alone',
    compute: async (ctx) => f64((await ctx.heta()).components.I),
  },
  {
    id: 'heta-nogate',
    label: 'HETA: no gate',
    family: 'heta-ablation',
    description: 'βS + γI without the M gate',
    compute: async (ctx) => {
      const r = await ctx.heta();
      return hetaScores(new Float64Array(r.components.S.length).fill(1), r.components.S, r.components.I, r.params.beta, r.params.gamma, r.params.scaling ?? 'raw');
    },
  },
  {
    id: 'saliency',
    label: 'Saliency',
    family: 'gradient',
    description: '‖∇_i g‖₂',
    compute: async (ctx) => saliency(await ctx.baseGradient(), ctx.p, ctx.d),
  },
  {
    id: 'gxi',
    label: 'Gradient×Input',
    family: 'gradient',
    description: '∇_i g · x_i',
    compute: async (ctx) => gradientTimesInput(await ctx.baseGradient(), ctx.x, ctx.p, ctx.d),
  },
  {
    id: 'ig',
    label: 'Integrated Gradients',
    family: 'gradient',
    description: 'zero baseline, trapezoid rule on a log grid of α from a per-input α_min (see integratedGradients.ts)',
    compute: (ctx) =>
      ctx.cached('ig', async () => {
        const { igSteps: steps, igGrid: grid } = ctx.options;
        let done = 0;
        const spec = grid === 'log' ? (zeroGradient: Float32Array) => igGrid('log', steps, autoAlphaMin(zeroGradient, ctx.x)) : igGrid(grid, steps);
        const r = await integratedGradients(ctx.x, ctx.p, ctx.d, spec, async (xs, count) => {
          const out = await ctx.gradients(xs, count);
          done += count;
          ctx.options.onProgress?.('ig', done, steps + 1);
          return out;
        }, ctx.batch, ctx.options.signal);
        const alphaMin = r.alphas[1];
        ctx.diagnostics.ig = { steps, grid, alphaMin, sum: r.sum, gX: r.gX, g0: r.g0, completenessError: r.sum - (r.gX - r.g0) };
        return r.scores;
      }),
  },
  {
    id: 'attention',
    label: 'Last-layer attention',
    family: 'attention',
    description: 'row q of the last layer, mean over heads',
    compute: async (ctx) => {
      const { numLayers: L, numHeads: H } = ctx.model.config;
      return lastLayerAttention(ctx.inspection.attention, L, H, ctx.p, ctx.q);
    },
  },
  {
    id: 'rollout',
    label: 'Attention rollout',
    family: 'attention',
    description: 'Abnar & Zuidema: Π_l (½Ā^l + ½I), row q',
    compute: async (ctx) => {
      const { numLayers: L, numHeads: H } = ctx.model.config;
      return attentionRollout(ctx.inspection.attention, L, H, ctx.p, ctx.q);
    },
  },
  {
    id: 'occlusion',
    label: 'Occlusion',
    family: 'perturbation',
    description: 'leave-one-out g(X) − g(X with row i masked)',
    compute: async (ctx) => {
      const { g } = await ctx.masked();
      return Float64Array.from(g, (gi) => ctx.g - gi);
    },
  },
  {
    id: 'contextcite',
    label: 'ContextCite',
    family: 'perturbation',
    description: 'Lasso surrogate of g on random half-context ablations',
    compute: (ctx) =>
      ctx.cached('contextcite', async () => {
        const { p, d } = ctx;
        const { contextCiteSamples: n, contextCiteLambda: lambda, contextCiteSeed: seed } = ctx.options;
        const masks = ablationMasks(seed, n, p);
        const xs = new Float32Array(n * p * d);
        masks.forEach((keep, s) => xs.set(ctx.withMasked(keep), s * p * d));
        const logps = await ctx.logProbs(xs, n, 'contextcite');
        const y = logps.map((lp) => ctx.objective(lp));
        const cv = lambda === 'cv' ? lassoCV(masks, y) : null;
        const fit = cv ? cv.fit : lasso(masks, y, lambda as number);
        const nonzero = fit.weights.reduce((c, w) => c + (w !== 0 ? 1 : 0), 0);
        ctx.diagnostics.contextcite = {
          samples: n,
          lambdaRelative: cv ? cv.lambdaRelative : (lambda as number),
          lambda: fit.lambda,
          lambdaMax: fit.lambdaMax,
          nonzero,
          iterations: fit.iterations,
          converged: fit.converged,
        };
        return fit.weights;
      }),
  },
];

export function methodById(id: string): AttributionMethod {
  const m = METHODS.find((x) => x.id === id);
  if (!m) throw new Error(`unknown method '${id}'; known: ${METHODS.map((x) => x.id).join(', ')}`);
  return m;
}

/** 'all' or a comma-separated list of method ids, in registry order as given. */
export function parseMethods(list: string): AttributionMethod[] {
  if (list.trim() === 'all') return [...METHODS];
  const ids = list.split(',').map((s) => s.trim()).filter(Boolean);
  if (ids.length === 0) throw new Error('no methods given');
  return [...new Set(ids)].map(methodById);
}
