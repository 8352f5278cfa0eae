// Derived data, memoized on the store fields it reads: the recombined final score (β, γ change →
// new scores from the cached components, no worker run), the values the heatmap shows, ranks, cells.

import { hetaScores, probesUsed, type AttributionResult, type ModelCard, type TargetRequest, type ComponentScaling, type Granularity } from '../engine';
import { measuredGflops } from '../lib/deviceSpeed';
import { estimateRun, type RunEstimate } from '../lib/runEstimate';
import { buildCells, resultCells, type Cell } from '../lib/cells';
import type { AppState } from './types';
import type { ComponentKey } from './viewSlice';

/** Caches the last call: recomputes only when an argument changes identity. */
function memoLast<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R {
  let last: { args: A; value: R } | null = null;
  return (...args: A) => {
    if (last && last.args.length === args.length && last.args.every((a, k) => Object.is(a, args[k]))) return last.value;
    const value = fn(...args);
    last = { args, value };
    return value;
  };
}

/** Attr_i = M[i] · (β S_i + γ I_i) from a result's cached components. */
export function recombinedScores(result: AttributionResult, beta: number, gamma: number, scaling: ComponentScaling): number[] {
  const { M, S, I } = result.components;
  return Array.from(hetaScores(M, S, I, beta, gamma, scaling));
}

const scoresOf = memoLast((result: AttributionResult | null, beta: number, gamma: number, scaling: ComponentScaling): number[] | null =>
  result ? recombinedScores(result, beta, gamma, scaling) : null,
);

/** Attr_i = M[i] · (β S_i + γ I_i) with the view's β, γ and component scaling. */
export const selectScores = (s: AppState) => scoresOf(s.result, s.beta, s.gamma, s.scaling);

/**
 * Tokens whose S is not computed yet in a partial result (fixed probing does tokens one after another):
 * their S and final score are unknown, so those views show them as pending, never as a value.
 */
export function pendingTokens(result: AttributionResult, final: boolean, key: ComponentKey): boolean[] | null {
  if (final || (key !== 'S' && key !== 'score')) return null;
  const pending = result.components.M.map((_, i) => probesUsed(result, i) === 0);
  return pending.some(Boolean) ? pending : null;
}

/**
 * The values a view shows (null: pending). For a contrast, the final score and I carry the direction of the log-odds shift
 * (positive: the token supports t rather than t′), so the heatmap shows evidence both ways.
 */
export function componentValues(result: AttributionResult, scores: number[], key: ComponentKey): number[] {
  const shift = result.components.logOddsShift;
  if (shift && key === 'score') return scores.map((v, i) => (shift[i] < 0 ? -v : v));
  if (shift && key === 'I') return shift;
  return key === 'score' ? scores : result.components[key];
}

// Memoized: a contrast's signed values are new arrays, and a selector must return the same value for the same state.
const valuesOf = memoLast((result: AttributionResult | null, scores: number[] | null, key: ComponentKey, final: boolean): (number | null)[] | null => {
  if (!result || !scores) return null;
  const values = componentValues(result, scores, key);
  const pending = pendingTokens(result, final, key);
  return pending ? values.map((v, i) => (pending[i] ? null : v)) : values;
});

export const selectValues = (s: AppState): (number | null)[] | null => valuesOf(s.result, selectScores(s), s.component, s.resultFinal);

/** The values that are known (pending ones left out): what a colour scale spans. */
export const knownValues = (values: readonly (number | null)[]): number[] => values.filter((v): v is number => v !== null);

const ranksOf = memoLast((result: AttributionResult | null, scores: number[] | null, final: boolean): (number | null)[] | null => {
  if (!result || !scores) return null;
  const pending = pendingTokens(result, final, 'score');
  const order = [...scores.keys()].filter((i) => !pending?.[i]).sort((a, b) => scores[b] - scores[a]);
  const rank = new Array<number | null>(scores.length).fill(null);
  order.forEach((i, k) => (rank[i] = k + 1));
  return rank;
});

/** Rank of each context token by final score (1 = strongest; null while its S is pending). */
export const selectRanks = (s: AppState) => ranksOf(s.result, selectScores(s), s.resultFinal);

const cellsOf = memoLast((result: AttributionResult | null, preview: AppState['preview'], values: (number | null)[] | null, granularity: Granularity): Cell[] => {
  // Once the text is edited and its tokens are known, those are shown (a stale result's positions would not
  // be this text's: a token picked as target must be one of it).
  const stale = result && preview && preview.prompt !== result.prompt;
  if (result && !stale) return resultCells(result, values, granularity);
  if (preview) return buildCells({ prompt: preview.prompt, tokens: preview.tokens, contextLength: preview.tokens.length, values: null, target: null, granularity });
  return [];
});

export const selectCells = (s: AppState) => cellsOf(s.result, s.preview && s.preview.prompt === s.prompt ? s.preview : null, selectValues(s), s.granularity);

/** What a run of the current prompt would take with the current settings (from the preview's forward pass or the last run's speed). */
export function selectPreviewEstimate(s: AppState): RunEstimate | null {
  const { preview, model } = s;
  if (!preview || preview.prompt !== s.prompt || !model || s.modelStatus !== 'ready') return null;
  return estimateFor(model, preview.tokens.length, preview.forwardMs, s.target, s.m, s.adaptive, measuredGflops(model, s.result, s.resultFinal));
}

const estimateFor = memoLast((model: ModelCard, tokens: number, forwardMs: number, target: TargetRequest, m: number, adaptive: boolean, gflops: number | null) =>
  estimateRun({ model, tokens, forwardMs, target, params: { m, adaptive }, gflops }),
);

export const COMPONENT_LABELS: Record<ComponentKey, string> = {
  score: 'Final score M·(βS+γI)',
  M: 'M: semantic transition',
  S: 'S: Hessian sensitivity',
  I: 'I: KL information impact',
};

/** A view's label for this result: a contrast's I is the log-odds shift (a KL cannot tell t from t′), and its scores are signed. */
export function componentLabel(key: ComponentKey, result: AttributionResult | null): string {
  if (!result?.components.logOddsShift) return COMPONENT_LABELS[key];
  if (key === 'I') return 'I: shift of log p(t) − log p(t′) when masked';
  if (key === 'score') return 'Final score M·(βS+γI), signed by that shift';
  return COMPONENT_LABELS[key];
}
