// The attribution-ready passes of a bundle. One builder for all of them, so they share weight constants
// (one external weights file, one set of initializers in the dispatch model) and every name is deterministic.

import type { ModelConfig } from '../checkpoint/types';
import { decoder, lmHead, type PastKeyValues } from '../architectures/decoder';
import { gradient } from '../autodiff/gradient';
import { GraphBuilder, type Value } from '../ir/graph';
import { oneHot } from '../ir/nn';
import type { GraphSpec } from '../onnx/writer';
import { ModelWeights, type StoredParam } from '../architectures/weights';

export type GraphKind = 'embed' | 'forward' | 'inspect' | 'gradient' | 'hessianProbe';

/** The passes in the order of their index in the dispatch model's `pass` input. */
export const PASS_ORDER: readonly GraphKind[] = ['embed', 'forward', 'inspect', 'gradient', 'hessianProbe'];

/**
 * The objective g that the gradient and Hessian passes differentiate, as three [R] inputs shared by every
 * item of a batch: g = Σ_r w_r · log softmax(f(X)[row_r])[id_r]. One token is R = 1 with w = 1; a span
 * is its prediction rows with w = 1 (heta-spec "Targets beyond one token"); a contrast is the same row
 * twice with w = +1 (t) and −1 (t′).
 */
export const OBJECTIVE_INPUTS = ['target_rows', 'target_ids', 'target_weights'] as const;

/** Input and output names of each graph, recorded in heta.json for the engine. */
export const GRAPH_IO: Record<GraphKind, { inputs: string[]; outputs: string[] }> = {
  embed: { inputs: ['input_ids'], outputs: ['inputs_embeds'] },
  forward: { inputs: ['inputs_embeds', 'rows'], outputs: ['logits'] },
  inspect: { inputs: ['inputs_embeds'], outputs: ['logits', 'attention', 'value_strength', 'keys', 'values'] },
  gradient: { inputs: ['inputs_embeds', ...OBJECTIVE_INPUTS], outputs: ['objective', 'grad'] },
  hessianProbe: { inputs: ['inputs_embeds', 'past_keys', 'past_values', 'start', ...OBJECTIVE_INPUTS, 'probes', 'epsilon'], outputs: ['hvp_norm'] },
};

/** Selects rows [B, R] (per item) of hidden states [B, T, d] with a one-hot matmul, which is differentiable. */
function selectRows(g: GraphBuilder, hidden: Value, rows: Value): Value {
  const selector = oneHot(g, rows, g.dimOf(hidden, 1), hidden.shape[1]);
  return g.matmul(selector, hidden);
}

