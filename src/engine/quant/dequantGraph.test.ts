// The stored quantized layouts (int8 rows with row scales; ONNX int4 blocks of 32, two's complement, low
// nibble first) as onnxruntime's DequantizeLinear reads them, against the plain-TypeScript dequantization.

import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../ir/graph';
import { WeightFile, writeOnnx } from '../onnx/writer';
import { createNodeRuntime } from '../runtime/nodeRuntime';
import { Rng } from '../../testing/random';
import { dequantMatrix } from './dequantGraph';
import { Q4_BLOCK, quantizeQ4, quantizeQ8, type QuantizedMatrix } from './quantize';

/** Plain-TypeScript dequantization: the independent reference the tests hold onnxruntime's DequantizeLinear to. */
function dequantize(m: QuantizedMatrix): Float32Array {
  const out = new Float32Array(m.rows * m.cols);
  if (m.scheme === 'q8') {
    for (let r = 0; r < m.rows; r++) {
      for (let c = 0; c < m.cols; c++) out[r * m.cols + c] = m.data[r * m.cols + c] * m.scales[r];
    }
    return out;
  }
  const blocks = m.cols / Q4_BLOCK;
  for (let i = 0; i < out.length; i++) {
    const byte = m.data[i >> 1];
    const nibble = i & 1 ? byte >> 4 : byte & 15;
    const r = Math.floor(i / m.cols);
    const b = Math.floor((i % m.cols) / Q4_BLOCK);
    out[i] = (nibble >= 8 ? nibble - 16 : nibble) * m.scales[r * blocks + b];
  }
  return out;
}

describe('DequantizeLinear on stored weights', () => {
  it.each(['q8', 'q4'] as const)('%s: onnxruntime reads exactly what the TypeScript dequantization reads', async (scheme) => {
    const [rows, cols] = [48, 96];
    const rng = new Rng(5);
    const w = Float32Array.from({ length: rows * cols }, () => rng.normal());
    const m = scheme === 'q8' ? quantizeQ8(w, rows, cols) : quantizeQ4(w, rows, cols);
    const g = new GraphBuilder();
    const data = scheme === 'q4' ? g.int4Constant('stored', m.data as Uint8Array, [rows, cols]) : g.constant('stored', m.data, [rows, cols]);
    const scales = g.constant('s', m.scales, scheme === 'q4' ? [rows, cols / 32] : [rows]);
    // A graph input keeps the product from being constant-folded away from DequantizeLinear.
    const one = g.input('one', 'float32', [1]);
    const out = g.mul(dequantMatrix(g, data, scales, m), one);
    const weights = new WeightFile('w.bin');
    const graph = writeOnnx({ name: 'dq', inputs: [one], outputs: [{ name: 'dequantized', value: out }] }, weights);
    const session = await (await createNodeRuntime({ threads: 1 })).createSession({ graph, externalData: [{ path: 'w.bin', data: weights.bytes() }] });
    const got = (await session.run({ one: { type: 'float32', dims: [1], data: Float32Array.of(1) } })).dequantized.data as Float32Array;
    await session.release();
    expect(Array.from(got)).toEqual(Array.from(dequantize(m)));
    // and the quantization itself is close to the weights it stores
    const err = Math.max(...Array.from(got, (v, i) => Math.abs(v - w[i])));
    expect(err).toBeLessThan(scheme === 'q8' ? 0.05 : 0.5);
  });
});
