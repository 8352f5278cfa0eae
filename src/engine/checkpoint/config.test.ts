import { describe, expect, it } from 'vitest';
import { parseModelConfig } from './config';
import { CheckpointError } from './errors';

// Abbreviated copies of real config.json files.
const gpt2 = {
  activation_function: 'gelu_new',
  architectures: ['GPT2LMHeadModel'],
  bos_token_id: 50256,
  eos_token_id: 50256,
  layer_norm_epsilon: 1e-5,
  model_type: 'gpt2',
  n_ctx: 1024,
  n_embd: 768,
  n_head: 12,
  n_inner: null,
  n_layer: 12,
  n_positions: 1024,
  vocab_size: 50257,
};

const llama32 = {
  architectures: ['LlamaForCausalLM'],
  attention_bias: false,
  bos_token_id: 128000,
  eos_token_id: [128001, 128008, 128009],
  head_dim: 64,
  hidden_act: 'silu',
  hidden_size: 2048,
  intermediate_size: 8192,
  max_position_embeddings: 131072,
  mlp_bias: false,
  model_type: 'llama',
  num_attention_heads: 32,
  num_hidden_layers: 16,
  num_key_value_heads: 8,
  rms_norm_eps: 1e-5,
  rope_scaling: { factor: 32.0, high_freq_factor: 4.0, low_freq_factor: 1.0, original_max_position_embeddings: 8192, rope_type: 'llama3' },
  rope_theta: 500000.0,
  tie_word_embeddings: true,
  vocab_size: 128256,
};

const smollm = {
  architectures: ['LlamaForCausalLM'],
  bos_token_id: 0,
  eos_token_id: 0,
  hidden_act: 'silu',
  hidden_size: 576,
  intermediate_size: 1536,
  max_position_embeddings: 2048,
  num_attention_heads: 9,
  num_hidden_layers: 30,
  num_key_value_heads: 3,
  rms_norm_eps: 1e-5,
  rope_scaling: null,
  tie_word_embeddings: true,
  vocab_size: 49152,
};

const qwen25 = {
  architectures: ['Qwen2ForCausalLM'],
  bos_token_id: 151643,
  eos_token_id: 151643,
  hidden_act: 'silu',
  hidden_size: 896,
  intermediate_size: 4864,
  max_position_embeddings: 32768,
  max_window_layers: 24,
  model_type: 'qwen2',
  num_attention_heads: 14,
  num_hidden_layers: 24,
  num_key_value_heads: 2,
  rms_norm_eps: 1e-6,
  rope_theta: 1000000.0,
  sliding_window: 32768,
  tie_word_embeddings: true,
  use_sliding_window: false,
  vocab_size: 151936,
};

const qwen3 = {
  architectures: ['Qwen3ForCausalLM'],
  attention_bias: false,
  bos_token_id: 151643,
  eos_token_id: 151645,
  head_dim: 128,
  hidden_act: 'silu',
  hidden_size: 1024,
  intermediate_size: 3072,
  max_position_embeddings: 40960,
  max_window_layers: 28,
  model_type: 'qwen3',
  num_attention_heads: 16,
  num_hidden_layers: 28,
  num_key_value_heads: 8,
  rms_norm_eps: 1e-6,
  rope_scaling: null,
  rope_theta: 1000000,
  sliding_window: null,
  tie_word_embeddings: true,
  use_sliding_window: false,
  vocab_size: 151936,
};

const mistral7b = {
  architectures: ['MistralForCausalLM'],
  bos_token_id: 1,
  eos_token_id: 2,
  hidden_act: 'silu',
  hidden_size: 4096,
  intermediate_size: 14336,
  max_position_embeddings: 32768,
  model_type: 'mistral',
  num_attention_heads: 32,
  num_hidden_layers: 32,
  num_key_value_heads: 8,
  rms_norm_eps: 1e-5,
  rope_theta: 10000.0,
  sliding_window: 4096,
  tie_word_embeddings: false,
  vocab_size: 32000,
};

