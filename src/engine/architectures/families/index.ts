// The registry of supported families, in the order error messages list them.

import type { Family } from './family';
import { gemma, gemma2, gemma3 } from './gemma';
import { gpt2 } from './gpt2';
import { gptNeox } from './gptNeox';
import { llama } from './llama';
import { phi3 } from './phi3';
import { mistral } from './mistral';
import { qwen2 } from './qwen2';
import { qwen3 } from './qwen3';

export type { Family } from './family';

export const FAMILIES: readonly Family[] = [gpt2, llama, qwen2, qwen3, mistral, phi3, gemma, gemma2, gemma3, gptNeox];

export const SUPPORTED_ARCHITECTURES: readonly string[] = FAMILIES.flatMap((f) => f.hfArchitectures);

export function familyOfArchitecture(hfArchitecture: string): Family | undefined {
  return FAMILIES.find((f) => f.hfArchitectures.includes(hfArchitecture));
}

export function familyOfModelType(modelType: string): Family | undefined {
  return FAMILIES.find((f) => f.modelTypes.includes(modelType));
}

/** The family of a parsed config (its `architecture` is a family id). */
export function familyOf(config: { architecture: string }): Family {
  const family = FAMILIES.find((f) => f.id === config.architecture);
  if (!family) throw new Error(`unknown model family '${config.architecture}'`);
  return family;
}
