// GPT-2 (GPT2LMHeadModel): learned positions, LayerNorm, fused qkv Conv1D, gelu_new, tied head.

import type { ModelConfig } from '../checkpoint/types';
import type { ParamSpec } from '../compiler/weights';

export function gpt2Params(config: ModelConfig): ParamSpec[] {
  const { hiddenSize: d, vocabSize: V, maxPositions: P, intermediateSize: inner } = config;
  const specs: ParamSpec[] = [
    { key: 'embed', source: 'transformer.wte.weight', kind: 'table', shape: [V, d] },
    { key: 'positions', source: 'transformer.wpe.weight', kind: 'positions', shape: [P, d] },
    { key: 'final_norm.weight', source: 'transformer.ln_f.weight', kind: 'vector', shape: [d] },
    { key: 'final_norm.bias', source: 'transformer.ln_f.bias', kind: 'vector', shape: [d] },
  ];
  for (let l = 0; l < config.numLayers; l++) {
    const hf = `transformer.h.${l}`;
    const k = `layers.${l}`;
    // Conv1D stores [in, out]; `columns` slices the fused q|k|v output features.
    const conv = (key: string, source: string, inOut: [number, number], columns?: [number, number]): ParamSpec[] => [
      { key, source: `${source}.weight`, kind: 'matrix', layout: 'in_out', shape: inOut, columns },
      { key: `${key}_bias`, source: `${source}.bias`, kind: 'vector', shape: [inOut[1]], columns },
    ];
    const norm = (key: string, source: string): ParamSpec[] => [
      { key: `${key}.weight`, source: `${source}.weight`, kind: 'vector', shape: [d] },
      { key: `${key}.bias`, source: `${source}.bias`, kind: 'vector', shape: [d] },
    ];
    specs.push(
      ...norm(`${k}.norm1`, `${hf}.ln_1`),
      ...conv(`${k}.attn.q`, `${hf}.attn.c_attn`, [d, 3 * d], [0, d]),
      ...conv(`${k}.attn.k`, `${hf}.attn.c_attn`, [d, 3 * d], [d, 2 * d]),
      ...conv(`${k}.attn.v`, `${hf}.attn.c_attn`, [d, 3 * d], [2 * d, 3 * d]),
      ...conv(`${k}.attn.o`, `${hf}.attn.c_proj`, [d, d]),
      ...norm(`${k}.norm2`, `${hf}.ln_2`),
      ...conv(`${k}.mlp.up`, `${hf}.mlp.c_fc`, [d, inner]),
      ...conv(`${k}.mlp.down`, `${hf}.mlp.c_proj`, [inner, d]),
    );
  }
  return specs;
}
