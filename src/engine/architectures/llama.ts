// Llama (LlamaForCausalLM) and Qwen2 (Qwen2ForCausalLM = Llama with q/k/v biases):
// RMSNorm, RoPE, SwiGLU, grouped-query attention, tied or untied head.

import type { ModelConfig } from '../checkpoint/types';
import type { ParamSpec } from '../compiler/weights';

export function llamaParams(config: ModelConfig): ParamSpec[] {
  const specs: ParamSpec[] = [
    { key: 'embed', source: 'model.embed_tokens.weight', kind: 'table' },
    { key: 'final_norm.weight', source: 'model.norm.weight', kind: 'vector' },
  ];
  if (!config.tieWordEmbeddings) specs.push({ key: 'lm_head', source: 'lm_head.weight', kind: 'matrix', layout: 'out_in' });
  for (let l = 0; l < config.numLayers; l++) {
    const hf = `model.layers.${l}`;
    const k = `layers.${l}`;
    const proj = (key: string, source: string, withBias: boolean): ParamSpec[] => [
      { key, source: `${source}.weight`, kind: 'matrix', layout: 'out_in' },
      ...(withBias ? [{ key: `${key}_bias`, source: `${source}.bias`, kind: 'vector' } as ParamSpec] : []),
    ];
    specs.push(
      { key: `${k}.norm1.weight`, source: `${hf}.input_layernorm.weight`, kind: 'vector' },
      ...proj(`${k}.attn.q`, `${hf}.self_attn.q_proj`, config.qkvBias),
      ...proj(`${k}.attn.k`, `${hf}.self_attn.k_proj`, config.qkvBias),
      ...proj(`${k}.attn.v`, `${hf}.self_attn.v_proj`, config.qkvBias),
      ...proj(`${k}.attn.o`, `${hf}.self_attn.o_proj`, config.outBias),
      { key: `${k}.norm2.weight`, source: `${hf}.post_attention_layernorm.weight`, kind: 'vector' },
      ...proj(`${k}.mlp.gate`, `${hf}.mlp.gate_proj`, config.mlpBias),
      ...proj(`${k}.mlp.up`, `${hf}.mlp.up_proj`, config.mlpBias),
      ...proj(`${k}.mlp.down`, `${hf}.mlp.down_proj`, config.mlpBias),
    );
  }
  return specs;
}
