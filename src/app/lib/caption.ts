// The caption every exported figure carries: what was explained, by which model, method and parameters.

import type { AttributionResult, Granularity, ComponentScaling } from '../engine';
import { excerpt, fmtProbability, quoteToken } from './format';

export interface CaptionView {
  title: string;
  beta: number;
  gamma: number;
  scaling: ComponentScaling;
}

/** What was explained, in words: one token, a span (teacher-forced), or "t rather than t′". */
export function targetPhrase(result: AttributionResult): string {
  const t = result.target;
  if (t.span) {
    const what = t.span.continuation !== null ? 'typed continuation' : 'span';
    return `${what} ${quoteToken(t.span.text)} (tokens ${t.position}–${t.span.end - 1}, teacher-forced), log p = ${t.span.logprob.toFixed(3)}`;
  }
  // A next-token target (plain or contrasted) sits just past the text; an in-text one inside it.
  const where = t.position >= result.tokens.length ? `next token after the prompt (position ${t.position})` : `in-text token at position ${t.position}`;
  if (t.foil) return `${quoteToken(t.text)} rather than ${quoteToken(t.foil.text)}, ${where}, p = ${fmtProbability(t.probability)} vs ${fmtProbability(t.foil.probability)}`;
  return `target ${quoteToken(t.text)}, ${where}, p = ${fmtProbability(t.probability)}`;
}

/** The heatmap legend's title: the value shown, how it is summed, and for a contrast what each sign means. */
export function heatmapLegendTitle(result: AttributionResult | null, label: string, granularity: Granularity, signed: boolean): string {
  const foil = result?.target.foil;
  const sign = signed && foil ? `; + favours ${quoteToken(result.target.text)}, − favours ${quoteToken(foil.text)}` : '';
  return `${label}${granularity === 'token' ? '' : `, summed per ${granularity}`}${sign}`;
}

export function captionLines(result: AttributionResult, view: CaptionView): string[] {
  const t = result.target;
  const p = result.params;
  const difference = p.difference === 'forward' ? 'forward differences, first-order' : `${p.difference} differences`;
  const probes = result.sensitivity?.probing === 'adaptive' ? `adaptive: ${result.sensitivity.stopRule}` : `m = ${p.m}`;
  const contrastNote = t.foil ? ['Contrast: g = log p(t) − log p(t′); I = |shift of that log-odds| when a token is masked, signed in the colours by its direction'] : [];
  return [
    `${view.title} for ${targetPhrase(result)}`,
    `Prompt: “${excerpt(result.prompt, 120)}”`,
    `Model ${result.model.id} (${result.model.architecture}, ${result.model.quantization}) on ${result.backend.detail}`,
    `HETA: ${view.scaling === 'normalized' ? 'Attr = M·(β S/ΣS + γ I/ΣI) (S and I each normalized over the context)' : 'Attr = M·(βS + γI) (raw components, as in the paper)'}, β = ${view.beta}, γ = ${view.gamma}; S from Rademacher probes (${probes}; seed ${p.seed}, ${difference}), I with ${p.mask.kind} mask`,
    ...contrastNote,
  ];
}
