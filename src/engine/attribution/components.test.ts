import { describe, expect, it } from 'vitest';
import { flowEdges, hetaScores, klDivergence, RunningMean, semanticTransition } from './components';
import { logSoftmax } from '../model/languageModel';

describe('semantic transition M', () => {
  it('one layer, one head: Φ is row q of ½A+½I and M ∝ Φ·ν', () => {
    // p = 2, q = 1, A row 1 = [0.6, 0.4] → Â row 1 = [0.3, 0.7]
    const attention = Float32Array.from([1, 0, 0.6, 0.4]);
    const nu = Float32Array.from([2, 1]);
    const { m, perLayer } = semanticTransition(attention, nu, 1, 1, 2, 1);
    expect(perLayer[0][0]).toBeCloseTo(0.3 * 2, 6);
    expect(perLayer[0][1]).toBeCloseTo(0.7 * 1, 6);
    expect(m[0]).toBeCloseTo(0.6 / 1.3, 6);
    expect(m[1]).toBeCloseTo(0.7 / 1.3, 6);
  });

  it('two layers chain Â² for the second layer, as a matrix product computed by hand', () => {
    const A1 = [1, 0, 0.5, 0.5];
    const A2 = [1, 0, 0.2, 0.8];
    const attention = Float32Array.from([...A1, ...A2]);
    const nu = Float32Array.from([1, 1, 1, 1]);
    const mix = (a: number[]) => [1, 0, 0.5 * a[2] / (0.5 * a[2] + 0.5 * a[3] + 0.5), (0.5 * a[3] + 0.5) / (0.5 * a[2] + 0.5 * a[3] + 0.5)];
    const [h1, h2] = [mix(A1), mix(A2)];
    // row 1 of Â² Â¹
    const phi2 = [h2[2] * h1[0] + h2[3] * h1[2], h2[3] * h1[3]];
    const { perLayer } = semanticTransition(attention, nu, 2, 1, 2, 1);
    expect(perLayer[0][0]).toBeCloseTo(h1[2], 6);
    expect(perLayer[1][0]).toBeCloseTo(phi2[0], 6);
    expect(perLayer[1][1]).toBeCloseTo(phi2[1], 6);
  });

  it('is uniform when all value strengths vanish', () => {
    const { m } = semanticTransition(Float32Array.from([1, 0, 0.5, 0.5]), new Float32Array(2), 1, 1, 2, 1);
    expect(Array.from(m)).toEqual([0.5, 0.5]);
  });
});

describe('attention flow edges', () => {
  it('each layer carries the whole target row (weights sum to 1)', () => {
    const p = 3;
    const A = [1, 0, 0, 0.5, 0.5, 0, 0.2, 0.3, 0.5];
    const edges = flowEdges(Float32Array.from([...A, ...A]), 2, 1, p, 2);
    for (const layer of [1, 2]) {
      const sum = edges.filter((e) => e.layer === layer).reduce((s, e) => s + e.weight, 0);
      expect(sum).toBeCloseTo(1, 6);
    }
    expect(edges.filter((e) => e.layer === 2).every((e) => e.to === 2)).toBe(true);
  });
});

describe('KL, scores and running statistics', () => {
  it('KL of identical distributions is 0 and matches a hand computation otherwise', () => {
    const p = logSoftmax([0, Math.log(3)]); // [0.25, 0.75]
    const q = logSoftmax([0, 0]); // [0.5, 0.5]
    expect(klDivergence(p, p)).toBe(0);
    expect(klDivergence(p, q)).toBeCloseTo(0.25 * Math.log(0.5) + 0.75 * Math.log(1.5), 12);
  });

  it('scores are M·(βS+γI)', () => {
    expect(Array.from(hetaScores([0.5, 0.5], [2, 4], [1, 0], 0.5, 2))).toEqual([0.5 * (1 + 2), 0.5 * 2]);
    expect(Array.from(hetaScores([0.5, 0.5], [2, 4], [1, 0], 0.5, 2, 'raw'))).toEqual([0.5 * (1 + 2), 0.5 * 2]);
  });

  it('normalized scaling divides S and I by their sums first, so γ can change the ranking that raw S decides', () => {
    const M = [0.25, 0.25, 0.5];
    const S = [400, 100, 300]; // raw S dwarfs I …
    const I = [0.01, 0.9, 0.09];
    expect(Array.from(hetaScores(M, S, I, 1, 0, 'normalized'))).toEqual(M.map((m, k) => m * (S[k] / 800)));
    expect(Array.from(hetaScores(M, S, I, 0, 1, 'normalized'))).toEqual(M.map((m, k) => m * (I[k] / 1)));
    const order = (v: Float64Array) => [...v.keys()].sort((a, b) => v[b] - v[a]);
    // … so under raw scaling γ = 0.05 → 4 changes no rank, while normalized it does.
    expect(order(hetaScores(M, S, I, 0.5, 4))).toEqual(order(hetaScores(M, S, I, 0.5, 0.05)));
    expect(order(hetaScores(M, S, I, 0.5, 4, 'normalized'))).not.toEqual(order(hetaScores(M, S, I, 0.5, 0.05, 'normalized')));
    // A component that is 0 everywhere contributes nothing (no division by zero, no NaN).
    expect(Array.from(hetaScores(M, S, [0, 0, 0], 0.5, 0.5, 'normalized')).every(Number.isFinite)).toBe(true);
  });

  it('standard error equals sd/√n', () => {
    const r = new RunningMean(1);
    [1, 2, 3, 4].forEach((v) => r.add(0, v));
    expect(r.mean[0]).toBe(2.5);
    expect(r.standardError()[0]).toBeCloseTo(Math.sqrt(5 / 3) / 2, 12);
  });
});
