// The token heatmap as an SVG chart (export and tests): the prompt's cells as monospace text on
// coloured rectangles, wrapped to the width, with the target outlined, a legend and a caption.

import type { Cell } from '../lib/cells';
import { appendLegend, LEGEND_HEIGHT } from './legend';
import type { ValueScale } from './scale';
import { appendCaption, MONO, MONO_ADVANCE, setSize, svgRoot } from './svg';

export interface HeatmapChartData {
  cells: Cell[];
  scale: ValueScale;
}

export interface HeatmapChartOptions {
  width: number;
  caption: string[];
  /** Without one, no legend (small multiples share one legend). */
  legendTitle?: string;
  fontSize?: number;
  /** Element id prefix (unique per document). */
  id?: string;
}

export interface Piece {
  cell: number;
  text: string;
  line: number;
  /** Column (in characters) where the piece starts. */
  col: number;
}

/** Cuts cells into line pieces: explicit line breaks kept, wrapping at cell boundaries (inside a cell only when it is longer than a line). */
export function layoutCells(cells: Cell[], columns: number): { pieces: Piece[]; lines: number } {
  const pieces: Piece[] = [];
  let line = 0;
  let col = 0;
  cells.forEach((cell, index) => {
    const segments = cell.text.replace(/\t/g, '  ').replace(/\r\n?/g, '\n').split('\n');
    // A token's line break is marked ↵ (as on screen), so a newline token stays visible.
    if (cell.tokens.length) for (let k = 0; k < segments.length - 1; k++) segments[k] += '↵';
    segments.forEach((segment, k) => {
      if (k > 0) {
        line++;
        col = 0;
      }
      let rest = segment;
      if (rest.length > columns - col && col > 0 && rest.length <= columns) {
        line++;
        col = 0;
      }
      while (rest.length) {
        const take = Math.min(rest.length, columns - col);
        pieces.push({ cell: index, text: rest.slice(0, take), line, col });
        col += take;
        rest = rest.slice(take);
        if (rest.length) {
          line++;
          col = 0;
        }
      }
      // An empty cell (a token with an empty span) still gets a sliver, so it stays visible.
      if (segment === '' && segments.length === 1) pieces.push({ cell: index, text: '', line, col });
    });
  });
  return { pieces, lines: line + 1 };
}

export function heatmapChart(data: HeatmapChartData, options: HeatmapChartOptions, doc: Document): SVGSVGElement {
  const { width } = options;
  const fontSize = options.fontSize ?? 14;
  const id = options.id ?? 'heatmap';
  const pad = 16;
  const charWidth = fontSize * MONO_ADVANCE;
  const lineHeight = Math.round(fontSize * 2.1);
  const columns = Math.max(8, Math.floor((width - 2 * pad) / charWidth));
  const { pieces, lines } = layoutCells(data.cells, columns);

  const svg = svgRoot(doc, width, 100, `Token heatmap: ${options.caption[0] ?? ''}`);
  svg.append('rect').attr('class', 'background').attr('width', '100%').attr('height', '100%').attr('fill', '#fff');
  let y = pad;
  y += appendCaption(svg, options.caption, pad, y, width - 2 * pad) + 10;

  const text = svg.append('g').attr('class', 'tokens').attr('transform', `translate(${pad},${y})`).attr('font-family', MONO).attr('font-size', fontSize);
  const labelled = new Set<number>();
  for (const piece of pieces) {
    const cell = data.cells[piece.cell];
    const x = piece.col * charWidth;
    const top = piece.line * lineHeight + lineHeight - fontSize * 1.45;
    const w = Math.max(piece.text.length * charWidth, 3);
    const g = text.append('g').attr('class', `cell cell-${cell.role}`).attr('data-cell', piece.cell);
    if (cell.value !== null) {
      g.append('rect').attr('class', 'token-rect').attr('x', x).attr('y', top).attr('width', w).attr('height', fontSize * 1.35).attr('rx', 2).attr('fill', data.scale.fill(cell.value)).attr('data-value', cell.value);
    }
    if (cell.role === 'target') {
      g.append('rect')
        .attr('class', 'target-outline')
        .attr('x', x - 1)
        .attr('y', top - 1)
        .attr('width', w + 2)
        .attr('height', fontSize * 1.35 + 2)
        .attr('rx', 3)
        .attr('fill', 'none')
        .attr('stroke', '#c2185b')
        .attr('stroke-width', 2)
        .attr('stroke-dasharray', cell.tokens.length ? null : '4 2');
      if (!labelled.has(piece.cell)) {
        labelled.add(piece.cell);
        g.append('text').attr('class', 'target-label').attr('x', x).attr('y', top - 3).attr('font-family', 'sans-serif').attr('font-size', 9).attr('font-weight', 700).attr('fill', '#c2185b').text(cell.tokens.length ? 'target' : 'next-token target');
      }
    }
    const ink = cell.value !== null ? data.scale.ink(cell.value) : cell.role === 'after' ? '#888' : '#111';
    g.append('text')
      .attr('x', x)
      .attr('y', piece.line * lineHeight + lineHeight - fontSize * 0.45)
      .attr('xml:space', 'preserve')
      .attr('fill', ink)
      .attr('font-style', cell.special ? 'italic' : null)
      .text(piece.text);
  }
  y += lines * lineHeight + 12;
  if (options.legendTitle !== undefined) {
    appendLegend(svg, data.scale, pad, y, { title: options.legendTitle, width: Math.min(260, width - 2 * pad), id: `${id}-gradient` });
    y += LEGEND_HEIGHT + pad;
  }
  setSize(svg, width, Math.ceil(y));
  return svg.node()!;
}
