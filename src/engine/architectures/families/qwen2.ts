// Qwen2 (Qwen2ForCausalLM): the Llama layout with q/k/v biases (always) and no other biases.

import { rejectUnless } from '../configFields';
import type { Family } from './family';
import { llamaLikeParams, parseLlamaLike } from './llama';

export const qwen2: Family = {
  id: 'qwen2',
  hfArchitectures: ['Qwen2ForCausalLM'],
  modelTypes: ['qwen2'],
  basePrefix: 'model.',
  parseConfig: (raw, hfArchitecture) =>
    parseLlamaLike(raw, hfArchitecture, {
      id: 'qwen2',
      maxPositions: 32768,
      ropeTheta: 1_000_000,
      biases: (r) => {
        // Sliding-window layers would attend differently from the full causal attention the compiler builds.
        rejectUnless(r, 'use_sliding_window', false);
        return { qkvBias: true, outBias: false, mlpBias: false };
      },
    }),
  params: (config) => llamaLikeParams(config),
};
