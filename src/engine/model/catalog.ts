// The models the picker offers by name: real Hugging Face ids we support and expect to fit, each with its
// config.json (as published, parsed by the same family parser a download uses), so the download size,
// the bundle, the memory plan and the time of an attribution can be estimated before anything is fetched.

import { attributionFlops } from './cost';
import { parseModelConfig } from '../checkpoint/config';
import type { ModelConfig } from '../checkpoint/types';
import type { QuantScheme } from '../quant/quantize';
import { estimateMemory, planMemory, storedWeightBytes, type DeviceMemory, type MemoryPlan } from './memoryPlan';

export interface CatalogModel {
  hubId: string;
  /** What it is, in a few words. */
  note: string;
  /** model.safetensors as published (bytes, rounded). */
  checkpointBytes: number;
  config: ModelConfig;
}

const llama = { architectures: ['LlamaForCausalLM'], model_type: 'llama', hidden_act: 'silu', rms_norm_eps: 1e-5, rope_theta: 100000, tie_word_embeddings: true, vocab_size: 49152, max_position_embeddings: 8192, bos_token_id: 0, eos_token_id: 0 };

export const CATALOG: readonly CatalogModel[] = [
  {
    hubId: 'openai-community/gpt2',
    note: 'GPT-2 small, 124M',
    checkpointBytes: 548e6,
    config: parseModelConfig({ architectures: ['GPT2LMHeadModel'], model_type: 'gpt2', n_ctx: 1024, n_embd: 768, n_head: 12, n_layer: 12, n_positions: 1024, vocab_size: 50257, layer_norm_epsilon: 1e-5, activation_function: 'gelu_new', bos_token_id: 50256, eos_token_id: 50256 }),
  },
  {
    hubId: 'HuggingFaceTB/SmolLM2-135M',
    note: 'SmolLM2, 135M',
    checkpointBytes: 269e6,
    config: parseModelConfig({ ...llama, hidden_size: 576, intermediate_size: 1536, num_attention_heads: 9, num_key_value_heads: 3, num_hidden_layers: 30 }),
  },
  {
    hubId: 'HuggingFaceTB/SmolLM2-360M',
    note: 'SmolLM2, 362M',
    checkpointBytes: 724e6,
    config: parseModelConfig({ ...llama, hidden_size: 960, intermediate_size: 2560, num_attention_heads: 15, num_key_value_heads: 5, num_hidden_layers: 32 }),
  },
  {
    hubId: 'Qwen/Qwen2.5-0.5B',
    note: 'Qwen2.5, 494M',
    checkpointBytes: 988e6,
    config: parseModelConfig({
      architectures: ['Qwen2ForCausalLM'], model_type: 'qwen2', hidden_act: 'silu', hidden_size: 896, intermediate_size: 4864, num_attention_heads: 14, num_key_value_heads: 2,
      num_hidden_layers: 24, max_position_embeddings: 32768, rms_norm_eps: 1e-6, rope_theta: 1e6, tie_word_embeddings: true, vocab_size: 151936, bos_token_id: 151643, eos_token_id: 151643,
      sliding_window: 32768, use_sliding_window: false, max_window_layers: 21,
    }),
  },
];

/** Tokens of the prompt the picker's time estimate is for. */
export const ESTIMATE_TOKENS = 32;

export interface CatalogEstimate {
  bundleBytes: number;
  plan: MemoryPlan;
  /** Seconds for a 32-token HETA attribution (m = 10) at `gflops`, or null when the device's speed is not measured yet. */
  seconds: number | null;
}

/** What loading `model` at `quant` would take on this device; `gflops` is the speed measured on this device (FLOP/s / 1e9). */
export function catalogEstimate(model: CatalogModel, quant: QuantScheme, device: DeviceMemory, gflops: number | null): CatalogEstimate {
  const plan = planMemory(model.config, estimateMemory(model.config, { checkpointBytes: model.checkpointBytes, quant }), device);
  const flops = attributionFlops(model.config, ESTIMATE_TOKENS, 10);
  return { bundleBytes: storedWeightBytes(model.config, quant), plan, seconds: gflops && gflops > 0 ? flops / (gflops * 1e9) : null };
}
