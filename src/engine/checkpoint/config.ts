// config.json → ModelConfig. Only the three architectures the compiler implements are accepted, and every
// setting that would change the math in a way the compiler does not implement fails here, by name,
// instead of producing a silently wrong model.

import { CheckpointError } from './errors';
import type { Architecture, ModelConfig, RopeScaling } from './types';

export const SUPPORTED_ARCHITECTURES = ['GPT2LMHeadModel', 'LlamaForCausalLM', 'Qwen2ForCausalLM'] as const;

const FILE = 'config.json';

/** Fallback when `architectures` is absent (some hand-written configs only carry `model_type`). */
const MODEL_TYPE_TO_ARCHITECTURE: Record<string, string> = {
  gpt2: 'GPT2LMHeadModel',
  llama: 'LlamaForCausalLM',
  qwen2: 'Qwen2ForCausalLM',
};

function fail(message: string): never {
  throw new CheckpointError(`${FILE}: ${message}`, { file: FILE });
}

export function parseModelConfig(json: unknown): ModelConfig {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) fail('is not a JSON object');
  const raw = json as Record<string, unknown>;
  const hfArchitecture = readArchitecture(raw);
  switch (hfArchitecture) {
    case 'GPT2LMHeadModel':
      return parseGpt2(raw, hfArchitecture);
    case 'LlamaForCausalLM':
      return parseLlamaLike(raw, hfArchitecture, 'llama');
    case 'Qwen2ForCausalLM':
      return parseLlamaLike(raw, hfArchitecture, 'qwen2');
    default:
      return fail(`unsupported architecture ${hfArchitecture}; supported: ${SUPPORTED_ARCHITECTURES.join(', ')}`);
  }
}

function readArchitecture(raw: Record<string, unknown>): string {
  const architectures = raw.architectures;
  if (Array.isArray(architectures) && architectures.length > 0) {
    if (typeof architectures[0] !== 'string') fail('"architectures"[0] is not a string');
    if (architectures.length > 1) {
      fail(`lists several architectures (${architectures.join(', ')}); expected exactly one of ${SUPPORTED_ARCHITECTURES.join(', ')}`);
    }
    return architectures[0];
  }
  if (architectures !== undefined && architectures !== null && !Array.isArray(architectures)) {
    fail('"architectures" is not an array');
  }
  const modelType = raw.model_type;
  if (typeof modelType === 'string' && modelType in MODEL_TYPE_TO_ARCHITECTURE) return MODEL_TYPE_TO_ARCHITECTURE[modelType]!;
  return fail(
    `has no "architectures" entry${typeof modelType === 'string' ? ` (model_type ${modelType})` : ''}; supported: ${SUPPORTED_ARCHITECTURES.join(', ')}`,
  );
}

// ---------- GPT-2 ----------