// microsoft/Phi-3.5-mini-instruct (its 48 LongRoPE factors replaced by made-up ones of the same length).
const phi35mini = {
  architectures: ['Phi3ForCausalLM'],
  bos_token_id: 1,
  eos_token_id: 32000,
  hidden_act: 'silu',
  hidden_size: 3072,
  intermediate_size: 8192,
  max_position_embeddings: 131072,
  model_type: 'phi3',
  num_attention_heads: 32,
  num_hidden_layers: 32,
  num_key_value_heads: 32,
  original_max_position_embeddings: 4096,
  rms_norm_eps: 1e-5,
  rope_scaling: { long_factor: Array.from({ length: 48 }, (_, j) => 1 + j), short_factor: Array.from({ length: 48 }, (_, j) => 1 + j / 100), type: 'longrope' },
  rope_theta: 10000.0,
  sliding_window: 262144,
  tie_word_embeddings: false,
  vocab_size: 32064,
};

// google/gemma-3-270m (layer_types abbreviated to its first 6 of 18 layers).
const gemma3_270m = {
  _sliding_window_pattern: 6,
  architectures: ['Gemma3ForCausalLM'],
  attention_bias: false,
  attn_logit_softcapping: null,
  bos_token_id: 2,
  eos_token_id: 1,
  final_logit_softcapping: null,
  head_dim: 256,
  hidden_activation: 'gelu_pytorch_tanh',
  hidden_size: 640,
  intermediate_size: 2048,
  layer_types: ['sliding_attention', 'sliding_attention', 'sliding_attention', 'sliding_attention', 'sliding_attention', 'full_attention'],
  max_position_embeddings: 32768,
  model_type: 'gemma3_text',
  num_attention_heads: 4,
  num_hidden_layers: 6,
  num_key_value_heads: 1,
  query_pre_attn_scalar: 256,
  rms_norm_eps: 1e-6,
  rope_local_base_freq: 10000.0,
  rope_scaling: null,
  rope_theta: 1000000.0,
  sliding_window: 512,
  use_bidirectional_attention: false,
  vocab_size: 262144,
};

// google/gemma-2-2b (no layer_types: every other layer slides).
const gemma2_2b = {
  architectures: ['Gemma2ForCausalLM'],
  attn_logit_softcapping: 50.0,
  bos_token_id: 2,
  eos_token_id: 1,
  final_logit_softcapping: 30.0,
  head_dim: 256,
  hidden_act: 'gelu_pytorch_tanh',
  hidden_activation: 'gelu_pytorch_tanh',
  hidden_size: 2304,
  intermediate_size: 9216,
  max_position_embeddings: 8192,
  model_type: 'gemma2',
  num_attention_heads: 8,
  num_hidden_layers: 26,
  num_key_value_heads: 4,
  query_pre_attn_scalar: 256,
  rms_norm_eps: 1e-6,
  rope_theta: 10000.0,
  sliding_window: 4096,
  vocab_size: 256000,
};

const pythia70m = {
  architectures: ['GPTNeoXForCausalLM'],
  bos_token_id: 0,
  eos_token_id: 0,
  hidden_act: 'gelu',
  hidden_size: 512,
  intermediate_size: 2048,
  layer_norm_eps: 1e-5,
  max_position_embeddings: 2048,
  model_type: 'gpt_neox',
  num_attention_heads: 8,
  num_hidden_layers: 6,
  rotary_emb_base: 10000,
  rotary_pct: 0.25,
  tie_word_embeddings: false,
  use_parallel_residual: true,
  vocab_size: 50304,
};

