// Word, sentence, line and paragraph views of token scores (heta-spec "Granularity"): segments come from
// character offsets of the text, never from re-tokenizing, and a segment's score is the sum of its
// tokens' scores (LIT's convention), so every view keeps the total.

import type { Token } from '../tokenizer/tokenizer';
import { coreSpan } from '../tokenizer/spans';
import type { AttributionResult, GranularityView } from './schema';

export type Granularity = GranularityView['level'];
export const GRANULARITIES: readonly Granularity[] = ['token', 'word', 'sentence', 'line', 'paragraph'];

export interface Segment {
  /** [start, end) in UTF-16 code units of the text; empty for a special token (BOS) alone in its segment. */
  start: number;
  end: number;
  text: string;
  /** Context token indices in this segment, ascending. */
  tokens: number[];
}

export function isGranularity(value: string): value is Granularity {
  return (GRANULARITIES as readonly string[]).includes(value);
}

/** [start, end) character ranges of `text` at one granularity (not 'token'), tiling it. */
function ranges(text: string, level: Exclude<Granularity, 'token'>): [number, number][] {
  let cuts: [number, number][];
  /** Ranges that join the one before them: whitespace alone (a blank line, the break ICU puts after a newline), and for words punctuation too ("lantern." is one word). */
  const joins = new Set<number>();
  if (level === 'word' || level === 'sentence') {
    const segmenter = new Intl.Segmenter(undefined, { granularity: level });
    cuts = Array.from(segmenter.segment(text), (s, k) => {
      if (level === 'word' && !s.isWordLike) joins.add(k);
      return [s.index, s.index + s.segment.length] as [number, number];
    });
  } else {
    // A line ends after its newline; a paragraph after a run of blank lines.
    const breaks = level === 'line' ? /\n/g : /\n[ \t]*\n\s*/g;
    cuts = [];
    let from = 0;
    for (const m of text.matchAll(breaks)) {
      cuts.push([from, m.index + m[0].length]);
      from = m.index + m[0].length;
    }
    if (from < text.length || cuts.length === 0) cuts.push([from, text.length]);
  }
  const out: [number, number][] = [];
  cuts.forEach(([s, e], k) => {
    if (out.length > 0 && (joins.has(k) || text.slice(s, e).trim() === '')) out[out.length - 1][1] = e;
    else out.push([s, e]);
  });
  return out;
}

/**
 * The segments of the first `p` tokens of `text` at `level`. A token belongs to the segment holding its
 * first non-whitespace character (its first character when it is all whitespace); a special token with an
 * empty span (BOS) is a segment of its own. Segments that hold no context token are left out.
 */
export function segmentsOf(text: string, tokens: readonly Token[], p: number, level: Granularity): Segment[] {
  const context = tokens.slice(0, p);
  if (level === 'token') return context.map((t, i) => ({ start: t.start, end: t.end, text: t.text, tokens: [i] }));
  const spans = ranges(text, level);
  // The range holding character `at`: the last one starting at or before it (ranges tile the text in order).
  const rangeAt = (at: number) => {
    let lo = 0;
    let hi = spans.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (spans[mid][0] <= at) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };
  const bySpan = new Map<number, number[]>();
  const out: Segment[] = [];
  context.forEach((t, i) => {
    if (t.end <= t.start) {
      out.push({ start: t.start, end: t.start, text: t.text, tokens: [i] });
      return;
    }
    const core = coreSpan(t);
    const at = core.end > core.start ? core.start : t.start;
    const key = rangeAt(at);
    if (!bySpan.has(key)) {
      const members: number[] = [];
      bySpan.set(key, members);
      out.push({ start: spans[key][0], end: spans[key][1], text: '', tokens: members });
    }
    bySpan.get(key)!.push(i);
  });
  // A segment spans its own range, widened to cover its tokens (a token may straddle a boundary; tokens are
  // in text order, so its first token starts first and its last ends last) and cut where the context ends
  // (a span target's text is not part of what is attributed).
  const contextEnd = context.reduce((end, t) => Math.max(end, t.end), 0);
  for (const s of out) {
    const first = context[s.tokens[0]];
    const last = context[s.tokens[s.tokens.length - 1]];
    if (s.tokens.length === 1 && first.end <= first.start) continue;
    s.start = Math.min(s.start, first.start);
    s.end = Math.min(contextEnd, Math.max(s.end, last.end));
    s.text = text.slice(s.start, s.end);
  }
  return out.sort((a, b) => a.tokens[0] - b.tokens[0]);
}

/** Each segment's score: the sum of its tokens' scores. */
export function segmentScores(segments: readonly Segment[], scores: ArrayLike<number>): number[] {
  return segments.map((s) => s.tokens.reduce((sum, i) => sum + scores[i], 0));
}

/** The text a result's token offsets index: the prompt, then a typed continuation's tokens. */
export function resultText(r: Pick<AttributionResult, 'prompt' | 'tokens'>): string {
  let text = r.prompt;
  for (const t of r.tokens) if (t.start >= text.length && t.end > t.start) text += t.text;
  return text;
}

/** A result's segments at `level` with their summed scores. */
function granularityView(r: Pick<AttributionResult, 'prompt' | 'tokens' | 'scores'>, level: Granularity): GranularityView {
  const segments = segmentsOf(resultText(r), r.tokens, r.scores.length, level);
  const scores = segmentScores(segments, r.scores);
  return { level, segments: segments.map((s, k) => ({ ...s, score: scores[k] })) };
}

/** The result as exported with a word / sentence / … view: the token result unchanged, plus the view. */
export function withGranularity(r: AttributionResult, level: Granularity): AttributionResult {
  return { ...r, granularity: granularityView(r, level) };
}
