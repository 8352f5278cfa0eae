// Llama (LlamaForCausalLM) and Qwen2 (Qwen2ForCausalLM = Llama with q/k/v biases):
// RMSNorm, RoPE, SwiGLU, grouped-query attention, tied or untied head.

import type { ModelConfig } from '../checkpoint/types';
import type { ParamSpec } from '../compiler/weights';

export function llamaParams(config: ModelConfig): ParamSpec[] {
  const { hiddenSize: d, vocabSize: V, numHeads: H, numKvHeads: Hkv, headDim: hd, intermediateSize: inner } = config;
  const specs: ParamSpec[] = [
    { key: 'embed', source: 'model.embed_tokens.weight', kind: 'table', shape: [V, d] },
    { key: 'final_norm.weight', source: 'model.norm.weight', kind: 'vector', shape: [d] },
  ];
  if (!config.tieWordEmbeddings) specs.push({ key: 'lm_head', source: 'lm_head.weight', kind: 'matrix', layout: 'out_in', shape: [V, d] });
  for (let l = 0; l < config.numLayers; l++) {
    const hf = `model.layers.${l}`;
    const k = `layers.${l}`;
    // torch Linear stores [out, in].
    const proj = (key: string, source: string, out: number, inp: number, withBias: boolean): ParamSpec[] => [
      { key, source: `${source}.weight`, kind: 'matrix', layout: 'out_in', shape: [out, inp] },
      ...(withBias ? [{ key: `${key}_bias`, source: `${source}.bias`, kind: 'vector', shape: [out] } as ParamSpec] : []),
    ];
    specs.push(
      { key: `${k}.norm1.weight`, source: `${hf}.input_layernorm.weight`, kind: 'vector', shape: [d] },
      ...proj(`${k}.attn.q`, `${hf}.self_attn.q_proj`, H * hd, d, config.qkvBias),
      ...proj(`${k}.attn.k`, `${hf}.self_attn.k_proj`, Hkv * hd, d, config.qkvBias),
      ...proj(`${k}.attn.v`, `${hf}.self_attn.v_proj`, Hkv * hd, d, config.qkvBias),
      ...proj(`${k}.attn.o`, `${hf}.self_attn.o_proj`, d, H * hd, config.outBias),
      { key: `${k}.norm2.weight`, source: `${hf}.post_attention_layernorm.weight`, kind: 'vector', shape: [d] },
      ...proj(`${k}.mlp.gate`, `${hf}.mlp.gate_proj`, inner, d, config.mlpBias),
      ...proj(`${k}.mlp.up`, `${hf}.mlp.up_proj`, inner, d, config.mlpBias),
      ...proj(`${k}.mlp.down`, `${hf}.mlp.down_proj`, d, inner, config.mlpBias),
    );
  }
  return specs;
}
