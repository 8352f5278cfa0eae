import { type AttributionResult, type Token, resultText, segmentsOf, type Granularity } from '../engine';
// The heatmap's cells: the prompt cut into token (or word, sentence, line, paragraph) pieces that
// reproduce it exactly, each with its value (summed over its tokens). One model for the on-screen heatmap (HTML spans) and the exported SVG chart.


export type CellRole =
  /** A context token or word (positions 0 … p−1): has a value. */
  | 'context'
  /** The in-text target token, or the predicted next token shown after the prompt. */
  | 'target'
  /** Tokens after an in-text target: never seen by the model for this target. */
  | 'after'
  /** Prompt text no token covers (a tokenizer that drops characters). */
  | 'gap';

export interface Cell {
  key: string;
  /** The text exactly as in the prompt (or the token's text for special tokens and the next-token target). */
  text: string;
  role: CellRole;
  /** Token positions covered (empty for gaps and a next-token target). */
  tokens: number[];
  /** Sum of the covered tokens' values; null outside the context or before a result. */
  value: number | null;
  special: boolean;
  /** A context cell whose value is not computed yet (a partial result). */
  pending: boolean;
}

export interface CellInput {
  prompt: string;
  tokens: Token[];
  /** Context length p (= tokens.length for a next-token target or a plain preview). */
  contextLength: number;
  /** Per-token values over the context (null: pending), or null before a result. */
  values: ArrayLike<number | null> | null;
  /** The target: in-text tokens position … end − 1 (one token, or a span), or the next token's text after the prompt. */
  target: { position: number; end: number; text: string } | null;
  /** Context tokens are merged into word / sentence / line / paragraph cells (values summed). */
  granularity: Granularity;
}

function tokenText(prompt: string, t: Token): string {
  return t.special ? t.text : prompt.slice(t.start, t.end);
}

function roleOf(i: number, input: CellInput): CellRole {
  if (i < input.contextLength) return 'context';
  if (input.target && i >= input.target.position && i < input.target.end) return 'target';
  return 'after';
}

export function buildCells(input: CellInput): Cell[] {
  const { prompt, tokens, values } = input;
  // The segment of each context token (the engine's, from character offsets); other tokens stay alone.
  const segmentOf = new Map<number, number>();
  if (input.granularity !== 'token') segmentsOf(prompt, tokens, input.contextLength, input.granularity).forEach((s, k) => s.tokens.forEach((i) => segmentOf.set(i, k)));
  const cells: Cell[] = [];
  let covered = 0;
  const gap = (until: number) => {
    if (until > covered) cells.push({ key: `gap${covered}`, text: prompt.slice(covered, until), role: 'gap', tokens: [], value: null, special: false, pending: false });
  };
  tokens.forEach((t, i) => {
    if (!t.special) {
      gap(t.start);
      covered = Math.max(covered, t.end);
    }
    const role = roleOf(i, input);
    const value = role === 'context' && values ? values[i] : null;
    const last = cells[cells.length - 1];
    const sameSegment = last && last.tokens.length && segmentOf.has(i) && segmentOf.get(i) === segmentOf.get(last.tokens[last.tokens.length - 1]);
    // Byte fragments of one character (emoji, CJK, accents: tokens with an empty span) are drawn and clicked
    // as the character they make with the token that completes it; the result keeps the true tokens.
    const completesFragment = last && last.tokens.length && last.text === '' && !last.special && !t.special && last.role === role;
    if (sameSegment || completesFragment) {
      last.text += tokenText(prompt, t);
      last.tokens.push(i);
      // A cell with a pending token is pending (null) as a whole.
      if (last.role === 'context' && values) {
        last.value = last.value === null || value === null ? null : last.value + value;
        last.pending = last.value === null;
      }
      return;
    }
    cells.push({ key: `t${i}`, text: tokenText(prompt, t), role, tokens: [i], value, special: t.special, pending: role === 'context' && values !== null && value === null });
  });
  gap(prompt.length);
  if (input.target && input.target.position >= tokens.length) {
    cells.push({ key: 'next', text: input.target.text, role: 'target', tokens: [], value: null, special: false, pending: false });
  }
  return cells;
}

/** A result's cells: its text (prompt, then a typed continuation), its target token or span outlined. */
export function resultCells(result: AttributionResult, values: ArrayLike<number | null> | null, granularity: Granularity): Cell[] {
  const t = result.target;
  return buildCells({
    prompt: resultText(result),
    tokens: result.tokens,
    contextLength: t.position,
    values,
    target: { position: t.position, end: t.span?.end ?? t.position + 1, text: t.span?.text ?? t.text },
    granularity,
  });
}
