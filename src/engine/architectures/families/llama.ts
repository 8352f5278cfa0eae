// Llama (LlamaForCausalLM): RMSNorm, RoPE, SwiGLU, grouped-query attention, tied or untied head.
// Its config reader and parameter map are shared by the families built on the same layout
// (Qwen2, Qwen3, Mistral), which pass their defaults and biases.

import {
  configFail,
  optionalBool,
  optionalPositiveInt,
  positiveInt,
  positiveNumber,
  readHeads,
  readRope,
  tokenIds,
  type RawConfig,
} from '../configFields';
import type { ModelConfig } from '../config';
import type { ParamSpec } from '../weights';
import type { Family } from './family';

export interface LlamaLikeDefaults {
  id: string;
  maxPositions: number;
  ropeTheta: number;
  biases(raw: RawConfig): Pick<ModelConfig, 'qkvBias' | 'outBias' | 'mlpBias'>;
  /** A family's own reading of rope_theta / rope_scaling (default: readRope). */
  rope?(raw: RawConfig): Pick<ModelConfig, 'ropeTheta' | 'ropeScaling'>;
  /** The MLP kind from the config's activation (default: SwiGLU, hidden_act must be silu). */
  mlp?(raw: RawConfig): ModelConfig['mlp'];
  /** tie_word_embeddings when the config omits it (default false). */
  tied?: boolean;
}

export function parseLlamaLike(raw: RawConfig, hfArchitecture: string, defaults: LlamaLikeDefaults): ModelConfig {
  const vocabSize = positiveInt(raw, 'vocab_size');
  const hiddenSize = positiveInt(raw, 'hidden_size');
  const numLayers = positiveInt(raw, 'num_hidden_layers');
  const intermediateSize = positiveInt(raw, 'intermediate_size');
  const maxPositions = optionalPositiveInt(raw, 'max_position_embeddings') ?? defaults.maxPositions;
  const normEps = positiveNumber(raw, 'rms_norm_eps', 1e-6);
  const { ropeTheta, ropeScaling } = defaults.rope?.(raw) ?? readRope(raw, defaults.ropeTheta);

  const mlp = defaults.mlp?.(raw) ?? swiglu(raw, hfArchitecture);
  const { qkvBias, outBias, mlpBias } = defaults.biases(raw);
  const tieWordEmbeddings = optionalBool(raw, 'tie_word_embeddings') ?? defaults.tied ?? false;
  const { numHeads, numKvHeads, headDim } = readHeads(raw, hiddenSize);

  return {
    architecture: defaults.id,
    hfArchitecture,
    vocabSize,
    hiddenSize,
    numLayers,
    numHeads,
    numKvHeads,
    headDim,
    intermediateSize,
    maxPositions,
    normEps,
    norm: 'rmsnorm',
    mlp,
    positions: 'rope',
    ropeTheta,
    ropeScaling,
    qkvBias,
    outBias,
    mlpBias,
    tieWordEmbeddings,
    ...tokenIds(raw, vocabSize),
  };
}

function swiglu(raw: RawConfig, hfArchitecture: string): ModelConfig['mlp'] {
  const hiddenAct = raw.hidden_act ?? 'silu';
  if (hiddenAct !== 'silu') configFail(`hidden_act ${JSON.stringify(hiddenAct)} is not supported; ${hfArchitecture} models must use silu`);
  return 'swiglu';
}

/** torch Linear [out, in] (and its bias when present) as a matrix parameter. */
export function linearParam(key: string, source: string, out: number, inp: number, withBias: boolean): ParamSpec[] {
  return [
    { key, source: `${source}.weight`, kind: 'matrix', layout: 'out_in', shape: [out, inp] },
    ...(withBias ? [{ key: `${key}_bias`, source: `${source}.bias`, kind: 'vector', shape: [out] } as ParamSpec] : []),
  ];
}

/**
 * Parameters of the Llama layout; `extraPerLayer` adds a family's own per-layer tensors and
 * `preMlpNorm` names the norm before the MLP (Llama: post_attention_layernorm).
 */
export function llamaLikeParams(
  config: ModelConfig,
  extraPerLayer?: (hf: string, key: string) => ParamSpec[],
  preMlpNorm = 'post_attention_layernorm',
): ParamSpec[] {
  const { hiddenSize: d, vocabSize: V, numHeads: H, numKvHeads: Hkv, headDim: hd, intermediateSize: inner } = config;
  const specs: ParamSpec[] = [
    { key: 'embed', source: 'model.embed_tokens.weight', kind: 'table', shape: [V, d] },
    { key: 'final_norm.weight', source: 'model.norm.weight', kind: 'vector', shape: [d] },
  ];
  if (!config.tieWordEmbeddings) specs.push({ key: 'lm_head', source: 'lm_head.weight', kind: 'matrix', layout: 'out_in', shape: [V, d] });
  for (let l = 0; l < config.numLayers; l++) {
    const hf = `model.layers.${l}`;
    const k = `layers.${l}`;
    specs.push(
      { key: `${k}.norm1.weight`, source: `${hf}.input_layernorm.weight`, kind: 'vector', shape: [d] },
      ...linearParam(`${k}.attn.q`, `${hf}.self_attn.q_proj`, H * hd, d, config.qkvBias),
      ...linearParam(`${k}.attn.k`, `${hf}.self_attn.k_proj`, Hkv * hd, d, config.qkvBias),
      ...linearParam(`${k}.attn.v`, `${hf}.self_attn.v_proj`, Hkv * hd, d, config.qkvBias),
      ...linearParam(`${k}.attn.o`, `${hf}.self_attn.o_proj`, d, H * hd, config.outBias),
      { key: `${k}.norm2.weight`, source: `${hf}.${preMlpNorm}.weight`, kind: 'vector', shape: [d] },
      ...linearParam(`${k}.mlp.gate`, `${hf}.mlp.gate_proj`, inner, d, config.mlpBias),
      ...linearParam(`${k}.mlp.up`, `${hf}.mlp.up_proj`, inner, d, config.mlpBias),
      ...linearParam(`${k}.mlp.down`, `${hf}.mlp.down_proj`, d, inner, config.mlpBias),
      ...(extraPerLayer?.(hf, k) ?? []),
    );
  }
  return specs;
}

export const llama: Family = {
  id: 'llama',
  hfArchitectures: ['LlamaForCausalLM'],
  modelTypes: ['llama'],
  basePrefix: 'model.',
  parseConfig: (raw, hfArchitecture) =>
    parseLlamaLike(raw, hfArchitecture, {
      id: 'llama',
      maxPositions: 2048,
      ropeTheta: 10_000,
      // attention_bias covers q/k/v/o, mlp_bias covers gate/up/down.
      biases: (r) => {
        const attentionBias = optionalBool(r, 'attention_bias') ?? false;
        return { qkvBias: attentionBias, outBias: attentionBias, mlpBias: optionalBool(r, 'mlp_bias') ?? false };
      },
    }),
  params: (config) => llamaLikeParams(config),
};
