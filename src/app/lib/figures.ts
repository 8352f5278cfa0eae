// The figures built from the store: the heatmap (export) and the layer graph (screen and export),
// with their captions. Pure functions of state + size + document.

import { heatmapChart } from '../charts/heatmap';
import { layerGraphChart } from '../charts/layerGraph';
import { matrixChart } from '../charts/matrix';
import { valueScale } from '../charts/scale';
import { componentLabel, knownValues, selectCells, selectValues } from '../store/selectors';
import type { AppState } from '../store';
import { captionLines, heatmapLegendTitle } from './caption';
import { visibleToken } from './format';
import { matrixCaption, matrixData, matrixLegendTitle } from './matrix';

export function heatmapFigure(s: AppState, width: number, doc: Document): SVGSVGElement | null {
  const shown = selectValues(s);
  if (!s.result || !shown) return null;
  const values = knownValues(shown);
  const label = componentLabel(s.component, s.result);
  return heatmapChart(
    { cells: selectCells(s), scale: valueScale(values, s.scaleMode) },
    { width, legendTitle: heatmapLegendTitle(s.result, label, s.granularity, values.some((v) => v < 0)), caption: captionLines(s.result, { title: `HETA ${label}`, beta: s.beta, gamma: s.gamma, scaling: s.scaling }), id: 'export-heatmap' },
    doc,
  );
}

export function maxFlow(s: AppState): number {
  return Math.max(0, ...(s.result?.components.flow.map((e) => e.weight) ?? [0]));
}

/** The slider position (0 … 1) ↔ threshold: cubic, so the weak edges get most of the travel. */
export const sliderToThreshold = (pos: number, max: number) => max * pos ** 3;
export const thresholdToSlider = (t: number, max: number) => (max > 0 ? Math.cbrt(Math.min(1, t / max)) : 0);

/** Default threshold: 1% of the strongest edge. */
export function effectiveThreshold(s: AppState): number {
  return s.edgeThreshold ?? maxFlow(s) * 0.01;
}

/** `fit`: the whole context within `size.width` (columns narrower than readable on long prompts). */
export function graphFigure(s: AppState, size: { width: number; height: number }, doc: Document, options: { caption: boolean; highlight: number | null; fit?: boolean }): SVGSVGElement | null {
  const r = s.result;
  if (!r) return null;
  const p = r.target.position;
  return layerGraphChart(
    {
      labels: r.tokens.slice(0, p).map((t) => visibleToken(t.text)),
      layers: r.components.M_layers.length,
      edges: r.components.flow,
      targetLabel: JSON.stringify(r.target.span?.text ?? r.target.text),
    },
    {
      width: size.width,
      // The caption gets its own room above the plot.
      height: size.height + (options.caption ? 96 : 0),
      threshold: effectiveThreshold(s),
      highlight: options.highlight,
      minStep: options.fit ? 0 : undefined,
      caption: options.caption ? captionLines(r, { title: 'HETA attention-flow graph', beta: s.beta, gamma: s.gamma, scaling: s.scaling }) : undefined,
    },
    doc,
  );
}

export function matrixFigure(s: AppState, width: number, doc: Document, options: { caption: boolean }): SVGSVGElement | null {
  const g = s.generation;
  if (!g) return null;
  return matrixChart(matrixData(g, s), {
    width,
    legendTitle: matrixLegendTitle(s),
    caption: options.caption ? matrixCaption(g, s) : undefined,
    selectedRow: options.caption ? null : selectedGenerationRow(s),
    id: options.caption ? 'export-matrix' : 'screen-matrix',
  }, doc);
}

/** The matrix row shown in the main views, if the current result is one of the generation's rows. */
export function selectedGenerationRow(s: AppState): number | null {
  const k = s.generation?.rows.findIndex((r) => r !== null && r === s.result) ?? -1;
  return k >= 0 ? k : null;
}
