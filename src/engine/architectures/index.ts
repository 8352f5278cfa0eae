// Which parameters each supported family reads; the forward pass itself is shared (decoder.ts).

import type { Architecture, ModelConfig } from '../checkpoint/types';
import type { ParamSpec } from '../compiler/weights';
import { gpt2Params } from './gpt2';
import { llamaParams } from './llama';

const paramsByArchitecture: Record<Architecture, (config: ModelConfig) => ParamSpec[]> = {
  gpt2: gpt2Params,
  llama: llamaParams,
  qwen2: llamaParams,
};

export function architectureParams(config: ModelConfig): ParamSpec[] {
  return paramsByArchitecture[config.architecture](config);
}
