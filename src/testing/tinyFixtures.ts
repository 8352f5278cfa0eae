// The tiny checkpoints the compiler is tested on: one or more per family, each named by the features it
// exercises. compiler/bundle.test.ts checks each against the reference forward; compiler/graphListing.test.ts
// keeps a text listing of what the compiler emits for one of each family.

import type { TinyCheckpointOptions } from './tinyCheckpoint';

export const TINY_FIXTURES: readonly [string, TinyCheckpointOptions][] = [
  ['GPT-2', { family: 'gpt2' }],
  ['Llama GQA tied', { family: 'llama', gqa: true, tied: true }],
  ['Llama untied', { family: 'llama', tied: false }],
  ['Llama llama3 rope scaling (BF16)', { family: 'llama', gqa: true, ropeScaling: 'llama3', dtype: 'BF16' }],
  ['Qwen2 qkv bias (sharded)', { family: 'qwen2', gqa: true, sharded: true }],
  ['Qwen3 q/k norm, GQA, tied', { family: 'qwen3', gqa: true, tied: true }],
  ['Mistral sliding window 4 < T', { family: 'mistral', gqa: true, slidingWindow: 4 }],
  ['Phi-3 fused qkv/gate_up, LongRoPE, partial rotary 1/2', { family: 'phi3', gqa: true, longRope: true, partialRotaryFactor: 0.5 }],
  ['Phi-3 plain RoPE, sliding window 3', { family: 'phi3', slidingWindow: 3 }],
  ['Gemma: (1 + w) norms, √d embedding scale, GeGLU, tied', { family: 'gemma', gqa: true }],
  ['Gemma 2: sandwich norms, soft-capping, window 3 on alternate layers, query_pre_attn_scalar', { family: 'gemma2', gqa: true, slidingWindow: 3, softcaps: [2, 3], queryPreAttnScalar: 24 }],
  ['Gemma 3: q/k norms, local RoPE base on window-4 layers', { family: 'gemma3', gqa: true, layers: 3, slidingWindow: 4, slidingPattern: 3, headDim: 16 }],
  ['GPT-NeoX (Pythia: parallel residual, rotary 1/4, erf GELU, fused qkv)', { family: 'gpt_neox' }],
  ['GPT-NeoX sequential residual, rotary 1/2, gelu_fast (BF16)', { family: 'gpt_neox', parallelResidual: false, rotaryPct: 0.5, hiddenAct: 'gelu_fast', dtype: 'BF16' }],
];