export function buildGraphs(config: ModelConfig, params: ReadonlyMap<string, StoredParam>): { builder: GraphBuilder; specs: Record<GraphKind, GraphSpec> } {
  const g = new GraphBuilder();
  const w = new ModelWeights(g, params);
  const d = config.hiddenSize;
  const V = config.vocabSize;

  const inputIds = g.input('input_ids', 'int64', ['batch', 'seq']);
  const embed: GraphSpec = { name: 'embed', inputs: [inputIds], outputs: [{ name: 'inputs_embeds', value: w.rows('embed', inputIds) }] };

  // forward: X [B, T, d], rows [B, R] → logits [B, R, V]
  const fx = g.input('inputs_embeds', 'float32', ['batch', 'seq', d]);
  const rows = g.input('rows', 'int64', ['batch', 'rows']);
  const fHidden = decoder(g, w, config, fx, false).hidden;
  const forward: GraphSpec = {
    name: 'forward',
    inputs: [fx, rows],
    outputs: [{ name: 'logits', value: lmHead(g, w, config, selectRows(g, fHidden, rows)) }],
  };

  // inspect: one sequence, attention probabilities and value strengths of every layer.
  const ix = g.input('inputs_embeds', 'float32', [1, 'seq', d]);
  const inspected = decoder(g, w, config, ix, true);
  const inspect: GraphSpec = {
    name: 'inspect',
    inputs: [ix],
    outputs: [
      { name: 'logits', value: lmHead(g, w, config, inspected.hidden) },
      { name: 'attention', value: g.concat(inspected.attention, 0) },
      { name: 'value_strength', value: g.concat(inspected.valueStrength, 0) },
      { name: 'keys', value: inspected.keys! },
      { name: 'values', value: inspected.values! },
    ],
  };

  // g per item from hidden states [B, T', d] and a one-hot row selector [R, T'] over the positions they
  // cover (all of them, or the probe pass's suffix): a differentiable matmul picks the objective's rows,
  // then the log-probabilities of their ids are weighted and summed.
  const objectiveInputs = () => ({
    rows: g.input('target_rows', 'int64', ['objective']),
    ids: g.input('target_ids', 'int64', ['objective']),
    weights: g.input('target_weights', 'float32', ['objective']),
  });
  const objective = (o: ReturnType<typeof objectiveInputs>, selector: Value, hidden: Value): Value => {
    const logProbs = g.logSoftmax(lmHead(g, w, config, g.matmul(selector, hidden))); // [B, R, V]
    const picked = g.reduceSum(g.mul(logProbs, oneHot(g, o.ids, g.int64(V), V)), [-1], false); // [B, R]
    return g.reduceSum(g.mul(picked, o.weights), [-1], false); // [B]
  };

  // gradient: g_b for each item; ∇_X Σ_b g_b gives every item's own gradient.
  const gradientGraph = (name: string): GraphSpec => {
    const gx = g.input('inputs_embeds', 'float32', ['batch', 'seq', d]);
    const o = objectiveInputs();
    const gHidden = decoder(g, w, config, gx, false).hidden;
    const value = objective(o, oneHot(g, o.rows, g.dimOf(gx, 1), 'seq'), gHidden);
    const grad = gradient(g, g.reduceSum(value, [0], false), gx);
    return {
      name,
      inputs: [gx, o.rows, o.ids, o.weights],
      outputs: [
        { name: 'objective', value },
        { name: 'grad', value: grad },
      ],
    };
  };
  // hessianProbe: ‖Π_i H Π_i r_b‖₁ for B probes of token i = start, by central differences, in one pass:
  // perturbation, both gradients, their difference at row i and the norm all happen in the graph, so a
  // caller feeds the unperturbed X and the inspect pass's keys/values unchanged for every token (they can
  // stay on the device) and reads back B numbers. Positions before i come from the cached keys/values;
  // the forward and backward passes cover positions i … T−1 only.
  const hessianProbe = (): GraphSpec => {
    const { numLayers: L, numKvHeads: Hkv, headDim: hd } = config;
    const x = g.input('inputs_embeds', 'float32', [1, 'seq', d]);
    const keys = g.input('past_keys', 'float32', [L, Hkv, 'seq', hd]);
    const values = g.input('past_values', 'float32', [L, Hkv, 'seq', hd]);
    const start = g.input('start', 'int64', [1]);
    const o = objectiveInputs();
    const probes = g.input('probes', 'float32', ['probes', d]);
    const epsilon = g.input('epsilon', 'float32', [1]);
    // `start` only ever bounds Slices (whose bounds ORT reads on the CPU); every other index comes from
    // slicing tensors over all T positions, so no integer arithmetic on an input reaches WebGPU.
    const zero = g.int64s([0]);
    const T = g.shapeOf(x, 1, 2);
    const fromStart = (v: Value, axis: number, symbol: string) => g.slice(v, start, T, axis, symbol);
    const suffix = fromStart(x, 1, 'suffix');
    const allPositions = g.range(g.dimOf(x, 1), 'past+suffix');
    const past: PastKeyValues = {
      keys: g.slice(keys, zero, start, 2, 'past'),
      values: g.slice(values, zero, start, 2, 'past'),
      positions: { query: fromStart(allPositions, 0, 'suffix'), keys: allPositions },
    };
    // The perturbed token is the suffix's first row: ±ε r_b added there only.
    const first = g.unsqueeze(fromStart(oneHot(g, start, g.dimOf(x, 1), 'seq'), 1, 'suffix'), [-1]);
    const shift = g.mul(first, g.unsqueeze(g.mul(probes, epsilon), [1]));
    const perturbed = g.concat([g.add(suffix, shift), g.sub(suffix, shift)], 0);
    const hidden = decoder(g, w, config, perturbed, false, past).hidden;
    // Objective rows are ≥ every probed token (rows of the context's last position or later), so all lie in the suffix.
    const rowSelector = fromStart(oneHot(g, o.rows, g.dimOf(x, 1), 'seq'), 1, 'suffix');
    const grad = gradient(g, g.reduceSum(objective(o, rowSelector, hidden), [0], false), perturbed);
    const atToken = g.reduceSum(g.mul(grad, first), [1], false);
    const B = g.shapeOf(probes, 0, 1);
    const plus = g.slice(atToken, zero, B, 0, 'probes');
    const minus = g.slice(atToken, B, g.add(B, B), 0, 'probes');
    const norm = g.div(g.reduceSum(g.abs(g.sub(plus, minus)), [-1], false), g.mul(epsilon, g.scalar(2)));
    return { name: 'hessianProbe', inputs: [x, keys, values, start, o.rows, o.ids, o.weights, probes, epsilon], outputs: [{ name: 'hvp_norm', value: norm }] };
  };

  return {
    builder: g,
    specs: { embed, forward, inspect, gradient: gradientGraph('gradient'), hessianProbe: hessianProbe() },
  };
}
