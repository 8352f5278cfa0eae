// Number and text formatting shared by the UI, the charts and the export captions.

import { format } from 'd3';
import type { ProgressStage } from '../engine';

const general = format('.4~g');
const scientific = format('.3~e');

/** A value with 4 significant digits; scientific notation when very small or large. */
export function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a === 0) return '0';
  return a >= 1e-3 && a < 1e5 ? general(v) : scientific(v);
}

/** 3 significant digits, for axis-like labels (thresholds, legends). */
export function fmt3(v: number): string {
  return fmt(Number(v.toPrecision(3)));
}

export function fmtProbability(p: number): string {
  if (p >= 0.1) return `${(p * 100).toFixed(0)}%`;
  if (p >= 0.001) return `${(p * 100).toFixed(1)}%`;
  return `${(p * 100).toExponential(0)}%`;
}

const compact = format('.3~s');

/** 39072 → "39.1k", 135e6 → "135M". */
export function fmtCount(n: number): string {
  return compact(n).replace('G', 'B');
}

/** Human-readable label of each stage for the progress bars. */
export const STAGE_LABELS: Record<ProgressStage, string> = {
  download: 'Downloading model',
  compile: 'Compiling model',
  load: 'Preparing model',
  inspect: 'Attention–value flow (M)',
  masked: 'Masked passes (I)',
  hessian: 'Hessian probes (S)',
  compare: 'Comparing methods',
};

/** The name of a model card's backend, for labels and sentences. */
export const BACKEND_NAMES = { webgpu: 'WebGPU', wasm: 'WebAssembly', cpu: 'CPU' } as const;

/** "rank 3 of 40" for token i among the ranked ones (a pending token has no rank: null). */
export function rankText(ranks: readonly (number | null)[], i: number): string | null {
  const r = ranks[i];
  return r === null || r === undefined ? null : `rank ${r} of ${ranks.filter((x) => x !== null).length}`;
}

/** Token text made visible: whitespace shown as symbols (for labels and chips, not the heatmap). */
export function visibleToken(text: string): string {
  if (text === '') return '∅';
  return text.replace(/ /g, '␣').replace(/\n/g, '↵').replace(/\t/g, '⇥');
}

/** Quoted token for captions: JSON-style escapes keep line breaks visible. */
export function quoteToken(text: string): string {
  return JSON.stringify(text);
}

export function excerpt(text: string, max = 80): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}
