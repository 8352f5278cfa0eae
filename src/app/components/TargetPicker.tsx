// Target choice: the model's top next tokens as chips (top-1 by default), or an in-text token
// (double-click it in the text, or "Explain this token" in the inspector).

import type { Prediction, TargetRequest } from '../../worker/protocol';
import { fmtProbability, visibleToken } from '../lib/format';
import { useApp, useBridge } from './context';

function describe(target: TargetRequest, predictions: Prediction[], tokenText: (i: number) => string | null): string {
  if (target.kind === 'span') {
    if ('continuation' in target) return `the continuation “${visibleToken(target.continuation)}”`;
    const text = Array.from({ length: target.end - target.start }, (_, k) => tokenText(target.start + k) ?? '').join('');
    return `the span “${visibleToken(text)}” (tokens ${target.start} … ${target.end - 1})`;
  }
  if (target.kind === 'contrast') {
    const foil = predictions.find((x) => x.id === target.foilId);
    return `${describe(target.target, predictions, tokenText)} rather than “${foil ? visibleToken(foil.text) : `id ${target.foilId}`}”`;
  }
  if (target.kind === 'position') return `in-text token “${visibleToken(tokenText(target.position) ?? '?')}” at position ${target.position}`;
  if (target.tokenId === undefined) return 'the top next-token prediction';
  const p = predictions.find((x) => x.id === target.tokenId);
  return p ? `next token “${visibleToken(p.text)}”` : `next token id ${target.tokenId}`;
}

export function TargetPicker() {
  const target = useApp((s) => s.target);
  const preview = useApp((s) => (s.preview && s.preview.prompt === s.prompt ? s.preview : null));
  const resultTarget = useApp((s) => s.result?.target ?? null);
  const bridge = useBridge();
  const predictions = preview?.predictions ?? [];
  const selectedId = target.kind === 'next' ? (target.tokenId ?? predictions[0]?.id) : null;
  const tokenText = (i: number) => preview?.tokens[i]?.text ?? null;

  return (
    <section className="panel target-panel" aria-labelledby="target-heading">
      <h2 id="target-heading">Target</h2>
      <p className="target-current" data-testid="target-current">
        Explaining {describe(target, predictions, tokenText)}
        {resultTarget && ` · last run: “${visibleToken(resultTarget.text)}” (p = ${fmtProbability(resultTarget.probability)})`}
      </p>
      {predictions.length > 0 ? (
        <div className="chips" role="group" aria-label="Top next-token predictions">
          {predictions.map((p, k) => (
            <button
              key={p.id}
              type="button"
              className="chip"
              data-testid="prediction-chip"
              data-token-id={p.id}
              aria-pressed={selectedId === p.id}
              title={`Explain why the model predicts ${JSON.stringify(p.text)} (rank ${k + 1}, probability ${p.probability.toPrecision(4)})`}
              onClick={() => void bridge.runFor({ kind: 'next', tokenId: p.id })}
            >
              <span className="chip-token">{visibleToken(p.text)}</span>
              <span className="chip-prob">{fmtProbability(p.probability)}</span>
            </button>
          ))}
        </div>
      ) : (
        <p className="hint">The model’s top next tokens appear here once the prompt is tokenized.</p>
      )}
      <p className="hint">
        For an in-text target, double-click a token of the text (or select it and use “Explain this token”).
        {target.kind === 'position' && (
          <>
            {' '}
            <button type="button" className="link" onClick={() => void bridge.runFor({ kind: 'next' })}>
              Back to the next token
            </button>
          </>
        )}
      </p>
    </section>
  );
}
