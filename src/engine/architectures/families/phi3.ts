// Phi-3 (Phi3ForCausalLM; Phi-3/3.5 mini, Phi-4 mini): the Llama math with fused projections —
// qkv_proj rows are [q (H·hd) | k (Hkv·hd) | v (Hkv·hd)], gate_up_proj rows [gate | up] (Phi3MLP
// chunks its output in two) — no biases, optional partial rotary (`partial_rotary_factor`), the
// Mistral-style sliding window when `sliding_window` is set, and LongRoPE (`longrope`/`su`).

import { configFail, isObject, positiveInt, positiveNumber, readRope, type RawConfig } from '../configFields';
import type { ModelConfig, RopeScaling } from '../config';
import type { ParamSpec } from '../weights';
import type { Family } from './family';
import { linearParam, parseLlamaLike } from './llama';
import { slidingWindowOption } from './mistral';

const range = (start: number, end: number) => Array.from({ length: end - start }, (_, i) => start + i);

function rotaryDimOf(raw: RawConfig, headDim: number): number {
  const fraction = positiveNumber(raw, 'partial_rotary_factor', 1);
  if (fraction > 1) configFail(`partial_rotary_factor ${fraction} is above 1`);
  const rotaryDim = Math.floor(headDim * fraction);
  if (rotaryDim === 0 || rotaryDim % 2 !== 0) configFail(`rotary dims ${rotaryDim} (head_dim ${headDim} × partial_rotary_factor ${fraction}) must be even and positive`);
  return rotaryDim;
}

/**
 * LongRoPE as transformers computes it (_compute_longrope_parameters): factor = max_position_embeddings
 * / original_max_position_embeddings, attention factor √(1 + ln factor / ln original) unless given, and
 * short_factor up to original_max_position_embeddings positions (long_factor only beyond). The compiled
 * model covers the short regime, so its context is capped at original_max_position_embeddings.
 */
function longRope(raw: RawConfig, scaling: RawConfig, rotaryDim: number): { ropeScaling: RopeScaling; maxPositions: number } {
  const original = positiveInt(raw, 'original_max_position_embeddings');
  const maxPositions = positiveInt(raw, 'max_position_embeddings');
  const shortFactor = scaling.short_factor;
  if (!Array.isArray(shortFactor) || shortFactor.length !== rotaryDim / 2 || !shortFactor.every((f) => typeof f === 'number' && f > 0)) {
    configFail(`rope_scaling.short_factor must list ${rotaryDim / 2} positive numbers (one per rotary frequency)`);
  }
  const factor = maxPositions / original;
  const attentionFactor =
    scaling.attention_factor !== undefined && scaling.attention_factor !== null
      ? positiveNumber(scaling, 'attention_factor', undefined, 'rope_scaling.')
      : factor <= 1 ? 1 : Math.sqrt(1 + Math.log(factor) / Math.log(original));
  return { ropeScaling: { type: 'longrope', shortFactor: shortFactor as number[], attentionFactor }, maxPositions: Math.min(maxPositions, original) };
}

function parseConfig(raw: RawConfig, hfArchitecture: string): ModelConfig {
  const scaling = raw.rope_scaling ?? (isObject(raw.rope_parameters) ? raw.rope_parameters : null);
  const kind = isObject(scaling) ? (scaling.rope_type ?? scaling.type) : undefined;
  const longScaling = (kind === 'longrope' || kind === 'su') && isObject(scaling) ? scaling : null;
  const base = parseLlamaLike(raw, hfArchitecture, {
    id: 'phi3',
    maxPositions: 4096,
    ropeTheta: 10_000,
    biases: () => ({ qkvBias: false, outBias: false, mlpBias: false }),
    // LongRoPE is read below (the shared reader does not know it); only the base comes from there.
    rope: longScaling ? (r) => ({ ropeTheta: readRope({ ...r, rope_scaling: null }, 10_000).ropeTheta, ropeScaling: { type: 'none' } }) : undefined,
  });
  const rotaryDim = rotaryDimOf(raw, base.headDim);
  const config: ModelConfig = longScaling ? { ...base, ...longRope(raw, longScaling, rotaryDim) } : base;
  return {
    ...config,
    ...slidingWindowOption(raw, config, null),
    ...(rotaryDim < config.headDim ? { rotaryDim } : {}),
  };
}

function params(config: ModelConfig): ParamSpec[] {
  const { hiddenSize: d, vocabSize: V, numHeads: H, numKvHeads: Hkv, headDim: hd, intermediateSize: inner } = config;
  const specs: ParamSpec[] = [
    { key: 'embed', source: 'model.embed_tokens.weight', kind: 'table', shape: [V, d] },
    { key: 'final_norm.weight', source: 'model.norm.weight', kind: 'vector', shape: [d] },
  ];
  if (!config.tieWordEmbeddings) specs.push({ key: 'lm_head', source: 'lm_head.weight', kind: 'matrix', layout: 'out_in', shape: [V, d] });
  const [q, kv] = [H * hd, Hkv * hd];
  for (let l = 0; l < config.numLayers; l++) {
    const hf = `model.layers.${l}`;
    const k = `layers.${l}`;
    const fused = (key: string, source: string, rows: number, outputs: number[]): ParamSpec => ({
      key, source: `${source}.weight`, kind: 'matrix', layout: 'out_in', shape: [rows, d], outputs,
    });
    const qkv = `${hf}.self_attn.qkv_proj`;
    const gateUp = `${hf}.mlp.gate_up_proj`;
    specs.push(
      { key: `${k}.norm1.weight`, source: `${hf}.input_layernorm.weight`, kind: 'vector', shape: [d] },
      fused(`${k}.attn.q`, qkv, q + 2 * kv, range(0, q)),
      fused(`${k}.attn.k`, qkv, q + 2 * kv, range(q, q + kv)),
      // The v rows of qkv_proj become `attn.v`, from which the decoder reads ν.
      fused(`${k}.attn.v`, qkv, q + 2 * kv, range(q + kv, q + 2 * kv)),
      ...linearParam(`${k}.attn.o`, `${hf}.self_attn.o_proj`, d, q, false),
      { key: `${k}.norm2.weight`, source: `${hf}.post_attention_layernorm.weight`, kind: 'vector', shape: [d] },
      fused(`${k}.mlp.gate`, gateUp, 2 * inner, range(0, inner)),
      fused(`${k}.mlp.up`, gateUp, 2 * inner, range(inner, 2 * inner)),
      ...linearParam(`${k}.mlp.down`, `${hf}.mlp.down_proj`, d, inner, false),
    );
  }
  return specs;
}

export const phi3: Family = {
  id: 'phi3',
  hfArchitectures: ['Phi3ForCausalLM'],
  modelTypes: ['phi3'],
  basePrefix: 'model.',
  parseConfig,
  params,
};
