// Fixture generator: random tiny Hugging Face checkpoints (GPT-2, Llama, Qwen2, Qwen3, Mistral, Phi-3, Gemma 1/2/3, GPT-NeoX) with the exact parameter
// names, layouts and config fields of real ones, plus a small but genuine byte-level BPE tokenizer.
// Pure (no Node APIs), so it also works in browser tests; use writeFiles.ts to put the files on disk.

import { DTYPE_BYTES, encodeFromF32 } from '../engine/checkpoint/dtype';
import type { DType } from '../engine/checkpoint/types';
import { Rng } from './random';

// ---------------------------------------------------------------- safetensors writer

export interface TensorToWrite {
  shape: number[];
  data: Float32Array;
  /** Overrides the file-wide dtype for this tensor. */
  dtype?: DType;
}

/** Serialize tensors (in the given order) as a safetensors file; F16/BF16 round to nearest even. */
export function writeSafetensors(
  tensors: Record<string, TensorToWrite>,
  dtype: DType = 'F32',
  metadata: Record<string, string> | null = { format: 'pt' },
): Uint8Array {
  const header: Record<string, unknown> = {};
  if (metadata) header.__metadata__ = metadata;
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const [name, tensor] of Object.entries(tensors)) {
    const count = tensor.shape.reduce((a, b) => a * b, 1);
    if (count !== tensor.data.length) {
      throw new Error(`writeSafetensors: "${name}" has ${tensor.data.length} values but shape [${tensor.shape.join(', ')}] needs ${count}`);
    }
    const tensorDType = tensor.dtype ?? dtype;
    const bytes = encodeFromF32(tensor.data, tensorDType);
    header[name] = { dtype: tensorDType, shape: tensor.shape, data_offsets: [offset, offset + bytes.length] };
    chunks.push(bytes);
    offset += bytes.length;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - ((8 + json.length) % 8)) % 8); // pad so the data section is 8-byte aligned, as the reference writer does
  const headerBytes = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + headerBytes.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let position = 8 + headerBytes.length;
  for (const chunk of chunks) {
    out.set(chunk, position);
    position += chunk.length;
  }
  return out;
}

// ---------------------------------------------------------------- tiny checkpoint

export type TinyFamily = 'gpt2' | 'llama' | 'qwen2' | 'qwen3' | 'mistral' | 'phi3' | 'gemma' | 'gemma2' | 'gemma3' | 'gpt_neox';

export interface TinyCheckpointOptions {
  family: TinyFamily;
  /** Tie lm_head to the embeddings. GPT-2 is always tied; Llama/Qwen2 default to untied (SmolLM-style = tied). */
  tied?: boolean;
  /** Grouped-query attention: kvHeads = heads / 2 unless `kvHeads` is given. */
  gqa?: boolean;
  /** Llama/Qwen2 only. */
  ropeScaling?: 'llama3' | 'linear';
  /** Storage dtype of the weights (default F32). */
  dtype?: DType;
  /** Write model.safetensors.index.json + two shards instead of model.safetensors. */
  sharded?: boolean;
  seed?: number;
  /** Model vocabulary (default 320); at least 256 bytes + special tokens. The tokenizer fills it with BPE merges. */
  vocabSize?: number;
  hiddenSize?: number;
  layers?: number;
  heads?: number;
  kvHeads?: number;
  /** Llama/Qwen2: written as an explicit `head_dim` (default hiddenSize / heads, not written). */
  headDim?: number;
  /** Default 4·hidden for GPT-2 (written as n_inner: null), 2·hidden for Llama/Qwen2. */
  intermediateSize?: number;
  maxPositions?: number;
  /** Llama/Qwen2 rope_theta (default 10000 for Llama, 1000000 for Qwen2). */
  ropeTheta?: number;
  /** Llama, Qwen3 and GPT-NeoX: attention_bias (biases on q/k/v/o projections; GPT-NeoX default true). */
  attentionBias?: boolean;
  /** Mistral and Phi-3: sliding_window (default null = full attention). Gemma 2/3: of the sliding layers (default maxPositions). */
  slidingWindow?: number;
  /** Gemma 2/3: every n-th layer is global, written out as layer_types (default 2, so two layers have one of each). */
  slidingPattern?: number;
  /** Gemma 2/3: query_pre_attn_scalar (default head_dim). */
  queryPreAttnScalar?: number;
  /** Gemma 2: attn_logit_softcapping and final_logit_softcapping (default 50 and 30, as Gemma2Config). */
  softcaps?: [number, number];
  /** Phi-3: LongRoPE rope_scaling (short/long factors, original_max_position_embeddings = maxPositions / 4). */
  longRope?: boolean;
  /** Phi-3: partial_rotary_factor (default absent = 1). */
  partialRotaryFactor?: number;
  /** GPT-NeoX: rotary_pct (default 0.25), use_parallel_residual (default true), hidden_act (default gelu). */
  rotaryPct?: number;
  parallelResidual?: boolean;
  hiddenAct?: 'gelu' | 'gelu_new' | 'gelu_fast';
  /** Llama only: mlp_bias (biases on gate/up/down projections). */
  mlpBias?: boolean;
}

