import { describe, expect, it } from 'vitest';
import type { Token } from '../tokenizer/tokenizer';
import { GRANULARITIES, segmentScores, segmentsOf } from './granularity';

/** Tokens of `text` cut at the given character offsets, after a BOS with an empty span. */
function tokensAt(text: string, cuts: number[]): Token[] {
  const bounds = [0, ...cuts, text.length];
  const tokens: Token[] = [{ id: 0, text: '<s>', start: 0, end: 0, special: true }];
  for (let k = 0; k + 1 < bounds.length; k++) tokens.push({ id: k + 1, text: text.slice(bounds[k], bounds[k + 1]), start: bounds[k], end: bounds[k + 1], special: false });
  return tokens;
}

describe('granularity', () => {
  const text = 'Nora keeps a lantern.\nIt is brass. Ilse has one too.\n\nThe end';
  // Sub-word cuts: "Nora" is "No"+"ra", " lantern" is " lan"+"tern", " brass" is " br"+"ass".
  const cuts = [2, 4, 10, 12, 16, 20, 21, 22, 24, 27, 30, 33, 34, 39, 43, 47, 51, 52, 53, 54, 58];
  const tokens = tokensAt(text, cuts);
  const scores = tokens.map((_, i) => Math.sin(i + 1) + 1.5);

  it('every view puts each context token in exactly one segment and keeps the total', () => {
    for (const level of GRANULARITIES) {
      for (const p of [tokens.length, 9]) {
        const segments = segmentsOf(text, tokens, p, level);
        const members = segments.flatMap((s) => s.tokens).sort((a, b) => a - b);
        expect(members).toEqual([...Array(p).keys()]);
        const total = segmentScores(segments, scores).reduce((a, b) => a + b, 0);
        expect(total).toBeCloseTo(scores.slice(0, p).reduce((a, b) => a + b, 0), 12);
      }
    }
  });

  it('words join sub-word tokens; BOS stays alone; a leading space goes with its word', () => {
    const words = segmentsOf(text, tokens, tokens.length, 'word');
    expect(words[0]).toEqual({ start: 0, end: 0, text: '<s>', tokens: [0] });
    expect(words[1].text).toBe('Nora '); // the space after a word is part of it
    expect(words[1].tokens).toEqual([1, 2]);
    const lantern = words.find((s) => s.text.trim() === 'lantern.')!; // punctuation stays with its word
    expect(lantern.tokens.map((i) => tokens[i].text)).toEqual([' lan', 'tern', '.', '\n']); // and the newline after it
  });

  it('sentences, lines and paragraphs follow the text', () => {
    const show = (level: 'sentence' | 'line' | 'paragraph') => segmentsOf(text, tokens, tokens.length, level).slice(1).map((s) => s.text.trim());
    expect(show('sentence')).toEqual(['Nora keeps a lantern.', 'It is brass.', 'Ilse has one too.', 'The end']);
    // A blank line (and its newline token) belongs to the line before it.
    expect(show('line')).toEqual(['Nora keeps a lantern.', 'It is brass. Ilse has one too.', 'The end']);
    expect(show('paragraph')).toEqual(['Nora keeps a lantern.\nIt is brass. Ilse has one too.', 'The end']);
  });

  it('text without spaces still splits into words (CJK)', () => {
    const cjk = '我喜欢猫。';
    const t = tokensAt(cjk, [1, 2, 3, 4]);
    const words = segmentsOf(cjk, t, t.length, 'word');
    expect(words.length).toBeGreaterThan(2);
    expect(words.flatMap((s) => s.tokens)).toHaveLength(t.length);
  });
});
