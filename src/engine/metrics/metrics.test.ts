// Metrics on hand-made score vectors and distributions with answers worked out by hand.

import { describe, expect, it } from 'vitest';
import type { Token } from '../tokenizer/tokenizer';
import { aopc, CURVE_FRACTIONS, curveKeepMasks, kl, rankDescending, softImportance, softMasked, softNormalized, softTerms, suffZero, tokensAt } from './faithfulness';
import { coreSpan } from '../tokenizer/spans';
import { dsa, f1AtK, goldTokens, positiveMass, tokensInSpan, wordsOf } from './segments';
import { averageRanks, meanCI, spearman, studentTCdf, studentTQuantile } from './stats';

const log = (ps: number[]) => Float64Array.from(ps, Math.log);

describe('Soft-NC / Soft-NS formulas', () => {
  const orig = log([0.5, 0.25, 0.25]);
  const zero = log([1 / 3, 1 / 3, 1 / 3]);
  // KL(orig ‖ uniform) = ½ ln 1.5 + ½ ln 0.75
  const kl0 = 0.5 * Math.log(1.5) + 0.5 * Math.log(0.75);

  it('Suff₀ = 1 − KL(p_orig ‖ p_zero)', () => {
    expect(kl(orig, zero)).toBeCloseTo(kl0, 12);
    expect(suffZero(orig, zero)).toBeCloseTo(1 - kl0, 12);
    expect(suffZero(orig, orig)).toBe(1);
  });

  it('SoftComp and SoftSuff from ‖√p_masked − √p_orig‖₂', () => {
    const masked = log([0.25, 0.5, 0.25]);
    const dist = Math.SQRT2 * (Math.sqrt(0.5) - 0.5); // two coordinates differ by √.5 − √.25
    const { comp, suff } = softTerms(orig, masked);
    expect(comp).toBeCloseTo((dist * dist) / Math.SQRT2, 12);
    expect(comp).toBeCloseTo(0.0606602, 6);
    expect(suff).toBeCloseTo(1 - dist / Math.SQRT2, 12);
    expect(suff).toBeCloseTo(0.7928932, 6);
    const suff0 = 1 - kl0;
    const { nc, ns } = softNormalized(comp, suff, suff0);
    expect(nc).toBeCloseTo(0.0606602 / kl0, 5);
    expect(ns).toBe(0); // SoftSuff < Suff₀: clamped at 0
  });

  it('an unchanged distribution is perfectly sufficient (Soft-NS = 1) and not comprehensive (Soft-NC = 0)', () => {
    const { comp, suff } = softTerms(orig, orig);
    const r = softNormalized(comp, suff, 1 - kl0);
    expect(r.nc).toBe(0);
    expect(r.ns).toBeCloseTo(1, 12);
  });

  it('Soft-NS clamps SoftSuff − Suff₀ at 10, and a zero denominator gives NaN', () => {
    expect(softNormalized(0, 1, -20).ns).toBeCloseTo(10 / 21, 12);
    expect(softNormalized(0.1, 0.9, 1).nc).toBeNaN();
  });

  it('importances are max(a,0)/max a, and soft masks keep elements with probability 1 − s (NC) or s (NS)', () => {
    expect(Array.from(softImportance([2, -1, 1, 0]))).toEqual([1, 0, 0.5, 0]);
    expect(Array.from(softImportance([-2, -1]))).toEqual([0, 0]);
    const p = 3;
    const d = 4000;
    const x = new Float32Array(p * d).fill(1);
    let state = 7;
    const u = Float32Array.from({ length: p * d }, () => ((state = (state * 48271) % 2147483647) / 2147483647));
    const s = [0, 0.3, 1];
    const kept = (m: Float32Array, i: number) => m.subarray(i * d, (i + 1) * d).reduce((a, v) => a + v, 0) / d;
    const nc = softMasked(x, p, d, s, u, 'nc');
    const ns = softMasked(x, p, d, s, u, 'ns');
    expect(kept(nc, 0)).toBe(1);
    expect(Math.abs(kept(nc, 1) - 0.7)).toBeLessThan(0.03);
    expect(kept(nc, 2)).toBe(0);
    expect(kept(ns, 0)).toBe(0);
    expect(Math.abs(kept(ns, 1) - 0.3)).toBeLessThan(0.03);
    expect(kept(ns, 2)).toBe(1);
  });
});

