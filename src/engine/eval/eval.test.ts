// Datasets, model-driven metrics and the harness on a compiled tiny Llama.

import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { loadTinyModel } from '../../testing/tinyModel';
import { referenceForward64 } from '../../testing/referenceForward';
import { AttributionContext } from '../baselines/context';
import { parseMethods } from '../baselines/methods';
import { faithfulness } from '../metrics/evaluate';
import { softTerms, suffZero, tokensAt } from '../metrics/faithfulness';
import { curatedItem, DatasetError, parseDataset, targetToken } from './dataset';
import { evaluateItem, formatSummary, summarize, type ItemResult } from './harness';
import { logSoftmax, nextTokenPredictions } from '../model/languageModel';

describe('datasets', () => {
  it('reads the curated set: prompt = input_text + " Answer:", target " <first answer token>", segment spans', async () => {
    const text = await readFile('/work/shared/data/heta_curated_100.json', 'utf8').catch(() => null);
    const example = {
      id: 'ex0',
      input_text: 'The storm passed. <s> Photosynthesis occurs in the leaves. <s> Question: Where does photosynthesis occur?',
      narrative_segment: 'The storm passed.',
      sciq_support_segment: 'Photosynthesis occurs in the leaves.',
      target_first_answer_token: 'leaves',
      important_words: ['leaves', 'photosynthesis'],
    };
    const ds = parseDataset(JSON.stringify({ examples: [example] }, null, 2));
    expect(ds.kind).toBe('curated');
    const [item] = ds.items;
    expect(item.prompt).toBe(example.input_text + ' Answer:');
    expect(item.target).toBe(' leaves');
    expect(item.prompt.slice(item.segments!.distractor.start, item.segments!.distractor.end)).toBe(example.narrative_segment);
    expect(item.prompt.slice(item.segments!.support.start, item.segments!.support.end)).toBe(example.sciq_support_segment);
    expect(() => curatedItem({ ...example, sciq_support_segment: 'not there' }, 0)).toThrow(/does not occur/);
    if (text) {
      const full = parseDataset(text);
      expect(full.items).toHaveLength(100);
      for (const it of full.items) expect(it.segments!.support.start).toBeGreaterThan(it.segments!.distractor.end);
    }
  });

  it('reads JSONL of {prompt, target} and reports bad lines', () => {
    const ds = parseDataset('{"prompt": "The capital of France is", "target": " Paris"}\n\n{"id": "b", "prompt": "One, two,", "target": " three"}\n');
    expect(ds.kind).toBe('jsonl');
    expect(ds.items.map((i) => i.id)).toEqual(['line-1', 'b']);
    expect(() => parseDataset('{"prompt": "x"}')).toThrow(/line 1: expected/);
    expect(() => parseDataset('{"prompt": "x", "target": "y"}\nnot json')).toThrow(DatasetError);
    expect(() => parseDataset('{"id": 1, "prompt": "x", "target": "y"}\n{"id": 1, "prompt": "z", "target": "y"}')).toThrow(/duplicate/);
  });
});

