// Compare methods: the user picks attribution methods (HETA, its ablations, the baselines); the worker
// computes each for the shown prompt and target with its deletion curve, and the panel shows them as
// small multiples of the same text (each shaded by its score ÷ its max |score|, on the heatmap's colour
// scale), their pairwise Spearman correlation and their deletion curves, row by row as they finish.

import { useMemo, useRef } from 'react';
import { CURVE_FRACTIONS, METHODS, type CompareRow } from '../engine';
import { correlationChart } from '../charts/correlation';
import { curvesChart } from '../charts/curves';
import { heatmapChart } from '../charts/heatmap';
import { legendChart } from '../charts/legend';
import { valueScale } from '../charts/scale';
import { buildCells } from '../lib/cells';
import { methodColor, normalizeScores, rankCorrelations } from '../lib/compare';
import { fmt, visibleToken } from '../lib/format';
import type { Comparison } from '../store/compareSlice';
import { ChartMount } from './ChartMount';
import { useActions, useApp, useBridge } from './context';
import { useWidth } from './useWidth';

const FAMILY_LABELS = { heta: 'HETA', 'heta-ablation': 'HETA ablations', gradient: 'Gradients', attention: 'Attention', perturbation: 'Perturbation' } as const;
const FAMILIES = Object.keys(FAMILY_LABELS) as (keyof typeof FAMILY_LABELS)[];
const LEGEND_TITLE = 'score ÷ max |score| of its method';

function MethodChoice({ disabled }: { disabled: boolean }) {
  const choice = useApp((s) => s.compareChoice);
  const actions = useActions();
  return (
    <div className="compare-choice" role="group" aria-label="Methods to compare">
      {FAMILIES.map((family) => (
        <fieldset key={family} disabled={disabled}>
          <legend>{FAMILY_LABELS[family]}</legend>
          {METHODS.filter((m) => m.family === family).map((m) => (
            <label key={m.id} className="toggle" title={m.description}>
              <input type="checkbox" data-testid={`compare-method-${m.id}`} checked={choice.includes(m.id)} onChange={(e) => actions.setCompareMethod(m.id, e.target.checked)} />
              {m.label}
            </label>
          ))}
        </fieldset>
      ))}
    </div>
  );
}

/** One small multiple per finished row (null while the method runs). */
function useRowCharts(comparison: Comparison | null, width: number) {
  const scaleMode = useApp((s) => s.scaleMode);
  return useMemo(() => {
    if (!comparison) return { charts: [], legend: null };
    const normalized = comparison.rows.map((row) => (row ? normalizeScores(row.scores) : null));
    const scale = valueScale(normalized.flatMap((v) => v ?? []), scaleMode);
    const charts = normalized.map((values, k) =>
      values
        ? heatmapChart(
            {
              cells: buildCells({ prompt: comparison.prompt, tokens: comparison.tokens, contextLength: comparison.position, values, target: { position: comparison.position, end: comparison.targetEnd, text: comparison.targetText }, granularity: 'token' }),
              scale,
            },
            { width, caption: [], fontSize: 12, id: `compare-${comparison.methods[k]}` },
            document,
          )
        : null,
    );
    const legend = normalized.some(Boolean) ? legendChart(scale, { title: LEGEND_TITLE, width: 240, id: 'compare-legend' }, document) : null;
    return { charts, legend };
  }, [comparison, width, scaleMode]);
}

function RowHead({ id, row, running }: { id: string; row: CompareRow | null; running: boolean }) {
  const label = METHODS.find((m) => m.id === id)?.label ?? id;
  return (
    <div className="compare-row-head">
      <span className="swatch" style={{ background: methodColor(id) }} aria-hidden="true" />
      <strong>{label}</strong>
      <span className="muted">{row ? `AOPC del ${fmt(row.aopc)} · ${(row.ms / 1000).toFixed(2)} s` : running ? 'computing…' : 'not computed'}</span>
    </div>
  );
}

/** Which target a comparison explains: the shown result's (a generation row's, when one is shown), said before it runs. */
function CompareTarget() {
  const result = useApp((s) => (s.resultFinal ? s.result : null));
  const replaced = useApp((s) => s.replacedPrompt);
  if (!result) return null;
  const t = result.target;
  const what = t.span ? `the span “${t.span.text}” (positions ${t.position}–${t.span.end - 1})` : `“${t.text}” at position ${t.position}`;
  return (
    <p className="hint" data-testid="compare-target">
      Explains {what}{t.foil ? ` rather than “${t.foil.text}”` : ''}, the target of the shown result{replaced ? ` (${replaced.shown})` : ''}.
    </p>
  );
}

