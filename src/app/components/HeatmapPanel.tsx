// The token heatmap: the prompt with its own spacing and line breaks, each token (or word) shaded by
// the chosen component, the target outlined. Click or Enter inspects a token; double-click makes it
// the in-text target; arrows move between tokens.

import { useMemo, useRef, type KeyboardEvent, type MouseEvent } from 'react';
import { legendChart } from '../charts/legend';
import { valueScale } from '../charts/scale';
import type { Cell } from '../lib/cells';
import { heatmapFigure } from '../lib/figures';
import { fmt, visibleToken } from '../lib/format';
import { COMPONENT_LABELS, selectCells, selectRanks, selectValues } from '../store/selectors';
import type { ComponentKey } from '../store/viewSlice';
import { ChartMount } from './ChartMount';
import { useActions, useApp, useBridge, useStoreApi } from './context';
import { ExportButtons } from './ExportButtons';

const KEYS: ComponentKey[] = ['score', 'M', 'S', 'I'];
const SHORT: Record<ComponentKey, string> = { score: 'Final score', M: 'M', S: 'S', I: 'I' };

function positionOf(e: { target: EventTarget }): number | null {
  const el = (e.target as Element).closest?.('[data-pos]');
  return el ? Number(el.getAttribute('data-pos')) : null;
}

function cellTitle(cell: Cell, label: string, ranks: number[] | null): string {
  const where = cell.tokens.length > 1 ? `positions ${cell.tokens[0]}–${cell.tokens[cell.tokens.length - 1]}` : `position ${cell.tokens[0]}`;
  const head = `“${visibleToken(cell.text)}” · ${where}`;
  if (cell.role === 'target') return `${head} · the target`;
  if (cell.role === 'after') return `${head} · after the target (not read by the model for this target)`;
  if (cell.value === null) return head;
  const rank = ranks && cell.tokens.length === 1 ? ` · rank ${ranks[cell.tokens[0]]} of ${ranks.length}` : '';
  return `${head} · ${label}: ${fmt(cell.value)}${rank}`;
}

function StatusNote() {
  const result = useApp((s) => s.result);
  const final = useApp((s) => s.resultFinal);
  const runStatus = useApp((s) => s.runStatus);
  const edited = useApp((s) => s.result !== null && s.result.prompt !== s.prompt);
  if (!result) return null;
  const rounds = result.components.S_probes.length;
  return (
    <div className="status-notes">
      {!final && (
        <span className="badge badge-partial" data-testid="partial-badge">
          {runStatus === 'cancelled' ? 'Cancelled: partial result' : 'Partial'} · S from {rounds} of {result.params.m} probe rounds
        </span>
      )}
      {edited && <span className="badge">The prompt changed since this result: press Run to update</span>}
    </div>
  );
}

