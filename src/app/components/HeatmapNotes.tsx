// The lines around the heatmap: whether the result is partial or stale, and the hovered token's value.

import { fmt, rankText, visibleToken } from '../lib/format';
import { componentLabel, selectRanks, selectValues } from '../store/selectors';
import { useActions, useApp } from './context';

export function StatusNote() {
  const result = useApp((s) => s.result);
  const final = useApp((s) => s.resultFinal);
  const runStatus = useApp((s) => s.runStatus);
  const edited = useApp((s) => s.result !== null && s.result.prompt !== s.prompt);
  const replaced = useApp((s) => s.replacedPrompt);
  const actions = useActions();
  if (!result) return null;
  const counts = result.sensitivity?.probesPerToken;
  const adaptive = result.sensitivity?.probing === 'adaptive' && counts;
  const progress = adaptive
    ? `S from ${counts.reduce((a, b) => a + b, 0)} probes so far (adaptive, at most ${result.params.m} per token)`
    : `S for ${counts ? counts.filter((n) => n > 0).length : 0} of ${result.components.M.length} tokens (largest M first; the others hatched)`;
  return (
    <div className="status-notes">
      {!final && (
        <span className="badge badge-partial" data-testid="partial-badge">
          {runStatus === 'cancelled' ? 'Cancelled: partial result' : 'Partial'} · {progress}
        </span>
      )}
      {edited && <span className="badge">The prompt changed since this result: press Run to update</span>}
      {replaced && (
        <span className="badge" data-testid="replaced-prompt">
          Showing {replaced.shown}: the prompt box holds its text, and Run, Compare and links use its target.{' '}
          <button type="button" className="link" data-testid="restore-prompt" onClick={() => actions.restorePrompt()}>
            Put your prompt back
          </button>
        </span>
      )}
    </div>
  );
}

export /** One line under the text: the hovered (else selected) token's value. */
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
  const value = values[focus];
  const rank = ranks && rankText(ranks, focus);
  return (
    <p className="readout" data-testid="readout">
      “{visibleToken(token.text)}” (position {focus}): {componentLabel(component, result)} = {value === null ? 'pending (its S is not computed yet)' : fmt(value)}
      {rank && ` · ${rank}`}
    </p>
  );
}
