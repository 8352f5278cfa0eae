// The comparison view's derived data: each method's scores on a common footing (÷ max |score|), the
// Spearman matrix of the finished rows, and a stable colour per method.

import { schemeTableau10 } from 'd3';
import { METHODS, spearman, type CompareRow } from '../engine';

/** Scores divided by their largest magnitude (so every method spans at most [−1, 1]); all-zero stays zero. */
export function normalizeScores(scores: readonly number[]): number[] {
  const top = Math.max(0, ...scores.map((v) => (Number.isFinite(v) ? Math.abs(v) : 0)));
  return scores.map((v) => (top > 0 ? v / top : 0));
}

/** ρ[a][b] between the rows' scores (NaN wherever a row is constant: it ranks nothing, even against itself). */
export function rankCorrelations(rows: readonly Pick<CompareRow, 'scores'>[]): number[][] {
  return rows.map((a) => rows.map((b) => spearman(a.scores, b.scores)));
}

/** Tableau 10 and two more, so each of the registry's methods has its own colour. */
const PALETTE = [...schemeTableau10, '#222222', '#8c6d31'];

/** One colour per method of the registry (the same in the rows, the curves and the key). */
export function methodColor(id: string): string {
  const k = METHODS.findIndex((m) => m.id === id);
  return PALETTE[(k < 0 ? 0 : k) % PALETTE.length];
}
