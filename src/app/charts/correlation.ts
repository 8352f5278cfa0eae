// Pairwise rank correlation of attribution methods: a k × k grid of Spearman ρ on a diverging scale
// (−1 red, 0 white, +1 blue), the value printed in each cell; undefined ρ (a constant method) is grey.

import { interpolateRdBu, scaleSequential } from 'd3';
import { svgRoot } from './svg';

export interface CorrelationChartData {
  labels: string[];
  /** matrix[a][b] = ρ between methods a and b (NaN where undefined). */
  matrix: number[][];
}

const LABEL_CHAR = 6.4;
const UNDEFINED_FILL = '#ddd';

export function correlationChart(data: CorrelationChartData, options: { width: number }, doc: Document): SVGSVGElement {
  const k = data.labels.length;
  const labelWidth = Math.ceil(Math.max(30, ...data.labels.map((l) => l.length * LABEL_CHAR)) + 10);
  const cell = Math.max(26, Math.min(56, Math.floor((options.width - labelWidth - 16) / Math.max(1, k))));
  const top = labelWidth * 0.75 + 10;
  const width = labelWidth + k * cell + 16;
  const height = Math.ceil(top + k * cell + 8);
  const svg = svgRoot(doc, width, height, `Spearman rank correlation between ${k} attribution methods`);
  const fill = scaleSequential(interpolateRdBu).domain([-1, 1]);
  const ink = (r: number) => (Number.isFinite(r) && Math.abs(r) > 0.6 ? '#fff' : '#111');
  const heads = svg.append('g').attr('class', 'corr-columns').attr('font-size', 11);
  data.labels.forEach((label, b) => {
    heads
      .append('text')
      .attr('class', 'corr-col-label')
      .attr('transform', `translate(${labelWidth + b * cell + cell / 2},${top - 6}) rotate(-45)`)
      .attr('fill', '#333')
      .text(label);
  });
  const grid = svg.append('g').attr('class', 'corr-grid');
  data.matrix.forEach((row, a) => {
    grid.append('text').attr('class', 'corr-row-label').attr('x', labelWidth - 6).attr('y', top + a * cell + cell / 2 + 4).attr('text-anchor', 'end').attr('font-size', 11).attr('fill', '#333').text(data.labels[a]);
    row.forEach((r, b) => {
      const g = grid.append('g').attr('class', 'corr-cell').attr('data-row', a).attr('data-col', b).attr('data-value', Number.isFinite(r) ? r : 'NaN');
      const x = labelWidth + b * cell;
      const y = top + a * cell;
      g.append('rect').attr('x', x).attr('y', y).attr('width', cell - 1).attr('height', cell - 1).attr('fill', Number.isFinite(r) ? fill(r) : UNDEFINED_FILL);
      g.append('text').attr('x', x + cell / 2).attr('y', y + cell / 2 + 4).attr('text-anchor', 'middle').attr('font-size', 11).attr('fill', ink(r)).text(Number.isFinite(r) ? r.toFixed(2) : '—');
      g.append('title').text(`ρ(${data.labels[a]}, ${data.labels[b]}) = ${Number.isFinite(r) ? r.toFixed(3) : 'undefined (a constant score)'}`);
    });
  });
  return svg.node()!;
}
