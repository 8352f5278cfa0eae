// The heatmap's text: one span per token (or word) in the prompt's own spacing and line breaks,
// shaded by value. Click or Enter inspects; double-click makes a token the in-text target (shift-double-click
// extends it to a span); arrows
// move between tokens; hovering links to the layer graph.

import { Fragment, type KeyboardEvent, type MouseEvent, type Ref } from 'react';
import { inTextTokens } from '../engine';
import type { ValueScale } from '../charts/scale';
import type { Cell } from '../lib/cells';
import { fmt, rankText, visibleToken } from '../lib/format';
import { selectCells, selectRanks } from '../store/selectors';
import { useActions, useApp, useBridge } from './context';

function positionOf(e: { target: EventTarget }): number | null {
  const el = (e.target as Element).closest?.('[data-pos]');
  return el ? Number(el.getAttribute('data-pos')) : null;
}

/** Line breaks inside a token get a visible ↵ before them, so the token stays visible and clickable. */
function withBreakMarks(text: string) {
  if (!text.includes('\n')) return text;
  return text.split('\n').map((part, k) => (
    <Fragment key={k}>
      {k > 0 && (
        <>
          <span className="nl" aria-hidden="true">
            ↵
          </span>
          {'\n'}
        </>
      )}
      {part}
    </Fragment>
  ));
}

function cellTitle(cell: Cell, label: string, ranks: (number | null)[] | null): string {
  const where = cell.tokens.length > 1 ? `positions ${cell.tokens[0]}–${cell.tokens[cell.tokens.length - 1]}` : `position ${cell.tokens[0]}`;
  const head = `“${visibleToken(cell.text)}” · ${where}`;
  if (cell.role === 'target') return `${head} · the target`;
  if (cell.role === 'after') return `${head} · after the target (not read by the model for this target)`;
  if (cell.pending) return `${head} · ${label}: pending (its S is not computed yet)`;
  if (cell.value === null) return head;
  const ranked = ranks && cell.tokens.length === 1 ? rankText(ranks, cell.tokens[0]) : null;
  const rank = ranked ? ` · ${ranked}` : '';
  return `${head} · ${label}: ${fmt(cell.value)}${rank}`;
}

export function TokenText({ scale, label, ref }: { scale: ValueScale | null; label: string; ref: Ref<HTMLDivElement> }) {
  const cells = useApp(selectCells);
  const ranks = useApp(selectRanks);
  const selected = useApp((s) => s.selected);
  const hovered = useApp((s) => s.hovered);
  const hasResult = useApp((s) => s.result !== null);
  const component = useApp((s) => s.component);
  const target = useApp((s) => s.target);
  const actions = useActions();
  const bridge = useBridge();

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const pos = positionOf(e);
    if (pos === null) return;
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      actions.select(pos);
    } else if (e.key === 'ArrowRight' || e.key === 'ArrowLeft') {
      e.preventDefault();
      const all = [...e.currentTarget.querySelectorAll<HTMLElement>('[data-pos]')];
      const k = all.indexOf((e.target as Element).closest('[data-pos]') as HTMLElement);
      all[Math.max(0, Math.min(all.length - 1, k + (e.key === 'ArrowRight' ? 1 : -1)))]?.focus();
    } else if (e.key === 'Escape') actions.select(null);
  };

  return (
    <div
      ref={ref}
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
        if (pos === null || pos < 1) return;
        // Shift extends an in-text target (a token or span of the text) to a span reaching this token.
        const span = e.shiftKey && target.kind !== 'contrast' ? inTextTokens(target) : null;
        if (span) void bridge.runFor({ kind: 'span', start: Math.min(span.start, pos), end: Math.max(span.end, pos + 1) });
        else void bridge.runFor({ kind: 'position', position: pos });
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
        const classes = ['tok', `tok-${cell.role}`, cell.special ? 'tok-special' : '', isSelected ? 'selected' : '', hovered !== null && cell.tokens.includes(hovered) ? 'hovered' : '', cell.text === '' ? 'tok-empty' : '', cell.pending ? 'tok-pending' : '']
          .filter(Boolean)
          .join(' ');
        return (
          <span
            key={cell.key}
            className={classes}
            data-testid={cell.role === 'target' ? 'target-token' : 'token'}
            data-pos={pos}
            data-value={cell.value ?? undefined}
            data-pending={cell.pending || undefined}
            tabIndex={pos === undefined ? undefined : 0}
            role={pos === undefined ? undefined : 'button'}
            aria-pressed={pos === undefined ? undefined : isSelected}
            title={pos === undefined ? `Predicted next token “${visibleToken(cell.text)}”: the target` : cellTitle(cell, label, ranks)}
            style={cell.value !== null && scale ? { background: scale.fill(cell.value), color: scale.ink(cell.value) } : undefined}
          >
            {withBreakMarks(cell.text)}
          </span>
        );
      })}
    </div>
  );
}
