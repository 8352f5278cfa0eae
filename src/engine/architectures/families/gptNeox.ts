// GPT-NeoX (GPTNeoXForCausalLM; the Pythia suite): LayerNorm, parallel attention + MLP residual,
// RoPE on the first `rotary_pct` of each head, fused query_key_value whose output features are
// per head [q | k | v] (head h owns rows h·3·hd … (h+1)·3·hd), two-layer GELU MLP with biases,
// untied `embed_out` head.

import {
  configFail,
  isObject,
  optionalBool,
  optionalPositiveInt,
  positiveInt,
  positiveNumber,
  readRope,
  tokenIds,
  type RawConfig,
} from '../configFields';
import type { ModelConfig } from '../config';
import type { ParamSpec } from '../weights';
import type { Family } from './family';
import { linearParam } from './llama';

/** ACT2FN names → the MLP kind computing the same function (gelu_fast and gelu_pytorch_tanh are gelu_new's tanh form). */
const ACTIVATIONS: Record<string, ModelConfig['mlp']> = { gelu: 'gelu', gelu_new: 'gelu_new', gelu_fast: 'gelu_new', gelu_pytorch_tanh: 'gelu_new' };

/** rotary_pct (older configs), partial_rotary_factor (newer) or rope_parameters.partial_rotary_factor (v5). */
function rotaryFraction(raw: RawConfig): number {
  if (raw.rotary_pct !== undefined) return positiveNumber(raw, 'rotary_pct', 0.25);
  if (raw.partial_rotary_factor !== undefined) return positiveNumber(raw, 'partial_rotary_factor', 0.25);
  if (isObject(raw.rope_parameters) && raw.rope_parameters.partial_rotary_factor !== undefined) {
    return positiveNumber(raw.rope_parameters, 'partial_rotary_factor', 0.25, 'rope_parameters.');
  }
  return 0.25;
}

function parseConfig(raw: RawConfig, hfArchitecture: string): ModelConfig {
  const vocabSize = positiveInt(raw, 'vocab_size');
  const hiddenSize = positiveInt(raw, 'hidden_size');
  const numLayers = positiveInt(raw, 'num_hidden_layers');
  const numHeads = positiveInt(raw, 'num_attention_heads');
  const intermediateSize = positiveInt(raw, 'intermediate_size');
  const maxPositions = optionalPositiveInt(raw, 'max_position_embeddings') ?? 2048;
  const normEps = positiveNumber(raw, 'layer_norm_eps', 1e-5);
  const { ropeTheta, ropeScaling } = readRope(raw, 10_000, ['rotary_emb_base', 'rope_theta']);
  const activation = raw.hidden_act ?? 'gelu';
  const mlp = typeof activation === 'string' ? ACTIVATIONS[activation] : undefined;
  if (!mlp) configFail(`hidden_act ${JSON.stringify(activation)} is not supported; supported: ${Object.keys(ACTIVATIONS).join(', ')}`);
  if (hiddenSize % numHeads !== 0) configFail(`hidden_size ${hiddenSize} is not divisible by num_attention_heads ${numHeads}`);
  const headDim = hiddenSize / numHeads;
  const fraction = rotaryFraction(raw);
  if (fraction > 1) configFail(`rotary_pct ${fraction} is above 1`);
  // As GPTNeoXAttention: rotary_ndims = int(head_size · rotary_pct).
  const rotaryDim = Math.floor(headDim * fraction);
  if (rotaryDim === 0 || rotaryDim % 2 !== 0) configFail(`rotary dims ${rotaryDim} (head size ${headDim} × rotary_pct ${fraction}) must be even and positive`);
  const attentionBias = optionalBool(raw, 'attention_bias') ?? true;

  return {
    architecture: 'gpt_neox',
    hfArchitecture,
    vocabSize,
    hiddenSize,
    numLayers,
    numHeads,
    numKvHeads: numHeads,
    headDim,
    intermediateSize,
    maxPositions,
    normEps,
    norm: 'layernorm',
    mlp: mlp!,
    positions: 'rope',
    ropeTheta,
    ropeScaling,
    qkvBias: attentionBias,
    outBias: attentionBias,
    mlpBias: true,
    tieWordEmbeddings: optionalBool(raw, 'tie_word_embeddings') ?? false,
    ...tokenIds(raw, vocabSize),
    ...(rotaryDim < headDim ? { rotaryDim } : {}),
    parallelResidual: optionalBool(raw, 'use_parallel_residual') ?? true,
  };
}

function params(config: ModelConfig): ParamSpec[] {
  const { hiddenSize: d, vocabSize: V, numHeads: H, headDim: hd, intermediateSize: inner } = config;
  const specs: ParamSpec[] = [
    { key: 'embed', source: 'gpt_neox.embed_in.weight', kind: 'table', shape: [V, d] },
    { key: 'final_norm.weight', source: 'gpt_neox.final_layer_norm.weight', kind: 'vector', shape: [d] },
    { key: 'final_norm.bias', source: 'gpt_neox.final_layer_norm.bias', kind: 'vector', shape: [d] },
  ];
  if (!config.tieWordEmbeddings) specs.push({ key: 'lm_head', source: 'embed_out.weight', kind: 'matrix', layout: 'out_in', shape: [V, d] });
  // Rows of query_key_value holding part 0 (q), 1 (k) or 2 (v) of every head, heads in order. The v
  // rows (and bias) become `attn.v`, which the decoder's ν reads: the values this model really mixes.
  const part = (which: number) => Array.from({ length: H * hd }, (_, i) => Math.floor(i / hd) * 3 * hd + which * hd + (i % hd));
  for (let l = 0; l < config.numLayers; l++) {
    const hf = `gpt_neox.layers.${l}`;
    const k = `layers.${l}`;
    const fused = `${hf}.attention.query_key_value`;
    const qkv = (key: string, which: number): ParamSpec[] => [
      { key, source: `${fused}.weight`, kind: 'matrix', layout: 'out_in', shape: [3 * d, d], outputs: part(which) },
      ...(config.qkvBias ? [{ key: `${key}_bias`, source: `${fused}.bias`, kind: 'vector', shape: [3 * d], outputs: part(which) } as ParamSpec] : []),
    ];
    const norm = (key: string, source: string): ParamSpec[] => [
      { key: `${key}.weight`, source: `${source}.weight`, kind: 'vector', shape: [d] },
      { key: `${key}.bias`, source: `${source}.bias`, kind: 'vector', shape: [d] },
    ];
    specs.push(
      ...norm(`${k}.norm1`, `${hf}.input_layernorm`),
      ...qkv(`${k}.attn.q`, 0),
      ...qkv(`${k}.attn.k`, 1),
      ...qkv(`${k}.attn.v`, 2),
      ...linearParam(`${k}.attn.o`, `${hf}.attention.dense`, d, d, config.outBias),
      ...norm(`${k}.norm2`, `${hf}.post_attention_layernorm`),
      ...linearParam(`${k}.mlp.up`, `${hf}.mlp.dense_h_to_4h`, inner, d, true),
      ...linearParam(`${k}.mlp.down`, `${hf}.mlp.dense_4h_to_h`, d, inner, true),
    );
  }
  return specs;
}

export const gptNeox: Family = {
  id: 'gpt_neox',
  hfArchitectures: ['GPTNeoXForCausalLM'],
  modelTypes: ['gpt_neox'],
  basePrefix: 'gpt_neox.',
  parseConfig,
  params,
};
