// Faithfulness of one score vector for one target, through the model: Soft-NC/NS (seeded soft masks,
// averaged over draws) and deletion/insertion curves with AOPC. All variants run as one batched pass set.

import { seededUniform } from '../attribution/random';
import type { AttributionContext } from '../baselines/context';
import { aopc, CURVE_FRACTIONS, curveKeepMasks, softImportance, softMasked, softNormalized, softTerms, suffZero } from './faithfulness';

export interface MetricOptions {
  /** Soft-masking draws averaged per metric. */
  draws: number;
  /** Seed of the soft masks; the same uniforms serve every method of an item (common random numbers). */
  seed: number;
  fractions?: readonly number[];
}

export const DEFAULT_METRIC_OPTIONS: MetricOptions = { draws: 8, seed: 0 };

export interface FaithfulnessResult {
  softNC: number;
  softNS: number;
  /** Means over draws of the un-normalized terms, and Suff₀ of the item. */
  softComp: number;
  softSuff: number;
  suff0: number;
  /** g(X) − g(X̃_k) at each fraction: deletion masks the top-k, insertion keeps only the top-k. */
  deletion: number[];
  insertion: number[];
  aopcDeletion: number;
  aopcInsertion: number;
}

/** Uniforms [2·draws][p·d] for the soft masks: draws 0 … draws−1 for Soft-NC, the rest for Soft-NS. */
function softUniforms(ctx: AttributionContext, seed: number, draws: number): Promise<Float32Array[]> {
  return ctx.cached(`metric:uniforms:${seed}:${draws}`, async () => {
    const next = seededUniform(seed);
    return Array.from({ length: 2 * draws }, () => Float32Array.from({ length: ctx.p * ctx.d }, next));
  });
}

/** Suff₀ from the all-zero context (every embedding element 0), cached per item. */
export function contextSuffZero(ctx: AttributionContext): Promise<number> {
  return ctx.cached('metric:suff0', async () => {
    const [zero] = await ctx.logProbs(new Float32Array(ctx.p * ctx.d), 1);
    return suffZero(ctx.logP, zero[0]);
  });
}

export async function faithfulness(ctx: AttributionContext, scores: ArrayLike<number>, options: MetricOptions = DEFAULT_METRIC_OPTIONS): Promise<FaithfulnessResult> {
  const { p, d, x } = ctx;
  const { draws, seed } = options;
  const fractions = options.fractions ?? CURVE_FRACTIONS;
  if (scores.length !== p) throw new Error(`scores have ${scores.length} entries, the context has ${p} tokens`);
  const suff0 = await contextSuffZero(ctx);
  const uniforms = await softUniforms(ctx, seed, draws);
  const s = softImportance(scores);
  const variants: Float32Array[] = [
    ...uniforms.map((u, k) => softMasked(x, p, d, s, u, k < draws ? 'nc' : 'ns')),
    ...curveKeepMasks(scores, 'deletion', fractions).map((keep) => ctx.withMasked(keep)),
    ...curveKeepMasks(scores, 'insertion', fractions).map((keep) => ctx.withMasked(keep)),
  ];
  const xs = new Float32Array(variants.length * p * d);
  variants.forEach((v, k) => xs.set(v, k * p * d));
  const logps = await ctx.logProbs(xs, variants.length);
  let nc = 0;
  let ns = 0;
  let comp = 0;
  let suff = 0;
  for (let k = 0; k < draws; k++) {
    const c = softTerms(ctx.logP, logps[k][0]);
    const u = softTerms(ctx.logP, logps[draws + k][0]);
    comp += c.comp / draws;
    suff += u.suff / draws;
    nc += softNormalized(c.comp, c.suff, suff0).nc / draws;
    ns += softNormalized(u.comp, u.suff, suff0).ns / draws;
  }
  const drop = (k: number) => ctx.g - ctx.objective(logps[k]);
  const deletion = fractions.map((_, k) => drop(2 * draws + k));
  const insertion = fractions.map((_, k) => drop(2 * draws + fractions.length + k));
  return { softNC: nc, softNS: ns, softComp: comp, softSuff: suff, suff0, deletion, insertion, aopcDeletion: aopc(deletion), aopcInsertion: aopc(insertion) };
}

/** The deletion curve alone (the comparison view's live chart): g(X) − g(X with the top-k masked) at each fraction, and its AOPC. */
export async function deletionCurve(ctx: AttributionContext, scores: ArrayLike<number>, fractions: readonly number[] = CURVE_FRACTIONS): Promise<{ drops: number[]; aopc: number }> {
  const { p, d } = ctx;
  if (scores.length !== p) throw new Error(`scores have ${scores.length} entries, the context has ${p} tokens`);
  const masks = curveKeepMasks(scores, 'deletion', fractions);
  const xs = new Float32Array(masks.length * p * d);
  masks.forEach((keep, k) => xs.set(ctx.withMasked(keep), k * p * d));
  const logps = await ctx.logProbs(xs, masks.length);
  const drops = logps.map((lp) => ctx.g - ctx.objective(lp));
  return { drops, aopc: aopc(drops) };
}
