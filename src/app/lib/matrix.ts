// The generation matrix's data from the store: each generated token's values (the heatmap's component,
// recombined with the view's β and γ), optionally scaled to each row's maximum, and its caption.

import type { ComponentScaling } from '../engine';
import type { MatrixChartData } from '../charts/matrix';
import { valueScale, type ScaleMode } from '../charts/scale';
import type { Generation } from '../store/generationSlice';
import { COMPONENT_LABELS, componentValues, recombinedScores } from '../store/selectors';
import type { ComponentKey } from '../store/viewSlice';
import { captionLines } from './caption';
import { excerpt, visibleToken } from './format';

export interface MatrixView {
  component: ComponentKey;
  beta: number;
  gamma: number;
  scaling: ComponentScaling;
  rowNormalize: boolean;
  scaleMode: ScaleMode;
}

export function matrixData(g: Generation, view: MatrixView): MatrixChartData {
  const last = g.generated[g.generated.length - 1] ?? 0;
  const shown: number[] = [];
  const n = g.generated.length;
  const rows = g.rows.map((r, k) => {
    // The last row explains the whole continuation (a span starting at the first generated token).
    const position = k < n ? g.generated[k] : g.generated[0];
    const label = k < n ? visibleToken(g.tokens[position].text) : 'all generated';
    const span = k < n ? 1 : n;
    if (!r) return { label, position, span, values: null, raw: null };
    const raw = componentValues(r, recombinedScores(r, view.beta, view.gamma, view.scaling), view.component);
    const max = Math.max(0, ...raw);
    const values = view.rowNormalize && max > 0 ? raw.map((v) => v / max) : raw;
    shown.push(...values);
    return { label, position, span, values, raw };
  });
  return {
    sources: g.tokens.slice(0, last).map((t) => visibleToken(t.text)),
    firstGenerated: g.generated[0] ?? 0,
    rows,
    scale: valueScale(shown, view.scaleMode),
  };
}

export function matrixLegendTitle(view: MatrixView): string {
  return `${COMPONENT_LABELS[view.component]}${view.rowNormalize ? ', ÷ row maximum' : ''}`;
}

/** Caption: what was generated from which prompt, then the model and method lines of the first row. */
export function matrixCaption(g: Generation, view: MatrixView): string[] {
  const first = g.rows.find((r) => r !== null);
  const lines = [
    `HETA ${COMPONENT_LABELS[view.component]} for each of ${g.generated.length} greedily generated tokens (rows) over the tokens before it (columns)`,
    `Prompt: “${excerpt(g.prompt, 100)}” → “${excerpt(g.text.slice(g.prompt.length), 80)}”`,
  ];
  return first ? [...lines, ...captionLines(first, { title: '', beta: view.beta, gamma: view.gamma, scaling: view.scaling }).slice(2)] : lines;
}