const SHARD_NAMES = ['model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors'];

/** Files of a random tiny checkpoint: config.json, tokenizer.json, tokenizer_config.json and weights. */
export function makeTinyCheckpoint(options: TinyCheckpointOptions): Record<string, Uint8Array> {
  const shape = resolveShape(options);
  const rng = new Rng(options.seed ?? 1);
  const tokenizer = makeTinyTokenizer(options.family, shape.vocabSize);
  const tensors =
    options.family === 'gpt2'
      ? gpt2Tensors(shape, rng)
      : options.family === 'gpt_neox'
        ? gptNeoxTensors(shape, options, rng)
        : options.family === 'phi3'
          ? phi3Tensors(shape, rng)
          : llamaTensors(shape, options, rng);
  const dtype = options.dtype ?? 'F32';
  const config = modelConfigJson(options, shape, tokenizer, dtype);

  const encoder = new TextEncoder();
  const json = (value: unknown): Uint8Array => encoder.encode(JSON.stringify(value, null, 2));
  const files: Record<string, Uint8Array> = {
    'config.json': json(config),
    'tokenizer.json': json(tokenizer.tokenizerJson),
    'tokenizer_config.json': json(tokenizer.tokenizerConfig),
  };
  if (!options.sharded) {
    files['model.safetensors'] = writeSafetensors(tensors, dtype);
    return files;
  }
  const names = Object.keys(tensors);
  const half = Math.ceil(names.length / 2);
  const weightMap: Record<string, string> = {};
  let totalSize = 0;
  SHARD_NAMES.forEach((shardName, shardIndex) => {
    const part: Record<string, TensorToWrite> = {};
    for (const name of shardIndex === 0 ? names.slice(0, half) : names.slice(half)) {
      part[name] = tensors[name]!;
      weightMap[name] = shardName;
      totalSize += tensors[name]!.data.length * DTYPE_BYTES[dtype];
    }
    files[shardName] = writeSafetensors(part, dtype);
  });
  const sortedMap = Object.fromEntries(Object.keys(weightMap).sort().map((name) => [name, weightMap[name]!]));
  files['model.safetensors.index.json'] = json({ metadata: { total_size: totalSize }, weight_map: sortedMap });
  return files;
}

interface TinyShape {
  vocabSize: number;
  hidden: number;
  layers: number;
  heads: number;
  kvHeads: number;
  headDim: number;
  intermediate: number;
  maxPositions: number;
  tied: boolean;
}

function resolveShape(options: TinyCheckpointOptions): TinyShape {
  const isGpt2 = options.family === 'gpt2';
  const isNeox = options.family === 'gpt_neox';
  const hidden = options.hiddenSize ?? 32;
  const heads = options.heads ?? 4;
  const kvHeads = options.kvHeads ?? (options.gqa ? Math.max(1, heads / 2) : heads);
  const tied = options.tied ?? (isGpt2 || options.family.startsWith('gemma'));
  if (isGpt2) {
    if (!tied) throw new Error('makeTinyCheckpoint: GPT-2 checkpoints are always tied');
    if (options.gqa || (options.kvHeads !== undefined && options.kvHeads !== heads)) {
      throw new Error('makeTinyCheckpoint: GPT-2 has no grouped-query attention');
    }
  }
  if (options.mlpBias !== undefined && options.family !== 'llama') throw new Error('makeTinyCheckpoint: mlpBias applies to Llama only');
  if (options.attentionBias !== undefined && !['llama', 'qwen3', 'gpt_neox'].includes(options.family)) {
    throw new Error('makeTinyCheckpoint: attentionBias is for Llama only and the other families with an attention_bias field (Qwen3, GPT-NeoX)');
  }
  if (options.slidingWindow !== undefined && !['mistral', 'phi3', 'gemma2', 'gemma3'].includes(options.family)) {
    throw new Error('makeTinyCheckpoint: slidingWindow applies to Mistral, Phi-3 and Gemma 2/3 only');
  }
  if ((options.slidingPattern !== undefined || options.queryPreAttnScalar !== undefined) && options.family !== 'gemma2' && options.family !== 'gemma3') {
    throw new Error('makeTinyCheckpoint: slidingPattern/queryPreAttnScalar apply to Gemma 2/3 only');
  }
  if (options.softcaps && options.family !== 'gemma2') throw new Error('makeTinyCheckpoint: softcaps apply to Gemma 2 only');
  if ((options.longRope || options.partialRotaryFactor !== undefined) && options.family !== 'phi3') {
    throw new Error('makeTinyCheckpoint: longRope/partialRotaryFactor apply to Phi-3 only');
  }
  if ((options.rotaryPct !== undefined || options.parallelResidual !== undefined || options.hiddenAct !== undefined) && !isNeox) {
    throw new Error('makeTinyCheckpoint: rotaryPct/parallelResidual/hiddenAct apply to GPT-NeoX only');
  }
  if (isNeox && (options.gqa || (options.kvHeads !== undefined && options.kvHeads !== heads) || options.headDim !== undefined || options.ropeScaling)) {
    throw new Error('makeTinyCheckpoint: GPT-NeoX fixtures have no grouped-query attention, explicit head_dim or rope scaling');
  }
  if (isGpt2 && (options.ropeScaling || options.headDim !== undefined || options.ropeTheta !== undefined)) {
    throw new Error('makeTinyCheckpoint: ropeScaling/headDim/ropeTheta do not apply to GPT-2');
  }
  if (!Number.isInteger(heads / kvHeads)) throw new Error(`makeTinyCheckpoint: heads ${heads} not divisible by kvHeads ${kvHeads}`);
  const headDim = options.headDim ?? hidden / heads;
  if (!Number.isInteger(headDim)) throw new Error(`makeTinyCheckpoint: hiddenSize ${hidden} not divisible by heads ${heads}`);
  return {
    vocabSize: options.vocabSize ?? 320,
    hidden,
    layers: options.layers ?? 2,
    heads,
    kvHeads,
    headDim,
    intermediate: options.intermediateSize ?? (isGpt2 || isNeox ? 4 * hidden : 2 * hidden),
    maxPositions: options.maxPositions ?? 64,
    tied,
  };
}

