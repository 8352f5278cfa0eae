// The heatmap's cells: the prompt cut into token (or word) pieces that reproduce it exactly, each
// with its value. One model for the on-screen heatmap (HTML spans) and the exported SVG chart.

import type { Token } from '../../worker/protocol';

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
}

export interface CellInput {
  prompt: string;
  tokens: Token[];
  /** Context length p (= tokens.length for a next-token target or a plain preview). */
  contextLength: number;
  /** Per-token values over the context, or null before a result. */
  values: ArrayLike<number> | null;
  /** The target: an in-text position (< tokens.length) or the next token's text. */
  target: { position: number; text: string } | null;
  wordLevel: boolean;
}

const startsWithSpace = (s: string) => /^\s/.test(s);
const endsWithSpace = (s: string) => /\s$/.test(s);
const allSpace = (s: string) => /^\s+$/.test(s);

function tokenText(prompt: string, t: Token): string {
  return t.special ? t.text : prompt.slice(t.start, t.end);
}

function roleOf(i: number, input: CellInput): CellRole {
  if (i < input.contextLength) return 'context';
  if (input.target && i === input.target.position) return 'target';
  return 'after';
}

/** Whether token i continues the word that token i−1 is part of. */
function continuesWord(input: CellInput, i: number): boolean {
  if (i === 0) return false;
  const prev = input.tokens[i - 1];
  const cur = input.tokens[i];
  if (prev.special || cur.special || prev.end !== cur.start) return false;
  if (roleOf(i - 1, input) !== roleOf(i, input) || roleOf(i, input) === 'target') return false;
  const a = tokenText(input.prompt, prev);
  const b = tokenText(input.prompt, cur);
  if (allSpace(a) || allSpace(b) || endsWithSpace(a) || startsWithSpace(b)) return false;
  return true;
}

export function buildCells(input: CellInput): Cell[] {
  const { prompt, tokens, values } = input;
  const cells: Cell[] = [];
  let covered = 0;
  const gap = (until: number) => {
    if (until > covered) cells.push({ key: `gap${covered}`, text: prompt.slice(covered, until), role: 'gap', tokens: [], value: null, special: false });
  };
  tokens.forEach((t, i) => {
    if (!t.special) {
      gap(t.start);
      covered = Math.max(covered, t.end);
    }
    const role = roleOf(i, input);
    const value = role === 'context' && values ? values[i] : null;
    const last = cells[cells.length - 1];
    if (input.wordLevel && last && last.tokens.length && continuesWord(input, i)) {
      last.text += tokenText(prompt, t);
      last.tokens.push(i);
      if (last.value !== null && value !== null) last.value += value;
      return;
    }
    cells.push({ key: `t${i}`, text: tokenText(prompt, t), role, tokens: [i], value, special: t.special });
  });
  gap(prompt.length);
  if (input.target && input.target.position >= tokens.length) {
    cells.push({ key: 'next', text: input.target.text, role: 'target', tokens: [], value: null, special: false });
  }
  return cells;
}
