// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { matrixChart, labelStride } from '../charts/matrix';
import type { AttributionResult } from '../engine';
import type { Generation } from '../store/generationSlice';
import { sampleResult } from '../../testing/sampleResult';
import { matrixCaption, matrixData, type MatrixView } from './matrix';

/** A hand-made generation: the sample's tokens 6, 7, 8 play the generated ones; row k covers 0 … position−1. */
function sampleGeneration(done = 3): Generation {
  const base = sampleResult();
  const row = (position: number): AttributionResult => {
    const cut = (a: number[]) => a.slice(0, position);
    const { M, S, I } = base.components;
    return { ...base, target: { ...base.target, kind: 'position', position }, components: { ...base.components, M: cut(M), S: cut(S).map((v) => v * position), I: cut(I) }, scores: [] };
  };
  const generated = [6, 7, 8];
  return { prompt: 'The cat sat\non', text: base.prompt, tokens: base.tokens, generated, rows: generated.map((p, k) => (k < done ? row(p) : null)) };
}

const view: MatrixView = { component: 'score', beta: 0.5, gamma: 0.5, scaling: 'raw', rowNormalize: false, scaleMode: 'linear' };

describe('generation matrix', () => {
  it('recombines each row from its components with the view’s β, γ; row scaling divides by the row maximum', () => {
    const g = sampleGeneration();
    const data = matrixData(g, view);
    expect(data.sources).toHaveLength(8); // columns 0 … last generated position − 1
    expect(data.firstGenerated).toBe(6);
    data.rows.forEach((row, k) => {
      const { M, S, I } = g.rows[k]!.components;
      expect(row.position).toBe(g.generated[k]);
      expect(row.values).toHaveLength(row.position);
      row.values!.forEach((v, i) => expect(v).toBeCloseTo(M[i] * (0.5 * S[i] + 0.5 * I[i]), 12));
    });
    const scaled = matrixData(g, { ...view, rowNormalize: true, beta: 1, gamma: 0 });
    for (const row of scaled.rows) {
      expect(Math.max(...row.values!)).toBeCloseTo(1, 12);
      row.values!.forEach((v, i) => expect(v * Math.max(...row.raw!)).toBeCloseTo(row.raw![i], 12));
    }
    expect(matrixData(g, { ...view, component: 'I' }).rows[0].values).toEqual(g.rows[0]!.components.I);
  });

  it('draws one cell per (row, earlier token), marks targets and pending rows, labels rows and columns', () => {
    const g = sampleGeneration(2);
    const svg = matrixChart(matrixData(g, view), { width: 600, legendTitle: 'Final score', caption: matrixCaption(g, view), selectedRow: 1 }, document);
    const rows = svg.querySelectorAll('.matrix-row');
    expect(rows).toHaveLength(3);
    expect(rows[0].querySelectorAll('.matrix-cell')).toHaveLength(6);
    expect(rows[1].querySelectorAll('.matrix-cell')).toHaveLength(7);
    expect(rows[2].classList.contains('pending')).toBe(true);
    expect(rows[2].querySelectorAll('.matrix-cell')).toHaveLength(0);
    expect(svg.querySelectorAll('.matrix-target')).toHaveLength(3);
    expect(Number(rows[1].querySelector('[data-col="3"]')!.getAttribute('data-value'))).toBeCloseTo(matrixData(g, view).rows[1].values![3], 12);
    expect(svg.querySelectorAll('.matrix-row-label')).toHaveLength(3);
    expect(svg.querySelector('.matrix-row-label.selected')?.getAttribute('data-row')).toBe('1');
    expect(svg.querySelectorAll('.matrix-col-label')).toHaveLength(8);
    expect(svg.querySelectorAll('.matrix-col-label.generated')).toHaveLength(2);
    expect(svg.querySelector('.caption')?.textContent).toContain('3 greedily generated tokens');
    expect(svg.querySelector('.legend-title')?.textContent).toBe('Final score');
    expect(rows[0].querySelector('title')?.textContent).toMatch(/^"<s>" → "␣the": /);
  });

  it('thins column labels when cells get small', () => {
    expect(labelStride(30)).toBe(1);
    expect(labelStride(5)).toBe(3);
  });
});