// Weight scales: std ≈ 1/sqrt(fan_in) clamped to [0.1, 0.3] keeps activations O(1) through a few layers,
// norm weights ≈ 1 ± 0.1 and small nonzero biases so no parameter is trivially inert.
function weight(rng: Rng, shape: number[], fanIn: number): TensorToWrite {
  const std = Math.min(0.3, Math.max(0.1, 1 / Math.sqrt(fanIn)));
  return { shape, data: rng.normalArray(shape.reduce((a, b) => a * b, 1), std) };
}
const bias = (rng: Rng, size: number): TensorToWrite => ({ shape: [size], data: rng.normalArray(size, 0.05) });
const normWeight = (rng: Rng, size: number): TensorToWrite => ({ shape: [size], data: rng.normalArray(size, 0.1, 1) });
const embedding = (rng: Rng, rows: number, cols: number, std: number): TensorToWrite => ({
  shape: [rows, cols],
  data: rng.normalArray(rows * cols, std),
});

function gpt2Tensors(s: TinyShape, rng: Rng): Record<string, TensorToWrite> {
  const d = s.hidden;
  const t: Record<string, TensorToWrite> = {
    'transformer.wte.weight': embedding(rng, s.vocabSize, d, 0.2),
    'transformer.wpe.weight': embedding(rng, s.maxPositions, d, 0.1),
  };
  for (let i = 0; i < s.layers; i++) {
    const p = `transformer.h.${i}.`;
    // GPT-2 uses Conv1D: weights are stored [in, out], the transpose of torch.nn.Linear.
    t[`${p}ln_1.weight`] = normWeight(rng, d);
    t[`${p}ln_1.bias`] = bias(rng, d);
    t[`${p}attn.c_attn.weight`] = weight(rng, [d, 3 * d], d);
    t[`${p}attn.c_attn.bias`] = bias(rng, 3 * d);
    t[`${p}attn.c_proj.weight`] = weight(rng, [d, d], d);
    t[`${p}attn.c_proj.bias`] = bias(rng, d);
    t[`${p}ln_2.weight`] = normWeight(rng, d);
    t[`${p}ln_2.bias`] = bias(rng, d);
    t[`${p}mlp.c_fc.weight`] = weight(rng, [d, s.intermediate], d);
    t[`${p}mlp.c_fc.bias`] = bias(rng, s.intermediate);
    t[`${p}mlp.c_proj.weight`] = weight(rng, [s.intermediate, d], s.intermediate);
    t[`${p}mlp.c_proj.bias`] = bias(rng, d);
  }
  t['transformer.ln_f.weight'] = normWeight(rng, d);
  t['transformer.ln_f.bias'] = bias(rng, d);
  return t;
}

