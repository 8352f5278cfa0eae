// @vitest-environment jsdom
// The comparison view's charts and derived data, without a browser: data in, SVG structure out.
import { describe, expect, it } from 'vitest';
import { buildCells } from '../lib/cells';
import { methodColor, normalizeScores, rankCorrelations } from '../lib/compare';
import { sampleResult } from '../../testing/sampleResult';
import { METHODS } from '../engine';
import { correlationChart } from './correlation';
import { curvesChart } from './curves';
import { heatmapChart } from './heatmap';
import { valueScale } from './scale';

describe('comparison data', () => {
  it('normalizeScores divides by the largest magnitude', () => {
    expect(normalizeScores([1, -4, 2])).toEqual([0.25, -1, 0.5]);
    expect(normalizeScores([0, 0])).toEqual([0, 0]);
  });
  it('rankCorrelations: Spearman of every pair, 1 on the diagonal, NaN for a constant row', () => {
    const rho = rankCorrelations([{ scores: [1, 2, 3, 4] }, { scores: [10, 20, 30, 400] }, { scores: [4, 3, 2, 1] }, { scores: [5, 5, 5, 5] }]);
    expect(rho).toHaveLength(4);
    expect(rho[0][0]).toBeCloseTo(1, 12);
    expect(rho[0][1]).toBeCloseTo(1, 12); // a monotone transform keeps the ranks
    expect(rho[0][2]).toBeCloseTo(-1, 12);
    expect(rho[2][0]).toBeCloseTo(-1, 12);
    expect(rho[3][3]).toBeNaN();
    expect(rho[0][3]).toBeNaN();
  });
  it('methodColor: one stable colour per registry method', () => {
    const colors = METHODS.map((m) => methodColor(m.id));
    expect(new Set(colors).size).toBe(METHODS.length);
    expect(methodColor('heta')).toBe(colors[0]);
  });
});

describe('correlationChart', () => {
  it('draws a k × k grid with the values, labels on both sides, undefined ρ in grey', () => {
    const matrix = [
      [1, 0.5, NaN],
      [0.5, 1, -0.8],
      [NaN, -0.8, 1],
    ];
    const svg = correlationChart({ labels: ['HETA', 'Saliency', 'Flat'], matrix }, { width: 400 }, document);
    const cells = [...svg.querySelectorAll('g.corr-cell')];
    expect(cells).toHaveLength(9);
    expect(cells.filter((c) => c.getAttribute('data-row') === c.getAttribute('data-col')).map((c) => c.getAttribute('data-value'))).toEqual(['1', '1', '1']);
    expect(svg.querySelector('g.corr-cell[data-row="1"][data-col="2"] text')?.textContent).toBe('-0.80');
    expect(svg.querySelector('g.corr-cell[data-row="0"][data-col="2"]')?.getAttribute('data-value')).toBe('NaN');
    expect(svg.querySelector('g.corr-cell[data-row="0"][data-col="2"] rect')?.getAttribute('fill')).toBe('#ddd');
    expect(svg.querySelector('g.corr-cell[data-row="0"][data-col="2"] text')?.textContent).toBe('—');
    // +1 and −1 are different colours of the diverging scale.
    expect(svg.querySelector('g.corr-cell[data-row="0"][data-col="0"] rect')?.getAttribute('fill')).not.toBe(svg.querySelector('g.corr-cell[data-row="1"][data-col="2"] rect')?.getAttribute('fill'));
    expect([...svg.querySelectorAll('.corr-row-label')].map((t) => t.textContent)).toEqual(['HETA', 'Saliency', 'Flat']);
    expect(svg.querySelectorAll('.corr-col-label')).toHaveLength(3);
  });
});

describe('curvesChart', () => {
  it('one curve per method with one point per fraction, and a key', () => {
    const fractions = [0.25, 0.5, 0.75, 1];
    const series = [
      { id: 'heta', label: 'HETA', color: '#4e79a7', drops: [1, 2, 2.5, 3] },
      { id: 'saliency', label: 'Saliency', color: '#f28e2c', drops: [-0.5, 0.5, 1, 3] },
    ];
    const svg = curvesChart({ fractions, series }, { width: 500, height: 240 }, document);
    const curves = [...svg.querySelectorAll('g.curve')];
    expect(curves.map((c) => c.getAttribute('data-method'))).toEqual(['heta', 'saliency']);
    for (const c of curves) expect(c.querySelectorAll('circle.curve-point')).toHaveLength(4);
    expect([...curves[1].querySelectorAll('circle.curve-point')].map((p) => Number(p.getAttribute('data-value')))).toEqual([-0.5, 0.5, 1, 3]);
    // Higher drops are drawn higher (smaller y).
    const cy = [...curves[0].querySelectorAll('circle.curve-point')].map((p) => Number(p.getAttribute('cy')));
    expect(cy[3]).toBeLessThan(cy[0]);
    expect([...svg.querySelectorAll('.curve-key text')].map((t) => t.textContent)).toEqual(['HETA', 'Saliency']);
    expect(svg.querySelector('.x-axis')?.textContent).toContain('100%');
  });
});

describe('heatmapChart as a small multiple', () => {
  it('without a legend title it draws no legend; each token rect carries the value it shows', () => {
    const r = sampleResult();
    const values = normalizeScores(r.scores);
    const cells = buildCells({ prompt: r.prompt, tokens: r.tokens, contextLength: r.target.position, values, target: { position: r.target.position, end: r.target.position + 1, text: r.target.text }, granularity: 'token' });
    const svg = heatmapChart({ cells, scale: valueScale(values) }, { width: 500, caption: ['Saliency'] }, document);
    expect(svg.querySelector('.legend')).toBeNull();
    const shown = [...svg.querySelectorAll('rect.token-rect')].map((e) => Number(e.getAttribute('data-value')));
    expect(shown).toEqual(values.slice(0, r.target.position));
  });
});
