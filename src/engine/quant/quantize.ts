// Symmetric weight quantization of a row-major matrix [rows, cols]; every row (an output channel,
// or a token's embedding) gets its own scales so rows can be gathered independently.

export type QuantScheme = 'none' | 'q8' | 'q4';
export const Q4_BLOCK = 32;

export interface QuantizedMatrix {
  scheme: 'q8' | 'q4';
  rows: number;
  cols: number;
  /**
   * q8: int8 [rows, cols]; q4: signed 4-bit values in two's complement packed two per byte, element 2j
   * in the low nibble and 2j+1 in the high (ONNX's int4 layout, read by DequantizeLinear as is).
   */
  data: Int8Array | Uint8Array;
  /** q8: [rows]; q4: [rows, cols/Q4_BLOCK]. */
  scales: Float32Array;
}

/** int8 with one scale per row: w ≈ q · s, s = max|w_row| / 127. */
export function quantizeQ8(w: Float32Array, rows: number, cols: number): QuantizedMatrix {
  const data = new Int8Array(rows * cols);
  const scales = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    let maxAbs = 0;
    for (let c = 0; c < cols; c++) maxAbs = Math.max(maxAbs, Math.abs(w[r * cols + c]));
    const s = maxAbs > 0 ? maxAbs / 127 : 1;
    scales[r] = s;
    for (let c = 0; c < cols; c++) data[r * cols + c] = Math.max(-127, Math.min(127, Math.round(w[r * cols + c] / s)));
  }
  return { scheme: 'q8', rows, cols, data, scales };
}

/** 4-bit blocks of Q4_BLOCK along each row: w ≈ n · s, n ∈ [−8, 7], s = max|w_block| / 7. */
export function quantizeQ4(w: Float32Array, rows: number, cols: number): QuantizedMatrix {
  if (cols % Q4_BLOCK !== 0) throw new Error(`q4 needs a column count divisible by ${Q4_BLOCK}, got ${cols}`);
  const blocks = cols / Q4_BLOCK;
  const data = new Uint8Array((rows * cols) / 2);
  const scales = new Float32Array(rows * blocks);
  for (let r = 0; r < rows; r++) {
    for (let b = 0; b < blocks; b++) {
      const start = r * cols + b * Q4_BLOCK;
      let maxAbs = 0;
      for (let i = 0; i < Q4_BLOCK; i++) maxAbs = Math.max(maxAbs, Math.abs(w[start + i]));
      const s = maxAbs > 0 ? maxAbs / 7 : 1;
      scales[r * blocks + b] = s;
      for (let i = 0; i < Q4_BLOCK; i += 2) {
        const lo = Math.max(-8, Math.min(7, Math.round(w[start + i] / s))) & 15;
        const hi = Math.max(-8, Math.min(7, Math.round(w[start + i + 1] / s))) & 15;
        data[(start + i) / 2] = lo | (hi << 4);
      }
    }
  }
  return { scheme: 'q4', rows, cols, data, scales };
}