function llamaTensors(s: TinyShape, options: TinyCheckpointOptions, rng: Rng): Record<string, TensorToWrite> {
  const d = s.hidden;
  const qDim = s.heads * s.headDim;
  const kvDim = s.kvHeads * s.headDim;
  const qkvBias = options.family === 'qwen2' || options.attentionBias === true;
  const outBias = options.family !== 'qwen2' && options.attentionBias === true;
  const mlpBias = options.family === 'llama' && options.mlpBias === true;
  // Gemma norms scale by (1 + w), so their stored weights sit near 0.
  const isGemma = options.family.startsWith('gemma');
  const norm = (size: number): TensorToWrite => (isGemma ? { shape: [size], data: rng.normalArray(size, 0.1) } : normWeight(rng, size));
  const t: Record<string, TensorToWrite> = { 'model.embed_tokens.weight': embedding(rng, s.vocabSize, d, 0.2) };
  for (let i = 0; i < s.layers; i++) {
    const p = `model.layers.${i}.`;
    // torch.nn.Linear layout: [out_features, in_features].
    t[`${p}input_layernorm.weight`] = norm(d);
    t[`${p}self_attn.q_proj.weight`] = weight(rng, [qDim, d], d);
    if (qkvBias) t[`${p}self_attn.q_proj.bias`] = bias(rng, qDim);
    t[`${p}self_attn.k_proj.weight`] = weight(rng, [kvDim, d], d);
    if (qkvBias) t[`${p}self_attn.k_proj.bias`] = bias(rng, kvDim);
    t[`${p}self_attn.v_proj.weight`] = weight(rng, [kvDim, d], d);
    if (qkvBias) t[`${p}self_attn.v_proj.bias`] = bias(rng, kvDim);
    t[`${p}self_attn.o_proj.weight`] = weight(rng, [d, qDim], qDim);
    if (outBias) t[`${p}self_attn.o_proj.bias`] = bias(rng, d);
    if (options.family === 'qwen3' || options.family === 'gemma3') {
      // RMSNorm over each head: weights [head_dim].
      t[`${p}self_attn.q_norm.weight`] = norm(s.headDim);
      t[`${p}self_attn.k_norm.weight`] = norm(s.headDim);
    }
    t[`${p}post_attention_layernorm.weight`] = norm(d);
    if (options.family === 'gemma2' || options.family === 'gemma3') {
      t[`${p}pre_feedforward_layernorm.weight`] = norm(d);
      t[`${p}post_feedforward_layernorm.weight`] = norm(d);
    }
    t[`${p}mlp.gate_proj.weight`] = weight(rng, [s.intermediate, d], d);
    if (mlpBias) t[`${p}mlp.gate_proj.bias`] = bias(rng, s.intermediate);
    t[`${p}mlp.up_proj.weight`] = weight(rng, [s.intermediate, d], d);
    if (mlpBias) t[`${p}mlp.up_proj.bias`] = bias(rng, s.intermediate);
    t[`${p}mlp.down_proj.weight`] = weight(rng, [d, s.intermediate], s.intermediate);
    if (mlpBias) t[`${p}mlp.down_proj.bias`] = bias(rng, d);
  }
  t['model.norm.weight'] = norm(d);
  if (!s.tied) t['lm_head.weight'] = weight(rng, [s.vocabSize, d], d);
  return t;
}

function gptNeoxTensors(s: TinyShape, options: TinyCheckpointOptions, rng: Rng): Record<string, TensorToWrite> {
  const d = s.hidden;
  const withBias = options.attentionBias ?? true;
  const t: Record<string, TensorToWrite> = { 'gpt_neox.embed_in.weight': embedding(rng, s.vocabSize, d, 0.2) };
  for (let i = 0; i < s.layers; i++) {
    const p = `gpt_neox.layers.${i}.`;
    t[`${p}input_layernorm.weight`] = normWeight(rng, d);
    t[`${p}input_layernorm.bias`] = bias(rng, d);
    t[`${p}post_attention_layernorm.weight`] = normWeight(rng, d);
    t[`${p}post_attention_layernorm.bias`] = bias(rng, d);
    // One Linear for q, k and v whose output features run head by head: [q_h | k_h | v_h] for h = 0, 1, …
    t[`${p}attention.query_key_value.weight`] = weight(rng, [3 * d, d], d);
    if (withBias) t[`${p}attention.query_key_value.bias`] = bias(rng, 3 * d);
    t[`${p}attention.dense.weight`] = weight(rng, [d, d], d);
    if (withBias) t[`${p}attention.dense.bias`] = bias(rng, d);
    t[`${p}mlp.dense_h_to_4h.weight`] = weight(rng, [s.intermediate, d], d);
    t[`${p}mlp.dense_h_to_4h.bias`] = bias(rng, s.intermediate);
    t[`${p}mlp.dense_4h_to_h.weight`] = weight(rng, [d, s.intermediate], s.intermediate);
    t[`${p}mlp.dense_4h_to_h.bias`] = bias(rng, d);
  }
  t['gpt_neox.final_layer_norm.weight'] = normWeight(rng, d);
  t['gpt_neox.final_layer_norm.bias'] = bias(rng, d);
  if (!s.tied) t['embed_out.weight'] = weight(rng, [s.vocabSize, d], d);
  return t;
}

