// @vitest-environment jsdom
// Every chart drawn once from a fixed fixture and compared, normalized (numbers rounded, ids renumbered,
// see src/testing/svgSnapshot.ts), with a readable file under __snapshots__/svg/: a change to what a chart
// draws shows up in review as a diff of that file. The structural tests (charts.test.ts,
// compareCharts.test.ts) say what must hold; these say what changed. After an intended change:
// `npx vitest run src/app/charts/chartSnapshots.test.ts -u`, then read the diff.
import { describe, expect, it } from 'vitest';
import { resultCells } from '../lib/cells';
import { sampleResult } from '../../testing/sampleResult';
import { normalizeSvg } from '../../testing/svgSnapshot';
import { correlationChart } from './correlation';
import { curvesChart } from './curves';
import { heatmapChart } from './heatmap';
import { layerBarsChart } from './layerBars';
import { layerGraphChart } from './layerGraph';
import { legendChart } from './legend';
import { matrixChart, type MatrixRow } from './matrix';
import { probeStripChart } from './probeStrip';
import { valueScale } from './scale';

const r = sampleResult();
const labels = r.tokens.map((t) => t.text);

/** Generation rows at the sample's positions 6 and 7 (done) and 8 (still computed), values from its scores. */
function matrixRows(): MatrixRow[] {
  const row = (position: number, done: boolean): MatrixRow => {
    const values = done ? r.scores.slice(0, position) : null;
    return { label: labels[position], position, span: 1, values, raw: values };
  };
  return [row(6, true), row(7, true), row(8, false)];
}

const charts: [string, () => SVGSVGElement][] = [
  [
    'heatmap',
    () =>
      heatmapChart(
        { cells: resultCells(r, r.scores, 'token'), scale: valueScale(r.scores) },
        { width: 500, caption: ['HETA final score for " sofa"', 'Prompt: “The cat sat on the mat”'], legendTitle: 'Final score' },
        document,
      ),
  ],
  ['layerBars', () => layerBarsChart([0.1, 0.4, 0.2], { width: 300 }, document)],
  [
    'layerGraph',
    () =>
      layerGraphChart(
        { labels, layers: 2, edges: r.components.flow, targetLabel: '" sofa"' },
        // 0.05 keeps the 0.05 edge and drops the 0.01 one; token 1's path is highlighted.
        { width: 600, height: 380, threshold: 0.05, highlight: 1, caption: ['HETA attention-flow graph', 'Model tiny'] },
        document,
      ),
  ],
  // Values of both signs: the diverging scale, with the √ mode's note in the title.
  ['legend', () => legendChart(valueScale([-1, 2], 'sqrt'), { title: 'M', width: 200, id: 'legend-gradient' }, document)],
  [
    'matrix',
    () =>
      matrixChart(
        { sources: labels.slice(0, 8), firstGenerated: 6, rows: matrixRows(), scale: valueScale(r.scores) },
        { width: 600, legendTitle: 'Final score', caption: ['HETA final score of each generated token', 'Prompt: “The cat sat↵on”'], selectedRow: 1 },
        document,
      ),
  ],
  ['probeStrip', () => probeStripChart({ probes: [1, 2, 3, 4, 5], mean: 3, stderr: 0.7 }, { width: 300 }, document)],
  [
    'curves',
    () =>
      curvesChart(
        {
          fractions: [0.25, 0.5, 0.75, 1],
          series: [
            { id: 'heta', label: 'HETA', color: '#4e79a7', drops: [1, 2, 2.5, 3] },
            { id: 'saliency', label: 'Saliency', color: '#f28e2c', drops: [-0.5, 0.5, 1, 3] },
          ],
        },
        { width: 500, height: 240 },
        document,
      ),
  ],
  [
    'correlation',
    () =>
      correlationChart(
        {
          labels: ['HETA', 'Saliency', 'Flat'],
          matrix: [
            [1, 0.5, NaN],
            [0.5, 1, -0.8],
            [NaN, -0.8, 1],
          ],
        },
        { width: 400 },
        document,
      ),
  ],
];

describe('chart SVG snapshots', () => {
  it.each(charts)('%s', async (name, draw) => {
    const svg = draw();
    const text = normalizeSvg(svg);
    expect(normalizeSvg(new XMLSerializer().serializeToString(svg))).toBe(text); // the exported file reads as the live chart
    await expect(text).toMatchFileSnapshot(`__snapshots__/svg/${name}.svg.txt`);
  });
});
