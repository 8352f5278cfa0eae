// Generate & explain: the model continues the prompt greedily and HETA explains each generated token;
// the matrix shows rows (generated targets) × columns (sources) as rows arrive. A row (label or cell,
// click or Enter) opens in the heatmap, inspector and layer graph.

import { useMemo, useRef, type KeyboardEvent, type MouseEvent } from 'react';
import { GENERATION_SCHEMA, GENERATION_SCHEMA_VERSION, MAX_GENERATED } from '../engine';
import { saveBlob } from '../lib/download';
import { matrixFigure } from '../lib/figures';
import type { AppState } from '../store';
import { COMPONENT_LABELS } from '../store/selectors';
import { ChartMount } from './ChartMount';
import { useActions, useApp, useBridge, useStoreApi } from './context';
import { ExportButtons } from './ExportButtons';
import { ProgressBar } from './ProgressBar';
import { useWidth } from './useWidth';

function rowAndColumn(e: { target: EventTarget }): { row: number; col: number | null } | null {
  const el = (e.target as Element).closest?.('[data-row]');
  if (!el) return null;
  const cell = (e.target as Element).closest?.('[data-col]');
  return { row: Number(el.getAttribute('data-row')), col: cell ? Number(cell.getAttribute('data-col')) : null };
}

function generationJson(s: AppState): Blob | null {
  const g = s.generation;
  if (!g || g.rows.some((r) => r === null)) return null;
  const n = g.generated.length;
  const doc = { schema: GENERATION_SCHEMA, version: GENERATION_SCHEMA_VERSION, ...g, rows: g.rows.slice(0, n), continuation: g.rows[n] ?? null };
  return new Blob([JSON.stringify(doc, null, 2)], { type: 'application/json' });
}

export function GenerationPanel() {
  const status = useApp((s) => s.generationStatus);
  const progress = useApp((s) => s.generationProgress);
  const error = useApp((s) => s.generationError);
  const steps = useApp((s) => s.generateSteps);
  const rowNormalize = useApp((s) => s.rowNormalize);
  const generation = useApp((s) => s.generation);
  const component = useApp((s) => s.component);
  const done = generation?.rows.filter((r) => r !== null).length ?? 0;
  // Everything matrixFigure reads, so the figure redraws when one changes.
  const beta = useApp((s) => s.beta);
  const gamma = useApp((s) => s.gamma);
  const scaling = useApp((s) => s.scaling);
  const scaleMode = useApp((s) => s.scaleMode);
  const result = useApp((s) => s.result);
  const modelReady = useApp((s) => s.modelStatus === 'ready');
  const actions = useActions();
  const bridge = useBridge();
  const store = useStoreApi();
  const boxRef = useRef<HTMLDivElement>(null);
  const width = useWidth(boxRef, 800);
  const busy = status === 'generating' || status === 'running';

  const svg = useMemo(
    () => matrixFigure(store.getState(), width, document, { caption: false }),
    // The figure reads these through the store.
    [generation, component, beta, gamma, scaling, rowNormalize, scaleMode, result, width, store],
  );

  const open = (hit: { row: number; col: number | null } | null) => {
    if (!hit) return;
    actions.showGenerationRow(hit.row);
    if (hit.col !== null) actions.select(hit.col);
  };

  return (
    <section className="panel generation-panel" aria-labelledby="generation-heading" data-testid="generation-panel" data-state={status}>
      <div className="panel-head">
        <h2 id="generation-heading">Generate &amp; explain</h2>
        <label className="toggle" title={`How many tokens the model generates (greedy), 1 … ${MAX_GENERATED}`}>
          tokens
          <input
            type="number"
            data-testid="generate-steps"
            min={1}
            max={MAX_GENERATED}
            value={steps}
            onChange={(e) => {
              const n = Math.round(Number(e.target.value));
              if (Number.isFinite(n)) actions.setGenerateSteps(Math.min(MAX_GENERATED, Math.max(1, n)));
            }}
          />
        </label>
        <button type="button" className="primary" data-testid="generate-button" disabled={!modelReady} onClick={() => void bridge.generate()}>
          {busy ? 'Restart' : `Generate ${steps} and explain each`}
        </button>
        <button type="button" data-testid="generate-cancel" disabled={!busy} onClick={() => bridge.cancel()}>
          Cancel
        </button>
        <label className="toggle" title="Rows explain different targets and differ in magnitude: scale each to its own maximum">
          <input type="checkbox" data-testid="row-normalize" checked={rowNormalize} onChange={(e) => actions.setRowNormalize(e.target.checked)} />
          each row ÷ its max
        </label>
        <ExportButtons name="heta-generation" testId="export-matrix" disabled={!generation || done === 0} build={() => matrixFigure(store.getState(), width, document, { caption: true })} />
        <button
          type="button"
          data-testid="export-generation-json"
          disabled={!generation || done < generation.rows.length}
          onClick={() => {
            const blob = generationJson(store.getState());
            if (blob) saveBlob(blob, 'heta-generation.json');
          }}
        >
          JSON
        </button>
      </div>
      {busy && (
        <>
          <p className="hint" data-testid="generation-status">
            {status === 'generating'
              ? 'Generating…'
              : (progress?.row ?? done) >= (generation?.generated.length ?? steps)
                ? 'Explaining the whole continuation'
                : `Explaining generated token ${(progress?.row ?? done) + 1} of ${generation?.generated.length ?? steps}`}
          </p>
          <ProgressBar progress={progress ? { stage: progress.stage, done: progress.done, total: progress.total, detail: '' } : null} testId="generation-progress" idleLabel="Generating greedily…" />
        </>
      )}
      {status === 'cancelled' && (
        <p className="hint" data-testid="generation-status">
          Cancelled after {done} of {generation?.rows.length ?? steps + 1} rows.
        </p>
      )}
      {error && (
        <p className="message message-error" role="alert" data-testid="generation-error">
          {error}
        </p>
      )}
      {generation && (
        <p className="generated-text" data-testid="generated-text">
          <span className="muted">{generation.prompt}</span>
          <strong>{generation.text.slice(generation.prompt.length)}</strong>
        </p>
      )}
      <div
        ref={boxRef}
        className="matrix-box"
        data-testid="generation-matrix"
        data-rows-done={done}
        onClick={(e: MouseEvent) => open(rowAndColumn(e))}
        onKeyDown={(e: KeyboardEvent) => {
          if (e.key === 'Enter' || e.key === ' ') {
            e.preventDefault();
            open(rowAndColumn(e));
          }
        }}
      >
        {svg ? (
          <ChartMount svg={svg} />
        ) : (
          <p className="hint">
            The model continues your prompt and HETA explains every token it writes: one row per generated token, one column per token before it,
            shaded by {COMPONENT_LABELS[component]}. Click a row to open it above.
          </p>
        )}
      </div>
    </section>
  );
}
