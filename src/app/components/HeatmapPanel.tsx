// The token heatmap panel: which value is shown (final score, M, S, I), per token or summed per word,
// sentence, line or paragraph, the
// colour scale and its legend, figure export, and the shaded text itself (TokenText).

import { useMemo, useRef } from 'react';
import { GRANULARITIES, type Granularity } from '../engine';
import { legendChart } from '../charts/legend';
import { valueScale, type ScaleMode } from '../charts/scale';
import { heatmapFigure } from '../lib/figures';
import { heatmapLegendTitle } from '../lib/caption';
import { componentLabel, knownValues, selectValues } from '../store/selectors';
import type { ComponentKey } from '../store/viewSlice';
import { ChartMount } from './ChartMount';
import { useActions, useApp, useStoreApi } from './context';
import { ExportButtons } from './ExportButtons';
import { Readout, StatusNote } from './HeatmapNotes';
import { TokenText } from './TokenText';

const KEYS: ComponentKey[] = ['score', 'M', 'S', 'I'];
const SHORT: Record<ComponentKey, string> = { score: 'Final score', M: 'M', S: 'S', I: 'I' };

export function HeatmapPanel() {
  const values = useApp(selectValues);
  const component = useApp((s) => s.component);
  const granularity = useApp((s) => s.granularity);
  const result = useApp((s) => s.result);
  const scaleMode = useApp((s) => s.scaleMode);
  const hasResult = useApp((s) => s.result !== null);
  const actions = useActions();
  const store = useStoreApi();
  const textRef = useRef<HTMLDivElement>(null);

  const scale = useMemo(() => (values ? valueScale(knownValues(values), scaleMode) : null), [values, scaleMode]);
  const label = componentLabel(component, result);
  const legend = useMemo(
    () => (scale ? legendChart(scale, { title: heatmapLegendTitle(result, label, granularity, scale.diverging), width: 240, id: 'screen-legend' }, document) : null),
    [scale, label, granularity, result],
  );

  return (
    <section className="panel heatmap-panel" aria-labelledby="heatmap-heading">
      <div className="panel-head">
        <h2 id="heatmap-heading">Attribution</h2>
        <div className="segmented" role="radiogroup" aria-label="Value shown">
          {KEYS.map((k) => (
            <button key={k} type="button" role="radio" aria-checked={component === k} data-testid={`component-${k}`} title={componentLabel(k, result)} onClick={() => actions.setComponent(k)}>
              {SHORT[k]}
            </button>
          ))}
        </div>
        <label className="toggle" title="Show each token, or sum the token scores over words, sentences, lines or paragraphs (segments found from the text's characters)">
          per
          <select data-testid="granularity-select" value={granularity} onChange={(e) => actions.setGranularity(e.target.value as Granularity)}>
            {GRANULARITIES.map((g) => (
              <option key={g} value={g}>
                {g}
              </option>
            ))}
          </select>
        </label>
        <label className="toggle" title="Colour scale: √ and log spread the colours of small values when one token dominates; rank colours each token by its rank, so a long prompt whose last tokens dominate still shows the order of the rest">
          colour
          <select data-testid="scale-select" value={scaleMode} onChange={(e) => actions.setScaleMode(e.target.value as ScaleMode)}>
            <option value="linear">linear</option>
            <option value="sqrt">√</option>
            <option value="log">log</option>
            <option value="rank">rank</option>
          </select>
        </label>
        <ExportButtons
          name="heta-heatmap"
          testId="export-heatmap"
          disabled={!hasResult}
          build={() => heatmapFigure(store.getState(), Math.round(textRef.current?.getBoundingClientRect().width ?? 800), document)}
        />
      </div>
      <StatusNote />
      {legend && <ChartMount svg={legend} className="legend" data-testid="heatmap-legend" />}
      <TokenText ref={textRef} scale={scale} label={label} />
      <Readout />
    </section>
  );
}