export function ComparePanel() {
  const comparison = useApp((s) => s.comparison);
  const status = useApp((s) => s.compareStatus);
  const progress = useApp((s) => s.compareProgress);
  const error = useApp((s) => s.compareError);
  const chosen = useApp((s) => s.compareChoice.length);
  const canCompare = useApp((s) => s.result !== null && s.resultFinal && s.runStatus === 'done' && s.modelStatus === 'ready');
  const bridge = useBridge();
  const boxRef = useRef<HTMLDivElement>(null);
  const width = useWidth(boxRef, 800);
  const running = status === 'running';
  const { charts, legend } = useRowCharts(comparison, width);

  const done = useMemo(() => (comparison ? comparison.rows.filter((r): r is CompareRow => r !== null) : []), [comparison]);
  const correlation = useMemo(
    () => (done.length >= 2 ? correlationChart({ labels: done.map((r) => r.label), matrix: rankCorrelations(done) }, { width: Math.min(width, 560) }, document) : null),
    [done, width],
  );
  const curves = useMemo(
    () => (done.length ? curvesChart({ fractions: CURVE_FRACTIONS, series: done.map((r) => ({ id: r.method, label: r.label, color: methodColor(r.method), drops: r.deletion })) }, { width, height: 240 }, document) : null),
    [done, width],
  );
  const current = comparison && progress ? comparison.methods[progress.index] : null;

  return (
    <section className="panel compare-panel" aria-labelledby="compare-heading" data-testid="compare-panel">
      <div className="panel-head">
        <h2 id="compare-heading">Compare methods</h2>
        <button type="button" className="primary" data-testid="compare-run" disabled={!canCompare || chosen === 0} onClick={() => void bridge.compare()}>
          {running ? 'Restart' : `Compare ${chosen} method${chosen === 1 ? '' : 's'}`}
        </button>
        <button type="button" data-testid="compare-cancel" disabled={!running} onClick={() => bridge.cancel()}>
          Cancel
        </button>
        <span className="muted" data-testid="compare-status" data-state={status}>
          {status === 'done' ? 'done' : status === 'cancelled' ? `cancelled after ${done.length} of ${comparison?.methods.length ?? 0}` : ''}
        </span>
      </div>
      <CompareTarget />
      <MethodChoice disabled={running} />
      {!canCompare && !comparison && <p className="hint">Run an attribution first: the comparison explains the same prompt and target, for every chosen method.</p>}
      {running && (
        <div className="compare-progress" data-testid="compare-progress" data-index={progress?.index ?? 0}>
          <progress max={1} value={progress && progress.total > 0 ? progress.done / progress.total : undefined} />
          <span>
            Method {(progress?.index ?? done.length) + 1} of {comparison?.methods.length}
            {current ? ` (${METHODS.find((m) => m.id === current)?.label ?? current})` : ''}
            {progress ? `: ${progress.label} ${progress.done}/${progress.total}` : ''}
          </span>
        </div>
      )}
      {error && (
        <p className="message message-error" role="alert" data-testid="compare-error">
          {error}
        </p>
      )}
      <div ref={boxRef} className="compare-body">
        {comparison && (
          <>
            <p className="hint">
              Target “{visibleToken(comparison.targetText)}” at position {comparison.position}. Each row shades the same text by one method; colours compare within a row, and the same colour
              means the same fraction of that method's largest score.
            </p>
            {legend && <ChartMount svg={legend} className="legend" data-testid="compare-legend" />}
            <div data-testid="compare-rows">
              {comparison.methods.map((id, k) => {
                const row = comparison.rows[k];
                return (
                  <div key={id} className="compare-row" data-testid="compare-row" data-method={id} data-state={row ? 'done' : 'pending'} data-scores={row ? JSON.stringify(row.scores) : undefined} data-aopc={row?.aopc}>
                    <RowHead id={id} row={row} running={running} />
                    {charts[k] && <ChartMount svg={charts[k]} />}
                  </div>
                );
              })}
            </div>
            {correlation && (
              <figure className="compare-figure">
                <figcaption>Spearman rank correlation between the methods' scores</figcaption>
                <ChartMount svg={correlation} data-testid="compare-correlation" />
              </figure>
            )}
            {curves && (
              <figure className="compare-figure">
                <figcaption>Deletion curves: the drop in log p(target) as each method's top 10 … 100% of the tokens are masked (higher, earlier = more faithful)</figcaption>
                <ChartMount svg={curves} data-testid="compare-curves" />
              </figure>
            )}
          </>
        )}
      </div>
    </section>
  );
}
