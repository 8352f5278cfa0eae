// The attribution-ready graphs of a bundle. One builder for all of them, so they share weight
// constants (one external weights file) and every name is deterministic.

import type { ModelConfig } from '../checkpoint/types';
import { decoder, lmHead, type PastKeyValues } from '../architectures/decoder';
import { gradient } from '../autodiff/gradient';
import { GraphBuilder, type Value } from '../ir/graph';
import { oneHot } from '../ir/nn';
import type { GraphSpec } from '../onnx/writer';
import { ModelWeights, type StoredParam } from './weights';

export type GraphKind = 'embed' | 'forward' | 'inspect' | 'gradient' | 'suffixGradient';

/** Input and output names of each graph, recorded in heta.json for the engine. */
export const GRAPH_IO: Record<GraphKind, { inputs: string[]; outputs: string[] }> = {
  embed: { inputs: ['input_ids'], outputs: ['inputs_embeds'] },
  forward: { inputs: ['inputs_embeds', 'rows'], outputs: ['logits'] },
  inspect: { inputs: ['inputs_embeds'], outputs: ['logits', 'attention', 'value_strength', 'keys', 'values'] },
  gradient: { inputs: ['inputs_embeds', 'row', 'target'], outputs: ['logprob', 'grad'] },
  suffixGradient: { inputs: ['inputs_embeds', 'past_keys', 'past_values', 'row', 'target'], outputs: ['logprob', 'grad'] },
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

  // gradient: g_b = log softmax(logits[b, row_b])[target_b]; ∇_X Σ_b g_b gives every item's own gradient.
  const gradientGraph = (name: string, past?: PastKeyValues): GraphSpec => {
    const gx = g.input('inputs_embeds', 'float32', ['batch', 'seq', d]);
    const row = g.input('row', 'int64', ['batch']);
    const target = g.input('target', 'int64', ['batch']);
    const gHidden = decoder(g, w, config, gx, false, past).hidden;
    const rowLogits = lmHead(g, w, config, selectRows(g, gHidden, g.unsqueeze(row, [-1])));
    const logProbs = g.reshape(g.logSoftmax(rowLogits), [0, V]);
    const logprob = g.reduceSum(g.mul(logProbs, oneHot(g, target, g.int64(V), V)), [-1], false);
    const grad = gradient(g, g.reduceSum(logprob, [0], false), gx);
    return {
      name,
      inputs: past ? [gx, past.keys, past.values, row, target] : [gx, row, target],
      outputs: [
        { name: 'logprob', value: logprob },
        { name: 'grad', value: grad },
      ],
    };
  };
  // suffixGradient: X holds positions P … of one sequence whose first P positions are cached; `row` is
  // relative to X. Used for S, where only the suffix from the perturbed token on changes.
  const cacheShape = [config.numLayers, config.numKvHeads, 'past', config.headDim];
  const past: PastKeyValues = { keys: g.input('past_keys', 'float32', cacheShape), values: g.input('past_values', 'float32', cacheShape) };

  return {
    builder: g,
    specs: { embed, forward, inspect, gradient: gradientGraph('gradient'), suffixGradient: gradientGraph('suffix_gradient', past) },
  };
}
