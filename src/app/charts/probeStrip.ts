// The spread of S over the Hessian probes for one token: each probe's ‖Π_i H Π_i r_k‖₁ as a dot,
// the quartile box, and the mean with its standard error.

import { extent, quantileSorted, scaleLinear } from 'd3';
import { fmt } from '../lib/format';
import { svgRoot } from './svg';

export interface ProbeStripData {
  probes: number[];
  mean: number;
  stderr: number;
}

export function probeStripChart(data: ProbeStripData, options: { width: number }, doc: Document): SVGSVGElement {
  const height = 58;
  const pad = 14;
  const svg = svgRoot(doc, options.width, height, `S over ${data.probes.length} probes: mean ${fmt(data.mean)} ± ${fmt(data.stderr)}`);
  const [lo = 0, hi = 1] = extent([...data.probes, data.mean - data.stderr, data.mean + data.stderr]);
  const x = scaleLinear()
    .domain(lo === hi ? [lo - 1, hi + 1] : [lo, hi])
    .nice()
    .range([pad, options.width - pad]);
  const mid = 24;
  const sorted = [...data.probes].sort((a, b) => a - b);
  if (sorted.length >= 4) {
    const q1 = quantileSorted(sorted, 0.25)!;
    const q3 = quantileSorted(sorted, 0.75)!;
    svg.append('rect').attr('class', 'box').attr('x', x(q1)).attr('y', mid - 9).attr('width', Math.max(1, x(q3) - x(q1))).attr('height', 18).attr('fill', '#dfe6f1').attr('stroke', '#8a9bb8');
  }
  svg.append('line').attr('class', 'stderr').attr('x1', x(data.mean - data.stderr)).attr('x2', x(data.mean + data.stderr)).attr('y1', mid).attr('y2', mid).attr('stroke', '#d55e00').attr('stroke-width', 2);
  svg.append('line').attr('class', 'mean').attr('x1', x(data.mean)).attr('x2', x(data.mean)).attr('y1', mid - 12).attr('y2', mid + 12).attr('stroke', '#d55e00').attr('stroke-width', 2);
  const dots = svg.append('g').attr('class', 'probes');
  data.probes.forEach((v, k) => {
    dots
      .append('circle')
      .attr('class', 'probe')
      .attr('cx', x(v))
      .attr('cy', mid + ((k % 5) - 2) * 2.5)
      .attr('r', 3)
      .attr('fill', '#3a5a8c')
      .attr('fill-opacity', 0.75)
      .append('title')
      .text(`probe ${k + 1}: ${fmt(v)}`);
  });
  const [d0, d1] = x.domain();
  svg.append('text').attr('x', pad).attr('y', height - 4).attr('font-size', 10).attr('fill', '#555').text(fmt(d0));
  svg.append('text').attr('x', options.width - pad).attr('y', height - 4).attr('text-anchor', 'end').attr('font-size', 10).attr('fill', '#555').text(fmt(d1));
  svg.append('text').attr('x', options.width / 2).attr('y', height - 4).attr('text-anchor', 'middle').attr('font-size', 10).attr('fill', '#d55e00').text(`mean ${fmt(data.mean)} ± ${fmt(data.stderr)} (s.e.)`);
  return svg.node()!;
}