function parseGpt2(raw: Record<string, unknown>, hfArchitecture: string): ModelConfig {
  const vocabSize = positiveInt(raw, 'vocab_size');
  const hiddenSize = positiveInt(raw, 'n_embd');
  const numLayers = positiveInt(raw, 'n_layer');
  const numHeads = positiveInt(raw, 'n_head');
  const maxPositions = raw.n_positions === undefined ? positiveInt(raw, 'n_ctx') : positiveInt(raw, 'n_positions');
  const intermediateSize = optionalPositiveInt(raw, 'n_inner') ?? 4 * hiddenSize;
  const normEps = positiveNumber(raw, 'layer_norm_epsilon', 1e-5);

  const activation = raw.activation_function ?? 'gelu_new';
  if (activation !== 'gelu_new' && activation !== 'gelu_pytorch_tanh') {
    fail(`activation_function ${JSON.stringify(activation)} is not supported; GPT-2 models must use gelu_new (or gelu_pytorch_tanh)`);
  }
  // Options that change GPT-2 attention math; the compiler implements only the defaults.
  rejectUnless(raw, 'scale_attn_weights', true);
  rejectUnless(raw, 'scale_attn_by_inverse_layer_idx', false);
  rejectUnless(raw, 'reorder_and_upcast_attn', false); // numerically equivalent, but keep configs honest
  rejectUnless(raw, 'tie_word_embeddings', true); // GPT-2 always reads logits through wte

  if (hiddenSize % numHeads !== 0) fail(`n_embd ${hiddenSize} is not divisible by n_head ${numHeads}`);

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

// ---------- Llama / Qwen2 ----------

function parseLlamaLike(raw: Record<string, unknown>, hfArchitecture: string, architecture: Architecture): ModelConfig {
  const isQwen = architecture === 'qwen2';
  const vocabSize = positiveInt(raw, 'vocab_size');
  const hiddenSize = positiveInt(raw, 'hidden_size');
  const numLayers = positiveInt(raw, 'num_hidden_layers');
  const numHeads = positiveInt(raw, 'num_attention_heads');
  const numKvHeads = optionalPositiveInt(raw, 'num_key_value_heads') ?? numHeads;
  const explicitHeadDim = optionalPositiveInt(raw, 'head_dim');
  const intermediateSize = positiveInt(raw, 'intermediate_size');
  const maxPositions = optionalPositiveInt(raw, 'max_position_embeddings') ?? (isQwen ? 32768 : 2048);
  const normEps = positiveNumber(raw, 'rms_norm_eps', 1e-6);

  // transformers v5 moves rope settings into `rope_parameters`; older configs use rope_theta + rope_scaling.
  const ropeParameters = isObject(raw.rope_parameters) ? raw.rope_parameters : null;
  const ropeTheta =
    raw.rope_theta !== undefined
      ? positiveNumber(raw, 'rope_theta', 0)
      : ropeParameters && ropeParameters.rope_theta !== undefined
        ? positiveNumber(ropeParameters, 'rope_theta', 0, 'rope_parameters.')
        : isQwen ? 1_000_000 : 10_000;
  const ropeScaling = parseRopeScaling(
    raw.rope_scaling !== undefined ? raw.rope_scaling : ropeParameters,
    raw.rope_scaling !== undefined ? 'rope_scaling' : 'rope_parameters',
  );

  const hiddenAct = raw.hidden_act ?? 'silu';
  if (hiddenAct !== 'silu') fail(`hidden_act ${JSON.stringify(hiddenAct)} is not supported; ${hfArchitecture} models must use silu`);

  let qkvBias: boolean;
  let outBias: boolean;
  let mlpBias: boolean;
  if (isQwen) {
    qkvBias = true; // Qwen2 always has q/k/v biases and never o_proj/MLP biases
    outBias = false;
    mlpBias = false;
    // Sliding-window layers would attend differently from the full causal attention the compiler builds.
    rejectUnless(raw, 'use_sliding_window', false);
  } else {
    // Llama: attention_bias covers q/k/v/o, mlp_bias covers gate/up/down.
    qkvBias = optionalBool(raw, 'attention_bias') ?? false;
    outBias = qkvBias;
    mlpBias = optionalBool(raw, 'mlp_bias') ?? false;
  }
  const tieWordEmbeddings = optionalBool(raw, 'tie_word_embeddings') ?? false;

  if (explicitHeadDim === undefined && hiddenSize % numHeads !== 0) {
    fail(`hidden_size ${hiddenSize} is not divisible by num_attention_heads ${numHeads} (and no head_dim is given)`);
  }
  if (numHeads % numKvHeads !== 0) {
    fail(`num_attention_heads ${numHeads} is not divisible by num_key_value_heads ${numKvHeads}`);
  }
  const headDim = explicitHeadDim ?? hiddenSize / numHeads;
  if (headDim % 2 !== 0) fail(`head dimension ${headDim} is odd; rotary embeddings need an even head dimension`);

  return {
    architecture,
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
    mlp: 'swiglu',
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

export function parseRopeScaling(value: unknown, field = 'rope_scaling'): RopeScaling {
  if (value === null || value === undefined) return { type: 'none' };
  if (!isObject(value)) return fail(`${field} is not an object or null`);
  const kind = value.rope_type ?? value.type;
  const prefix = `${field}.`;
  switch (kind) {
    case undefined:
    case 'default':
      return { type: 'none' };
    case 'linear':
      return { type: 'linear', factor: positiveNumber(value, 'factor', undefined, prefix) };
    case 'llama3': {
      const lowFreqFactor = positiveNumber(value, 'low_freq_factor', undefined, prefix);
      const highFreqFactor = positiveNumber(value, 'high_freq_factor', undefined, prefix);
      if (highFreqFactor <= lowFreqFactor) {
        fail(`${field}: high_freq_factor ${highFreqFactor} must exceed low_freq_factor ${lowFreqFactor}`);
      }
      return {
        type: 'llama3',
        factor: positiveNumber(value, 'factor', undefined, prefix),
        lowFreqFactor,
        highFreqFactor,
        originalMaxPositionEmbeddings: positiveInt(value, 'original_max_position_embeddings', prefix),
      };
    }
    default:
      return fail(`${field} type ${JSON.stringify(kind)} is not supported; supported: none, linear, llama3`);
  }
}

// ---------- field readers ----------

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function positiveInt(raw: Record<string, unknown>, key: string, prefix = ''): number {
  const value = raw[key];
  if (value === undefined || value === null) fail(`missing required field ${prefix}${key}`);
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    fail(`${prefix}${key} must be a positive integer, got ${JSON.stringify(value)}`);
  }
  return value as number;
}

function optionalPositiveInt(raw: Record<string, unknown>, key: string): number | undefined {
  return raw[key] === undefined || raw[key] === null ? undefined : positiveInt(raw, key);
}

function positiveNumber(raw: Record<string, unknown>, key: string, fallback: number | undefined, prefix = ''): number {
  const value = raw[key];
  if (value === undefined || value === null) {
    if (fallback === undefined) fail(`missing required field ${prefix}${key}`);
    return fallback as number;
  }
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    fail(`${prefix}${key} must be a positive number, got ${JSON.stringify(value)}`);
  }
  return value as number;
}

function optionalBool(raw: Record<string, unknown>, key: string): boolean | undefined {
  const value = raw[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') fail(`${key} must be true or false, got ${JSON.stringify(value)}`);
  return value as boolean;
}

/** Fail if `key` is present with a value other than the one the compiler implements. */
function rejectUnless(raw: Record<string, unknown>, key: string, supported: boolean): void {
  const value = optionalBool(raw, key);
  if (value !== undefined && value !== supported) fail(`${key}=${value} is not supported (only ${supported})`);
}

function tokenIds(raw: Record<string, unknown>, vocabSize: number): { bosTokenId: number | null; eosTokenId: number | null } {
  return { bosTokenId: tokenId(raw, 'bos_token_id', vocabSize), eosTokenId: tokenId(raw, 'eos_token_id', vocabSize) };
}

function tokenId(raw: Record<string, unknown>, key: string, vocabSize: number): number | null {
  let value = raw[key];
  if (Array.isArray(value)) value = value[0]; // e.g. Llama 3 instruct lists several eos ids; the first is the main one
  if (value === undefined || value === null) return null;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0 || value >= vocabSize) {
    fail(`${key} must be a token id in [0, ${vocabSize}), got ${JSON.stringify(raw[key])}`);
  }
  return value as number;
}
