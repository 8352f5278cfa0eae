// Deletion curves of several attribution methods: the drop in the target's log-probability as the top
// k% of the context by each method is masked (MoRF). A faithful method's curve rises early.

import { axisBottom, axisLeft, line, scaleLinear } from 'd3';
import { fmt } from '../lib/format';
import { svgRoot } from './svg';

export interface CurveSeries {
  id: string;
  label: string;
  color: string;
  /** drops[k] at fractions[k]. */
  drops: number[];
}

export interface CurvesChartData {
  fractions: readonly number[];
  series: CurveSeries[];
}

export function curvesChart(data: CurvesChartData, options: { width: number; height: number }, doc: Document): SVGSVGElement {
  const { width, height } = options;
  const margin = { top: 12, right: 150, bottom: 38, left: 52 };
  const svg = svgRoot(doc, width, height, `Deletion curves of ${data.series.length} methods: drop in log p(target) as the top-k% tokens are masked`);
  const all = data.series.flatMap((s) => s.drops).filter(Number.isFinite);
  const lo = Math.min(0, ...all);
  const hi = Math.max(0, ...all) || 1;
  const x = scaleLinear().domain([0, 1]).range([margin.left, width - margin.right]);
  const y = scaleLinear().domain([lo, hi]).nice().range([height - margin.bottom, margin.top]);
  svg.append('g').attr('class', 'axis x-axis').attr('transform', `translate(0,${height - margin.bottom})`).call(axisBottom(x).ticks(5).tickFormat((v) => `${Math.round(Number(v) * 100)}%`));
  svg.append('g').attr('class', 'axis y-axis').attr('transform', `translate(${margin.left},0)`).call(axisLeft(y).ticks(5).tickFormat((v) => fmt(Number(v))));
  svg.append('text').attr('x', (margin.left + width - margin.right) / 2).attr('y', height - 4).attr('text-anchor', 'middle').attr('font-size', 11).attr('fill', '#444').text('tokens masked (most important first)');
  svg.append('text').attr('transform', `translate(12,${(margin.top + height - margin.bottom) / 2}) rotate(-90)`).attr('text-anchor', 'middle').attr('font-size', 11).attr('fill', '#444').text('drop in log p(target)');
  svg.append('line').attr('class', 'zero').attr('x1', x(0)).attr('x2', x(1)).attr('y1', y(0)).attr('y2', y(0)).attr('stroke', '#bbb').attr('stroke-dasharray', '3 3');
  const path = line<number>()
    .x((_, k) => x(data.fractions[k]))
    .y((v) => y(v));
  data.series.forEach((s, n) => {
    const g = svg.append('g').attr('class', 'curve').attr('data-method', s.id);
    g.append('path').attr('d', path(s.drops)).attr('fill', 'none').attr('stroke', s.color).attr('stroke-width', 2);
    s.drops.forEach((v, k) =>
      g
        .append('circle')
        .attr('class', 'curve-point')
        .attr('cx', x(data.fractions[k]))
        .attr('cy', y(v))
        .attr('r', 3)
        .attr('fill', s.color)
        .attr('data-value', v)
        .append('title')
        .text(`${s.label}: top ${Math.round(data.fractions[k] * 100)}% masked → drop ${fmt(v)}`),
    );
    const key = svg.append('g').attr('class', 'curve-key').attr('transform', `translate(${width - margin.right + 12},${margin.top + 6 + n * 16})`);
    key.append('line').attr('x2', 16).attr('stroke', s.color).attr('stroke-width', 2);
    key.append('text').attr('x', 22).attr('y', 4).attr('font-size', 11).attr('fill', '#333').text(s.label);
  });
  return svg.node()!;
}
