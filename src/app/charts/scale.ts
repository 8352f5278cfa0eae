// The value → colour scale every heatmap view shares: sequential, perceptually uniform and
// colour-blind safe (cividis), with a text colour that keeps contrast on each background.

import { color as parseColor, interpolateCividis, scaleSequential } from 'd3';

export type ScaleMode = 'linear' | 'sqrt' | 'log';

/** Decades the log scale spans below the maximum. */
export const LOG_DECADES = 3;

export interface ValueScale {
  domain: [number, number];
  mode: ScaleMode;
  /** The value at fraction f ∈ [0, 1] of the colour ramp (legend ticks). */
  at(f: number): number;
  fill(v: number): string;
  /** Black or white, whichever contrasts more with fill(v). */
  ink(v: number): string;
}

function luminance(css: string): number {
  const c = parseColor(css)?.rgb();
  if (!c) return 1;
  const lin = (x: number) => {
    const s = x / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(c.r) + 0.7152 * lin(c.g) + 0.0722 * lin(c.b);
}

/**
 * Domain [min(0, min), max]; a flat or empty domain becomes [0, 1]. When one token dominates, 'sqrt'
 * (square root of the position in the domain) and 'log' (LOG_DECADES decades below the maximum,
 * smaller values at the dark end) spread the colours of the small values.
 */
export function valueScale(values: ArrayLike<number>, mode: ScaleMode = 'linear'): ValueScale {
  let lo = 0;
  let hi = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) continue;
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  if (hi <= lo) hi = lo + 1;
  const ramp = scaleSequential(interpolateCividis).domain([0, 1]).clamp(true);
  const floor = hi * 10 ** -LOG_DECADES;
  const logMode = mode === 'log' && hi > 0;
  const t = (v: number) => {
    if (logMode) return Math.min(1, Math.max(0, (Math.log10(Math.max(v, floor)) - Math.log10(floor)) / LOG_DECADES));
    const f = Math.min(1, Math.max(0, (v - lo) / (hi - lo)));
    return mode === 'sqrt' ? Math.sqrt(f) : f;
  };
  const scale = (v: number) => ramp(t(v));
  return {
    domain: logMode ? [floor, hi] : [lo, hi],
    mode,
    at: (f) => (logMode ? floor * 10 ** (LOG_DECADES * f) : lo + (hi - lo) * (mode === 'sqrt' ? f * f : f)),
    fill: (v) => scale(v),
    // Contrast ratio against black (L+0.05)/0.05 vs white 1.05/(L+0.05): equal at L ≈ 0.179.
    ink: (v) => (luminance(scale(v)) > 0.179 ? '#111' : '#fff'),
  };
}
