// M's contribution per layer for one token: one horizontal bar per layer (from M_layers[l][i]).

import { max, min, scaleLinear } from 'd3';
import { fmt } from '../lib/format';
import { svgRoot } from './svg';

export interface LayerBarsOptions {
  width: number;
  /** Row height per layer. */
  row?: number;
}

export function layerBarsChart(values: number[], options: LayerBarsOptions, doc: Document): SVGSVGElement {
  const row = options.row ?? 16;
  const left = 58;
  const right = 62;
  const height = values.length * row + 8;
  const svg = svgRoot(doc, options.width, height, `M contribution per layer: ${values.map(fmt).join(', ')}`);
  const lo = Math.min(0, min(values) ?? 0);
  const hi = Math.max(0, max(values) ?? 0) || 1;
  const x = scaleLinear().domain([lo, hi]).range([left, options.width - right]);
  const bars = svg.append('g').attr('class', 'bars');
  values.forEach((v, l) => {
    const yTop = 4 + l * row;
    bars.append('text').attr('x', left - 6).attr('y', yTop + row * 0.7).attr('text-anchor', 'end').attr('font-size', 11).attr('fill', '#444').text(`layer ${l + 1}`);
    bars
      .append('rect')
      .attr('class', 'bar')
      .attr('x', Math.min(x(0), x(v)))
      .attr('y', yTop + 2)
      .attr('width', Math.max(1, Math.abs(x(v) - x(0))))
      .attr('height', row - 4)
      .attr('fill', '#3a5a8c')
      .attr('data-value', v)
      .append('title')
      .text(`layer ${l + 1}: ${fmt(v)}`);
    bars.append('text').attr('class', 'bar-value').attr('x', Math.max(x(0), x(v)) + 4).attr('y', yTop + row * 0.7).attr('font-size', 10).attr('fill', '#333').text(fmt(v));
  });
  svg.append('line').attr('x1', x(0)).attr('x2', x(0)).attr('y1', 2).attr('y2', height - 2).attr('stroke', '#999');
  return svg.node()!;
}
