// Mistral (MistralForCausalLM): the Llama layout without biases; every layer attends within
// `sliding_window` positions when the config sets one (MistralConfig's default is 4096, so an
// absent field means 4096 and only an explicit null means full attention).

import { optionalPositiveInt, type RawConfig } from '../configFields';
import type { ModelConfig } from '../config';
import type { Family } from './family';
import { llamaLikeParams, parseLlamaLike } from './llama';

/** The window, or nothing when it cannot cut any attention row (window ≥ maxPositions). */
export function slidingWindowOption(raw: RawConfig, config: ModelConfig, fallback: number | null): Pick<ModelConfig, 'slidingWindow'> {
  const window = raw.sliding_window === undefined ? fallback : (optionalPositiveInt(raw, 'sliding_window') ?? null);
  return window === null || window >= config.maxPositions ? {} : { slidingWindow: window };
}

export const mistral: Family = {
  id: 'mistral',
  hfArchitectures: ['MistralForCausalLM'],
  modelTypes: ['mistral'],
  basePrefix: 'model.',
  parseConfig: (raw, hfArchitecture) => {
    const config = parseLlamaLike(raw, hfArchitecture, {
      id: 'mistral',
      maxPositions: 4096 * 32,
      ropeTheta: 10_000,
      biases: () => ({ qkvBias: false, outBias: false, mlpBias: false }),
    });
    return { ...config, ...slidingWindowOption(raw, config, 4096) };
  },
  params: (config) => llamaLikeParams(config),
};
