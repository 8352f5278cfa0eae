// @vitest-environment jsdom
import { interpolatePuOr } from 'd3';
import { describe, expect, it } from 'vitest';
import { buildCells, resultCells } from '../lib/cells';
import type { Granularity } from '../../engine/attribution/granularity';
import { sampleResult } from '../../testing/sampleResult';
import { heatmapChart, layoutCells } from './heatmap';
import { layerBarsChart } from './layerBars';
import { layerGraphChart, pathsFrom } from './layerGraph';
import { legendChart } from './legend';
import { probeStripChart } from './probeStrip';
import { valueScale } from './scale';
import { wrapText } from './svg';

const r = sampleResult();
const cellsFor = (granularity: Granularity = 'token') => resultCells(r, r.scores, granularity);

describe('valueScale', () => {
  it('spans [min(0, min), max] with cividis and readable ink', () => {
    const s = valueScale([0.2, 1, 3]);
    expect(s.domain).toEqual([0, 3]);
    expect(s.fill(0)).not.toEqual(s.fill(3));
    expect(s.ink(0)).toBe('#fff'); // dark blue end
    expect(s.ink(3)).toBe('#111'); // yellow end
    expect(valueScale([]).domain).toEqual([0, 1]);
  });
  it('rank mode colours by rank: one huge value no longer flattens the rest', () => {
    const values = [1, 2, 3, 4, 1000];
    const lin = valueScale(values);
    const rank = valueScale(values, 'rank');
    expect(new Set(values.map((v) => rank.fill(v))).size).toBe(5);
    expect(rank.at(0)).toBe(1);
    expect(rank.at(0.5)).toBe(3);
    expect(rank.at(1)).toBe(1000);
    expect(rank.fill(3)).toBe(lin.fill(500)); // the median sits mid-ramp
    const signed = valueScale([-1, -2, 3, 300], 'rank');
    expect(signed.diverging).toBe(true);
    expect(signed.fill(-2)).not.toBe(signed.fill(-1));
  });
  it('values of both signs get a diverging scale, symmetric around a white 0, in every mode', () => {
    for (const mode of ['linear', 'sqrt', 'log', 'rank'] as const) {
      const s = valueScale([-1, 2], mode);
      expect(s.diverging).toBe(true);
      expect(s.domain).toEqual([-2, 2]);
      expect(s.fill(0)).toBe(interpolatePuOr(0.5)); // PuOr's near-white centre
      expect(s.fill(1)).not.toEqual(s.fill(-1));
      expect(s.at(0.5)).toBe(0);
      expect(s.at(1)).toBeCloseTo(2);
      expect(s.at(0)).toBeCloseTo(-2);
      expect(s.at(0.8)).toBeCloseTo(-s.at(0.2), 12);
      const rgb = (v: number) => s.fill(v).match(/\d+/g)!.map(Number);
      expect(rgb(2)[2]).toBeGreaterThan(rgb(2)[0]); // positive: purple
      expect(rgb(-2)[0]).toBeGreaterThan(rgb(-2)[2]); // negative: orange
    }
    expect(valueScale([0, 2]).diverging).toBe(false);
  });
  it('sqrt mode spreads small values and labels the ramp consistently', () => {
    const lin = valueScale([0, 100]);
    const sq = valueScale([0, 100], 'sqrt');
    expect(sq.fill(25)).toEqual(lin.fill(50));
    expect(sq.at(0.5)).toBeCloseTo(25);
  });
  it('log mode spans three decades below the maximum', () => {
    const s = valueScale([0, 0.01, 1, 10], 'log');
    expect(s.domain).toEqual([0.01, 10]);
    expect(s.fill(0)).toEqual(s.fill(0.01));
    expect(s.at(0.5)).toBeCloseTo(10 ** -0.5);
    const legend = legendChart(s, { title: 'S', width: 200, id: 'l' }, document);
    expect(legend.querySelector('.legend-tick')?.textContent).toBe('≤ 0.01');
    expect(legend.querySelector('.legend-title')?.textContent).toBe('S (log colour scale)');
  });
});

describe('layoutCells', () => {
  it('keeps line breaks, wraps at cell boundaries, splits cells longer than a line', () => {
    const cells = buildCells({ prompt: 'ab cd\nefghijklmn', tokens: [], contextLength: 0, values: null, target: null, granularity: 'token' });
    expect(cells).toHaveLength(1); // one gap cell when there are no tokens
    const { pieces, lines } = layoutCells(cells, 4);
    expect(pieces.map((p) => [p.text, p.line])).toEqual([
      ['ab c', 0],
      ['d', 1],
      ['efgh', 2],
      ['ijkl', 3],
      ['mn', 4],
    ]);
    expect(lines).toBe(5);
  });
  it('moves a whole token to the next line rather than cutting it', () => {
    const { pieces } = layoutCells(cellsFor(), 12);
    const cat = pieces.filter((p) => p.text.includes('cat'));
    expect(cat).toHaveLength(1);
    expect(pieces.every((p) => p.col + p.text.length <= 12)).toBe(true);
  });
});

