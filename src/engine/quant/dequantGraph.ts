// Dequantization inside the graph. Whole matrices go through DequantizeLinear, which onnxruntime runs
// inside the kernel on every provider and never constant-folds into a float32 copy; gathered table rows
// (a handful per prompt) are scaled with Cast and Mul.

import type { GraphBuilder, Value } from '../ir/graph';
import { Q4_BLOCK, type QuantizedMatrix } from './quantize';

/** A stored quantized matrix [rows, cols] as float32, dequantized where it is used. */
export function dequantMatrix(g: GraphBuilder, data: Value, scales: Value, m: QuantizedMatrix): Value {
  return m.scheme === 'q8' ? g.dequantizeLinear(data, scales, 0) : g.dequantizeLinear(data, scales, 1, Q4_BLOCK);
}

/** q8 rows gathered from a table: int8 [..., n] and their row scales [...] → float32 [..., n]. */
export function dequantRowsQ8(g: GraphBuilder, data: Value, scales: Value): Value {
  return g.mul(g.cast(data, 'float32'), g.unsqueeze(scales, [-1]));
}
