// The generation matrix: one row per generated token (the target), one column per source token, each
// cell shaded by how much the source drove that target. Cells right of a row's target are the future
// (nothing to attribute); a row still being computed is drawn as pending.

import { appendLegend, LEGEND_HEIGHT } from './legend';
import type { ValueScale } from './scale';
import { appendCaption, MONO, setSize, svgRoot } from './svg';

export interface MatrixRow {
  /** The generated token's label. */
  label: string;
  /** Its position in the token sequence: the row has values for columns 0 … position − 1. */
  position: number;
  /** Target tokens from `position` on (the whole-continuation row spans every generated token). */
  span: number;
  /** Shown values (null while the row is computed), and the raw ones for the cell titles. */
  values: number[] | null;
  raw: number[] | null;
}

export interface MatrixChartData {
  /** Column labels: the tokens that are sources of some row. */
  sources: string[];
  /** Columns from here on are generated tokens (they are sources of later rows). */
  firstGenerated: number;
  rows: MatrixRow[];
  scale: ValueScale;
}

export interface MatrixChartOptions {
  width: number;
  legendTitle: string;
  caption?: string[];
  selectedRow?: number | null;
  /** Element id prefix (unique per document). */
  id?: string;
}

const GENERATED_INK = '#8e24aa';
const LABEL_CHAR = 6.6;

/** Side of a square cell: fills the width, within [4, 30] px. */
export function cellSize(width: number, labelWidth: number, columns: number): number {
  return Math.max(4, Math.min(30, Math.floor((width - labelWidth - 32) / Math.max(1, columns))));
}

/** Every k-th column label is drawn, so labels never overlap (about 11 px each). */
export function labelStride(cell: number): number {
  return Math.max(1, Math.ceil(11 / cell));
}

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

export function matrixChart(data: MatrixChartData, options: MatrixChartOptions, doc: Document): SVGSVGElement {
  const { width } = options;
  const id = options.id ?? 'matrix';
  const pad = 16;
  const columns = data.sources.length;
  const rowLabels = data.rows.map((r) => clip(r.label, 16));
  const labelWidth = Math.ceil(Math.max(40, ...rowLabels.map((l) => l.length * LABEL_CHAR)) + 22);
  const cell = cellSize(width, labelWidth, columns);
  const stride = labelStride(cell);
  const colLabels = data.sources.map((s) => clip(s, 14));
  // Column labels are rotated −60°: their height is about sin 60° of their length.
  const colLabelHeight = Math.ceil(Math.max(20, ...colLabels.map((l) => l.length * LABEL_CHAR * 0.87)) + 18);

  const svg = svgRoot(doc, width, 100, `Generation matrix: ${data.rows.length} generated tokens × ${columns} source tokens`);
  svg.append('rect').attr('class', 'background').attr('width', '100%').attr('height', '100%').attr('fill', '#fff');
  let y = pad;
  if (options.caption) y += appendCaption(svg, options.caption, pad, y, width - 2 * pad) + 10;

  const gridX = pad + labelWidth;
  const gridY = y + colLabelHeight;
  const heads = svg.append('g').attr('class', 'matrix-columns').attr('font-family', MONO).attr('font-size', 10);
  colLabels.forEach((label, c) => {
    if (c % stride !== 0) return;
    const x = gridX + c * cell + cell / 2;
    heads
      .append('text')
      .attr('class', c >= data.firstGenerated ? 'matrix-col-label generated' : 'matrix-col-label')
      .attr('data-col', c)
      .attr('transform', `translate(${x},${gridY - 6}) rotate(-60)`)
      .attr('fill', c >= data.firstGenerated ? GENERATED_INK : '#333')
      .attr('xml:space', 'preserve')
      .text(label);
  });
  if (data.firstGenerated < columns) {
    const x0 = gridX + data.firstGenerated * cell;
    heads.append('line').attr('class', 'generated-bracket').attr('x1', x0).attr('x2', gridX + columns * cell).attr('y1', gridY - 2).attr('y2', gridY - 2).attr('stroke', GENERATED_INK).attr('stroke-width', 2);
  }

  const grid = svg.append('g').attr('class', 'matrix-grid').attr('transform', `translate(${gridX},${gridY})`);
  data.rows.forEach((row, r) => {
    const g = grid.append('g').attr('class', row.values ? 'matrix-row' : 'matrix-row pending').attr('data-row', r).attr('transform', `translate(0,${r * cell})`);
    const selected = options.selectedRow === r;
    const label = svg
      .append('g')
      .attr('class', selected ? 'matrix-row-label selected' : 'matrix-row-label')
      .attr('data-row', r)
      .attr('tabindex', 0)
      .attr('role', 'button')
      .attr('aria-label', row.span > 1 ? `Show the attribution of the whole continuation (${row.span} generated tokens)` : `Show the attribution of generated token ${r + 1}, ${JSON.stringify(row.label)}`)
      .attr('transform', `translate(${pad},${gridY + r * cell})`);
    label
      .append('text')
      .attr('x', labelWidth - 8)
      .attr('y', cell / 2 + 4)
      .attr('text-anchor', 'end')
      .attr('font-family', MONO)
      .attr('font-size', Math.min(12, Math.max(8, cell - 2)))
      .attr('font-weight', selected ? 700 : 400)
      .attr('fill', GENERATED_INK)
      .attr('xml:space', 'preserve')
      .text(rowLabels[r]);
    if (!row.values) {
      g.append('rect').attr('class', 'matrix-pending').attr('width', row.position * cell).attr('height', cell - 1).attr('fill', '#eee');
    } else {
      row.values.forEach((v, c) => {
        g.append('rect')
          .attr('class', 'matrix-cell')
          .attr('data-col', c)
          .attr('data-value', v)
          .attr('x', c * cell)
          .attr('width', cell - 1)
          .attr('height', cell - 1)
          .attr('fill', data.scale.fill(v))
          .append('title')
          .text(`${JSON.stringify(data.sources[c])} → ${JSON.stringify(row.label)}: ${(row.raw?.[c] ?? v).toPrecision(4)}`);
      });
    }
    // The target itself: an outlined cell on the diagonal.
    g.append('rect')
      .attr('class', 'matrix-target')
      .attr('x', row.position * cell + 1)
      .attr('y', 1)
      .attr('width', Math.max(1, row.span * cell - 3))
      .attr('height', Math.max(1, cell - 3))
      .attr('fill', 'none')
      .attr('stroke', '#c2185b')
      .attr('stroke-width', 1.5);
    if (selected) g.append('rect').attr('class', 'matrix-selected').attr('x', -2).attr('y', -1).attr('width', (row.position + row.span) * cell + 2).attr('height', cell + 1).attr('fill', 'none').attr('stroke', '#111').attr('stroke-width', 1.5);
  });

  y = gridY + data.rows.length * cell + 16;
  appendLegend(svg, data.scale, pad, y, { title: options.legendTitle, width: Math.min(260, width - 2 * pad), id: `${id}-gradient` });
  y += LEGEND_HEIGHT + pad;
  setSize(svg, Math.max(width, gridX + columns * cell + pad), Math.ceil(y));
  return svg.node()!;
}
