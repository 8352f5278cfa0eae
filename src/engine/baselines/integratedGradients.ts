// Integrated Gradients from the zero baseline, IG_i = ∫₀¹ ∇_i g(αX) · x_i dα, by the trapezoid rule on a
// grid 0 = α_0 < α_1 < … < α_N = 1, with all N+1 gradient evaluations batched through the gradient graph.
//
// The grid. With a zero baseline, every norm of a pre-norm model without additive positions (Llama, Qwen2:
// RoPE) sees an input of scale α, and for α‖x‖ below √ε_norm the network is in a degenerate regime whose
// gain is ~ε_norm^(−1/2) per norm, compounded over the layers: on the demo model (4 layers) dg/dα is 1.1·10⁷
// at α = 0, g(αX) starts to move at α ≈ 10⁻¹², swings by several nats between 10⁻¹⁰ and 10⁻⁵ and only then
// heads to g(X). A uniform grid weights the α = 0 endpoint by 1/(2N) and misses g(X) − g(0) by thousands of
// nats. The 'log' grid puts α_1 … α_N geometrically between α_min and 1 (plus α_0 = 0). α_min must lie
// below the whole transition, because [0, α_min] is a single trapezoid: a fixed α_min = 10⁻⁹ sat inside it
// on the final demo checkpoint, where that one segment is worth +0.52 nats but the trapezoid says −0.62, a
// completeness gap of 1.13 nats that no number of steps could close. So α_min is chosen per input from the
// slope at α = 0 (autoAlphaMin): below δ / (‖∇g(0)‖ ‖X‖) g cannot move by more than ~δ before the slope
// changes. 'uniform' (α_k = k/N) is the textbook grid and fine for models whose inputs never vanish
// (GPT-2 adds learned positions inside the model).

export type IgGrid = 'log' | 'uniform';

/** The largest α_min of the log grid (and the one used when the slope at α = 0 is unknown or zero). */
export const IG_ALPHA_MIN = 1e-9;
/** The smallest: α·x stays a normal float32 (≥ 1.2·10⁻³⁸) for embedding entries down to 10⁻⁸. */
export const IG_ALPHA_FLOOR = 1e-30;
/** How far (nats) g may move on the first segment [0, α_min] at the slope bound ‖∇g(0)‖ ‖X‖. */
export const IG_FIRST_SEGMENT_NATS = 1e-4;

/** α_min = δ / (‖∇g(0)‖₂ ‖X‖₂), the Cauchy–Schwarz bound on |dg/dα| at 0, clamped to [IG_ALPHA_FLOOR, IG_ALPHA_MIN]. */
export function autoAlphaMin(zeroGradient: ArrayLike<number>, x: ArrayLike<number>): number {
  let gg = 0;
  let xx = 0;
  for (let j = 0; j < x.length; j++) {
    gg += zeroGradient[j] ** 2;
    xx += x[j] ** 2;
  }
  const bound = Math.sqrt(gg * xx);
  if (!(bound > 0) || !Number.isFinite(bound)) return IG_ALPHA_MIN;
  return Math.min(IG_ALPHA_MIN, Math.max(IG_ALPHA_FLOOR, IG_FIRST_SEGMENT_NATS / bound));
}

/** Grid points α_0 = 0 < … < α_N = 1. */
export function igGrid(kind: IgGrid, steps: number, alphaMin = IG_ALPHA_MIN): number[] {
  if (!Number.isInteger(steps) || steps < 1) throw new Error(`IG steps must be a positive integer, got ${steps}`);
  if (kind === 'uniform') return Array.from({ length: steps + 1 }, (_, k) => k / steps);
  if (steps === 1) return [0, 1];
  return [0, ...Array.from({ length: steps }, (_, k) => (k === steps - 1 ? 1 : alphaMin ** ((steps - 1 - k) / (steps - 1))))];
}

/** Trapezoid weights of the grid: w_k = (α_{k+1} − α_{k−1}) / 2 (half intervals at the ends); they sum to 1. */
export function trapezoidWeights(alphas: readonly number[]): Float64Array {
  const n = alphas.length;
  return Float64Array.from(alphas, (_, k) => ((k + 1 < n ? alphas[k + 1] : alphas[k]) - (k > 0 ? alphas[k - 1] : alphas[k])) / 2);
}

/** ∇g and g for `count` stacked copies [count, p, d] of the input. */
export type BatchGradient = (xs: Float32Array, count: number) => Promise<{ grad: Float32Array; g: Float32Array }>;

/** A fixed grid, or one built from ∇g(0) (the α = 0 pass then runs first and is reused as the grid's α_0). */
export type IgGridSpec = readonly number[] | ((zeroGradient: Float32Array) => readonly number[]);

export interface IntegratedGradientsResult {
  scores: Float64Array;
  /** Completeness check: Σ_i IG_i against g(X) − g(0) (equal up to the quadrature error). */
  sum: number;
  gX: number;
  g0: number;
  /** The grid used. */
  alphas: readonly number[];
}

export async function integratedGradients(
  x: Float32Array,
  p: number,
  d: number,
  grid: IgGridSpec,
  gradientAt: BatchGradient,
  batch: number,
  signal?: AbortSignal,
): Promise<IntegratedGradientsResult> {
  const zero = typeof grid === 'function' ? await gradientAt(new Float32Array(p * d), 1) : null;
  signal?.throwIfAborted();
  const alphas = typeof grid === 'function' ? grid(zero!.grad) : grid;
  if (alphas.length < 2 || alphas[0] !== 0 || alphas[alphas.length - 1] !== 1) throw new Error('the IG grid must run from 0 to 1');
  const weights = trapezoidWeights(alphas);
  const scores = new Float64Array(p);
  const last = alphas.length - 1;
  let gX = NaN;
  let g0 = NaN;
  const add = (k: number, grad: Float32Array, g: Float32Array, b: number) => {
    if (k === 0) g0 = g[b];
    if (k === last) gX = g[b];
    for (let i = 0; i < p; i++) {
      let dot = 0;
      for (let j = 0; j < d; j++) dot += grad[(b * p + i) * d + j] * x[i * d + j];
      scores[i] += weights[k] * dot;
    }
  };
  if (zero) add(0, zero.grad, zero.g, 0);
  for (let start = zero ? 1 : 0; start <= last; start += batch) {
    const count = Math.min(batch, last + 1 - start);
    const xs = new Float32Array(count * p * d);
    for (let b = 0; b < count; b++) {
      const alpha = alphas[start + b];
      for (let j = 0; j < p * d; j++) xs[b * p * d + j] = alpha * x[j];
    }
    const { grad, g } = await gradientAt(xs, count);
    signal?.throwIfAborted();
    for (let b = 0; b < count; b++) add(start + b, grad, g, b);
  }
  return { scores, sum: scores.reduce((s, v) => s + v, 0), gX, g0, alphas };
}

/** Saliency ‖∇_i g‖₂ per token from a [p, d] gradient. */
export function saliency(grad: ArrayLike<number>, p: number, d: number): Float64Array {
  return Float64Array.from({ length: p }, (_, i) => {
    let s = 0;
    for (let j = 0; j < d; j++) s += grad[i * d + j] ** 2;
    return Math.sqrt(s);
  });
}

/** Gradient × input ∇_i g · x_i per token. */
export function gradientTimesInput(grad: ArrayLike<number>, x: ArrayLike<number>, p: number, d: number): Float64Array {
  return Float64Array.from({ length: p }, (_, i) => {
    let s = 0;
    for (let j = 0; j < d; j++) s += grad[i * d + j] * x[i * d + j];
    return s;
  });
}