function phi3Tensors(s: TinyShape, rng: Rng): Record<string, TensorToWrite> {
  const d = s.hidden;
  const qkvRows = (s.heads + 2 * s.kvHeads) * s.headDim;
  const t: Record<string, TensorToWrite> = { 'model.embed_tokens.weight': embedding(rng, s.vocabSize, d, 0.2) };
  for (let i = 0; i < s.layers; i++) {
    const p = `model.layers.${i}.`;
    t[`${p}input_layernorm.weight`] = normWeight(rng, d);
    // Fused projections, no biases: qkv_proj rows [q | k | v], gate_up_proj rows [gate | up].
    t[`${p}self_attn.qkv_proj.weight`] = weight(rng, [qkvRows, d], d);
    t[`${p}self_attn.o_proj.weight`] = weight(rng, [d, s.heads * s.headDim], s.heads * s.headDim);
    t[`${p}post_attention_layernorm.weight`] = normWeight(rng, d);
    t[`${p}mlp.gate_up_proj.weight`] = weight(rng, [2 * s.intermediate, d], d);
    t[`${p}mlp.down_proj.weight`] = weight(rng, [d, s.intermediate], s.intermediate);
  }
  t['model.norm.weight'] = normWeight(rng, d);
  if (!s.tied) t['lm_head.weight'] = weight(rng, [s.vocabSize, d], d);
  return t;
}

/** As google/gemma-2b, gemma-2-2b and gemma-3-270m config.json (Gemma 3 text: model_type gemma3_text). */
function gemmaConfigJson(options: TinyCheckpointOptions, s: TinyShape, common: Record<string, unknown>): Record<string, unknown> {
  const { rope_scaling: _scaling, ...rest } = common;
  const base = { ...rest, attention_bias: false, head_dim: s.headDim, hidden_activation: 'gelu_pytorch_tanh', rms_norm_eps: 1e-6 };
  if (options.family === 'gemma') return { ...base, hidden_act: 'gelu', rope_theta: options.ropeTheta ?? 10000 };
  const pattern = options.slidingPattern ?? 2;
  const layered = {
    ...base,
    layer_types: Array.from({ length: s.layers }, (_, i) => ((i + 1) % pattern ? 'sliding_attention' : 'full_attention')),
    query_pre_attn_scalar: options.queryPreAttnScalar ?? s.headDim,
    sliding_window: options.slidingWindow ?? s.maxPositions,
  };
  if (options.family === 'gemma2') {
    const [attention, final] = options.softcaps ?? [50, 30];
    return { ...layered, attn_logit_softcapping: attention, cache_implementation: 'hybrid', final_logit_softcapping: final, rope_theta: options.ropeTheta ?? 10000 };
  }
  return {
    ...layered,
    _sliding_window_pattern: pattern,
    attn_logit_softcapping: null,
    final_logit_softcapping: null,
    model_type: 'gemma3_text',
    rope_local_base_freq: 10000,
    rope_scaling: null,
    rope_theta: options.ropeTheta ?? 1_000_000,
    use_bidirectional_attention: false,
  };
}

const TORCH_DTYPE: Record<DType, string> = { F32: 'float32', F16: 'float16', BF16: 'bfloat16' };

const HF_ARCHITECTURE: Record<TinyFamily, string> = {
  gpt2: 'GPT2LMHeadModel',
  llama: 'LlamaForCausalLM',
  qwen2: 'Qwen2ForCausalLM',
  qwen3: 'Qwen3ForCausalLM',
  mistral: 'MistralForCausalLM',
  phi3: 'Phi3ForCausalLM',
  gemma: 'GemmaForCausalLM',
  gemma2: 'Gemma2ForCausalLM',
  gemma3: 'Gemma3ForCausalLM',
  gpt_neox: 'GPTNeoXForCausalLM',
};

