// Random checkpoints with the exact shapes of the small models people bring (GPT-2 124M, SmolLM2-135M and
// -360M, Qwen2.5-0.5B): what the scale benchmark and the large-model browser test load. Weights are
// random, so the numbers they give are about memory and time, never about what the models say.

import type { TinyCheckpointOptions } from './tinyCheckpoint';

export type RealShape = 'gpt2-124m' | 'smollm2-135m' | 'smollm2-360m' | 'qwen2.5-0.5b';

/** Each shape as its Hugging Face config states it (hidden size, layers, heads, KV heads, MLP width, vocabulary, tying). */
export const REAL_SHAPES: Record<RealShape, { hubId: string; options: TinyCheckpointOptions }> = {
  'gpt2-124m': {
    hubId: 'openai-community/gpt2',
    options: { family: 'gpt2', vocabSize: 50257, hiddenSize: 768, layers: 12, heads: 12, intermediateSize: 3072, maxPositions: 1024, dtype: 'F32' },
  },
  'smollm2-135m': {
    hubId: 'HuggingFaceTB/SmolLM2-135M',
    options: { family: 'llama', vocabSize: 49152, hiddenSize: 576, layers: 30, heads: 9, kvHeads: 3, intermediateSize: 1536, maxPositions: 8192, tied: true, ropeTheta: 100000, dtype: 'BF16' },
  },
  'smollm2-360m': {
    hubId: 'HuggingFaceTB/SmolLM2-360M',
    options: { family: 'llama', vocabSize: 49152, hiddenSize: 960, layers: 32, heads: 15, kvHeads: 5, intermediateSize: 2560, maxPositions: 8192, tied: true, ropeTheta: 100000, dtype: 'BF16' },
  },
  'qwen2.5-0.5b': {
    hubId: 'Qwen/Qwen2.5-0.5B',
    options: { family: 'qwen2', vocabSize: 151936, hiddenSize: 896, layers: 24, heads: 14, kvHeads: 2, intermediateSize: 4864, maxPositions: 32768, tied: true, dtype: 'BF16' },
  },
};