describe('heatmapChart', () => {
  it('draws one rect per context token, outlines the target, has a legend and the caption', () => {
    const cells = cellsFor();
    const svg = heatmapChart({ cells, scale: valueScale(r.scores) }, { width: 500, caption: ['HETA final score for " sofa"', 'Prompt: “The cat sat on the mat”'], legendTitle: 'Final score' }, document);
    expect(svg.tagName.toLowerCase()).toBe('svg');
    expect(svg.getAttribute('width')).toBe('500');
    expect(Number(svg.getAttribute('height'))).toBeGreaterThan(100);
    // 9 context tokens, each on one line at this width (the "\n" token included, drawn as ↵).
    expect(svg.querySelectorAll('rect.token-rect')).toHaveLength(9);
    expect(svg.querySelectorAll('.cell-target rect.target-outline')).toHaveLength(1);
    expect(svg.querySelector('.cell-target text:last-child')?.textContent).toBe(' sofa');
    expect(svg.querySelector('.legend')).not.toBeNull();
    expect(svg.querySelectorAll('defs stop')).toHaveLength(11);
    expect(svg.querySelector('.caption')?.textContent).toContain('HETA final score for " sofa"');
    const text = [...svg.querySelectorAll('.tokens text')].map((t) => t.textContent).join('');
    expect(text).toContain('The cat sat↵on the mat');
  });
  it('word level: one rect per word', () => {
    const svg = heatmapChart({ cells: cellsFor('word'), scale: valueScale(r.scores) }, { width: 500, caption: ['x'], legendTitle: 'y' }, document);
    // <s> | The | ␣cat | ␣sat↵ | on | ␣the | ␣mat
    expect(svg.querySelectorAll('rect.token-rect')).toHaveLength(7);
  });
});

describe('layerGraphChart', () => {
  const data = { labels: r.tokens.map((t) => t.text), layers: 2, edges: r.components.flow, targetLabel: '" sofa"' };
  it('draws the edges at or above the threshold, with layer guides and token labels', () => {
    const svg = layerGraphChart(data, { width: 600, height: 300, threshold: 0.1 }, document);
    const edges = svg.querySelectorAll('path.edge');
    expect(edges).toHaveLength(r.components.flow.filter((e) => e.weight >= 0.1).length);
    expect(edges).toHaveLength(4);
    expect(svg.querySelectorAll('.layers text')).toHaveLength(3);
    expect(svg.querySelectorAll('.tokens [data-token]')).toHaveLength(9);
    expect(svg.querySelector('.target-node text')?.textContent).toBe('predicts " sofa"');
    expect(svg.querySelector('.legend')?.textContent).toContain('4/6 edges with flow ≥ 0.1');
    expect(layerGraphChart(data, { width: 600, height: 300, threshold: 0 }, document).querySelectorAll('path.edge')).toHaveLength(6);
  });
  it('highlights the paths from a token upward', () => {
    expect([...pathsFrom(r.components.flow, 2, 2)].map((e) => `${e.layer}:${e.from}>${e.to}`).sort()).toEqual(['1:2>2', '2:2>8']);
    const svg = layerGraphChart(data, { width: 600, height: 300, threshold: 0, highlight: 1 }, document);
    const hl = [...svg.querySelectorAll('path.edge-highlight')].map((e) => `${e.getAttribute('data-layer')}:${e.getAttribute('data-from')}>${e.getAttribute('data-to')}`);
    expect(hl.sort()).toEqual(['1:1>8', '2:8>8']);
  });
  it('adds the caption for export', () => {
    const svg = layerGraphChart(data, { width: 600, height: 380, threshold: 0, caption: ['HETA attention-flow graph', 'Model tiny'] }, document);
    expect(svg.querySelector('.caption')?.textContent).toContain('Model tiny');
  });
});

describe('small charts', () => {
  it('layerBarsChart: one bar per layer', () => {
    const svg = layerBarsChart([0.1, 0.4, 0.2], { width: 300 }, document);
    expect(svg.querySelectorAll('rect.bar')).toHaveLength(3);
    expect(svg.querySelectorAll('.bar-value')[1].textContent).toBe('0.4');
  });
  it('probeStripChart: one dot per probe, the box, mean and standard error', () => {
    const svg = probeStripChart({ probes: [1, 2, 3, 4, 5], mean: 3, stderr: 0.7 }, { width: 300 }, document);
    expect(svg.querySelectorAll('circle.probe')).toHaveLength(5);
    expect(svg.querySelector('rect.box')).not.toBeNull();
    expect(svg.querySelector('line.mean')).not.toBeNull();
    expect(svg.textContent).toContain('mean 3 ± 0.7');
  });
  it('legendChart: gradient and three ticks', () => {
    const svg = legendChart(valueScale([0, 2]), { title: 'M', width: 200, id: 'g' }, document);
    expect(svg.querySelectorAll('.legend-tick')).toHaveLength(3);
    expect(svg.querySelector('.legend-title')?.textContent).toBe('M');
    expect(svg.querySelector('linearGradient')?.id).toBe('g');
  });
  it('wrapText wraps at spaces and cuts long words', () => {
    expect(wrapText('aa bb cc', 5)).toEqual(['aa bb', 'cc']);
    expect(wrapText('abcdefgh', 3)).toEqual(['abc', 'def', 'gh']);
  });
  it('a wrapped caption still reads as its words in the SVG text (a search or a screen reader finds the phrase)', () => {
    const line = 'HETA: S from Rademacher probes (m = 3; seed 1, central differences), I with zero mask';
    const svg = heatmapChart({ cells: cellsFor(), scale: valueScale(r.scores) }, { width: 240, caption: ['title', line] }, document);
    const caption = [...svg.querySelectorAll('.caption text')].slice(1);
    expect(caption.length).toBeGreaterThan(1);
    expect(caption.map((t) => t.textContent).join('')).toBe(line);
  });
});
