// Rotary position embedding tables, Hugging Face convention (rotate_half on cat(freqs, freqs)).

import type { RopeScaling } from './config';

/** inv_freq[j] = 1 / theta^(2j/headDim), with the config's rope scaling applied. */
export function ropeInverseFrequencies(headDim: number, theta: number, scaling: RopeScaling): Float64Array {
  const half = headDim / 2;
  const inv = new Float64Array(half);
  for (let j = 0; j < half; j++) inv[j] = 1 / Math.pow(theta, (2 * j) / headDim);
  if (scaling.type === 'linear') return inv.map((f) => f / scaling.factor);
  if (scaling.type === 'longrope') return inv.map((f, j) => f / scaling.shortFactor[j]!);
  if (scaling.type === 'llama3') {
    const { factor, lowFreqFactor, highFreqFactor, originalMaxPositionEmbeddings: orig } = scaling;
    const lowFreqWavelen = orig / lowFreqFactor;
    const highFreqWavelen = orig / highFreqFactor;
    return inv.map((f) => {
      const wavelen = (2 * Math.PI) / f;
      if (wavelen > lowFreqWavelen) return f / factor;
      if (wavelen < highFreqWavelen) return f;
      const smooth = (orig / wavelen - lowFreqFactor) / (highFreqFactor - lowFreqFactor);
      return (1 - smooth) * (f / factor) + smooth * f;
    });
  }
  return inv;
}

/**
 * Matrix R with x @ R = rotate_half(x) = cat(−x[h:2h], x[:h]) on the first 2h = rotaryDim dims of a
 * head of headDim (zero on the rest, which partial rotary leaves alone).
 */
export function rotateHalfMatrix(headDim: number, rotaryDim = headDim): Float32Array {
  const h = rotaryDim / 2;
  const r = new Float32Array(headDim * headDim);
  for (let j = 0; j < h; j++) {
    r[(j + h) * headDim + j] = -1;
    r[j * headDim + (j + h)] = 1;
  }
  return r;
}
