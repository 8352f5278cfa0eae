// The layer-transition graph: context positions across, layers 0 … L up; an edge of layer l joins
// position `from` at level l−1 to `to` at level l, its width and opacity by the flow it carries.

import { max, scaleLinear, scaleSqrt } from 'd3';
import type { AttributionResult } from '../engine';
import { fmt, fmt3 } from '../lib/format';
import { appendCaption, setSize, svgRoot } from './svg';

export type FlowEdge = AttributionResult['components']['flow'][number];

export interface LayerGraphData {
  /** Visible labels of the context tokens (positions 0 … p−1). */
  labels: string[];
  layers: number;
  edges: FlowEdge[];
  targetLabel: string;
}

export interface LayerGraphOptions {
  width: number;
  height: number;
  /** Edges with weight below it are left out. */
  threshold: number;
  /** A context position whose paths are highlighted (hover or selection). */
  highlight?: number | null;
  caption?: string[];
  /** Least room per token (default 10 px, a readable column; the chart grows wider and scrolls); 0 fits `width`. */
  minStep?: number;
}

export const EDGE_COLOR = '#3a5a8c';
export const HIGHLIGHT_COLOR = '#d55e00';

/** The shown edges that lie on a path upward from `token` at level 0. */
export function pathsFrom(edges: FlowEdge[], token: number, layers: number): Set<FlowEdge> {
  const used = new Set<FlowEdge>();
  let frontier = new Set([token]);
  for (let l = 1; l <= layers; l++) {
    const next = new Set<number>();
    for (const e of edges) {
      if (e.layer === l && frontier.has(e.from)) {
        used.add(e);
        next.add(e.to);
      }
    }
    frontier = next;
  }
  return used;
}

