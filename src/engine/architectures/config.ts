// What the architectures build from: the validated, architecture-neutral description of a decoder that each
// family's parser (architectures/families) makes of a config.json. Plain data, so it crosses worker boundaries.

/** Rope scaling as Llama 3.x / SmolLM configs spell it (`rope_scaling` in config.json). */
export type RopeScaling =
  | { type: 'none' }
  | { type: 'linear'; factor: number }
  | {
      type: 'llama3';
      factor: number;
      lowFreqFactor: number;
      highFreqFactor: number;
      originalMaxPositionEmbeddings: number;
    }
  | {
      /**
       * Phi-3 LongRoPE (`longrope`, formerly `su`) at prompts up to original_max_position_embeddings:
       * inv_freq[j] / shortFactor[j], and cos/sin scaled by attentionFactor.
       */
      type: 'longrope';
      shortFactor: number[];
      attentionFactor: number;
    };

/** A validated, architecture-neutral description of a decoder-only model. */
export interface ModelConfig {
  /** Id of the family that parsed the config (architectures/families), e.g. `llama`. */
  architecture: string;
  /** The `architectures[0]` string of config.json, e.g. `LlamaForCausalLM`. */
  hfArchitecture: string;
  vocabSize: number;
  hiddenSize: number;
  numLayers: number;
  numHeads: number;
  numKvHeads: number;
  headDim: number;
  intermediateSize: number;
  maxPositions: number;
  normEps: number;
  /** Norm flavour: GPT-2 uses LayerNorm with bias, Llama/Qwen2 RMSNorm without. */
  norm: 'layernorm' | 'rmsnorm';
  /**
   * MLP flavour: two-layer with gelu_new (GPT-2; tanh GELU) or exact erf GELU (GPT-NeoX `gelu`);
   * gated down(act(gate(x)) · up(x)) with SiLU (SwiGLU, Llama family) or GELU (GeGLU, Gemma: tanh or erf).
   */
  mlp: 'gelu_new' | 'gelu' | 'swiglu' | 'geglu_tanh' | 'geglu';
  /** Positions: GPT-2 learned absolute positions, Llama/Qwen2 rotary. */
  positions: 'learned' | 'rope';
  ropeTheta: number;
  ropeScaling: RopeScaling;
  /** Biases on q/k/v projections (GPT-2 and Qwen2 yes, Llama per `attention_bias`). */
  qkvBias: boolean;
  /** Bias on the attention output projection (GPT-2 yes, Llama per `attention_bias`, Qwen2 no). */
  outBias: boolean;
  /** Biases on the MLP projections (GPT-2 yes, Llama per `mlp_bias`, Qwen2 no). */
  mlpBias: boolean;
  tieWordEmbeddings: boolean;
  bosTokenId: number | null;
  eosTokenId: number | null;
  // Decoder options only some families set; absent means off, so configs (and bundle manifests) of
  // families that do not use them are unchanged.
  /** Keys at most this many positions back, the query's own included (HF `sliding_window`: kv > q − W). */
  slidingWindow?: number;
  /** RMSNorm of every query and key head (weights [headDim]) before RoPE (Qwen3 q_norm/k_norm). */
  qkNorm?: boolean;
  /** RoPE rotates only the first rotaryDim dims of each head (GPT-NeoX `rotary_pct`); absent = all. */
  rotaryDim?: number;
  /** h + attn(norm1(h)) + mlp(norm2(h)) rather than two residual steps (GPT-NeoX `use_parallel_residual`). */
  parallelResidual?: boolean;
  /** Layers of each kind when only some use slidingWindow (Gemma 2/3 `layer_types`); absent: all layers slide. */
  layerTypes?: ('sliding' | 'full')[];
  /** RoPE base of the sliding layers, unscaled (Gemma 3 `rope_local_base_freq`); absent: ropeTheta. */
  localRopeTheta?: number;
  /** RMSNorm multiplies by (offset + w) (Gemma: 1). */
  normWeightOffset?: number;
  /** X is multiplied by this before the first layer (Gemma: √hidden_size). */
  embeddingScale?: number;
  /** Norms after attention and after the MLP, before each residual add (Gemma 2/3). */
  sandwichNorms?: boolean;
  /** Attention scores are q·k times this instead of 1/√headDim (Gemma 2/3 query_pre_attn_scalar^−½). */
  queryScale?: number;
  /** Scores → cap·tanh(scores/cap) before the mask (Gemma 2 attn_logit_softcapping). */
  attentionSoftcap?: number;
  /** Logits → cap·tanh(logits/cap) (Gemma 2 final_logit_softcapping). */
  finalSoftcap?: number;
}
