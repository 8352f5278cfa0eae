// What a model family owns: its Hugging Face names, how its config.json becomes a ModelConfig
// (which also sets the shared decoder's options: norm, MLP, positions, biases, …) and which
// checkpoint tensors feed which parameter. Adding a family = one module here + one registry line.

import type { RawConfig } from '../configFields';
import type { ModelConfig } from '../config';
import type { ParamSpec } from '../weights';

export interface Family {
  /** Internal id, recorded as ModelConfig.architecture and in bundle manifests. */
  id: string;
  /** config.json `architectures[0]` values this family reads. */
  hfArchitectures: readonly string[];
  /** config.json `model_type` values, used when `architectures` is absent. */
  modelTypes: readonly string[];
  /** Tensor-name prefix the LM-head class adds (checkpoints of the bare base model lack it). */
  basePrefix: string;
  parseConfig(raw: RawConfig, hfArchitecture: string): ModelConfig;
  params(config: ModelConfig): ParamSpec[];
}
