// Float64 building blocks of the reference forward pass (see referenceForward.ts).
// Matrices are row-major Float64Arrays with explicit sizes; plain loops, clarity over speed.

import type { RopeScaling } from '../engine/checkpoint/types';

/** Conv1D / math layout: y[T,out] = x[T,in] @ W[in,out] (+ b). GPT-2 stores weights this way. */
export function matmul(x: Float64Array, W: Float64Array, T: number, nIn: number, nOut: number, b?: Float64Array): Float64Array {
  const y = new Float64Array(T * nOut);
  for (let t = 0; t < T; t++) {
    for (let o = 0; o < nOut; o++) {
      let s = b ? b[o] : 0;
      for (let i = 0; i < nIn; i++) s += x[t * nIn + i] * W[i * nOut + o];
      y[t * nOut + o] = s;
    }
  }
  return y;
}

/** PyTorch Linear: y[T,out] = x[T,in] @ W[out,in]^T (+ b). */
export function linear(x: Float64Array, W: Float64Array, T: number, nIn: number, nOut: number, b?: Float64Array): Float64Array {
  const y = new Float64Array(T * nOut);
  for (let t = 0; t < T; t++) {
    for (let o = 0; o < nOut; o++) {
      let s = b ? b[o] : 0;
      for (let i = 0; i < nIn; i++) s += x[t * nIn + i] * W[o * nIn + i];
      y[t * nOut + o] = s;
    }
  }
  return y;
}

/** Transpose of a [rows, cols] matrix. */
export function transpose(W: Float64Array, rows: number, cols: number): Float64Array {
  const out = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = W[r * cols + c];
  return out;
}

export function add(a: Float64Array, b: Float64Array): Float64Array {
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i] + b[i];
  return out;
}

/** LayerNorm over the last axis (size d), biased variance, as torch.nn.LayerNorm. */
export function layerNorm(x: Float64Array, T: number, d: number, w: Float64Array, b: Float64Array, eps: number): Float64Array {
  const out = new Float64Array(T * d);
  for (let t = 0; t < T; t++) {
    let mean = 0;
    for (let i = 0; i < d; i++) mean += x[t * d + i];
    mean /= d;
    let v = 0;
    for (let i = 0; i < d; i++) v += (x[t * d + i] - mean) ** 2;
    v /= d;
    const inv = 1 / Math.sqrt(v + eps);
    for (let i = 0; i < d; i++) out[t * d + i] = (x[t * d + i] - mean) * inv * w[i] + b[i];
  }
  return out;
}

/** RMSNorm as LlamaRMSNorm: x / sqrt(mean(x²) + eps) * w. */
export function rmsNorm(x: Float64Array, T: number, d: number, w: Float64Array, eps: number): Float64Array {
  const out = new Float64Array(T * d);
  for (let t = 0; t < T; t++) {
    let ms = 0;
    for (let i = 0; i < d; i++) ms += x[t * d + i] ** 2;
    const inv = 1 / Math.sqrt(ms / d + eps);
    for (let i = 0; i < d; i++) out[t * d + i] = x[t * d + i] * inv * w[i];
  }
  return out;
}

/** GPT-2's gelu_new (tanh approximation). */
export function geluNew(x: number): number {
  return 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));
}

/**
 * erf in float64 (JavaScript has none): erf(x) = 2/√π · e^{−x²} · Σ_n 2ⁿ x^{2n+1} / (1·3·…·(2n+1)),
 * a series of positive terms (no cancellation) that converges for every x; |x| ≥ 6 gives ±1 to
 * double precision (erfc(6) ≈ 2e-17).
 */
export function erf(x: number): number {
  const a = Math.abs(x);
  if (a >= 6) return Math.sign(x);
  let term = a;
  let sum = a;
  for (let n = 1; term > 1e-17 * sum; n++) {
    term *= (2 * a * a) / (2 * n + 1);
    sum += term;
  }
  return Math.sign(x) * (2 / Math.sqrt(Math.PI)) * Math.exp(-a * a) * sum;
}

/** Exact GELU, x·Φ(x) (torch.nn.functional.gelu default). */
export function gelu(x: number): number {
  return 0.5 * x * (1 + erf(x / Math.SQRT2));
}

export function silu(x: number): number {
  return x / (1 + Math.exp(-x));
}

/** Numerically stable softmax of a row (in place on a copy). */
export function softmax(row: ArrayLike<number>): Float64Array {
  const out = Float64Array.from(row);
  let m = -Infinity;
  for (const v of out) m = Math.max(m, v);
  let s = 0;
  for (let i = 0; i < out.length; i++) s += out[i] = Math.exp(out[i] - m);
  for (let i = 0; i < out.length; i++) out[i] /= s;
  return out;
}

/** log softmax(row)[k], float64. */
export function logSoftmaxAt(row: ArrayLike<number>, k: number): number {
  let m = -Infinity;
  for (let i = 0; i < row.length; i++) m = Math.max(m, row[i]);
  let s = 0;
  for (let i = 0; i < row.length; i++) s += Math.exp(row[i] - m);
  return row[k] - m - Math.log(s);
}

/** HF rotary inverse frequencies (length headDim/2), with linear or llama3 scaling applied. */
export function ropeInvFreq(headDim: number, theta: number, scaling: RopeScaling): Float64Array {
  const half = headDim / 2;
  const inv = new Float64Array(half);
  for (let j = 0; j < half; j++) inv[j] = 1 / theta ** ((2 * j) / headDim);
  if (scaling.type === 'longrope') {
    // transformers' _compute_longrope_parameters, short regime: 1 / (short_factor[j] · θ^(2j/dim)).
    for (let j = 0; j < half; j++) inv[j] = 1 / (scaling.shortFactor[j] * theta ** ((2 * j) / headDim));
  } else if (scaling.type === 'linear') {
    for (let j = 0; j < half; j++) inv[j] /= scaling.factor;
  } else if (scaling.type === 'llama3') {
    // transformers' _compute_llama3_parameters
    const { factor, lowFreqFactor: low, highFreqFactor: high, originalMaxPositionEmbeddings: orig } = scaling;
    const lowFreqWavelen = orig / low;
    const highFreqWavelen = orig / high;
    for (let j = 0; j < half; j++) {
      const wavelen = (2 * Math.PI) / inv[j];
      if (wavelen > lowFreqWavelen) inv[j] = inv[j] / factor;
      else if (wavelen >= highFreqWavelen) {
        const smooth = (orig / wavelen - low) / (high - low);
        inv[j] = ((1 - smooth) * inv[j]) / factor + smooth * inv[j];
      }
    }
  }
  return inv;
}

/**
 * Rotate one head vector x (length headDim) at position pos, HF convention:
 * x·cos(emb) + rotate_half(x)·sin(emb), emb = cat(freqs, freqs), rotate_half(x) = cat(−x2, x1).
 */
export function applyRope(x: ArrayLike<number>, pos: number, invFreq: Float64Array): Float64Array {
  const half = invFreq.length;
  const out = new Float64Array(2 * half);
  for (let j = 0; j < half; j++) {
    const c = Math.cos(pos * invFreq[j]);
    const s = Math.sin(pos * invFreq[j]);
    out[j] = x[j] * c - x[j + half] * s;
    out[j + half] = x[j + half] * c + x[j] * s;
  }
  return out;
}
