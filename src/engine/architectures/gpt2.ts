// GPT-2 (GPT2LMHeadModel): learned positions, LayerNorm, fused qkv Conv1D, gelu_new, tied head.

import type { ModelConfig } from '../checkpoint/types';
import type { ParamSpec } from '../compiler/weights';

export function gpt2Params(config: ModelConfig): ParamSpec[] {
  const d = config.hiddenSize;
  const specs: ParamSpec[] = [
    { key: 'embed', source: 'transformer.wte.weight', kind: 'table' },
    { key: 'positions', source: 'transformer.wpe.weight', kind: 'positions' },
    { key: 'final_norm.weight', source: 'transformer.ln_f.weight', kind: 'vector' },
    { key: 'final_norm.bias', source: 'transformer.ln_f.bias', kind: 'vector' },
  ];
  for (let l = 0; l < config.numLayers; l++) {
    const hf = `transformer.h.${l}`;
    const k = `layers.${l}`;
    const conv = (key: string, source: string, columns?: [number, number]): ParamSpec[] => [
      { key, source: `${source}.weight`, kind: 'matrix', layout: 'in_out', columns },
      { key: `${key}_bias`, source: `${source}.bias`, kind: 'vector', columns },
    ];
    specs.push(
      { key: `${k}.norm1.weight`, source: `${hf}.ln_1.weight`, kind: 'vector' },
      { key: `${k}.norm1.bias`, source: `${hf}.ln_1.bias`, kind: 'vector' },
      ...conv(`${k}.attn.q`, `${hf}.attn.c_attn`, [0, d]),
      ...conv(`${k}.attn.k`, `${hf}.attn.c_attn`, [d, 2 * d]),
      ...conv(`${k}.attn.v`, `${hf}.attn.c_attn`, [2 * d, 3 * d]),
      ...conv(`${k}.attn.o`, `${hf}.attn.c_proj`),
      { key: `${k}.norm2.weight`, source: `${hf}.ln_2.weight`, kind: 'vector' },
      { key: `${k}.norm2.bias`, source: `${hf}.ln_2.bias`, kind: 'vector' },
      ...conv(`${k}.mlp.up`, `${hf}.mlp.c_fc`),
      ...conv(`${k}.mlp.down`, `${hf}.mlp.c_proj`),
    );
  }
  return specs;
}
