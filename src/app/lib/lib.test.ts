import { describe, expect, it } from 'vitest';
import { sampleResult, tokensOf } from '../../testing/sampleResult';
import { captionLines } from './caption';
import { buildCells } from './cells';
import { fmt, fmtCount, visibleToken } from './format';
import { formatLink, parseLink, readLink } from './link';
import type { TargetRequest } from '../engine';

const r = sampleResult();

describe('buildCells', () => {
  it('reproduces the prompt exactly, one cell per token, values on the context', () => {
    const cells = buildCells({ prompt: r.prompt, tokens: r.tokens, contextLength: 9, values: r.scores, target: { position: 9, end: 10, text: ' sofa' }, granularity: 'token' });
    expect(cells.filter((c) => c.role === 'context')).toHaveLength(9);
    expect(cells.slice(1, -1).map((c) => c.text).join('')).toBe(r.prompt);
    expect(cells[0]).toMatchObject({ text: '<s>', special: true, value: r.scores[0] });
    expect(cells[cells.length - 1]).toMatchObject({ role: 'target', text: ' sofa', tokens: [] });
  });
  it('word level sums tokens within words (a newline goes with the word before it)', () => {
    const cells = buildCells({ prompt: r.prompt, tokens: r.tokens, contextLength: 9, values: r.scores, target: null, granularity: 'word' });
    const mat = cells.find((c) => c.text === ' mat')!;
    expect(mat.tokens).toEqual([7, 8]);
    expect(mat.value).toBeCloseTo(r.scores[7] + r.scores[8]);
    expect(cells.map((c) => c.text)).toEqual(['<s>', 'The', ' cat', ' sat\n', 'on', ' the', ' mat']);
  });
  it('sentence and line levels: one cell per line here, summing every token of it', () => {
    for (const granularity of ['sentence', 'line', 'paragraph'] as const) {
      const cells = buildCells({ prompt: r.prompt, tokens: r.tokens, contextLength: 9, values: r.scores, target: null, granularity });
      const total = cells.reduce((s, c) => s + (c.value ?? 0), 0);
      expect(total).toBeCloseTo(r.scores.slice(0, 9).reduce((a, b) => a + b, 0), 9);
      if (granularity === 'line') expect(cells.map((c) => c.text)).toEqual(['<s>', 'The cat sat\n', 'on the mat']);
    }
  });
  it('a span target outlines every token of it', () => {
    const cells = buildCells({ prompt: r.prompt, tokens: r.tokens, contextLength: 5, values: r.scores.slice(0, 5), target: { position: 5, end: 8, text: 'x' }, granularity: 'token' });
    expect(cells.filter((c) => c.role === 'target').flatMap((c) => c.tokens)).toEqual([5, 6, 7]);
    expect(cells.find((c) => c.tokens[0] === 8)?.role).toBe('after');
  });
  it('in-text target: the target token outlined, later tokens outside the context, never merged', () => {
    const tokens = tokensOf('ab cd ef', [2, 4, 5, 6], false); // ab | ␣c | d | ␣ | ef
    const cells = buildCells({ prompt: 'ab cd ef', tokens, contextLength: 2, values: [1, 2], target: { position: 2, end: 3, text: 'd' }, granularity: 'word' });
    expect(cells.map((c) => [c.text, c.role, c.value])).toEqual([
      ['ab', 'context', 1],
      [' c', 'context', 2],
      ['d', 'target', null],
      [' ', 'after', null],
      ['ef', 'after', null],
    ]);
  });
  it('byte fragments of one character are shown with the token that completes it, values summed', () => {
    // "a😀b": the emoji is two byte-level tokens, the first with an empty span (it ends inside the character).
    const tokens = [
      { id: 1, text: 'a', start: 0, end: 1, special: false },
      { id: 2, text: '', start: 1, end: 1, special: false },
      { id: 3, text: '😀', start: 1, end: 3, special: false },
      { id: 4, text: 'b', start: 3, end: 4, special: false },
    ];
    const cells = buildCells({ prompt: 'a😀b', tokens, contextLength: 4, values: [1, 2, 3, 4], target: null, granularity: 'token' });
    expect(cells.map((c) => [c.text, c.tokens, c.value])).toEqual([
      ['a', [0], 1],
      ['😀', [1, 2], 5],
      ['b', [3], 4],
    ]);
  });
  it('keeps untokenized text as gaps', () => {
    const tokens = [
      { id: 1, text: 'a', start: 0, end: 1, special: false },
      { id: 2, text: 'b', start: 3, end: 4, special: false },
    ];
    const cells = buildCells({ prompt: 'a  b!', tokens, contextLength: 2, values: null, target: null, granularity: 'token' });
    expect(cells.map((c) => [c.text, c.role])).toEqual([
      ['a', 'context'],
      ['  ', 'gap'],
      ['b', 'context'],
      ['!', 'gap'],
    ]);
  });
});

