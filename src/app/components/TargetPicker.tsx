// Target choice: the model's top next tokens as chips (top-1 by default), an in-text token (double-click
// it in the text, or "Explain this token" in the inspector), a typed continuation explained as one span
// (teacher-forced), or a contrast "t rather than t′" with the foil from a chip's "vs" or typed.

import { useState, type FormEvent } from 'react';
import type { Prediction, TargetRequest, TokenTarget } from '../engine';
import { fmtProbability, visibleToken } from '../lib/format';
import { useApp, useBridge } from './context';

function describe(target: TargetRequest, predictions: Prediction[], tokenText: (i: number) => string | null): string {
  if (target.kind === 'span') {
    if ('continuation' in target) return `the continuation “${visibleToken(target.continuation)}”`;
    const text = Array.from({ length: target.end - target.start }, (_, k) => tokenText(target.start + k) ?? '').join('');
    return `the span “${visibleToken(text)}” (tokens ${target.start} … ${target.end - 1})`;
  }
  if (target.kind === 'contrast') {
    const foil = 'foilText' in target ? target.foilText : predictions.find((x) => x.id === target.foilId)?.text;
    return `${describe(target.target, predictions, tokenText)} rather than “${foil !== undefined ? visibleToken(foil) : `id ${'foilId' in target ? target.foilId : '?'}`}”`;
  }
  if (target.kind === 'position') return `in-text token “${visibleToken(tokenText(target.position) ?? '?')}” at position ${target.position}`;
  if (target.tokenId === undefined) return 'the top next-token prediction';
  const p = predictions.find((x) => x.id === target.tokenId);
  return p ? `next token “${visibleToken(p.text)}”` : `next token id ${target.tokenId}`;
}

/** The one-token target a contrast is built on: the current one, or the next token. */
function baseOf(target: TargetRequest): TokenTarget {
  if (target.kind === 'next' || target.kind === 'position') return target;
  if (target.kind === 'contrast') return target.target;
  return { kind: 'next' };
}

interface TextTargetFormProps {
  label: string;
  /** `${testId}-input` and `${testId}-run`. */
  testId: string;
  value: string;
  onChange(value: string): void;
  placeholder: string;
  title: string;
  button: string;
  onSubmit(): void;
}

/** One line: a label, a text box (kept verbatim: leading spaces matter to a tokenizer) and its button. */
function TextTargetForm(props: TextTargetFormProps) {
  const submit = (e: FormEvent) => {
    e.preventDefault();
    props.onSubmit();
  };
  return (
    <form className="target-form" onSubmit={submit}>
      <label>
        {props.label}
        <input type="text" data-testid={`${props.testId}-input`} value={props.value} placeholder={props.placeholder} title={props.title} onChange={(e) => props.onChange(e.target.value)} />
      </label>
      <button type="submit" data-testid={`${props.testId}-run`} disabled={props.value === ''}>
        {props.button}
      </button>
    </form>
  );
}

export function TargetPicker() {
  const target = useApp((s) => s.target);
  const preview = useApp((s) => (s.preview && s.preview.prompt === s.prompt ? s.preview : null));
  const resultTarget = useApp((s) => s.result?.target ?? null);
  const bridge = useBridge();
  const [continuation, setContinuation] = useState('');
  const [foil, setFoil] = useState('');
  const predictions = preview?.predictions ?? [];
  const base = baseOf(target);
  const selectedId = base.kind === 'next' ? (base.tokenId ?? predictions[0]?.id) : null;
  const foilId = target.kind === 'contrast' && 'foilId' in target ? target.foilId : null;
  const tokenText = (i: number) => preview?.tokens[i]?.text ?? null;
  const baseText = predictions.find((p) => p.id === selectedId)?.text;

  return (
    <section className="panel target-panel" aria-labelledby="target-heading">
      <h2 id="target-heading">Target</h2>
      <p className="target-current" data-testid="target-current">
        Explaining {describe(target, predictions, tokenText)}
        {resultTarget && ` · last run: “${visibleToken(resultTarget.span?.text ?? resultTarget.text)}” (p = ${fmtProbability(resultTarget.span ? Math.exp(resultTarget.span.logprob) : resultTarget.probability)})`}
      </p>
      {predictions.length > 0 ? (
        <div className="chips" role="group" aria-label="Top next-token predictions">
          {predictions.map((p, k) => (
            <span key={p.id} className="chip-pair">
              <button
                type="button"
                className="chip"
                data-testid="prediction-chip"
                data-token-id={p.id}
                aria-pressed={selectedId === p.id && target.kind !== 'span'}
                title={`Explain why the model predicts ${JSON.stringify(p.text)} (rank ${k + 1}, probability ${p.probability.toPrecision(4)})`}
                onClick={() => void bridge.runFor({ kind: 'next', tokenId: p.id })}
              >
                <span className="chip-token">{visibleToken(p.text)}</span>
                <span className="chip-prob">{fmtProbability(p.probability)}</span>
              </button>
              {base.kind === 'next' && p.id !== selectedId ? (
                <button
                  type="button"
                  className="chip chip-vs"
                  data-testid="foil-chip"
                  data-token-id={p.id}
                  aria-pressed={foilId === p.id}
                  aria-label={`Explain ${JSON.stringify(baseText ?? '')} rather than ${JSON.stringify(p.text)}`}
                  title={`Why ${JSON.stringify(baseText ?? '')} and not ${JSON.stringify(p.text)}? (contrast: evidence for each shown in its own colour)`}
                  onClick={() => void bridge.runFor({ kind: 'contrast', target: base, foilId: p.id })}
                >
                  vs
                </button>
              ) : null}
            </span>
          ))}
        </div>
      ) : (
        <p className="hint">The model’s top next tokens appear here once the prompt is tokenized.</p>
      )}
      <TextTargetForm
        label="Explain a continuation"
        testId="continuation"
        value={continuation}
        onChange={setContinuation}
        placeholder=" Lisbon is the answer"
        title="Text that follows the prompt (start with a space for a new word). Its tokens are fed after the prompt (teacher-forced) and the log-probability of all of them is explained at once."
        button="Explain"
        onSubmit={() => void bridge.runFor({ kind: 'span', continuation })}
      />
      <TextTargetForm
        label="Rather than"
        testId="foil"
        value={foil}
        onChange={setFoil}
        placeholder=" him"
        title="One token (often with a leading space): explains why the model prefers the target over it"
        button="Contrast"
        onSubmit={() => void bridge.runFor({ kind: 'contrast', target: base, foilText: foil })}
      />
      {target.kind === 'contrast' && (
        <p className="hint" data-testid="contrast-note">
          A contrast explains log p(t) − log p(t′): purple tokens favour the target, orange ones the alternative. Its I is the shift of that
          log-odds when a token is masked (a KL over the whole distribution cannot tell t from t′).
        </p>
      )}
      <p className="hint">
        For an in-text target, double-click a token of the text (or select it and use “Explain this token”); shift-double-click another
        token to explain the whole span between them.
        {target.kind !== 'next' && (
          <>
            {' '}
            <button type="button" className="link" onClick={() => void bridge.runFor(target.kind === 'contrast' ? target.target : { kind: 'next' })}>
              {target.kind === 'contrast' ? 'Back to the plain target' : 'Back to the next token'}
            </button>
          </>
        )}
      </p>
    </section>
  );
}
