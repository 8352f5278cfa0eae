// Gemma (GemmaForCausalLM), Gemma 2 (Gemma2ForCausalLM) and Gemma 3 text (Gemma3ForCausalLM): the
// Llama layout with (1 + w) RMSNorm, embeddings scaled by √hidden_size, GeGLU with tanh GELU and a
// tied head. Gemma 2 and 3 add norms after attention and after the MLP (pre_feedforward_layernorm
// is then the norm before the MLP), query_pre_attn_scalar, and sliding-window layers interleaved
// with global ones; Gemma 2 soft-caps attention scores and logits; Gemma 3 adds RMSNorm on query
// and key heads and gives its sliding layers their own RoPE base (rope_local_base_freq).

import {
  configFail,
  isObject,
  optionalBool,
  optionalPositiveInt,
  positiveNumber,
  readRope,
  type RawConfig,
} from '../configFields';
import type { ModelConfig } from '../config';
import type { Family } from './family';
import { llamaLikeParams, parseLlamaLike } from './llama';

type Generation = 1 | 2 | 3;

/** GemmaMLP's act_fn: hidden_activation (Gemma 1 falls back to hidden_act), gelu_pytorch_tanh by default. */
function geglu(raw: RawConfig, generation: Generation): ModelConfig['mlp'] {
  const activation = raw.hidden_activation ?? (generation === 1 ? raw.hidden_act : undefined) ?? 'gelu_pytorch_tanh';
  if (activation === 'gelu_pytorch_tanh' || activation === 'gelu_new' || activation === 'gelu_fast') return 'geglu_tanh';
  if (activation === 'gelu') return 'geglu';
  return configFail(`hidden_activation ${JSON.stringify(activation)} is not supported; Gemma models use gelu_pytorch_tanh (or gelu)`);
}

/** Whether each layer slides: `layer_types` when given, else every other layer (Gemma 2) or 5 of 6 (Gemma 3). */
function layerTypes(raw: RawConfig, numLayers: number, generation: Generation): ('sliding' | 'full')[] {
  if (Array.isArray(raw.layer_types)) {
    if (raw.layer_types.length !== numLayers) configFail(`layer_types lists ${raw.layer_types.length} layers, num_hidden_layers is ${numLayers}`);
    return raw.layer_types.map((t, i) => {
      if (t === 'sliding_attention') return 'sliding';
      if (t === 'full_attention') return 'full';
      return configFail(`layer_types[${i}] ${JSON.stringify(t)} is not sliding_attention or full_attention`);
    });
  }
  const pattern = generation === 2 ? 2 : (optionalPositiveInt(raw, 'sliding_window_pattern') ?? optionalPositiveInt(raw, '_sliding_window_pattern') ?? 6);
  return Array.from({ length: numLayers }, (_, i) => ((i + 1) % pattern !== 0 ? 'sliding' : 'full'));
}

function optionalCap(raw: RawConfig, key: string, fallback: number | null): number | undefined {
  if (raw[key] === null) return undefined;
  return raw[key] === undefined ? (fallback ?? undefined) : positiveNumber(raw, key, undefined);
}

/** Gemma 3 under transformers v5 nests rope settings per layer kind in rope_parameters. */
function gemma3Rope(raw: RawConfig): { global: RawConfig; localTheta: number } {
  const nested = isObject(raw.rope_parameters) && isObject(raw.rope_parameters.full_attention) ? raw.rope_parameters : null;
  if (!nested) return { global: raw, localTheta: positiveNumber(raw, 'rope_local_base_freq', 10_000) };
  const local = isObject(nested.sliding_attention) ? nested.sliding_attention : {};
  return {
    global: { ...raw, rope_theta: undefined, rope_scaling: undefined, rope_parameters: nested.full_attention },
    localTheta: positiveNumber(local, 'rope_theta', 10_000, 'rope_parameters.sliding_attention.'),
  };
}

