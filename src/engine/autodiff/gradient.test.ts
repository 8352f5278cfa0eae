// Every gradient rule checked against central finite differences of the same forward graph: onnxruntime-node
// evaluates f in float32 at x ± eps (only the difference quotient is taken in float64). So this checks that
// the backward graph autodiff emits is the derivative of the forward graph it was built from (the vjp
// rules), not that the forward ops compute the right function: the compiler tests check the forward
// against the independent float64 reference (src/testing/referenceForward.ts).

import { describe, expect, it } from 'vitest';
import { GraphBuilder, type Value } from '../ir/graph';
import { gelu, geluNew, layerNorm, rmsNorm, silu } from '../ir/nn';
import { WeightFile, writeOnnx } from '../onnx/writer';
import { createNodeRuntime } from '../runtime/nodeRuntime';
import { gradient } from './gradient';

type Fn = (g: GraphBuilder, x: Value) => Value;

/** Builds f(x) (reduced to a scalar by a weighted sum) and its gradient; returns both from ORT. */
async function evaluate(fn: Fn, shape: number[], x: Float32Array) {
  const g = new GraphBuilder();
  const input = g.input('x', 'float32', shape);
  const y = fn(g, input);
  // A fixed non-uniform weighting so every output element matters differently.
  const n = y.shape.reduce((p: number, d) => p * (d as number), 1);
  const weights = Float32Array.from({ length: n }, (_, i) => Math.sin(1 + i * 0.7));
  const weighted = g.mul(y, g.constant('w', weights, y.shape as number[]));
  const total = g.reduceSum(weighted, [...y.shape.keys()], false);
  const grad = gradient(g, total, input);
  const file = new WeightFile('w.bin');
  const model = writeOnnx({ name: 't', inputs: [input], outputs: [{ name: 'f', value: total }, { name: 'grad', value: grad }] }, file);
  const runtime = await createNodeRuntime();
  const externalData = file.byteLength ? [{ path: 'w.bin', data: file.bytes() }] : [];
  const session = await runtime.createSession({ graph: model, externalData });
  const run = async (v: Float32Array) => session.run({ x: { type: 'float32', dims: shape, data: v } });
  const out = await run(x);
  const f = async (v: Float32Array) => (await run(v)).f.data[0] as number;
  return { grad: out.grad.data as Float32Array, f, release: () => session.release() };
}

async function checkAgainstFiniteDifferences(fn: Fn, shape: number[], seed = 1) {
  const size = shape.reduce((p, d) => p * d, 1);
  const x = Float32Array.from({ length: size }, (_, i) => Math.sin(seed * 12.9898 + i * 78.233) * 1.3);
  const { grad, f, release } = await evaluate(fn, shape, x);
  const eps = 1e-2;
  const numeric = new Float64Array(size);
  for (let i = 0; i < size; i++) {
    const plus = x.slice();
    plus[i] += eps;
    const minus = x.slice();
    minus[i] -= eps;
    numeric[i] = ((await f(plus)) - (await f(minus))) / (2 * eps);
  }
  await release();
  let errNorm = 0;
  let refNorm = 0;
  for (let i = 0; i < size; i++) {
    errNorm += (grad[i] - numeric[i]) ** 2;
    refNorm += numeric[i] ** 2;
  }
  // Central differences in float32 with eps=1e-2: truncation O(eps²) plus rounding ~1e-7/eps.
  expect(Math.sqrt(errNorm / refNorm)).toBeLessThan(2e-3);
}

describe('gradient rules match finite differences', () => {
  const cases: [string, Fn, number[]][] = [
    ['add/sub/mul broadcast', (g, x) => g.sub(g.mul(x, g.constant('c', Float32Array.from([0.5, -2, 3]), [1, 3])), g.add(x, g.scalar(2))), [2, 3]],
    ['div both sides', (g, x) => g.div(g.add(x, g.scalar(3)), g.add(g.mul(x, x), g.scalar(1))), [2, 3]],
    ['exp/log/sqrt', (g, x) => g.add(g.exp(g.mul(x, g.scalar(0.3))), g.log(g.sqrt(g.add(g.mul(x, x), g.scalar(0.5))))), [4]],
    ['tanh/sigmoid/neg', (g, x) => g.neg(g.mul(g.tanh(x), g.sigmoid(x))), [5]],
    ['matmul both operands', (g, x) => g.matmul(x, g.transposeLast(x)), [2, 3, 4]],
    ['matmul broadcast batch', (g, x) => g.matmul(g.reshape(x, [2, 1, 3, 2]), g.constant('m', Float32Array.from({ length: 12 }, (_, i) => i * 0.1 - 0.5), [3, 2, 2])), [2, 3, 2]],
    ['softmax', (g, x) => g.softmax(g.mul(x, g.scalar(2))), [2, 5]],
    ['log softmax', (g, x) => g.logSoftmax(x), [2, 5]],
    ['reduce sum/mean', (g, x) => g.add(g.reduceSum(x, [1], true), g.reduceMean(g.mul(x, x), [-1], false)), [3, 4]],
    ['transpose/reshape/unsqueeze', (g, x) => g.transpose(g.unsqueeze(g.reshape(x, [0, 2, 3]), [1]), [3, 2, 1, 0]), [2, 6]],
    ['rmsnorm', (g, x) => rmsNorm(g, x, g.constant('rw', Float32Array.from([1, 0.5, -1.5, 2]), [4]), 1e-5), [3, 4]],
    ['layernorm', (g, x) => layerNorm(g, x, g.constant('lw', Float32Array.from([1, 0.5, -1.5, 2]), [4]), g.constant('lb', Float32Array.from([0.1, 0.2, 0.3, 0.4]), [4]), 1e-5), [3, 4]],
    ['concat (both parts differentiable)', (g, x) => g.mul(g.concat([x, g.mul(x, x)], 1), g.concat([x, x], 1)), [2, 3]],
    ['gelu_new and silu', (g, x) => g.add(geluNew(g, x), silu(g, x)), [6]],
    ['erf gelu', (g, x) => gelu(g, g.mul(x, g.scalar(1.5))), [6]],
  ];
  for (const [name, fn, shape] of cases) {
    it(name, () => checkAgainstFiniteDifferences(fn, shape));
  }

  it('fails loudly for an op without a rule on the path', () => {
    const g = new GraphBuilder();
    const x = g.input('x', 'float32', [3]);
    const y = g.reduceSum(g.floor(x), [0], false);
    expect(() => gradient(g, y, x)).toThrow(/no gradient rule for op 'Floor'/);
  });
});
