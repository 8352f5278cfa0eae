// The caption every exported figure carries: what was explained, by which model, method and parameters.

import type { AttributionResult } from '../../worker/protocol';
import { excerpt, fmtProbability, quoteToken } from './format';

export interface CaptionView {
  title: string;
  beta: number;
  gamma: number;
}

export function captionLines(result: AttributionResult, view: CaptionView): string[] {
  const t = result.target;
  const where = t.kind === 'next' ? `next token after the prompt (position ${t.position})` : `in-text token at position ${t.position}`;
  const p = result.params;
  const difference = p.difference === 'forward' ? 'forward differences, first-order' : `${p.difference} differences`;
  const probes = result.sensitivity?.probing === 'adaptive' ? `adaptive: ${result.sensitivity.stopRule}` : `m = ${p.m}`;
  return [
    `${view.title} for target ${quoteToken(t.text)}, ${where}, p = ${fmtProbability(t.probability)}`,
    `Prompt: “${excerpt(result.prompt, 120)}”`,
    `Model ${result.model.id} (${result.model.architecture}, ${result.model.quantization}) on ${result.backend.detail}`,
    `HETA: Attr = M·(βS + γI), β = ${view.beta}, γ = ${view.gamma}; S from Rademacher probes (${probes}; seed ${p.seed}, ${difference}), I with ${p.mask.kind} mask`,
  ];
}
