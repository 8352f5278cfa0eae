// Saves a figure as PNG (2× the on-screen size) or SVG.

import { pngBlob, saveBlob, svgBlob } from '../lib/download';

export type FigureFormat = 'png' | 'svg';

export async function exportFigure(svg: SVGSVGElement | null, format: FigureFormat, name: string): Promise<void> {
  if (!svg) return;
  if (format === 'svg') saveBlob(svgBlob(svg), `${name}.svg`);
  else saveBlob(await pngBlob(svg, 2), `${name}.png`);
}