export function layerGraphChart(data: LayerGraphData, options: LayerGraphOptions, doc: Document): SVGSVGElement {
  const p = data.labels.length;
  const L = data.layers;
  const shown = data.edges.filter((e) => e.weight >= options.threshold);
  const margin = { left: 86, right: 20, bottom: 70 };
  const width = Math.max(options.width, margin.left + margin.right + p * (options.minStep ?? 10));
  const svg = svgRoot(doc, width, options.height, `Layer-transition graph: ${shown.length} of ${data.edges.length} attention-flow edges`);
  svg.append('rect').attr('class', 'background').attr('width', '100%').attr('height', '100%').attr('fill', '#fff');
  const captionHeight = options.caption?.length ? appendCaption(svg, options.caption, 12, 10, width - 24) + 14 : 0;
  const top = captionHeight + 34;
  const plotBottom = Math.max(top + 40 * Math.min(L, 3), options.height - margin.bottom - 30);
  const x = scaleLinear().domain([0, Math.max(1, p)]).range([margin.left, width - margin.right]);
  const cx = (i: number) => x(i + 0.5);
  const y = scaleLinear().domain([0, L]).range([plotBottom, top]);
  const maxWeight = max(data.edges, (e) => e.weight) ?? 1;
  const strokeWidth = scaleSqrt().domain([0, maxWeight]).range([0.6, 7]);
  const opacity = scaleLinear().domain([0, maxWeight]).range([0.3, 0.9]);
  const step = x(1) - x(0);

  // Layer guides and labels.
  const guides = svg.append('g').attr('class', 'layers');
  for (let l = 0; l <= L; l++) {
    guides.append('line').attr('x1', margin.left).attr('x2', width - margin.right).attr('y1', y(l)).attr('y2', y(l)).attr('stroke', '#e3e3e3');
    guides
      .append('text')
      .attr('x', margin.left - 8)
      .attr('y', y(l) + 4)
      .attr('text-anchor', 'end')
      .attr('fill', '#555')
      .attr('font-size', 11)
      .text(l === 0 ? 'embeddings' : `layer ${l}`);
  }

  const highlighted = options.highlight != null ? pathsFrom(shown, options.highlight, L) : null;
  const edgeLayer = svg.append('g').attr('class', 'edges').attr('fill', 'none');
  // Strongest last, so it is drawn on top; highlighted edges above all.
  const ordered = [...shown].sort((a, b) => Number(highlighted?.has(a) ?? 0) - Number(highlighted?.has(b) ?? 0) || a.weight - b.weight);
  for (const e of ordered) {
    const x0 = cx(e.from);
    const x1 = cx(e.to);
    const y0 = y(e.layer - 1);
    const y1 = y(e.layer);
    const ym = (y0 + y1) / 2;
    const on = highlighted?.has(e) ?? false;
    edgeLayer
      .append('path')
      .attr('class', on ? 'edge edge-highlight' : 'edge')
      .attr('d', `M${x0},${y0} C${x0},${ym} ${x1},${ym} ${x1},${y1}`)
      .attr('stroke', on ? HIGHLIGHT_COLOR : EDGE_COLOR)
      .attr('stroke-width', strokeWidth(e.weight))
      .attr('stroke-opacity', highlighted && !on ? 0.1 : opacity(e.weight))
      .attr('stroke-linecap', 'round')
      .attr('data-layer', e.layer)
      .attr('data-from', e.from)
      .attr('data-to', e.to)
      .attr('data-weight', e.weight)
      .append('title')
      .text(`layer ${e.layer}: ${data.labels[e.from]} (${e.from}) → ${data.labels[e.to]} (${e.to}), flow ${fmt(e.weight)}`);
  }

  // Target node on top.
  const q = p - 1;
  const target = svg.append('g').attr('class', 'target-node');
  target.append('circle').attr('cx', cx(q)).attr('cy', y(L)).attr('r', 6).attr('fill', '#fff').attr('stroke', '#c2185b').attr('stroke-width', 2.5);
  target
    .append('text')
    .attr('x', Math.min(cx(q), width - margin.right))
    .attr('y', y(L) - 12)
    .attr('text-anchor', 'end')
    .attr('font-size', 11)
    .attr('font-weight', 600)
    .attr('fill', '#c2185b')
    .text(`predicts ${data.targetLabel}`);

  // Token labels and hover columns (the component listens on [data-token]).
  const tokens = svg.append('g').attr('class', 'tokens');
  const rotate = step < 44;
  // Crowded axis: label every k-th token (and the highlighted and last ones); hover shows each token.
  const every = Math.max(1, Math.ceil(12 / step));
  data.labels.forEach((label, i) => {
    const g = tokens.append('g').attr('class', options.highlight === i ? 'token token-highlight' : 'token').attr('data-token', i);
    g.append('rect')
      .attr('class', 'token-hit')
      .attr('x', x(i))
      .attr('y', top - 8)
      .attr('width', step)
      .attr('height', plotBottom - top + margin.bottom + 8)
      .attr('fill', options.highlight === i ? HIGHLIGHT_COLOR : 'transparent')
      .attr('fill-opacity', options.highlight === i ? 0.08 : 0);
    g.append('circle').attr('cx', cx(i)).attr('cy', y(0)).attr('r', 2.5).attr('fill', options.highlight === i ? HIGHLIGHT_COLOR : '#777');
    g.append('title').text(`${label} (position ${i})`);
    if (i % every !== 0 && i !== p - 1 && options.highlight !== i) return;
    const short = label.length > 14 ? `${label.slice(0, 13)}…` : label;
    g.append('text')
      .attr('class', 'token-label')
      .attr('transform', `translate(${cx(i)},${plotBottom + 14})${rotate ? ' rotate(-55)' : ''}`)
      .attr('text-anchor', rotate ? 'end' : 'middle')
      .attr('font-size', 11)
      .attr('font-weight', options.highlight === i ? 700 : 400)
      .attr('fill', options.highlight === i ? HIGHLIGHT_COLOR : '#222')
      .text(short);
  });

  // Edge-width legend: the threshold, then sample widths.
  const legend = svg.append('g').attr('class', 'legend').attr('transform', `translate(${margin.left},${options.height - 14})`);
  const summary = `${shown.length}/${data.edges.length} edges with flow ≥ ${fmt3(options.threshold)} · width ∝ √flow`;
  legend.append('text').attr('font-size', 11).attr('fill', '#333').text(summary);
  let lx = summary.length * 5.8 + 16;
  for (const w of [maxWeight, maxWeight / 4, maxWeight / 16]) {
    if (lx + 80 > width - margin.left) break;
    legend.append('line').attr('x1', lx).attr('x2', lx + 26).attr('y1', -4).attr('y2', -4).attr('stroke', EDGE_COLOR).attr('stroke-width', strokeWidth(w)).attr('stroke-opacity', opacity(w));
    legend.append('text').attr('x', lx + 31).attr('font-size', 10).attr('fill', '#333').text(fmt3(w));
    lx += 80;
  }
  setSize(svg, width, options.height);
  return svg.node()!;
}