describe('link', () => {
  it('round-trips the shared view', () => {
    const state = { model: '/m/', backend: 'wasm' as const, prompt: 'a b&c=d\n#x', target: { kind: 'next' as const, tokenId: 5 }, beta: 0.25, gamma: 1, m: 3, seed: 7, generate: 4 };
    expect(parseLink(formatLink(state))).toEqual(state);
    expect(parseLink(formatLink({ ...state, adaptive: true }))).toEqual({ ...state, adaptive: true });
    expect(parseLink('#adaptive=0')).toEqual({ adaptive: false });
    expect(parseLink('#target=pos:4').target).toEqual({ kind: 'position', position: 4 });
    expect(parseLink('#target=next').target).toEqual({ kind: 'next' });
    // Spans, typed continuations and contrasts (by id or typed foil) survive the round trip, odd characters included.
    const targets: TargetRequest[] = [
      { kind: 'span', start: 3, end: 7 },
      { kind: 'span', continuation: ' Lisbon, of course & more,vs:2' },
      { kind: 'contrast', target: { kind: 'next' }, foilId: 12 },
      { kind: 'contrast', target: { kind: 'position', position: 5 }, foilText: ' him' },
      { kind: 'contrast', target: { kind: 'next', tokenId: 9 }, foilText: ',vs:3' },
    ];
    for (const target of targets) expect(parseLink(formatLink({ target })).target).toEqual(target);
    // The view itself: value shown, granularity, colour scale, inspected token, graph threshold.
    const view = { component: 'S', granularity: 'sentence', scaleMode: 'rank', selected: 4, edgeThreshold: 0.125, scaling: 'normalized' } as const;
    expect(parseLink(formatLink(view))).toEqual(view);
    expect(readLink('#view=X&per=chapter&colour=hot&sel=-1&edges=2').problems).toEqual([
      'view=X: expected one of score, M, S, I',
      'per=chapter: expected one of token, word, sentence, line, paragraph',
      'colour=hot: expected one of linear, sqrt, log, rank',
      'sel=-1: expected a token position',
      "edges=2: expected a number from 0 to 1 (the layer graph's edge threshold)",
    ]);
    expect(readLink('#target=span:9-99999999').problems).toEqual(['target=span:9-99999999: the target position must be an integer from 1 to 32767']);
  });
  it('leaves out invalid values and names each one with what is allowed', () => {
    const { link, problems } = readLink('#backend=cuda&m=0&seed=1.5&beta=x&target=foo&gen=0&adaptive=yes');
    expect(link).toEqual({});
    expect(problems).toEqual([
      'backend=cuda: expected one of auto, webgpu, wasm',
      'adaptive=yes: expected 1 (adaptive probing) or 0 (fixed m)',
      'target=foo: expected next, next:<token id>, pos:<position>, span:<start>-<end>, cont:<text> or one of the first three with ,vs:<foil id>',
      'beta=x: β must be a number from -1000000 to 1000000',
      'm=0: probes m must be an integer from 1 to 256',
      'seed=1.5: seed must be an integer from 0 to 4294967295',
      'gen=0: generated tokens must be an integer from 1 to 64',
    ]);
    expect(parseLink('#gen=65')).toEqual({});
  });
  it('bounds run parameters a link can set (m = 100000000 would run for hours)', () => {
    const { link, problems } = readLink('#prompt=hi&m=100000000&gamma=1e308&beta=-1e7&seed=-5&m2=5');
    expect(link).toEqual({ prompt: 'hi' });
    expect(problems).toEqual([
      'beta=-1e7: β must be a number from -1000000 to 1000000',
      'gamma=1e308: γ must be a number from -1000000 to 1000000',
      'm=100000000: probes m must be an integer from 1 to 256',
      'seed=-5: seed must be an integer from 0 to 4294967295',
    ]);
    // The same bounds as the CLI's options (engine/limits.ts).
    expect(readLink('#m=256&beta=-1&gamma=0&seed=4294967295&gen=64').problems).toEqual([]);
    expect(readLink(`#m=${'9'.repeat(40)}`).problems).toEqual([`m=${'9'.repeat(24)}…: probes m must be an integer from 1 to 256`]);
  });
});

describe('format and caption', () => {
  it('formats numbers and tokens', () => {
    expect(fmt(0.123456)).toBe('0.1235');
    expect(fmt(1.5e-6)).toBe('1.5e-6');
    expect(fmtCount(2410176)).toBe('2.41M');
    expect(visibleToken(' a\n')).toBe('␣a↵');
  });
  it('the caption names target, prompt, model, method and parameters', () => {
    const lines = captionLines(r, { title: 'HETA final score', beta: 0.5, gamma: 0.5, scaling: 'raw' }).join('\n');
    expect(lines).toContain('Attr = M·(βS + γI) (raw components, as in the paper)');
    expect(captionLines(r, { title: 'x', beta: 1, gamma: 2, scaling: 'normalized' }).join('\n')).toContain('Attr = M·(β S/ΣS + γ I/ΣI) (S and I each normalized over the context), β = 1, γ = 2');
    expect(lines).toContain('" sofa"');
    expect(lines).toContain('The cat sat on the mat');
    expect(lines).toContain('Model tiny');
    expect(lines).toContain('β = 0.5');
    expect(lines).toContain('m = 3');
    const adaptive = sampleResult({
      params: { ...r.params, difference: 'forward', adaptive: true },
      sensitivity: { probing: 'adaptive', difference: 'forward', order: 'first-order', stopRule: 'SE_i ≤ 0.05 · max_j S_j after ≥ 4 probes, at most m = 10', probesPerToken: [4, 10], gradientPasses: 15, fixedGradientPasses: 21, passesSaved: 6 },
    });
    const adaptiveLines = captionLines(adaptive, { title: 'HETA final score', beta: 0.5, gamma: 0.5, scaling: 'raw' }).join('\n');
    expect(adaptiveLines).toContain('adaptive: SE_i ≤ 0.05 · max_j S_j after ≥ 4 probes, at most m = 10');
    expect(adaptiveLines).toContain('forward differences, first-order');
    expect(adaptiveLines).not.toContain('m = 3 ');
  });
});