describe('deletion / insertion curves and AOPC', () => {
  // An additive toy: g(X̃) = Σ_{kept} w_i, so each curve point has a closed form.
  const w = [0, 3, 0, 5, 1, 0, 4, 0, 2, 0];
  const g = (keep: Uint8Array) => keep.reduce((s, k, i) => s + k * w[i], 0);
  const gX = w.reduce((a, b) => a + b, 0);
  const drops = (scores: number[], kind: 'deletion' | 'insertion') => curveKeepMasks(scores, kind).map((keep) => gX - g(keep));

  it('k = 10 … 100 % in round(k·p) tokens', () => {
    expect(CURVE_FRACTIONS).toHaveLength(10);
    expect(CURVE_FRACTIONS.map((f) => tokensAt(f, 10))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(tokensAt(0.1, 3)).toBe(1);
    expect(tokensAt(0.5, 7)).toBe(4);
  });

  it('the true ranking: deletion drops are the top-k sums, insertion drops what the top-k leave out', () => {
    const del = drops(w, 'deletion');
    expect(del).toEqual([5, 9, 12, 14, 15, 15, 15, 15, 15, 15]);
    expect(aopc(del)).toBe(13);
    const ins = drops(w, 'insertion');
    expect(ins).toEqual([10, 6, 3, 1, 0, 0, 0, 0, 0, 0]);
    expect(aopc(ins)).toBe(2);
  });

  it('the reversed ranking is the worst on both curves', () => {
    const reversed = w.map((v) => -v);
    expect(aopc(drops(reversed, 'deletion'))).toBeLessThan(13);
    expect(aopc(drops(reversed, 'insertion'))).toBeGreaterThan(2);
    expect(drops(reversed, 'deletion')[9]).toBe(15); // 100 %: everything masked, whatever the order
  });

  it('ranks by decreasing score, ties by position, NaN last', () => {
    expect(rankDescending([1, 3, 3, NaN, 2])).toEqual([1, 2, 4, 0, 3]);
  });
});

/** Tokens of `text` cut at the given boundaries (special tokens get empty spans, like the tokenizer adapter's). */
function cut(text: string, bounds: number[]): Token[] {
  return bounds.slice(0, -1).map((start, k) => ({ id: k, text: text.slice(start, bounds[k + 1]), start, end: bounds[k + 1], special: false }));
}

describe('segments by character offsets', () => {
  //           0         1         2         3         4
  //           0123456789012345678901234567890123456789012345
  const text = 'Storm hit town. <s> Leaves hold chloroplasts. <s> Q?';
  const distractor = { start: 0, end: 15 };
  const support = { start: 20, end: 45 };
  // "Storm"," hit"," town","."," <","s","> Leaves"?? no: realistic BPE pieces incl. a leading-space token and a split word.
  const tokens = cut(text, [0, 5, 9, 14, 15, 17, 18, 19, 26, 31, 38, 44, 45, 47, 48, 49, 51, 52]);

  it('a token belongs to a segment when its non-whitespace characters overlap the span', () => {
    expect(tokens.map((t) => t.text)).toEqual(['Storm', ' hit', ' town', '.', ' <', 's', '>', ' Leaves', ' hold', ' chloro', 'plasts', '.', ' <', 's', '>', ' Q', '?']);
    expect(coreSpan(tokens[7])).toEqual({ start: 20, end: 26 }); // " Leaves": the leading space lies outside the segment
    expect(indices(tokensInSpan(tokens, distractor))).toEqual([0, 1, 2, 3]);
    expect(indices(tokensInSpan(tokens, support))).toEqual([7, 8, 9, 10, 11]);
    const special: Token = { id: 0, text: '<s>', start: 20, end: 20, special: true };
    expect(tokensInSpan([special], support)).toEqual([false]);
  });

  it('DSA = positive mass on support − on distractor, bounded in [−1, 1]', () => {
    const inS = tokensInSpan(tokens, support);
    const inD = tokensInSpan(tokens, distractor);
    const scores = tokens.map(() => 0);
    scores[7] = 3; // support
    scores[0] = 1; // distractor
    scores[15] = 1; // question, neither
    scores[2] = -4; // negative: no mass
    expect(dsa(scores, inS, inD)).toBeCloseTo(3 / 5 - 1 / 5, 12);
    expect(dsa(tokens.map((_, i) => (inS[i] ? 1 : 0)), inS, inD)).toBe(1);
    expect(dsa(tokens.map((_, i) => (inD[i] ? 2 : -1)), inS, inD)).toBe(-1);
    // no positive score: uniform mass
    expect(dsa(tokens.map(() => -1), inS, inD)).toBeCloseTo((5 - 4) / tokens.length, 12);
    let state = 3;
    for (let trial = 0; trial < 200; trial++) {
      const r = tokens.map(() => ((state = (state * 48271) % 2147483647) / 2147483647) * 2 - 1);
      const v = dsa(r, inS, inD);
      expect(v).toBeGreaterThanOrEqual(-1);
      expect(v).toBeLessThanOrEqual(1);
    }
    expect(positiveMass([1, -1, 3]).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
  });

  it('gold tokens: case-insensitive whole words inside the support segment, every token of a split word', () => {
    const pieces = ['Leaves', ' fall', '.', ' <s>', ' Green', ' leaves', ' hold', ' chlor', 'ophyll', ';', ' leaves', ' again', '.', ' <s>', ' Why', ' leaves', '?'];
    const t2 = pieces.join('');
    const segment = 'Green leaves hold chlorophyll; leaves again.';
    const seg = { start: t2.indexOf(segment), end: t2.indexOf(segment) + segment.length };
    let at = 0;
    const toks: Token[] = pieces.map((text, id) => ({ id, text, start: at, end: (at += text.length), special: false }));
    const gold = goldTokens(toks, t2, seg, ['LEAVES', 'chlorophyll', 'absent']);
    expect(indices(gold)).toEqual([5, 7, 8, 10]); // not "Leaves" of the distractor or "leaves" of the question
    expect(wordsOf("it's a well-known cell", 0).map((w) => w.word)).toEqual(["it's", 'a', 'well-known', 'cell']);
  });

  it('F1@k with k = number of gold tokens', () => {
    const gold = [false, true, true, false, true, false];
    expect(f1AtK([0, 9, 8, 0, 7, 0], gold)).toEqual({ f1: 1, k: 3, hits: 3 });
    expect(f1AtK([9, 8, 0, 7, 0, 0], gold)).toEqual({ f1: 1 / 3, k: 3, hits: 1 });
    expect(f1AtK([9, 0, 0, 8, 0, 7], gold).f1).toBe(0);
    expect(f1AtK([1, 2, 3, 4, 5, 6], gold.map(() => false)).f1).toBeNaN();
  });
});

function indices(flags: boolean[]): number[] {
  return flags.flatMap((f, i) => (f ? [i] : []));
}

describe('confidence intervals', () => {
  it('Student-t quantiles match tables', () => {
    expect(studentTQuantile(0.975, 1)).toBeCloseTo(12.7062, 3);
    expect(studentTQuantile(0.975, 4)).toBeCloseTo(2.7764, 3);
    expect(studentTQuantile(0.975, 9)).toBeCloseTo(2.2622, 3);
    expect(studentTQuantile(0.975, 99)).toBeCloseTo(1.9842, 3);
    expect(studentTQuantile(0.975, 1e6)).toBeCloseTo(1.96, 2);
    expect(studentTCdf(0, 5)).toBeCloseTo(0.5, 12);
  });

  it('mean ± t·sd/√n, skipping NaN', () => {
    const r = meanCI([1, 2, 3, 4, 5, NaN]);
    expect(r.n).toBe(5);
    expect(r.mean).toBe(3);
    expect(r.sd).toBeCloseTo(Math.sqrt(2.5), 12);
    expect(r.half).toBeCloseTo(2.7764 * Math.sqrt(2.5 / 5), 3);
    expect(r.lo).toBeCloseTo(3 - r.half, 12);
    expect(meanCI([4]).half).toBeNaN();
    expect(meanCI([]).mean).toBeNaN();
  });
});

describe('rank correlation', () => {
  it('Spearman with average ranks for ties', () => {
    expect(Array.from(averageRanks([10, 20, 20, 5]))).toEqual([2, 3.5, 3.5, 1]);
    expect(spearman([1, 2, 3, 4], [10, 20, 30, 40])).toBeCloseTo(1, 12);
    expect(spearman([1, 2, 3, 4], [4, 3, 2, 1])).toBeCloseTo(-1, 12);
    // d = ranks differ by (0, 0, 1, −1): ρ = 1 − 6·Σd²/(n(n²−1)) = 1 − 12/60 = 0.8 without ties
    expect(spearman([1, 2, 3, 4], [1, 2, 4, 3])).toBeCloseTo(0.8, 12);
    expect(spearman([1, 1, 1], [1, 2, 3])).toBeNaN();
  });
});
