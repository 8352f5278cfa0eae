// The layer-transition graph with its edge threshold; hovering or clicking a token highlights the
// attention-flow paths that start at it (linked to the heatmap through the selection slice).

import { useLayoutEffect, useMemo, useRef, useState, type MouseEvent } from 'react';
import { effectiveThreshold, graphFigure, maxFlow, sliderToThreshold, thresholdToSlider } from '../lib/figures';
import { fmt3 } from '../lib/format';
import { ChartMount } from './ChartMount';
import { useActions, useApp, useStoreApi } from './context';
import { ExportButtons } from './ExportButtons';
import { useWidth } from './useWidth';

function tokenOf(e: MouseEvent): number | null {
  const el = (e.target as Element).closest?.('[data-token]');
  return el ? Number(el.getAttribute('data-token')) : null;
}

export function LayerGraphPanel() {
  const result = useApp((s) => s.result);
  const threshold = useApp(effectiveThreshold);
  const focus = useApp((s) => s.hovered ?? s.selected);
  const actions = useActions();
  const store = useStoreApi();
  const boxRef = useRef<HTMLDivElement>(null);
  const width = useWidth(boxRef, 600);
  const layers = result?.components.M_layers.length ?? 0;
  const height = Math.max(260, Math.min(460, 150 + layers * 42));
  const p = result?.target.position ?? 0;
  const highlight = focus !== null && focus < p ? focus : null;
  // Fit: every token within the panel. Off: readable columns, scrolled so the target (right end) stays in view.
  const [fit, setFit] = useState(true);

  const svg = useMemo(
    () => (result ? graphFigure(store.getState(), { width, height }, document, { caption: false, highlight, fit }) : null),
    [result, threshold, width, height, highlight, fit, store],
  );
  const scrolledFor = useRef<unknown>(null);
  useLayoutEffect(() => {
    const box = boxRef.current;
    // Once per result and mode, so the user's own scrolling is kept while hovering redraws the graph.
    if (!box || fit || scrolledFor.current === result) return;
    scrolledFor.current = result;
    box.scrollLeft = box.scrollWidth;
  }, [svg, fit, result]);
  const flow = result?.components.flow ?? [];
  const maxWeight = useApp(maxFlow);
  const shown = flow.filter((e) => e.weight >= threshold).length;

  return (
    <section className="panel graph-panel" aria-labelledby="graph-heading">
      <div className="panel-head">
        <h2 id="graph-heading">Layer-transition graph</h2>
        <label className="threshold">
          min flow
          <input
            type="range"
            data-testid="edge-threshold"
            aria-label="Minimum flow of a shown edge"
            min={0}
            max={1}
            step={0.005}
            value={thresholdToSlider(threshold, maxWeight)}
            disabled={!result}
            onChange={(e) => actions.setEdgeThreshold(sliderToThreshold(Number(e.target.value), maxWeight))}
          />
          <span className="muted" data-testid="edge-count" data-shown={shown} data-threshold={threshold}>
            {result ? `≥ ${fmt3(threshold)}: ${shown} of ${flow.length} edges` : ''}
          </span>
        </label>
        <label className="toggle" title="Fit every token into the panel, or give each a readable column and scroll (the target stays in view)">
          <input
            type="checkbox"
            data-testid="graph-fit"
            checked={fit}
            onChange={(e) => {
              scrolledFor.current = null;
              setFit(e.target.checked);
            }}
          />
          fit width
        </label>
        <ExportButtons
          name="heta-graph"
          testId="export-graph"
          disabled={!result}
          build={() => graphFigure(store.getState(), { width: Math.round(boxRef.current?.querySelector('svg')?.getBoundingClientRect().width ?? width), height }, document, { caption: true, highlight: null, fit })}
        />
      </div>
      <div
        ref={boxRef}
        className="graph-box"
        data-testid="layer-graph"
        onMouseOver={(e) => actions.hover(tokenOf(e))}
        onMouseLeave={() => actions.hover(null)}
        onClick={(e) => {
          const t = tokenOf(e);
          if (t !== null) actions.select(t);
        }}
      >
        {svg ? <ChartMount svg={svg} /> : <p className="hint">Attention flow from each context token, layer by layer, to the prediction appears here after a run.</p>}
      </div>
    </section>
  );
}