function expectConfigError(json: unknown, ...fragments: string[]): void {
  let caught: unknown;
  try {
    parseModelConfig(json);
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(CheckpointError);
  for (const fragment of fragments) expect((caught as Error).message).toContain(fragment);
}

describe('parseModelConfig', () => {
  it('GPT-2', () => {
    expect(parseModelConfig(gpt2)).toEqual({
      architecture: 'gpt2',
      hfArchitecture: 'GPT2LMHeadModel',
      vocabSize: 50257,
      hiddenSize: 768,
      numLayers: 12,
      numHeads: 12,
      numKvHeads: 12,
      headDim: 64,
      intermediateSize: 3072,
      maxPositions: 1024,
      normEps: 1e-5,
      norm: 'layernorm',
      mlp: 'gelu_new',
      positions: 'learned',
      ropeTheta: 10000,
      ropeScaling: { type: 'none' },
      qkvBias: true,
      outBias: true,
      mlpBias: true,
      tieWordEmbeddings: true,
      bosTokenId: 50256,
      eosTokenId: 50256,
    });
    expect(parseModelConfig({ ...gpt2, n_inner: 1000, activation_function: 'gelu_pytorch_tanh' }).intermediateSize).toBe(1000);
  });

  it('GPT-2 rejects settings that change the math', () => {
    expectConfigError({ ...gpt2, activation_function: 'relu' }, 'activation_function "relu"', 'gelu_new');
    expectConfigError({ ...gpt2, scale_attn_by_inverse_layer_idx: true }, 'scale_attn_by_inverse_layer_idx');
    expectConfigError({ ...gpt2, tie_word_embeddings: false }, 'tie_word_embeddings');
    expectConfigError({ ...gpt2, n_head: 7 }, 'n_embd 768 is not divisible by n_head 7');
  });

  it('Llama 3.2 with llama3 rope scaling, GQA, explicit head_dim and an eos list', () => {
    const config = parseModelConfig(llama32);
    expect(config).toMatchObject({
      architecture: 'llama',
      hfArchitecture: 'LlamaForCausalLM',
      numHeads: 32,
      numKvHeads: 8,
      headDim: 64,
      intermediateSize: 8192,
      maxPositions: 131072,
      normEps: 1e-5,
      norm: 'rmsnorm',
      mlp: 'swiglu',
      positions: 'rope',
      ropeTheta: 500000,
      qkvBias: false,
      outBias: false,
      mlpBias: false,
      tieWordEmbeddings: true,
      bosTokenId: 128000,
      eosTokenId: 128001,
    });
    expect(config.ropeScaling).toEqual({
      type: 'llama3',
      factor: 32,
      lowFreqFactor: 1,
      highFreqFactor: 4,
      originalMaxPositionEmbeddings: 8192,
    });
  });

  it('SmolLM (Llama, tied) with defaults', () => {
    const config = parseModelConfig(smollm);
    expect(config).toMatchObject({ architecture: 'llama', headDim: 64, numKvHeads: 3, ropeTheta: 10000, tieWordEmbeddings: true });
    expect(config.ropeScaling).toEqual({ type: 'none' });
    const minimal = parseModelConfig({ ...smollm, num_key_value_heads: undefined, tie_word_embeddings: undefined, rms_norm_eps: undefined });
    expect(minimal).toMatchObject({ numKvHeads: 9, tieWordEmbeddings: false, normEps: 1e-6 });
  });

  it('Llama biases and linear rope scaling (old "type" spelling)', () => {
    const config = parseModelConfig({ ...smollm, attention_bias: true, mlp_bias: false, rope_scaling: { type: 'linear', factor: 2 } });
    expect(config).toMatchObject({ qkvBias: true, outBias: true, mlpBias: false, ropeScaling: { type: 'linear', factor: 2 } });
    expect(parseModelConfig({ ...smollm, mlp_bias: true })).toMatchObject({ qkvBias: false, outBias: false, mlpBias: true });
  });

  it('transformers v5 rope_parameters', () => {
    const { rope_theta: _theta, rope_scaling: _scaling, ...rest } = llama32;
    const config = parseModelConfig({ ...rest, rope_parameters: { rope_type: 'default', rope_theta: 250000 } });
    expect(config.ropeTheta).toBe(250000);
    expect(config.ropeScaling).toEqual({ type: 'none' });
  });

  it('Qwen2', () => {
    const config = parseModelConfig(qwen25);
    expect(config).toMatchObject({
      architecture: 'qwen2',
      hfArchitecture: 'Qwen2ForCausalLM',
      headDim: 64,
      numKvHeads: 2,
      ropeTheta: 1000000,
      normEps: 1e-6,
      qkvBias: true,
      outBias: false,
      mlpBias: false,
      tieWordEmbeddings: true,
      eosTokenId: 151643,
    });
    const defaults = parseModelConfig({ ...qwen25, rope_theta: undefined, tie_word_embeddings: undefined });
    expect(defaults).toMatchObject({ ropeTheta: 1000000, tieWordEmbeddings: false });
    expectConfigError({ ...qwen25, use_sliding_window: true }, 'use_sliding_window');
  });

  it('Qwen3: q/k norms, head_dim 128 by default, attention_bias', () => {
    const config = parseModelConfig(qwen3);
    expect(config).toMatchObject({
      architecture: 'qwen3',
      hfArchitecture: 'Qwen3ForCausalLM',
      hiddenSize: 1024,
      numHeads: 16,
      numKvHeads: 8,
      headDim: 128,
      maxPositions: 40960,
      ropeTheta: 1000000,
      qkvBias: false,
      outBias: false,
      mlpBias: false,
      tieWordEmbeddings: true,
      qkNorm: true,
    });
    expect(config.slidingWindow).toBeUndefined();
    expect(parseModelConfig({ ...qwen3, head_dim: undefined }).headDim).toBe(128); // Qwen3Config default, not 1024 / 16
    expect(parseModelConfig({ ...qwen3, attention_bias: true })).toMatchObject({ qkvBias: true, outBias: true });
    expectConfigError({ ...qwen3, use_sliding_window: true }, 'use_sliding_window');
  });

  it('Mistral: Llama layout, sliding_window (MistralConfig default 4096; null = full attention)', () => {
    const config = parseModelConfig(mistral7b);
    expect(config).toMatchObject({
      architecture: 'mistral',
      numHeads: 32,
      numKvHeads: 8,
      headDim: 128,
      slidingWindow: 4096,
      qkvBias: false,
      outBias: false,
      mlpBias: false,
      tieWordEmbeddings: false,
    });
    expect(parseModelConfig({ ...mistral7b, sliding_window: null }).slidingWindow).toBeUndefined();
    expect(parseModelConfig({ ...mistral7b, sliding_window: undefined }).slidingWindow).toBe(4096);
    // A window as long as the context cannot mask anything, so it is not built.
    expect(parseModelConfig({ ...mistral7b, sliding_window: 32768 }).slidingWindow).toBeUndefined();
    expectConfigError({ ...mistral7b, sliding_window: 0 }, 'sliding_window must be a positive integer');
  });

  it('Phi-3: LongRoPE short regime (context capped at original_max_position_embeddings), sliding window, partial rotary', () => {
    const config = parseModelConfig(phi35mini);
    expect(config).toMatchObject({ architecture: 'phi3', headDim: 96, numKvHeads: 32, maxPositions: 4096, qkvBias: false, outBias: false, mlpBias: false });
    // factor = 131072 / 4096 = 32 → attention factor √(1 + ln 32 / ln 4096)
    expect(config.ropeScaling).toEqual({ type: 'longrope', shortFactor: phi35mini.rope_scaling.short_factor, attentionFactor: Math.sqrt(1 + Math.log(32) / Math.log(4096)) });
    expect(config.slidingWindow).toBeUndefined(); // 262144 ≥ the context
    expect(config.rotaryDim).toBeUndefined();
    expect(parseModelConfig({ ...phi35mini, rope_scaling: { ...phi35mini.rope_scaling, type: 'su', attention_factor: 1.5 } }).ropeScaling).toMatchObject({ type: 'longrope', attentionFactor: 1.5 });
    expectConfigError({ ...phi35mini, rope_scaling: { ...phi35mini.rope_scaling, short_factor: [1, 2] } }, 'short_factor must list 48');
    // Phi-3-mini-4k: no rope scaling, window 2047 of 4096.
    const mini4k = { ...phi35mini, max_position_embeddings: 4096, rope_scaling: null, sliding_window: 2047 };
    expect(parseModelConfig(mini4k)).toMatchObject({ maxPositions: 4096, ropeScaling: { type: 'none' }, slidingWindow: 2047 });
    // Phi-4-mini style partial rotary: 3/4 of each head rotates.
    const partial = parseModelConfig({ ...mini4k, partial_rotary_factor: 0.75 });
    expect(partial.rotaryDim).toBe(72);
  });

  it('Gemma 3 text: (1 + w) norms, √d scale, q/k norms, sliding layers with their own RoPE base, tied by default', () => {
    const config = parseModelConfig(gemma3_270m);
    expect(config).toMatchObject({
      architecture: 'gemma3',
      headDim: 256,
      numKvHeads: 1,
      mlp: 'geglu_tanh',
      tieWordEmbeddings: true,
      ropeTheta: 1e6,
      normWeightOffset: 1,
      embeddingScale: Math.sqrt(640),
      sandwichNorms: true,
      queryScale: 1 / 16,
      slidingWindow: 512,
      layerTypes: ['sliding', 'sliding', 'sliding', 'sliding', 'sliding', 'full'],
      qkNorm: true,
      localRopeTheta: 10000,
    });
    expect(config.attentionSoftcap).toBeUndefined();
    expect(config.finalSoftcap).toBeUndefined();
    // Without layer_types, sliding_window_pattern decides (5 of 6 slide).
    const { layer_types: _types, ...patterned } = gemma3_270m;
    expect(parseModelConfig({ ...patterned, num_hidden_layers: 12 }).layerTypes).toEqual([...Array(12).keys()].map((i) => ((i + 1) % 6 ? 'sliding' : 'full')));
    // transformers v5 nests rope settings per layer kind.
    const v5 = { ...gemma3_270m, rope_theta: undefined, rope_local_base_freq: undefined, rope_scaling: undefined,
      rope_parameters: { full_attention: { rope_type: 'linear', factor: 8, rope_theta: 500000 }, sliding_attention: { rope_type: 'default', rope_theta: 20000 } } };
    expect(parseModelConfig(v5)).toMatchObject({ ropeTheta: 500000, ropeScaling: { type: 'linear', factor: 8 }, localRopeTheta: 20000 });
    expectConfigError({ ...gemma3_270m, use_bidirectional_attention: true }, 'use_bidirectional_attention');
    expectConfigError({ ...gemma3_270m, layer_types: ['sliding_attention'] }, 'layer_types lists 1 layers');
    expectConfigError({ ...gemma3_270m, hidden_activation: 'silu' }, 'hidden_activation "silu"');
  });

  it('Gemma 2: soft-capping (Gemma2Config defaults 50 / 30), alternating sliding layers; Gemma 1: no post norms', () => {
    const config = parseModelConfig(gemma2_2b);
    expect(config).toMatchObject({ architecture: 'gemma2', attentionSoftcap: 50, finalSoftcap: 30, slidingWindow: 4096, sandwichNorms: true, tieWordEmbeddings: true });
    expect(config.layerTypes?.slice(0, 4)).toEqual(['sliding', 'full', 'sliding', 'full']);
    expect(config.qkNorm).toBeUndefined();
    const defaults = parseModelConfig({ ...gemma2_2b, attn_logit_softcapping: undefined, final_logit_softcapping: undefined });
    expect([defaults.attentionSoftcap, defaults.finalSoftcap]).toEqual([50, 30]);
    expect(parseModelConfig({ ...gemma2_2b, attn_logit_softcapping: null }).attentionSoftcap).toBeUndefined();
    const gemma1 = parseModelConfig({ ...gemma2_2b, architectures: ['GemmaForCausalLM'], model_type: 'gemma', hidden_activation: undefined, hidden_act: 'gelu' });
    expect(gemma1).toMatchObject({ architecture: 'gemma', mlp: 'geglu', normWeightOffset: 1, tieWordEmbeddings: true });
    expect(gemma1.sandwichNorms).toBeUndefined();
    expect(gemma1.slidingWindow).toBeUndefined();
  });

  it('GPT-NeoX (Pythia): partial rotary, parallel residual, erf GELU, untied embed_out', () => {
    const config = parseModelConfig(pythia70m);
    expect(config).toMatchObject({
      architecture: 'gpt_neox',
      hfArchitecture: 'GPTNeoXForCausalLM',
      vocabSize: 50304,
      hiddenSize: 512,
      numHeads: 8,
      numKvHeads: 8,
      headDim: 64,
      rotaryDim: 16,
      intermediateSize: 2048,
      maxPositions: 2048,
      normEps: 1e-5,
      norm: 'layernorm',
      mlp: 'gelu',
      positions: 'rope',
      ropeTheta: 10000,
      qkvBias: true,
      outBias: true,
      mlpBias: true,
      tieWordEmbeddings: false,
      parallelResidual: true,
      bosTokenId: 0,
      eosTokenId: 0,
    });
    expect(parseModelConfig({ ...pythia70m, use_parallel_residual: false }).parallelResidual).toBe(false);
    expect(parseModelConfig({ ...pythia70m, rotary_pct: 1 }).rotaryDim).toBeUndefined();
    // Newer transformers spell the same settings partial_rotary_factor / rope_theta.
    const { rotary_pct: _pct, rotary_emb_base: _base, ...renamed } = pythia70m;
    expect(parseModelConfig({ ...renamed, partial_rotary_factor: 0.5, rope_theta: 500 })).toMatchObject({ rotaryDim: 32, ropeTheta: 500 });
    expect(parseModelConfig({ ...pythia70m, hidden_act: 'gelu_fast' }).mlp).toBe('gelu_new');
    expectConfigError({ ...pythia70m, hidden_act: 'relu' }, 'hidden_act "relu"', 'gelu');
    expectConfigError({ ...pythia70m, rotary_pct: 0.01 }, 'rotary dims 0');
  });

  it('falls back to model_type when architectures is missing', () => {
    expect(parseModelConfig({ ...pythia70m, architectures: undefined }).hfArchitecture).toBe('GPTNeoXForCausalLM');
    expect(parseModelConfig({ ...gpt2, architectures: undefined }).hfArchitecture).toBe('GPT2LMHeadModel');
  });

  it('rejects unsupported architectures, naming the supported ones', () => {
    expectConfigError({ ...smollm, architectures: ['FalconForCausalLM'] },
      'unsupported architecture FalconForCausalLM',
      'GPT2LMHeadModel, LlamaForCausalLM, Qwen2ForCausalLM, Qwen3ForCausalLM, MistralForCausalLM, Phi3ForCausalLM, GemmaForCausalLM, Gemma2ForCausalLM, Gemma3ForCausalLM, GPTNeoXForCausalLM');
    expectConfigError({ model_type: 'bert' }, 'no "architectures"', 'bert');
    expectConfigError([1], 'not a JSON object');
  });

  it('rejects heads that do not divide the width, and kv heads that do not divide heads', () => {
    expectConfigError({ ...smollm, num_attention_heads: 7 }, 'hidden_size 576 is not divisible by num_attention_heads 7');
    expectConfigError({ ...smollm, num_key_value_heads: 4 }, 'num_attention_heads 9 is not divisible by num_key_value_heads 4');
    // An explicit head_dim lifts the width constraint (e.g. Gemma-like shapes).
    expect(parseModelConfig({ ...smollm, num_attention_heads: 6, num_key_value_heads: 3, head_dim: 128 }).headDim).toBe(128);
  });

  it('rejects unknown rope scaling types by name', () => {
    expectConfigError({ ...llama32, rope_scaling: { rope_type: 'dynamic', factor: 2 } }, 'rope_scaling type "dynamic"', 'llama3');
    expectConfigError({ ...llama32, rope_scaling: { type: 'yarn', factor: 4 } }, '"yarn"');
    expectConfigError({ ...llama32, rope_scaling: { rope_type: 'llama3', factor: 8 } }, 'low_freq_factor');
    expectConfigError({ ...llama32, rope_scaling: { rope_type: 'linear', factor: -1 } }, 'factor must be a positive number');
  });

  it('validates numbers and token ids', () => {
    expectConfigError({ ...smollm, hidden_size: 0 }, 'hidden_size must be a positive integer');
    expectConfigError({ ...smollm, num_hidden_layers: 2.5 }, 'num_hidden_layers');
    expectConfigError({ ...smollm, vocab_size: undefined }, 'missing required field vocab_size');
    expectConfigError({ ...smollm, vocab_size: -5 }, 'vocab_size');
    expectConfigError({ ...smollm, hidden_act: 'gelu' }, 'hidden_act "gelu"');
    expectConfigError({ ...smollm, eos_token_id: 49152 }, 'eos_token_id');
    expect(parseModelConfig({ ...smollm, bos_token_id: null, eos_token_id: undefined })).toMatchObject({ bosTokenId: null, eosTokenId: null });
  });
});
