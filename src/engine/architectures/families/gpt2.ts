// GPT-2 (GPT2LMHeadModel): learned positions, LayerNorm, fused qkv Conv1D, gelu_new, tied head.

import { configFail, optionalPositiveInt, positiveInt, positiveNumber, rejectUnless, tokenIds, type RawConfig } from '../configFields';
import type { ModelConfig } from '../config';
import type { ParamSpec } from '../weights';
import type { Family } from './family';

function parseConfig(raw: RawConfig, hfArchitecture: string): ModelConfig {
  const vocabSize = positiveInt(raw, 'vocab_size');
  const hiddenSize = positiveInt(raw, 'n_embd');
  const numLayers = positiveInt(raw, 'n_layer');
  const numHeads = positiveInt(raw, 'n_head');
  const maxPositions = raw.n_positions === undefined ? positiveInt(raw, 'n_ctx') : positiveInt(raw, 'n_positions');
  const intermediateSize = optionalPositiveInt(raw, 'n_inner') ?? 4 * hiddenSize;
  const normEps = positiveNumber(raw, 'layer_norm_epsilon', 1e-5);

  const activation = raw.activation_function ?? 'gelu_new';
  if (activation !== 'gelu_new' && activation !== 'gelu_pytorch_tanh') {
    configFail(`activation_function ${JSON.stringify(activation)} is not supported; GPT-2 models must use gelu_new (or gelu_pytorch_tanh)`);
  }
  // Options that change GPT-2 attention math; the compiler implements only the defaults.
  rejectUnless(raw, 'scale_attn_weights', true);
  rejectUnless(raw, 'scale_attn_by_inverse_layer_idx', false);
  rejectUnless(raw, 'reorder_and_upcast_attn', false); // numerically equivalent, but keep configs honest
  rejectUnless(raw, 'tie_word_embeddings', true); // GPT-2 always reads logits through wte

  if (hiddenSize % numHeads !== 0) configFail(`n_embd ${hiddenSize} is not divisible by n_head ${numHeads}`);

  return {
    architecture: 'gpt2',
    hfArchitecture,
    vocabSize,
    hiddenSize,
    numLayers,
    numHeads,
    numKvHeads: numHeads,
    headDim: hiddenSize / numHeads,
    intermediateSize,
    maxPositions,
    normEps,
    norm: 'layernorm',
    mlp: 'gelu_new',
    positions: 'learned',
    ropeTheta: 10000, // unused: GPT-2 has learned positions
    ropeScaling: { type: 'none' },
    qkvBias: true,
    outBias: true,
    mlpBias: true,
    tieWordEmbeddings: true,
    ...tokenIds(raw, vocabSize),
  };
}

function params(config: ModelConfig): ParamSpec[] {
  const { hiddenSize: d, vocabSize: V, maxPositions: P, intermediateSize: inner } = config;
  const specs: ParamSpec[] = [
    { key: 'embed', source: 'transformer.wte.weight', kind: 'table', shape: [V, d] },
    { key: 'positions', source: 'transformer.wpe.weight', kind: 'positions', shape: [P, d] },
    { key: 'final_norm.weight', source: 'transformer.ln_f.weight', kind: 'vector', shape: [d] },
    { key: 'final_norm.bias', source: 'transformer.ln_f.bias', kind: 'vector', shape: [d] },
  ];
  for (let l = 0; l < config.numLayers; l++) {
    const hf = `transformer.h.${l}`;
    const k = `layers.${l}`;
    // Conv1D stores [in, out]; `columns` slices the fused q|k|v output features.
    const conv = (key: string, source: string, inOut: [number, number], columns?: [number, number]): ParamSpec[] => [
      { key, source: `${source}.weight`, kind: 'matrix', layout: 'in_out', shape: inOut, columns },
      { key: `${key}_bias`, source: `${source}.bias`, kind: 'vector', shape: [inOut[1]], columns },
    ];
    const norm = (key: string, source: string): ParamSpec[] => [
      { key: `${key}.weight`, source: `${source}.weight`, kind: 'vector', shape: [d] },
      { key: `${key}.bias`, source: `${source}.bias`, kind: 'vector', shape: [d] },
    ];
    specs.push(
      ...norm(`${k}.norm1`, `${hf}.ln_1`),
      ...conv(`${k}.attn.q`, `${hf}.attn.c_attn`, [d, 3 * d], [0, d]),
      ...conv(`${k}.attn.k`, `${hf}.attn.c_attn`, [d, 3 * d], [d, 2 * d]),
      ...conv(`${k}.attn.v`, `${hf}.attn.c_attn`, [d, 3 * d], [2 * d, 3 * d]),
      ...conv(`${k}.attn.o`, `${hf}.attn.c_proj`, [d, d]),
      ...norm(`${k}.norm2`, `${hf}.ln_2`),
      ...conv(`${k}.mlp.up`, `${hf}.mlp.c_fc`, [d, inner]),
      ...conv(`${k}.mlp.down`, `${hf}.mlp.c_proj`, [inner, d]),
    );
  }
  return specs;
}

export const gpt2: Family = {
  id: 'gpt2',
  hfArchitectures: ['GPT2LMHeadModel'],
  modelTypes: ['gpt2'],
  basePrefix: 'transformer.',
  parseConfig,
  params,
};