function modelConfigJson(options: TinyCheckpointOptions, s: TinyShape, tokenizer: TinyTokenizer, dtype: DType): Record<string, unknown> {
  const { bosTokenId, eosTokenId } = tokenizer;
  if (options.family === 'gpt2') {
    return {
      activation_function: 'gelu_new',
      architectures: ['GPT2LMHeadModel'],
      attn_pdrop: 0.1,
      bos_token_id: bosTokenId,
      embd_pdrop: 0.1,
      eos_token_id: eosTokenId,
      initializer_range: 0.02,
      layer_norm_epsilon: 1e-5,
      model_type: 'gpt2',
      n_ctx: s.maxPositions,
      n_embd: s.hidden,
      n_head: s.heads,
      n_inner: options.intermediateSize === undefined ? null : s.intermediate,
      n_layer: s.layers,
      n_positions: s.maxPositions,
      resid_pdrop: 0.1,
      torch_dtype: TORCH_DTYPE[dtype],
      vocab_size: s.vocabSize,
    };
  }
  if (options.family === 'gpt_neox') {
    // As EleutherAI/pythia-* config.json.
    return {
      architectures: ['GPTNeoXForCausalLM'],
      attention_bias: options.attentionBias ?? true,
      attention_dropout: 0.0,
      bos_token_id: bosTokenId ?? eosTokenId,
      classifier_dropout: 0.1,
      eos_token_id: eosTokenId,
      hidden_act: options.hiddenAct ?? 'gelu',
      hidden_dropout: 0.0,
      hidden_size: s.hidden,
      initializer_range: 0.02,
      intermediate_size: s.intermediate,
      layer_norm_eps: 1e-5,
      max_position_embeddings: s.maxPositions,
      model_type: 'gpt_neox',
      num_attention_heads: s.heads,
      num_hidden_layers: s.layers,
      rope_scaling: null,
      rotary_emb_base: options.ropeTheta ?? 10000,
      rotary_pct: options.rotaryPct ?? 0.25,
      tie_word_embeddings: s.tied,
      torch_dtype: TORCH_DTYPE[dtype],
      use_cache: true,
      use_parallel_residual: options.parallelResidual ?? true,
      vocab_size: s.vocabSize,
    };
  }
  const isQwen = options.family === 'qwen2' || options.family === 'qwen3';
  const ropeScaling =
    options.ropeScaling === 'llama3'
      ? {
          // Chosen so the tiny head_dim spans all three llama3 regimes (kept, interpolated, scaled).
          factor: 4.0,
          high_freq_factor: 4.0,
          low_freq_factor: 1.0,
          original_max_position_embeddings: 16,
          rope_type: 'llama3',
        }
      : options.ropeScaling === 'linear'
        ? { factor: 2.0, rope_type: 'linear' }
        : null;
  const common: Record<string, unknown> = {
    architectures: [HF_ARCHITECTURE[options.family]],
    attention_dropout: 0.0,
    bos_token_id: bosTokenId,
    eos_token_id: eosTokenId,
    hidden_act: 'silu',
    hidden_size: s.hidden,
    initializer_range: 0.02,
    intermediate_size: s.intermediate,
    max_position_embeddings: s.maxPositions,
    model_type: options.family,
    num_attention_heads: s.heads,
    num_hidden_layers: s.layers,
    num_key_value_heads: s.kvHeads,
    rms_norm_eps: isQwen ? 1e-6 : 1e-5,
    rope_scaling: ropeScaling,
    rope_theta: options.ropeTheta ?? (isQwen ? 1_000_000 : 10_000),
    tie_word_embeddings: s.tied,
    torch_dtype: TORCH_DTYPE[dtype],
    use_cache: true,
    vocab_size: s.vocabSize,
  };
  if (options.headDim !== undefined || options.family === 'qwen3') common.head_dim = s.headDim; // Qwen3Config's default is 128
  if (options.family === 'qwen2') {
    return { ...common, max_window_layers: s.layers, sliding_window: s.maxPositions, use_sliding_window: false };
  }
  if (options.family === 'qwen3') {
    return { ...common, attention_bias: options.attentionBias === true, max_window_layers: s.layers, sliding_window: null, use_sliding_window: false };
  }
  if (options.family === 'mistral') return { ...common, sliding_window: options.slidingWindow ?? null };
  if (options.family.startsWith('gemma')) return gemmaConfigJson(options, s, common);
  if (options.family === 'phi3') {
    // As microsoft/Phi-3.5-mini-instruct: LongRoPE extends original_max_position_embeddings 4× here.
    const rotaryHalf = Math.floor(s.headDim * (options.partialRotaryFactor ?? 1)) / 2;
    const factors = (from: number, step: number) => Array.from({ length: rotaryHalf }, (_, j) => from + step * j);
    return {
      ...common,
      embd_pdrop: 0.0,
      original_max_position_embeddings: options.longRope ? s.maxPositions / 4 : s.maxPositions,
      ...(options.partialRotaryFactor !== undefined ? { partial_rotary_factor: options.partialRotaryFactor } : {}),
      resid_pdrop: 0.0,
      rope_scaling: options.longRope ? { long_factor: factors(1.5, 3), short_factor: factors(1, 0.75), type: 'longrope' } : null,
      sliding_window: options.slidingWindow ?? null,
    };
  }
  return { ...common, attention_bias: options.attentionBias === true, mlp_bias: options.mlpBias === true, pretraining_tp: 1 };
}

// ---------------------------------------------------------------- tiny byte-level BPE tokenizer

export interface TinyTokenizer {
  tokenizerJson: Record<string, unknown>;
  tokenizerConfig: Record<string, unknown>;
  bosTokenId: number | null;
  eosTokenId: number;
  /** Ids used by the tokenizer (256 bytes + merges + special tokens) — at most the model's vocabSize. */
  size: number;
}

