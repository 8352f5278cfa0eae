// Test-only: a tiny ONNX model built by hand with onnx-proto, with its weights in an external file.
//   y = Softmax(MatMul(x, W) + b)   x: float32 [n, 4], W [4, 8] external, b [8] external
//   best = ArgMax(y) (int64), best32 = Cast(best, int32); ids: int64 [n] gathers E [5, 4] (external)
//   and is added to x before the MatMul; shift: int32 [n] is added to every logit of its row.
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;
const F = onnx.TensorProto.DataType.FLOAT;
const I64 = onnx.TensorProto.DataType.INT64;
const I32 = onnx.TensorProto.DataType.INT32;
const INT = onnx.AttributeProto.AttributeType.INT;

export const WEIGHTS_FILE = 'tiny.weights.bin';

/** Deterministic pseudo-random weights in [-1, 1). */
function values(n, seed) {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

export const E = values(20, 1); // [5, 4]
export const W = values(32, 2); // [4, 8]
export const B = values(8, 3); // [8]

const LAYOUT = [
  ['E', [5, 4], E, 0],
  ['W', [4, 8], W, 128],
  ['b', [8], B, 256],
];

export function weightsBytes() {
  const out = new Uint8Array(320);
  for (const [, , data, offset] of LAYOUT) out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), offset);
  return out;
}

function io(name, elemType, dims) {
  return {
    name,
    type: { tensorType: { elemType, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } },
  };
}

export function graphBytes() {
  const initializer = LAYOUT.map(([name, dims, data, offset]) => ({
    name,
    dataType: F,
    dims,
    dataLocation: onnx.TensorProto.DataLocation.EXTERNAL,
    externalData: [
      { key: 'location', value: WEIGHTS_FILE },
      { key: 'offset', value: String(offset) },
      { key: 'length', value: String(data.byteLength) },
    ],
  }));
  initializer.push({ name: 'axes', dataType: I64, dims: [1], int64Data: [1] });
  const graph = {
    name: 'tiny',
    initializer,
    node: [
      { opType: 'Gather', input: ['E', 'ids'], output: ['emb'] },
      { opType: 'Add', input: ['x', 'emb'], output: ['h'] },
      { opType: 'MatMul', input: ['h', 'W'], output: ['hw'] },
      { opType: 'Add', input: ['hw', 'b'], output: ['hb'] },
      { opType: 'Cast', input: ['shift'], output: ['shiftf'], attribute: [{ name: 'to', type: INT, i: F }] },
      { opType: 'Unsqueeze', input: ['shiftf', 'axes'], output: ['shift2'] },
      { opType: 'Add', input: ['hb', 'shift2'], output: ['logits'] },
      { opType: 'Softmax', input: ['logits'], output: ['y'], attribute: [{ name: 'axis', type: INT, i: -1 }] },
      {
        opType: 'ArgMax',
        input: ['logits'],
        output: ['best'],
        attribute: [
          { name: 'axis', type: INT, i: 1 },
          { name: 'keepdims', type: INT, i: 0 },
        ],
      },
      { opType: 'Cast', input: ['best'], output: ['best32'], attribute: [{ name: 'to', type: INT, i: I32 }] },
    ],
    input: [io('x', F, ['n', 4]), io('ids', I64, ['n']), io('shift', I32, ['n'])],
    output: [io('y', F, ['n', 8]), io('best', I64, ['n']), io('best32', I32, ['n'])],
  };
  return onnx.ModelProto.encode({ irVersion: 8, producerName: 'e2e', opsetImport: [{ domain: '', version: 18 }], graph }).finish();
}

/** Float64 reference for the model. */
export function reference(x, ids, shift) {
  const n = ids.length;
  const y = [];
  const best = [];
  for (let r = 0; r < n; r++) {
    const logits = [];
    for (let c = 0; c < 8; c++) {
      let s = 0;
      for (let k = 0; k < 4; k++) s += (x[r * 4 + k] + E[ids[r] * 4 + k]) * W[k * 8 + c];
      logits.push(s + B[c] + shift[r]);
    }
    const m = Math.max(...logits);
    const ex = logits.map((l) => Math.exp(l - m));
    const sum = ex.reduce((a, v) => a + v, 0);
    y.push(...ex.map((v) => v / sum));
    best.push(logits.indexOf(m));
  }
  return { y, best };
}
