// Reverse-mode autodiff over the IR: walk only the nodes that lie on a path from `wrt` to `output`,
// in reverse topological order, summing gradients where a value fans out. Ops off that path
// (weights, dequantization, positions, masks) need no rule; an op on the path without one fails
// loudly, naming it.

import { topologicalOrder, type GraphBuilder, type Value } from '../ir/graph';
import { vjpRules } from './vjp';

export class AutodiffError extends Error {
  override name = 'AutodiffError';
}

/** Gradient of the scalar `output` (shape []) with respect to `wrt`, as a new value in the same graph. */
export function gradient(g: GraphBuilder, output: Value, wrt: Value): Value {
  if (output.shape.length !== 0) {
    throw new AutodiffError(`gradient needs a scalar output, got shape [${output.shape.join(', ')}]; reduce it first`);
  }
  const order = topologicalOrder([output]);
  const dependsOnWrt = new Set<number>([wrt.id]);
  // Integer and boolean values (shapes, indices, masks) carry no gradient, even when derived from `wrt`.
  for (const v of order) {
    if (v.dtype === 'float32' && v.op !== 'Shape' && v.inputs.some((i) => dependsOnWrt.has(i.id))) dependsOnWrt.add(v.id);
  }
  if (!dependsOnWrt.has(output.id)) throw new AutodiffError('output does not depend on the differentiated input');

  const grads = new Map<number, Value>([[output.id, g.scalar(1)]]);
  for (let k = order.length - 1; k >= 0; k--) {
    const node = order[k];
    if (node.id === wrt.id) break;
    const dY = grads.get(node.id);
    if (!dY || !dependsOnWrt.has(node.id)) continue;
    const rule = vjpRules[node.op];
    if (!rule) throw new AutodiffError(`no gradient rule for op '${node.op}' on the path to the output`);
    const inputGrads = rule(g, node, dY);
    node.inputs.forEach((inp, i) => {
      const gi = inputGrads[i];
      if (!gi || !dependsOnWrt.has(inp.id)) return;
      const prev = grads.get(inp.id);
      grads.set(inp.id, prev ? g.add(prev, gi) : gi);
    });
  }
  const result = grads.get(wrt.id);
  if (!result) throw new AutodiffError('no gradient reached the differentiated input');
  return result;
}