export function HeatmapPanel() {
  const cells = useApp(selectCells);
  const values = useApp(selectValues);
  const ranks = useApp(selectRanks);
  const component = useApp((s) => s.component);
  const wordLevel = useApp((s) => s.wordLevel);
  const selected = useApp((s) => s.selected);
  const hovered = useApp((s) => s.hovered);
  const hasResult = useApp((s) => s.result !== null);
  const actions = useActions();
  const bridge = useBridge();
  const store = useStoreApi();
  const textRef = useRef<HTMLDivElement>(null);

  const scale = useMemo(() => (values ? valueScale(values) : null), [values]);
  const label = COMPONENT_LABELS[component];
  const legend = useMemo(() => (scale ? legendChart(scale, { title: `${label}${wordLevel ? ', summed per word' : ''}`, width: 240, id: 'screen-legend' }, document) : null), [scale, label, wordLevel]);

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const pos = positionOf(e);
    if (pos === null) return;
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      actions.select(pos);
    } else if (e.key === 'ArrowRight' || e.key === 'ArrowLeft') {
      e.preventDefault();
      const all = [...(textRef.current?.querySelectorAll<HTMLElement>('[data-pos]') ?? [])];
      const k = all.indexOf((e.target as Element).closest('[data-pos]') as HTMLElement);
      all[Math.max(0, Math.min(all.length - 1, k + (e.key === 'ArrowRight' ? 1 : -1)))]?.focus();
    } else if (e.key === 'Escape') actions.select(null);
  };

  return (
    <section className="panel heatmap-panel" aria-labelledby="heatmap-heading">
      <div className="panel-head">
        <h2 id="heatmap-heading">Attribution</h2>
        <div className="segmented" role="radiogroup" aria-label="Value shown">
          {KEYS.map((k) => (
            <button key={k} type="button" role="radio" aria-checked={component === k} data-testid={`component-${k}`} title={COMPONENT_LABELS[k]} onClick={() => actions.setComponent(k)}>
              {SHORT[k]}
            </button>
          ))}
        </div>
        <label className="toggle">
          <input type="checkbox" data-testid="word-toggle" checked={wordLevel} onChange={(e) => actions.setWordLevel(e.target.checked)} />
          per word
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
      <div
        ref={textRef}
        className={`heatmap-text${hasResult ? '' : ' preview'}`}
        data-testid="heatmap"
        data-component={component}
        role="group"
        aria-label={hasResult ? `Prompt shaded by ${label}` : 'Prompt tokens'}
        onClick={(e: MouseEvent) => {
          const pos = positionOf(e);
          if (pos !== null) actions.select(pos);
        }}
        onDoubleClick={(e: MouseEvent) => {
          const pos = positionOf(e);
          if (pos !== null && pos >= 1) void bridge.runFor({ kind: 'position', position: pos });
        }}
        onMouseOver={(e: MouseEvent) => actions.hover(positionOf(e))}
        onMouseLeave={() => actions.hover(null)}
        onKeyDown={onKeyDown}
      >
        {cells.length === 0 && <span className="placeholder">Run an attribution to see which tokens drive the prediction.</span>}
        {cells.map((cell) => {
          if (cell.role === 'gap') return <span key={cell.key}>{cell.text}</span>;
          const pos = cell.tokens[0];
          const isSelected = selected !== null && cell.tokens.includes(selected);
          const classes = ['tok', `tok-${cell.role}`, cell.special ? 'tok-special' : '', isSelected ? 'selected' : '', hovered !== null && cell.tokens.includes(hovered) ? 'hovered' : '', cell.text === '' ? 'tok-empty' : '']
            .filter(Boolean)
            .join(' ');
          return (
            <span
              key={cell.key}
              className={classes}
              data-testid={cell.role === 'target' ? 'target-token' : 'token'}
              data-pos={pos}
              data-value={cell.value ?? undefined}
              tabIndex={pos === undefined ? undefined : 0}
              role={pos === undefined ? undefined : 'button'}
              aria-pressed={pos === undefined ? undefined : isSelected}
              title={pos === undefined ? `Predicted next token “${visibleToken(cell.text)}”: the target` : cellTitle(cell, label, ranks)}
              style={cell.value !== null && scale ? { background: scale.fill(cell.value), color: scale.ink(cell.value) } : undefined}
            >
              {cell.text}
            </span>
          );
        })}
      </div>
      <Readout />
    </section>
  );
}

/** One line under the text: the hovered (else selected) token's value. */
function Readout() {
  const focus = useApp((s) => s.hovered ?? s.selected);
  const result = useApp((s) => s.result);
  const values = useApp(selectValues);
  const ranks = useApp(selectRanks);
  const component = useApp((s) => s.component);
  if (!result || focus === null || !values) return <p className="readout hint">Hover a token for its value; click (or Tab, Enter) to inspect; double-click to make it the target.</p>;
  const token = result.tokens[focus];
  if (!token) return <p className="readout" />;
  if (focus >= values.length) return <p className="readout">“{visibleToken(token.text)}” (position {focus}) is {focus === result.target.position ? 'the target' : 'after the target'}.</p>;
  return (
    <p className="readout" data-testid="readout">
      “{visibleToken(token.text)}” (position {focus}): {COMPONENT_LABELS[component]} = {fmt(values[focus])}
      {ranks && ` · rank ${ranks[focus]} of ${ranks.length}`}
    </p>
  );
}
