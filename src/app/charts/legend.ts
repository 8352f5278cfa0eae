// Colour legend: a gradient bar with its domain's ends and middle labelled.

import { select } from 'd3';
import { fmt } from '../lib/format';
import type { ValueScale } from './scale';
import { svgRoot, type G, type Svg } from './svg';

export interface LegendOptions {
  title: string;
  width: number;
  /** Unique per document: the gradient's element id. */
  id: string;
}

export const LEGEND_HEIGHT = 40;

const MODE_NOTE = { linear: '', sqrt: ' (√ colour scale)', log: ' (log colour scale)', rank: ' (colour by rank)' } as const;

function legendTitle(scale: ValueScale, title: string): string {
  return `${title}${MODE_NOTE[scale.mode]}`;
}

/** Draws the legend into `parent` at (x, y); LEGEND_HEIGHT tall. */
export function appendLegend(parent: Svg | G, scale: ValueScale, x: number, y: number, options: LegendOptions): void {
  const barWidth = Math.max(60, Math.min(260, options.width));
  const g = parent.append('g').attr('class', 'legend').attr('transform', `translate(${x},${y})`);
  const svgNode = (parent.node() as Element).closest('svg') as SVGSVGElement;
  let defs = select(svgNode).select<SVGDefsElement>('defs');
  if (defs.empty()) defs = select(svgNode).insert<SVGDefsElement>('defs', ':first-child');
  const gradient = defs.append('linearGradient').attr('id', options.id);
  for (let k = 0; k <= 10; k++) {
    const v = scale.at(k / 10);
    gradient.append('stop').attr('offset', `${k * 10}%`).attr('stop-color', scale.fill(v));
  }
  g.append('text').attr('class', 'legend-title').attr('y', 10).attr('font-size', 11).attr('fill', '#333').text(legendTitle(scale, options.title));
  g.append('rect').attr('y', 15).attr('width', barWidth).attr('height', 10).attr('fill', `url(#${options.id})`).attr('stroke', '#888').attr('stroke-width', 0.5);
  const ticks: [number, string][] = [
    [0, 'start'],
    [0.5, 'middle'],
    [1, 'end'],
  ];
  for (const [f, anchor] of ticks) {
    g.append('text')
      .attr('class', 'legend-tick')
      .attr('x', f * barWidth)
      .attr('y', 37)
      .attr('font-size', 10)
      .attr('fill', '#333')
      .attr('text-anchor', anchor)
      .text(`${f === 0 && scale.mode === 'log' && !scale.diverging ? '≤ ' : ''}${fmt(scale.at(f))}`);
  }
}

/** A standalone legend (the on-screen heatmap's). */
export function legendChart(scale: ValueScale, options: LegendOptions, doc: Document): SVGSVGElement {
  const width = Math.max(options.width, legendTitle(scale, options.title).length * 6.2) + 8;
  const svg = svgRoot(doc, width, LEGEND_HEIGHT + 2, `Colour legend: ${legendTitle(scale, options.title)}`);
  appendLegend(svg, scale, 4, 1, { ...options, width: options.width });
  return svg.node()!;
}
