// Qwen3 (Qwen3ForCausalLM): the Llama layout with RMSNorm over each query and key head before RoPE
// (self_attn.q_norm / k_norm, weights [head_dim]); q/k/v/o biases per `attention_bias` (default off).

import { optionalBool, rejectUnless } from '../configFields';
import type { Family } from './family';
import { llamaLikeParams, parseLlamaLike } from './llama';

export const qwen3: Family = {
  id: 'qwen3',
  hfArchitectures: ['Qwen3ForCausalLM'],
  modelTypes: ['qwen3'],
  basePrefix: 'model.',
  parseConfig: (raw, hfArchitecture) => {
    // Qwen3Config's head_dim defaults to 128, not hidden_size / heads.
    const withHeadDim = raw.head_dim === undefined || raw.head_dim === null ? { ...raw, head_dim: 128 } : raw;
    const config = parseLlamaLike(withHeadDim, hfArchitecture, {
      id: 'qwen3',
      maxPositions: 32768,
      ropeTheta: 10_000,
      biases: (r) => {
        // Sliding-window layers (use_sliding_window) are not implemented for Qwen3.
        rejectUnless(r, 'use_sliding_window', false);
        const attentionBias = optionalBool(r, 'attention_bias') ?? false;
        return { qkvBias: attentionBias, outBias: attentionBias, mlpBias: false };
      },
    });
    return { ...config, qkNorm: true };
  },
  params: (config) =>
    llamaLikeParams(config, (hf, k) => [
      { key: `${k}.attn.q_norm.weight`, source: `${hf}.self_attn.q_norm.weight`, kind: 'vector', shape: [config.headDim] },
      { key: `${k}.attn.k_norm.weight`, source: `${hf}.self_attn.k_norm.weight`, kind: 'vector', shape: [config.headDim] },
    ]),
};