/** Special tokens per family, in id order after the BPE vocabulary. */
const SPECIAL_TOKENS: Record<TinyFamily, { tokens: string[]; bos: string | null; eos: string; addBos: boolean }> = {
  gpt2: { tokens: ['<|endoftext|>'], bos: '<|endoftext|>', eos: '<|endoftext|>', addBos: false },
  llama: { tokens: ['<|begin_of_text|>', '<|end_of_text|>'], bos: '<|begin_of_text|>', eos: '<|end_of_text|>', addBos: true },
  qwen2: { tokens: ['<|endoftext|>', '<|im_start|>', '<|im_end|>'], bos: null, eos: '<|endoftext|>', addBos: false },
  qwen3: { tokens: ['<|endoftext|>', '<|im_start|>', '<|im_end|>'], bos: null, eos: '<|endoftext|>', addBos: false },
  mistral: { tokens: ['<unk>', '<s>', '</s>'], bos: '<s>', eos: '</s>', addBos: true },
  phi3: { tokens: ['<unk>', '<s>', '</s>', '<|endoftext|>'], bos: '<s>', eos: '<|endoftext|>', addBos: false },
  gemma: { tokens: ['<pad>', '<eos>', '<bos>', '<unk>'], bos: '<bos>', eos: '<eos>', addBos: true },
  gemma2: { tokens: ['<pad>', '<eos>', '<bos>', '<unk>'], bos: '<bos>', eos: '<eos>', addBos: true },
  gemma3: { tokens: ['<pad>', '<eos>', '<bos>', '<unk>'], bos: '<bos>', eos: '<eos>', addBos: true },
  gpt_neox: { tokens: ['<|endoftext|>'], bos: '<|endoftext|>', eos: '<|endoftext|>', addBos: false },
};

const TOKENIZER_CLASS: Record<TinyFamily, string> = {
  gpt2: 'GPT2Tokenizer',
  llama: 'PreTrainedTokenizerFast',
  qwen2: 'Qwen2Tokenizer',
  qwen3: 'Qwen2Tokenizer',
  mistral: 'LlamaTokenizer',
  phi3: 'LlamaTokenizer',
  gemma: 'GemmaTokenizer',
  gemma2: 'GemmaTokenizer',
  gemma3: 'GemmaTokenizer',
  gpt_neox: 'GPTNeoXTokenizer',
};

/** Training text for the merges: plain English so common words become single tokens. */
const CORPUS = [
  'The quick brown fox jumps over the lazy dog. The dog sleeps in the sun, and the fox runs into the forest.',
  'Language models predict the next token from the tokens that came before it. Attribution asks which of those',
  'earlier tokens mattered most for the prediction. In the beginning there was the word, and the word was the',
  'token. Then there were many tokens, and they were all in the context of the model. Hello world! Hello there.',
  'It is 2024 and there are 365 days in a year; 12 months, 52 weeks. She said: "this is the one that I wanted."',
].join(' ');

/** GPT-2's reversible byte → printable character mapping used by ByteLevel pre-tokenizers. */
export function bytesToUnicode(): string[] {
  const printable: number[] = [];
  for (let b = 0x21; b <= 0x7e; b++) printable.push(b);
  for (let b = 0xa1; b <= 0xac; b++) printable.push(b);
  for (let b = 0xae; b <= 0xff; b++) printable.push(b);
  const map: string[] = new Array(256);
  let extra = 0;
  for (let b = 0; b < 256; b++) {
    map[b] = printable.includes(b) ? String.fromCharCode(b) : String.fromCharCode(256 + extra++);
  }
  return map;
}

// GPT-2's pre-tokenization regex (what the ByteLevel pre-tokenizer uses with use_regex: true).
const GPT2_SPLIT = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;

// Training is deterministic, so fixtures built in a loop share the result.
const mergesCache = new Map<number, Array<[string, string]>>();

/** Greedy BPE training on CORPUS: the most frequent adjacent pair wins, ties broken by string order. */
function trainMerges(maxMerges: number): Array<[string, string]> {
  let merges = mergesCache.get(maxMerges);
  if (!merges) {
    merges = trainMergesUncached(maxMerges);
    mergesCache.set(maxMerges, merges);
  }
  return merges.map(([left, right]) => [left, right]);
}

