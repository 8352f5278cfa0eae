// The value → colour scale every heatmap view shares: sequential, perceptually uniform and
// colour-blind safe (cividis) for values of one sign; diverging and colour-blind safe (purple–orange)
// when values have both signs (a contrast's evidence for t and for t′); a text colour that keeps
// contrast on each background.

import { color as parseColor, interpolateCividis, interpolatePuOr, scaleSequential } from 'd3';

/** 'rank': colour by rank among the shown values (a long prompt whose last tokens dominate still shows the rest's order). */
export type ScaleMode = 'linear' | 'sqrt' | 'log' | 'rank';

/**
 * The empirical distribution of finite values: `cdf` is the rank of v from 0 (smallest) to 1 (largest), ties in
 * the middle; `share` the fraction of values ≤ v (the smallest is 1/n, so a diverging scale never paints it
 * white); `quantile` and `shareQuantile` invert them.
 */
function ranks(values: ArrayLike<number>): { cdf(v: number): number; quantile(f: number): number; share(v: number): number; shareQuantile(f: number): number } {
  const sorted = Array.from(values).filter(Number.isFinite).sort((a, b) => a - b);
  const n = sorted.length;
  const below = (v: number, strict: boolean) => {
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (strict ? sorted[mid] < v : sorted[mid] <= v) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  return {
    cdf: (v) => (n <= 1 ? 1 : Math.min(1, Math.max(0, ((below(v, true) + below(v, false) - 1) / 2) / (n - 1)))),
    quantile: (f) => (n === 0 ? 0 : sorted[Math.min(n - 1, Math.max(0, Math.round(f * (n - 1))))]),
    share: (v) => (n === 0 ? 1 : below(v, false) / n),
    shareQuantile: (f) => (n === 0 || f <= 0 ? 0 : sorted[Math.min(n - 1, Math.max(0, Math.ceil(f * n) - 1))]),
  };
}

/** Decades the log scale spans below the maximum. */
export const LOG_DECADES = 3;

export interface ValueScale {
  domain: [number, number];
  mode: ScaleMode;
  /** Symmetric around 0: negative values orange, positive purple, 0 white. */
  diverging: boolean;
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
  if (lo < 0 && hi > 0) return divergingScale(Math.max(-lo, hi), mode, values);
  if (hi <= lo) hi = lo + 1;
  const rank = mode === 'rank' ? ranks(values) : null;
  const ramp = scaleSequential(interpolateCividis).domain([0, 1]).clamp(true);
  const floor = hi * 10 ** -LOG_DECADES;
  const logMode = mode === 'log' && hi > 0;
  const t = (v: number) => {
    if (rank) return rank.cdf(v);
    if (logMode) return Math.min(1, Math.max(0, (Math.log10(Math.max(v, floor)) - Math.log10(floor)) / LOG_DECADES));
    const f = Math.min(1, Math.max(0, (v - lo) / (hi - lo)));
    return mode === 'sqrt' ? Math.sqrt(f) : f;
  };
  const scale = (v: number) => ramp(t(v));
  return {
    domain: logMode ? [floor, hi] : [lo, hi],
    mode,
    diverging: false,
    at: (f) => (rank ? rank.quantile(f) : logMode ? floor * 10 ** (LOG_DECADES * f) : lo + (hi - lo) * (mode === 'sqrt' ? f * f : f)),
    fill: (v) => scale(v),
    // Contrast ratio against black (L+0.05)/0.05 vs white 1.05/(L+0.05): equal at L ≈ 0.179.
    ink: (v) => (luminance(scale(v)) > 0.179 ? '#111' : '#fff'),
  };
}

/**
 * Values of both signs on [−a, a]: the magnitude goes through the same linear / √ / log mapping as the
 * sequential scale, then to purple (positive) or orange (negative) of PuOr, white at 0.
 */
function divergingScale(a: number, mode: ScaleMode, values: ArrayLike<number>): ValueScale {
  const floor = a * 10 ** -LOG_DECADES;
  const rank = mode === 'rank' ? ranks(Array.from(values, Math.abs)) : null;
  const magnitude = (m: number) => {
    if (rank) return m === 0 ? 0 : rank.share(m);
    const f = Math.min(1, m / a);
    if (mode === 'sqrt') return Math.sqrt(f);
    if (mode === 'log') return m <= floor ? 0 : Math.min(1, (Math.log10(m) - Math.log10(floor)) / LOG_DECADES);
    return f;
  };
  const inverse = (f: number) => (rank ? rank.shareQuantile(f) : mode === 'sqrt' ? a * f * f : mode === 'log' ? (f <= 0 ? 0 : floor * 10 ** (LOG_DECADES * f)) : a * f);
  const scale = (v: number) => interpolatePuOr(0.5 - 0.5 * Math.sign(v) * magnitude(Math.abs(v))); // PuOr runs purple (0) → orange (1)
  return {
    domain: [-a, a],
    mode,
    diverging: true,
    at: (f) => Math.sign(f - 0.5) * inverse(Math.abs(2 * f - 1)),
    fill: (v) => scale(v),
    ink: (v) => (luminance(scale(v)) > 0.179 ? '#111' : '#fff'),
  };
}