describe('on a compiled tiny Llama', async () => {
  const { ckpt, model, lookup } = await loadTinyModel({ family: 'llama', gqa: true, seed: 5, maxPositions: 128 });
  const { hiddenSize: d, vocabSize: V } = ckpt.config;

  it('the target is the first token of the target text, with a warning when it has several', () => {
    const one = model.tokenizer.encode('a').filter((t) => !t.special);
    expect(targetToken(model.tokenizer, 'a')).toEqual({ id: one[0].id, text: model.tokenizer.idToText(one[0].id) });
    const long = targetToken(model.tokenizer, ' photosynthesis');
    expect(long.warning).toMatch(/using its first token/);
    expect(long.id).toBe(model.tokenizer.encode(' photosynthesis').filter((t) => !t.special)[0].id);
  });

  it('faithfulness(): curve points and soft terms equal direct float64 passes', async () => {
    const ctx = await AttributionContext.create(model, 'the cat sat on the mat', { kind: 'next' });
    const { p, q, x, targetId: t } = ctx;
    const ref = (xs: ArrayLike<number>) => logSoftmax(referenceForward64(ckpt.config, lookup, xs, p).logits.subarray(q * V, p * V));
    const clean = ref(x);
    const scores = Array.from({ length: p }, (_, i) => ((i * 7) % p) - 2); // a fixed, partly negative ranking
    const f = await faithfulness(ctx, scores, { draws: 2, seed: 1 });
    const order = [...scores.keys()].sort((a, b) => scores[b] - scores[a] || a - b);
    for (const [k, frac] of [[0, 0.1], [4, 0.5], [9, 1]] as const) {
      const top = new Set(order.slice(0, tokensAt(frac, p)));
      const del = Float64Array.from(x);
      const ins = Float64Array.from(x);
      for (let i = 0; i < p; i++) (top.has(i) ? del : ins).fill(0, i * d, (i + 1) * d);
      expect(Math.abs(f.deletion[k] - (clean[t] - ref(del)[t]))).toBeLessThan(1e-4);
      expect(Math.abs(f.insertion[k] - (clean[t] - ref(ins)[t]))).toBeLessThan(1e-4);
    }
    expect(f.insertion[9]).toBeCloseTo(0, 5);
    const zero = ref(new Float64Array(p * d));
    expect(Math.abs(f.suff0 - suffZero(clean, zero))).toBeLessThan(1e-5);
    // All scores ≤ 0: s = 0, Soft-NC keeps everything (comp = 0) and Soft-NS keeps nothing (the all-zero context).
    const flat = await faithfulness(ctx, scores.map(() => -1), { draws: 2, seed: 1 });
    expect(flat.softComp).toBeCloseTo(0, 6);
    expect(flat.softNC).toBeCloseTo(0, 6);
    expect(Math.abs(flat.softSuff - softTerms(clean, zero).suff)).toBeLessThan(1e-5);
  });

  it('evaluateItem: every method, every metric, on a curated-format item', async () => {
    const item = curatedItem({
      id: 'c1',
      input_text: 'The storm passed. <s> Green leaves hold light. <s> Question: what holds light?',
      narrative_segment: 'The storm passed.',
      sciq_support_segment: 'Green leaves hold light.',
      target_first_answer_token: 'leaves',
      important_words: ['leaves', 'light'],
    }, 0);
    const stages = new Set<string>();
    const r = await evaluateItem(model, item, parseMethods('all'), {
      baseline: { heta: { m: 1 }, igSteps: 8, contextCiteSamples: 24 },
      metrics: { draws: 2, seed: 0 },
      onProgress: (stage) => stages.add(stage.split(' ')[0]),
    });
    expect(r.error).toBeUndefined();
    expect(r.target.position).toBe(r.tokens.length);
    expect(r.gold!.length).toBeGreaterThan(0);
    for (const i of r.gold!) expect(r.support).toContain(i);
    expect(Object.keys(r.methods)).toEqual(parseMethods('all').map((m) => m.id));
    for (const m of Object.values(r.methods)) {
      expect(m.scores).toHaveLength(r.tokens.length);
      expect(m.deletion).toHaveLength(10);
      for (const key of ['softNC', 'softNS', 'aopcDeletion', 'aopcInsertion', 'dsa', 'f1'] as const) expect(Number.isFinite(m.metrics[key])).toBe(true);
      expect(Math.abs(m.metrics.dsa!)).toBeLessThanOrEqual(1);
    }
    expect(stages).toContain('heta');
    expect(r.passes.gradient).toBe(1 + 9); // base gradient + 9 IG points; HETA's passes are its own
    expect(r.passes.hetaGradient).toBe(2 * r.tokens.length);
  });

  it('a method that returns NaN fails the item with a message: its scores are never ranked', async () => {
    const broken = { ...parseMethods('saliency')[0], id: 'broken', label: 'Broken', compute: async (ctx: { p: number }) => new Float64Array(ctx.p).fill(NaN) };
    const options = { baseline: { heta: { m: 1 } }, metrics: { draws: 1, seed: 0 } };
    await expect(evaluateItem(model, { id: 'n', prompt: 'The storm passed.', target: ' a' }, [broken], options)).rejects.toThrow(/non-finite values \(NaN or Inf\): Broken\[0, 1/);
  });

  it('onlyCorrect: an item whose target is not the top-1 prediction is left out, with what the model predicts', async () => {
    const prompt = 'The storm passed. Green leaves';
    const ids = model.tokenizer.encode(prompt).map((t) => t.id);
    const top = await nextTokenPredictions(model, ids, V);
    // targets given as text: use predictions whose text encodes back to the same single token
    const roundTrips = (text: string, id: number) => {
      const ts = model.tokenizer.encode(text).filter((t) => !t.special);
      return ts.length === 1 && ts[0].id === id;
    };
    const clean = top.filter((p) => !model.tokenizer.isSpecial(p.id) && roundTrips(p.text, p.id));
    const options = { baseline: { heta: { m: 1 }, igSteps: 8, contextCiteSamples: 24 }, metrics: { draws: 2, seed: 0 }, onlyCorrect: true };
    const wrongTarget = clean.find((p) => p.id !== top[0].id)!;
    const wrong = await evaluateItem(model, { id: 'w', prompt, target: wrongTarget.text }, parseMethods('saliency'), options);
    expect(wrong.skipped).toBe(`the model predicts ${JSON.stringify(top[0].text)}, not the target`);
    expect(wrong.methods).toEqual({});
    const items = [wrong];
    if (clean[0].id === top[0].id) {
      const right = await evaluateItem(model, { id: 'r', prompt, target: top[0].text }, parseMethods('saliency'), options);
      expect(right.skipped).toBeUndefined();
      expect(Object.keys(right.methods)).toEqual(['saliency']);
      items.push(right);
    }
    const s = summarize(items, [{ id: 'saliency', label: 'Saliency' }]);
    expect([s.items, s.failed, s.skipped]).toEqual([items.length - 1, 0, 1]);
    expect(formatSummary(s)).toMatch(/1 left out/);
  });
});

describe('summary', () => {
  const item = (id: string, heta: number, ig: number): ItemResult => ({
    id,
    prompt: '',
    target: { text: '', tokenText: '', id: 0, position: 1, logprob: 0, probability: 1 },
    warnings: [],
    tokens: [],
    methods: Object.fromEntries(
      [['heta', heta], ['ig', ig]].map(([m, v]) => [
        m,
        { scores: [], ms: 1000, metrics: { softNC: v as number, softNS: null, aopcDeletion: v as number, aopcInsertion: v as number, dsa: null, f1: null }, deletion: [], insertion: [], softComp: 0, softSuff: 0 },
      ]),
    ),
    diagnostics: {},
    passes: { forward: 0, gradient: 0, hetaGradient: 0 },
    ms: 0,
  });

  it('means with t intervals per method and metric, paired differences against HETA, failed items left out', () => {
    const items = [item('a', 3, 1), item('b', 4, 1), item('c', 5, 2), { ...item('d', 100, 0), error: 'boom' }];
    const s = summarize(items, [{ id: 'heta', label: 'HETA' }, { id: 'ig', label: 'IG' }]);
    expect(s.items).toBe(3);
    expect(s.failed).toBe(1);
    const h = s.methods[0].metrics.softNC!;
    expect(h.mean).toBe(4);
    expect(h.half).toBeCloseTo(4.3027 * (1 / Math.sqrt(3)), 3);
    expect(s.methods[0].metrics.dsa).toBeUndefined(); // never defined: no column
    const diff = s.pairedVsHeta[0].metrics.softNC!;
    expect(diff.mean).toBeCloseTo(8 / 3, 12);
    const text = formatSummary(s);
    expect(text).toMatch(/Soft-NC ↑/);
    expect(text).toMatch(/AOPC ins ↓/);
    expect(text).not.toMatch(/DSA/);
    expect(text).toMatch(/3 items, 1 failed/);
    // HETA − IG on AOPC ins (lower is better) is positive everywhere: marked as HETA worse.
    expect(text.split('\n').find((l) => l.startsWith('IG') && l.includes('−'))).toBeDefined();
  });
});
