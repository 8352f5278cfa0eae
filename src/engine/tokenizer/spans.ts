// Where a token's text sits in the prompt, without its surrounding whitespace: what word / sentence
// grouping (attribution/granularity.ts) and the annotation metrics (metrics/segments.ts) both match on.

import type { Token } from './tokenizer';

/** [start, end) in UTF-16 code units of the prompt. */
export interface Span {
  start: number;
  end: number;
}

/** A token's span without its leading and trailing whitespace (empty for special or whitespace-only tokens). */
export function coreSpan(token: Pick<Token, 'start' | 'end' | 'text' | 'special'>): Span {
  if (token.special || token.end <= token.start) return { start: token.start, end: token.start };
  const lead = token.text.length - token.text.trimStart().length;
  const trail = token.text.length - token.text.trimEnd().length;
  const start = token.start + lead;
  return { start, end: Math.max(start, token.end - trail) };
}
