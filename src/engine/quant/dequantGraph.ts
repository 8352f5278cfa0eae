// Dequantization inside the graph with ops every onnxruntime provider runs (Cast, Mul, Floor, ...),
// so quantized bundles work on WebGPU, WebAssembly and Node alike.

import type { GraphBuilder, Value } from '../ir/graph';
import { Q4_BLOCK } from './quantize';

/** q8: int8 [..., n] and scales [..., 1] → float32 [..., n]. */
export function dequantQ8(g: GraphBuilder, data: Value, scales: Value): Value {
  return g.mul(g.cast(data, 'float32'), scales);
}

/** q4: packed uint8 [..., n/2] and block scales [..., n/32] → float32 [..., n]. */
export function dequantQ4(g: GraphBuilder, packed: Value, scales: Value, n: number): Value {
  const lead = packed.shape.length - 1;
  const keepLead = Array<number>(lead).fill(0);
  const bytes = g.cast(packed, 'float32');
  // Floor(x / 16) is exact for 0..255 in float32 and avoids bitwise ops some providers lack.
  const hi = g.floor(g.mul(bytes, g.scalar(1 / 16)));
  const lo = g.sub(bytes, g.mul(hi, g.scalar(16)));
  const pairs = g.concat([g.unsqueeze(lo, [-1]), g.unsqueeze(hi, [-1])], -1);
  const blocks = g.reshape(pairs, [...keepLead, n / Q4_BLOCK, Q4_BLOCK]);
  const values = g.mul(g.sub(blocks, g.scalar(8)), g.unsqueeze(scales, [-1]));
  return g.reshape(values, [...keepLead, n]);
}