function parseGemma(raw: RawConfig, hfArchitecture: string, generation: Generation): ModelConfig {
  if (optionalBool(raw, 'use_bidirectional_attention')) configFail('use_bidirectional_attention=true (an embedding model) is not supported');
  const rope = generation === 3 ? gemma3Rope(raw) : null;
  const config = parseLlamaLike(raw, hfArchitecture, {
    id: generation === 1 ? 'gemma' : `gemma${generation}`,
    maxPositions: generation === 3 ? 131_072 : 8192,
    ropeTheta: generation === 3 ? 1_000_000 : 10_000,
    biases: (r) => {
      const attentionBias = optionalBool(r, 'attention_bias') ?? false;
      return { qkvBias: attentionBias, outBias: attentionBias, mlpBias: false };
    },
    rope: rope ? () => readRope(rope.global, 1_000_000) : undefined,
    mlp: (r) => geglu(r, generation),
    tied: true,
  });
  // GemmaModel: hidden_states * hidden_size ** 0.5 (Gemma 3: Gemma3TextScaledWordEmbedding's embed_scale).
  const common = { ...config, normWeightOffset: 1, embeddingScale: Math.sqrt(config.hiddenSize) };
  if (generation === 1) return common;

  const window = raw.sliding_window === undefined ? 4096 : optionalPositiveInt(raw, 'sliding_window');
  const types = layerTypes(raw, config.numLayers, generation);
  const slides = window !== undefined && window < config.maxPositions && types.includes('sliding');
  const attentionSoftcap = optionalCap(raw, 'attn_logit_softcapping', generation === 2 ? 50 : null);
  const finalSoftcap = optionalCap(raw, 'final_logit_softcapping', generation === 2 ? 30 : null);
  return {
    ...common,
    sandwichNorms: true,
    queryScale: 1 / Math.sqrt(positiveNumber(raw, 'query_pre_attn_scalar', 256)),
    ...(slides ? { slidingWindow: window, layerTypes: types } : {}),
    ...(generation === 3 ? { qkNorm: true, ...(slides ? { localRopeTheta: rope!.localTheta } : {}) } : {}),
    ...(attentionSoftcap !== undefined ? { attentionSoftcap } : {}),
    ...(finalSoftcap !== undefined ? { finalSoftcap } : {}),
  };
}

function gemmaFamily(generation: Generation, hfArchitecture: string, modelTypes: string[]): Family {
  return {
    id: generation === 1 ? 'gemma' : `gemma${generation}`,
    hfArchitectures: [hfArchitecture],
    modelTypes,
    basePrefix: 'model.',
    parseConfig: (raw, hf) => parseGemma(raw, hf, generation),
    params: (config) => {
      if (generation === 1) return llamaLikeParams(config);
      const vector = (key: string, source: string, size: number) => ({ key, source, kind: 'vector' as const, shape: [size] });
      return llamaLikeParams(
        config,
        (hf, k) => [
          vector(`${k}.attn_post_norm.weight`, `${hf}.post_attention_layernorm.weight`, config.hiddenSize),
          vector(`${k}.mlp_post_norm.weight`, `${hf}.post_feedforward_layernorm.weight`, config.hiddenSize),
          ...(generation === 3
            ? [
                vector(`${k}.attn.q_norm.weight`, `${hf}.self_attn.q_norm.weight`, config.headDim),
                vector(`${k}.attn.k_norm.weight`, `${hf}.self_attn.k_norm.weight`, config.headDim),
              ]
            : []),
        ],
        'pre_feedforward_layernorm',
      );
    },
  };
}

export const gemma = gemmaFamily(1, 'GemmaForCausalLM', ['gemma']);
export const gemma2 = gemmaFamily(2, 'Gemma2ForCausalLM', ['gemma2']);
export const gemma3 = gemmaFamily(3, 'Gemma3ForCausalLM', ['gemma3_text']);
