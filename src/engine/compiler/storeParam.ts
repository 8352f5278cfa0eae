// A checkpoint tensor in the storage form its ParamSpec asks for: sliced, transposed to [out, in] rows
// and quantized per schemeFor.

import { schemeFor, type ParamSpec, type StoredParam } from '../architectures/weights';
import type { Tensor } from '../checkpoint/types';
import { quantizeQ4, quantizeQ8, type QuantScheme } from '../quant/quantize';

function sliceColumns(t: Tensor, [start, end]: [number, number]): Tensor {
  if (t.shape.length === 1) return { shape: [end - start], data: t.data.slice(start, end) };
  const [rows, cols] = t.shape;
  const out = new Float32Array(rows * (end - start));
  for (let r = 0; r < rows; r++) out.set(t.data.subarray(r * cols + start, r * cols + end), r * (end - start));
  return { shape: [rows, end - start], data: out };
}

function pickOutputs(t: Tensor, outputs: readonly number[]): Tensor {
  const cols = t.shape.length === 1 ? 1 : t.shape[1]!;
  const out = new Float32Array(outputs.length * cols);
  outputs.forEach((row, i) => out.set(t.data.subarray(row * cols, (row + 1) * cols), i * cols));
  return { shape: t.shape.length === 1 ? [outputs.length] : [outputs.length, cols], data: out };
}

function transpose2d(data: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = data[r * cols + c];
  return out;
}

/** Converts one checkpoint tensor to its storage form. */
export function storeParam(spec: ParamSpec, tensor: Tensor, requested: QuantScheme): StoredParam {
  const t = spec.columns ? sliceColumns(tensor, spec.columns) : spec.outputs ? pickOutputs(tensor, spec.outputs) : tensor;
  if (spec.kind === 'vector' || spec.kind === 'positions') return { kind: 'float', shape: t.shape, data: t.data, role: spec.kind };
  if (t.shape.length !== 2) throw new Error(`${spec.source}: expected a matrix, got shape [${t.shape}]`);
  // Canonical rows are output channels ([out, in]) so quantization blocks run along the reduction axis.
  let [rows, cols] = t.shape;
  let data = t.data;
  if (spec.kind === 'matrix' && spec.layout === 'in_out') {
    data = transpose2d(data, rows, cols);
    [rows, cols] = [cols, rows];
  }
  const scheme = schemeFor(spec.kind, cols, requested);
  if (scheme === 'q8') return { kind: 'quant', matrix: quantizeQ8(data, rows, cols), role: spec.kind };
  if (scheme === 'q4') return { kind: 'quant', matrix: quantizeQ4(data, rows, cols), role: spec.kind };
  return { kind: 'float', shape: [rows, cols], data, role: spec.kind };
}
