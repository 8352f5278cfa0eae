// Helpers every chart shares: an SVG root built on the given document (so charts run in the
// browser and in JSDOM alike), caption blocks and a monospace text metric.

import { select, type Selection } from 'd3';

export const SVG_NS = 'http://www.w3.org/2000/svg';
export const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
export const MONO = 'ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace';
/** Advance of one monospace character, in ems (DejaVu Sans Mono, Menlo and Consolas are all ≈ 0.6). */
export const MONO_ADVANCE = 0.6;

export type Svg = Selection<SVGSVGElement, unknown, null, undefined>;
export type G = Selection<SVGGElement, unknown, null, undefined>;

export function svgRoot(doc: Document, width: number, height: number, label: string): Svg {
  const svg = select(doc.createElementNS(SVG_NS, 'svg') as SVGSVGElement)
    .attr('xmlns', SVG_NS)
    .attr('width', width)
    .attr('height', height)
    .attr('viewBox', `0 0 ${width} ${height}`)
    .attr('role', 'img')
    .attr('aria-label', label)
    .attr('font-family', FONT)
    .attr('font-size', 12);
  svg.append('title').text(label);
  return svg;
}

export const CAPTION_LINE = 16;

/** Greedy word wrap to at most `maxChars` per line (a longer word is cut). */
export function wrapText(text: string, maxChars: number): string[] {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    const next = line ? `${line} ${word}` : word;
    if (next.length <= maxChars) line = next;
    else {
      if (line) out.push(line);
      let rest = word;
      while (rest.length > maxChars) {
        out.push(rest.slice(0, maxChars));
        rest = rest.slice(maxChars);
      }
      line = rest;
    }
  }
  if (line || !out.length) out.push(line);
  return out;
}

/**
 * Caption lines (the first one bold) at (x, y), wrapped to `width` pixels (proportional text,
 * estimated at 0.56 em per character); returns the height used.
 */
export function appendCaption(parent: Svg | G, lines: string[], x: number, y: number, width: number): number {
  const g = parent.append('g').attr('class', 'caption').attr('transform', `translate(${x},${y})`);
  let row = 0;
  lines.forEach((line, k) => {
    const size = k === 0 ? 13 : 11;
    const parts = wrapText(line, Math.max(10, Math.floor(width / (size * 0.56))));
    parts.forEach((part, j) => {
      g.append('text')
        .attr('y', row * CAPTION_LINE + 12)
        .attr('font-size', size)
        .attr('font-weight', k === 0 ? 600 : 400)
        .attr('fill', k === 0 ? '#111' : '#444')
        .attr('xml:space', 'preserve')
        // A wrapped line keeps its trailing space (invisible), so the SVG's text still reads "central differences".
        .text(j < parts.length - 1 ? `${part} ` : part);
      row++;
    });
  });
  return row * CAPTION_LINE;
}

/** Resize the root after layout (charts compute their height last). */
export function setSize(svg: Svg, width: number, height: number): void {
  svg.attr('width', width).attr('height', height).attr('viewBox', `0 0 ${width} ${height}`);
}
