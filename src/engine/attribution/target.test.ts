// Span and contrastive targets (heta-spec "Targets beyond one token") against independent computations:
// the float64 reference forward for g, I and M's rows, nested float64 finite differences for the Hessian
// blocks behind S, and the reductions the spec requires.

import { describe, expect, it } from 'vitest';
import { loadTinyModel } from '../../testing/tinyModel';
import { referenceForward64 } from '../../testing/referenceForward';
import { klDivergence, semanticTransition } from './components';
import { logSoftmax } from '../model/languageModel';
import { attribute } from './heta';
import { AttributionError, prepareTarget } from './target';
import type { AttributionResult } from './schema';

describe('span and contrastive targets on a compiled tiny Llama', async () => {
  const { ckpt, model, lookup } = await loadTinyModel({ family: 'llama', gqa: true, seed: 11 });
  const { hiddenSize: d, vocabSize: V, numLayers: L, numHeads: H } = ckpt.config;
  const prompt = 'the cat sat on the mat because it was warm';
  const tokens = model.tokenizer.encode(prompt);
  const n = tokens.length;
  const start = 5;
  const end = 8; // a span of three tokens of the text, teacher-forced
  const T = end - 1;
  const fed = tokens.slice(0, T).map((t) => t.id);
  const x = Float64Array.from(await model.embed(fed));
  /** log softmax of the float64 reference at `row` for embeddings `e` of T tokens. */
  const refLogP = (e: ArrayLike<number>, row: number, len = T) => logSoftmax(referenceForward64(ckpt.config, lookup, e, len).logits.subarray(row * V, (row + 1) * V));
  const spanIds = tokens.slice(start, end).map((t) => t.id);
  const spanG = (e: ArrayLike<number>) => spanIds.reduce((s, t, j) => s + refLogP(e, start - 1 + j)[t], 0);
  const masked = (e: Float64Array, i: number) => {
    const out = Float64Array.from(e);
    out.fill(0, i * d, (i + 1) * d);
    return out;
  };

  it('a span of one token is exactly the single-token result', async () => {
    const one = await attribute(model, prompt, { kind: 'span', start: 6, end: 7 }, { m: 2 });
    const token = await attribute(model, prompt, { kind: 'position', position: 6 }, { m: 2 });
    expect(one.target.kind).toBe('span');
    expect(one.target.span!.ids).toEqual([tokens[6].id]);
    expect(one.scores).toEqual(token.scores);
    for (const key of ['M', 'S', 'I', 'S_stderr'] as const) expect(one.components[key]).toEqual(token.components[key]);
    expect(one.target.g).toBe(token.target.logprob);
  });

  it('span g is the log-probability of the whole span under a direct teacher-forced float64 pass; ∇g matches its finite differences', async () => {
    const prepared = await prepareTarget(model, prompt, { kind: 'span', start, end });
    expect(prepared.p).toBe(start);
    expect(prepared.T).toBe(T);
    expect(prepared.objective).toEqual({ rows: [4, 5, 6], ids: spanIds, weights: [1, 1, 1] });
    expect(Math.abs(prepared.g - spanG(x))).toBeLessThan(1e-4);
    // The gradient pass's ∇g over the context rows, against central differences of the float64 g along random directions.
    const { grad } = await model.gradient(Float32Array.from(x), 1, T, prepared.objective);
    for (let k = 0; k < 3; k++) {
      const v = Float64Array.from({ length: T * d }, (_, j) => (j < start * d ? Math.sin(j * 1.3 + k) : 0));
      const h = 1e-4;
      const plus = Float64Array.from(x, (xi, j) => xi + h * v[j]);
      const minus = Float64Array.from(x, (xi, j) => xi - h * v[j]);
      const numeric = (spanG(plus) - spanG(minus)) / (2 * h);
      const analytic = v.reduce((s, vj, j) => s + vj * grad[j], 0);
      expect(Math.abs(analytic - numeric)).toBeLessThan(1e-3 * Math.max(1, Math.abs(numeric)));
    }
  });

  it('span I sums the KL over the span rows of direct masked float64 passes; M is the mean of the rows’ M', async () => {
    const r = await attribute(model, prompt, { kind: 'span', start, end }, { m: 1 });
    expect(r.components.I).toHaveLength(start);
    for (let i = 0; i < start; i++) {
      const kl = spanIds.reduce((s, _, j) => s + klDivergence(refLogP(x, start - 1 + j), refLogP(masked(x, i), start - 1 + j)), 0);
      expect(Math.abs(r.components.I[i] - kl)).toBeLessThan(1e-5 + 1e-3 * kl);
    }
    const ref = referenceForward64(ckpt.config, lookup, x, T);
    const attention = Float32Array.from(ref.attention.flatMap((a) => [...a]));
    const nu = Float32Array.from(ref.valueStrength.flatMap((a) => [...a]));
    const rows = [4, 5, 6].map((q) => semanticTransition(attention, nu, L, H, T, q, start).m);
    const mean = Array.from({ length: start }, (_, i) => rows.reduce((s, m) => s + m[i], 0) / rows.length);
    expect(r.components.M.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 9);
    r.components.M.forEach((v, i) => expect(Math.abs(v - mean[i])).toBeLessThan(1e-4));
  });

  it('contrast: g = log p(t) − log p(t′), I = |Δg| of direct masked float64 passes, M the single-token M', async () => {
    const p = n;
    const e = Float64Array.from(await model.embed(tokens.map((t) => t.id)));
    const clean = refLogP(e, p - 1, p);
    const t = clean.reduce((best, v, i) => (v > clean[best] ? i : best), 0);
    const foil = (t + 7) % V;
    const r = await attribute(model, prompt, { kind: 'contrast', target: { kind: 'next' }, foilId: foil }, { m: 1 });
    const single = await attribute(model, prompt, { kind: 'next' }, { m: 1 });
    expect(r.target.kind).toBe('contrast');
    expect(r.target.id).toBe(t);
    expect(r.target.foil!.id).toBe(foil);
    expect(Math.abs(r.target.g! - (clean[t] - clean[foil]))).toBeLessThan(1e-4);
    expect(r.components.M).toEqual(single.components.M);
    for (let i = 0; i < p; i++) {
      const lp = refLogP(masked(e, i), p - 1, p);
      const shift = Math.abs(clean[t] - clean[foil] - (lp[t] - lp[foil]));
      expect(Math.abs(r.components.I[i] - shift)).toBeLessThan(1e-4 + 1e-3 * shift);
      const signed = clean[t] - clean[foil] - (lp[t] - lp[foil]);
      expect(Math.abs(r.components.logOddsShift![i] - signed)).toBeLessThan(1e-4 + 1e-3 * shift);
    }
  });

  it('a foil given as text is the same contrast as by its id', async () => {
    const id = model.tokenizer.textToId(' the')!;
    const byText = await attribute(model, prompt, { kind: 'contrast', target: { kind: 'next' }, foilText: ' the' }, { m: 1 });
    const byId = await attribute(model, prompt, { kind: 'contrast', target: { kind: 'next' }, foilId: id }, { m: 1 });
    expect(byText.target.foil!.id).toBe(id);
    expect(byText.scores).toEqual(byId.scores);
  });

  it('swapping target and foil negates g and leaves S, I and the scores as they are', async () => {
    const a = await attribute(model, prompt, { kind: 'contrast', target: { kind: 'next', tokenId: 40 }, foilId: 90 }, { m: 2 });
    const b = await attribute(model, prompt, { kind: 'contrast', target: { kind: 'next', tokenId: 90 }, foilId: 40 }, { m: 2 });
    expect(b.target.g).toBe(-a.target.g!);
    const largest = Math.max(...a.components.S);
    a.components.S.forEach((s, i) => expect(Math.abs(s - b.components.S[i])).toBeLessThan(1e-5 * largest));
    a.components.I.forEach((v, i) => expect(Math.abs(v - b.components.I[i])).toBeLessThan(1e-6));
  });

  /**
   * ‖Π_i H Π_i r‖₁ of the float64 reference objective `g` by nested central differences: component a of
   * H r is [g(x+εr+δe_a) − g(x+εr−δe_a) − g(x−εr+δe_a) + g(x−εr−δe_a)] / (4εδ); with ε = δ = 10⁻⁴ in
   * float64 both truncation (O(ε²)) and rounding (≈10⁻¹⁶/10⁻⁸) stay below 10⁻⁷ of the entries.
   */
  const exactProbeNorm = (g: (e: Float64Array) => number, e: Float64Array, i: number, r: readonly number[]) => {
    const eps = 1e-4;
    let norm = 0;
    for (let a = 0; a < d; a++) {
      const at = (s: number, t: number) => {
        const y = Float64Array.from(e);
        for (let j = 0; j < d; j++) y[i * d + j] += s * eps * r[j];
        y[i * d + a] += t * eps;
        return g(y);
      };
      norm += Math.abs((at(1, 1) - at(1, -1) - at(-1, 1) + at(-1, -1)) / (4 * eps * eps));
    }
    return norm;
  };
  const signs = (r: AttributionResult, i: number) => Array.from(r.probes![0][i]!, (c) => (c === '+' ? 1 : -1));

  it('replayed from the JSON alone (tokens, recorded objective, dumped probes), S of every target kind equals exact Hessian blocks of the float64 reference', async () => {
    const requests = [
      { kind: 'next' },
      { kind: 'span', start, end },
      { kind: 'contrast', target: { kind: 'position', position: 6 }, foilId: 50 },
    ] as const;
    for (const request of requests) {
      const r: AttributionResult = JSON.parse(JSON.stringify(await attribute(model, prompt, request, { m: 1, seed: 3 }, { dumpProbes: true })));
      // Everything below comes from the result: an outside reference needs nothing else (and the model).
      const { rows, ids, weights, fed } = r.target.objective!;
      const e = Float64Array.from(await model.embed(r.tokens.slice(0, fed).map((t) => t.id)));
      const g = (y: Float64Array) => rows.reduce((sum, row, k) => sum + weights[k] * refLogP(y, row, fed)[ids[k]], 0);
      expect(Math.abs(g(e) - r.target.g!)).toBeLessThan(1e-4);
      const exact = r.scores.map((_, i) => exactProbeNorm(g, e, i, signs(r, i)));
      const largest = Math.max(...exact);
      exact.forEach((s, i) => expect(Math.abs(r.components.S[i] - s), `${request.kind} S[${i}]`).toBeLessThan(1e-3 * largest));
    }
  });

  it('a typed continuation is appended after the prompt, teacher-forced, with offsets past the prompt’s end', async () => {
    const r = await attribute(model, prompt, { kind: 'span', continuation: ' and dry' }, { m: 1 });
    expect(r.target.position).toBe(n);
    expect(r.tokens.slice(0, n)).toEqual(tokens);
    expect(r.target.span!.text).toBe(' and dry');
    expect(r.target.span!.continuation).toBe(' and dry');
    expect(r.target.span!.end).toBe(r.tokens.length);
    expect(r.tokens[n].start).toBe(prompt.length);
    expect(r.components.S).toHaveLength(n);
    expect(r.target.g).toBeCloseTo(r.target.span!.logprob, 12);
  });

  it('rejects bad span and contrast requests with messages that say what to do', async () => {
    await expect(attribute(model, prompt, { kind: 'span', continuation: '   ' })).rejects.toThrow(/continuation is empty/);
    await expect(attribute(model, prompt, { kind: 'span', start: 0, end: 2 })).rejects.toThrow(/out of range/);
    await expect(attribute(model, prompt, { kind: 'span', start: 4, end: 4 })).rejects.toThrow(/at least one token/);
    await expect(attribute(model, prompt, { kind: 'span', start: 4, end: n + 1 })).rejects.toThrow(/out of range/);
    await expect(attribute(model, prompt, { kind: 'contrast', target: { kind: 'position', position: 3 }, foilId: tokens[3].id })).rejects.toThrow(/the target itself/);
    await expect(attribute(model, prompt, { kind: 'contrast', target: { kind: 'next' }, foilId: V })).rejects.toThrow(AttributionError);
    await expect(attribute(model, prompt, { kind: 'contrast', target: { kind: 'next' }, foilText: ' not one token at all' })).rejects.toThrow(/is not one token .*contrast with a single token/);
    const long = 'word '.repeat(ckpt.config.maxPositions - n);
    await expect(attribute(model, prompt, { kind: 'span', continuation: long })).rejects.toThrow(/shorten the prompt or the span/);
  });
});
