import { describe, expect, it } from 'vitest';
import { sampleResult } from '../../testing/sampleResult';
import { createAppStore } from '.';
import { selectCells, selectRanks, selectScores, selectValues } from './selectors';

describe('store', () => {
  it('recombines the final score from the cached components when β or γ change', () => {
    const store = createAppStore();
    const r = sampleResult();
    store.getState().runStarted(null);
    store.getState().runFinished(r);
    const { M, S, I } = r.components;
    expect(selectScores(store.getState())).toEqual(r.scores);
    store.getState().setWeights(1.5, 0.25);
    const scores = selectScores(store.getState())!;
    scores.forEach((v, i) => expect(v).toBeCloseTo(M[i] * (1.5 * S[i] + 0.25 * I[i]), 12));
    expect(store.getState().workerRuns).toBe(1);
    // memoized: the same array until something it depends on changes
    expect(selectScores(store.getState())).toBe(scores);
    store.getState().setComponent('S');
    expect(selectValues(store.getState())).toBe(r.components.S);
  });
  it('a contrast shows the score and I signed by the log-odds shift, memoized like every view', () => {
    const store = createAppStore();
    const r = sampleResult();
    const shift = r.components.I.map((_, i) => (i % 2 ? -1 : 1) * (0.1 + i));
    store.getState().runFinished({ ...r, target: { ...r.target, kind: 'contrast', foil: { id: 3, text: ' dog', probability: 0.1, logprob: -2.3 } }, components: { ...r.components, logOddsShift: shift } });
    const values = selectValues(store.getState())!;
    expect(selectValues(store.getState())).toBe(values);
    values.forEach((v, i) => expect(v).toBe(i % 2 ? -r.scores[i] : r.scores[i]));
    store.getState().setComponent('I');
    expect(selectValues(store.getState())).toBe(shift);
    store.getState().setComponent('S');
    expect(selectValues(store.getState())).toBe(r.components.S);
  });
  it('ranks by the final score and builds cells from the result', () => {
    const store = createAppStore();
    store.getState().runFinished(sampleResult());
    const ranks = selectRanks(store.getState())!;
    const scores = selectScores(store.getState())!;
    const best = scores.indexOf(Math.max(...scores));
    expect(ranks[best]).toBe(1);
    expect(new Set(ranks).size).toBe(scores.length);
    store.getState().setGranularity('word');
    expect(selectCells(store.getState()).find((c) => c.text === ' mat')?.tokens).toEqual([7, 8]);
  });
  it('a partial result is shown while running, then replaced by the final one', () => {
    const store = createAppStore();
    const s = store.getState();
    s.runStarted(null);
    s.runProgressed({ stage: 'hessian', done: 1, total: 3, detail: '' });
    s.runPartial(sampleResult());
    expect(store.getState().resultFinal).toBe(false);
    expect(store.getState().runStatus).toBe('running');
    s.runFinished(sampleResult());
    expect(store.getState()).toMatchObject({ resultFinal: true, runStatus: 'done', runProgress: null });
  });
  it('editing the prompt resets the target to the next token', () => {
    const store = createAppStore();
    store.getState().setTarget({ kind: 'position', position: 3 });
    store.getState().setPrompt('new');
    expect(store.getState().target).toEqual({ kind: 'next' });
  });
  it('a partial result shows tokens without S as pending: no score, no S, no rank; M and I are shown', () => {
    const store = createAppStore();
    const r = sampleResult();
    const p = r.components.M.length;
    const counts = r.components.M.map((_, i) => (i === 0 ? r.params.m : 0));
    const partial = { ...r, sensitivity: { ...r.sensitivity!, probesPerToken: counts } };
    store.getState().runStarted(null);
    store.getState().runProgressed({ stage: 'hessian', done: 1, total: p, detail: '' });
    store.getState().runPartial(partial);
    const values = selectValues(store.getState())!;
    expect(values[0]).toBe(r.scores[0]);
    values.slice(1).forEach((v) => expect(v).toBeNull());
    expect(selectRanks(store.getState())).toEqual([1, ...Array(p - 1).fill(null)]);
    const cells = selectCells(store.getState()).filter((c) => c.role === 'context');
    expect(cells.map((c) => c.pending)).toEqual(counts.map((n) => n === 0));
    store.getState().setComponent('M');
    expect(selectValues(store.getState())).toBe(r.components.M);
    // Final: every token has a value.
    store.getState().setComponent('score');
    store.getState().runFinished(r);
    expect(selectValues(store.getState())!.every((v) => v !== null)).toBe(true);
  });
  it('showing a generation row or a file says the prompt box changed and puts the user’s prompt back on request', () => {
    const store = createAppStore();
    const r = sampleResult();
    store.getState().setPrompt('my own words');
    store.getState().showResult({ ...r, prompt: 'generated text' }, 'generated row 1: “ x”');
    expect(store.getState().prompt).toBe('generated text');
    expect(store.getState().replacedPrompt).toEqual({ prompt: 'my own words', shown: 'generated row 1: “ x”' });
    // A second row keeps the user's own prompt to give back.
    store.getState().showResult({ ...r, prompt: 'generated text too' }, 'generated row 2: “ y”');
    expect(store.getState().replacedPrompt).toEqual({ prompt: 'my own words', shown: 'generated row 2: “ y”' });
    store.getState().restorePrompt();
    expect(store.getState()).toMatchObject({ prompt: 'my own words', replacedPrompt: null, target: { kind: 'next' } });
  });
  it('an edited text shows its own tokens once known, so a target picked on it is one of its tokens', () => {
    const store = createAppStore();
    const r = sampleResult();
    store.getState().setPrompt(r.prompt);
    store.getState().runFinished(r);
    expect(selectCells(store.getState()).some((c) => c.value !== null)).toBe(true);
    store.getState().setPrompt('A new text');
    store.getState().setPreview({ prompt: 'A new text', tokens: [{ id: 1, text: 'A', start: 0, end: 1, special: false }, { id: 2, text: ' new', start: 1, end: 5, special: false }, { id: 3, text: ' text', start: 5, end: 10, special: false }], predictions: [], forwardMs: 1 });
    const cells = selectCells(store.getState());
    expect(cells.map((c) => c.text)).toEqual(['A', ' new', ' text']);
    expect(cells.every((c) => c.value === null)).toBe(true);
  });
});
