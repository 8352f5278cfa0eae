// Metrics against annotations, by character offsets: DSA (mass on the answer-bearing segment minus mass on
// the distractor) and F1@k against annotated important words.

import { coreSpan, type Span } from '../tokenizer/spans';
import type { Token } from '../tokenizer/tokenizer';
import { rankDescending } from './faithfulness';

/**
 * Whether each of the first p tokens belongs to `span`: its non-whitespace characters overlap the span.
 * (A token " Photosynthesis" whose leading space lies before the segment still belongs to it.)
 */
export function tokensInSpan(tokens: readonly Pick<Token, 'start' | 'end' | 'text' | 'special'>[], span: Span, p = tokens.length): boolean[] {
  return tokens.slice(0, p).map((t) => {
    const c = coreSpan(t);
    return c.end > c.start && c.start < span.end && c.end > span.start;
  });
}

/**
 * Attribution mass on normalized scores: negative scores count as 0 (a negative score is evidence against
 * the target, not mass), the rest is scaled to total 1 over the context; uniform when no score is positive.
 */
export function positiveMass(scores: ArrayLike<number>): Float64Array {
  let total = 0;
  for (let i = 0; i < scores.length; i++) if (scores[i] > 0) total += scores[i];
  return Float64Array.from(scores, (a) => (total > 0 ? Math.max(a, 0) / total : 1 / scores.length));
}

/** DSA = mass on the support segment − mass on the distractor segment, in [−1, 1]. */
export function dsa(scores: ArrayLike<number>, inSupport: readonly boolean[], inDistractor: readonly boolean[]): number {
  const mass = positiveMass(scores);
  let s = 0;
  for (let i = 0; i < mass.length; i++) {
    if (inSupport[i]) s += mass[i];
    if (inDistractor[i]) s -= mass[i];
  }
  return s;
}

/** Words of `text` (letters, digits, inner apostrophes/hyphens) with their spans. */
export function wordsOf(text: string, offset = 0): { word: string; start: number; end: number }[] {
  return [...text.matchAll(/[\p{L}\p{N}]+(?:['’-][\p{L}\p{N}]+)*/gu)].map((m) => ({ word: m[0], start: offset + m.index!, end: offset + m.index! + m[0].length }));
}

/**
 * Gold tokens for F1@k: every occurrence inside `segment` of a word equal (case-insensitively) to an
 * important word; a token is gold when its non-whitespace characters overlap such an occurrence.
 */
export function goldTokens(tokens: readonly Pick<Token, 'start' | 'end' | 'text' | 'special'>[], text: string, segment: Span, words: readonly string[], p = tokens.length): boolean[] {
  const wanted = new Set(words.map((w) => w.toLowerCase()));
  const spans = wordsOf(text.slice(segment.start, segment.end), segment.start).filter((w) => wanted.has(w.word.toLowerCase()));
  return tokens.slice(0, p).map((t) => {
    const c = coreSpan(t);
    return c.end > c.start && spans.some((s) => c.start < s.end && c.end > s.start);
  });
}

/** F1 between the top-k tokens by score and the gold tokens, k = number of gold tokens (so F1 = precision = recall). */
export function f1AtK(scores: ArrayLike<number>, gold: readonly boolean[]): { f1: number; k: number; hits: number } {
  const k = gold.filter(Boolean).length;
  if (k === 0) return { f1: NaN, k, hits: 0 };
  const hits = rankDescending(scores).slice(0, k).filter((i) => gold[i]).length;
  return { f1: (2 * hits) / (k + k), k, hits };
}