function trainMergesUncached(maxMerges: number): Array<[string, string]> {
  const byteChars = bytesToUnicode();
  const encoder = new TextEncoder();
  const wordCounts = new Map<string, number>();
  for (const piece of CORPUS.match(GPT2_SPLIT) ?? []) {
    const mapped = Array.from(encoder.encode(piece), (b) => byteChars[b]).join('');
    wordCounts.set(mapped, (wordCounts.get(mapped) ?? 0) + 1);
  }
  const words = [...wordCounts].map(([word, count]) => ({ symbols: Array.from(word), count }));
  const merges: Array<[string, string]> = [];
  while (merges.length < maxMerges) {
    const pairCounts = new Map<string, number>();
    for (const { symbols, count } of words) {
      for (let i = 0; i + 1 < symbols.length; i++) {
        const key = `${symbols[i]} ${symbols[i + 1]}`;
        pairCounts.set(key, (pairCounts.get(key) ?? 0) + count);
      }
    }
    let best: string | null = null;
    let bestCount = 0;
    for (const [key, count] of pairCounts) {
      if (count > bestCount || (count === bestCount && best !== null && key < best)) {
        best = key;
        bestCount = count;
      }
    }
    if (best === null) break; // every word is a single token already
    const [left, right] = best.split(' ') as [string, string];
    merges.push([left, right]);
    for (const word of words) {
      const merged: string[] = [];
      for (let i = 0; i < word.symbols.length; i++) {
        if (i + 1 < word.symbols.length && word.symbols[i] === left && word.symbols[i + 1] === right) {
          merged.push(left + right);
          i++;
        } else {
          merged.push(word.symbols[i]!);
        }
      }
      word.symbols = merged;
    }
  }
  return merges;
}

/** A valid Hugging Face tokenizer.json (byte-level BPE) and tokenizer_config.json for `family`. */
export function makeTinyTokenizer(family: TinyFamily, vocabSize: number): TinyTokenizer {
  const specials = SPECIAL_TOKENS[family];
  const maxMerges = vocabSize - 256 - specials.tokens.length;
  if (maxMerges < 0) {
    throw new Error(`makeTinyTokenizer: vocabSize ${vocabSize} is below 256 bytes + ${specials.tokens.length} special tokens`);
  }
  const vocab: Record<string, number> = {};
  bytesToUnicode().forEach((char, byte) => (vocab[char] = byte));
  const merges = trainMerges(maxMerges);
  for (const [left, right] of merges) vocab[left + right] = Object.keys(vocab).length;
  const specialIds: Record<string, number> = {};
  for (const token of specials.tokens) specialIds[token] = Object.keys(vocab).length + Object.keys(specialIds).length;

  const addedTokens = specials.tokens.map((content) => ({
    id: specialIds[content],
    content,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: true,
  }));
  const bosId = specials.bos === null ? null : specialIds[specials.bos]!;
  const byteLevel = { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true };
  const postProcessor =
    specials.addBos && specials.bos !== null
      ? {
          // Llama 3 style: prepend BOS to every sequence.
          type: 'TemplateProcessing',
          single: [{ SpecialToken: { id: specials.bos, type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }],
          pair: [
            { SpecialToken: { id: specials.bos, type_id: 0 } },
            { Sequence: { id: 'A', type_id: 0 } },
            { SpecialToken: { id: specials.bos, type_id: 1 } },
            { Sequence: { id: 'B', type_id: 1 } },
          ],
          special_tokens: { [specials.bos]: { id: specials.bos, ids: [bosId], tokens: [specials.bos] } },
        }
      : { ...byteLevel, trim_offsets: false };

  const tokenizerJson = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: addedTokens,
    normalizer: null,
    pre_tokenizer: byteLevel,
    post_processor: postProcessor,
    decoder: byteLevel,
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: '',
      end_of_word_suffix: '',
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      vocab: { ...vocab, ...specialIds },
      merges,
    },
  };
  const tokenizerConfig: Record<string, unknown> = {
    add_prefix_space: false,
    added_tokens_decoder: Object.fromEntries(addedTokens.map(({ id, ...rest }) => [String(id), rest])),
    bos_token: specials.bos,
    clean_up_tokenization_spaces: false,
    eos_token: specials.eos,
    model_max_length: 1024,
    tokenizer_class: TOKENIZER_CLASS[family],
  };
  if (family !== 'llama') tokenizerConfig.unk_token = family === 'gpt2' || family === 'gpt_neox' ? '<|endoftext|>' : family === 'mistral' || family === 'phi3' || family.startsWith('gemma') ? '<unk>' : null;
  if (family === 'qwen2' || family === 'qwen3') tokenizerConfig.pad_token = '<|endoftext|>';
  // Llama/Gemma tokenizer classes take BOS/EOS from these (transformers rebuilds the post-processor).
  if (TOKENIZER_CLASS[family] === 'LlamaTokenizer' || TOKENIZER_CLASS[family] === 'GemmaTokenizer') {
    Object.assign(tokenizerConfig, { add_bos_token: specials.addBos, add_eos_token: false });
  }
  return {
    tokenizerJson,
    tokenizerConfig,
    bosTokenId: bosId,
    eosTokenId: specialIds[specials.eos]!,
    size: 256 + merges.length + specials.tokens.length,
  };
}
