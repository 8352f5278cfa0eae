import { Tokenizer } from '@huggingface/tokenizers';
import { describe, expect, it } from 'vitest';
import { openCheckpoint } from '../engine/checkpoint/checkpoint';
import { memorySource } from '../engine/checkpoint/memorySource';
import { makeTinyCheckpoint, makeTinyTokenizer, type TinyCheckpointOptions } from './tinyCheckpoint';
import { Rng } from './random';

const decodeJson = (bytes: Uint8Array | undefined) => JSON.parse(new TextDecoder().decode(bytes));

async function open(options: TinyCheckpointOptions) {
  return openCheckpoint(memorySource(makeTinyCheckpoint(options), `tiny-${options.family}`));
}

describe('makeTinyCheckpoint', () => {
  it('GPT-2: HF names, Conv1D layouts, tied head', async () => {
    const ckpt = await open({ family: 'gpt2', layers: 2 });
    const { hiddenSize: d, vocabSize: V, maxPositions: P, intermediateSize: I } = ckpt.config;
    expect([d, V, P, I]).toEqual([32, 320, 64, 128]);
    const shapes: Record<string, number[]> = {
      'transformer.wte.weight': [V, d],
      'transformer.wpe.weight': [P, d],
      'transformer.h.1.ln_1.weight': [d],
      'transformer.h.1.ln_1.bias': [d],
      'transformer.h.1.attn.c_attn.weight': [d, 3 * d],
      'transformer.h.1.attn.c_attn.bias': [3 * d],
      'transformer.h.1.attn.c_proj.weight': [d, d],
      'transformer.h.1.attn.c_proj.bias': [d],
      'transformer.h.1.ln_2.weight': [d],
      'transformer.h.1.ln_2.bias': [d],
      'transformer.h.1.mlp.c_fc.weight': [d, I],
      'transformer.h.1.mlp.c_fc.bias': [I],
      'transformer.h.1.mlp.c_proj.weight': [I, d],
      'transformer.h.1.mlp.c_proj.bias': [d],
      'transformer.ln_f.weight': [d],
      'transformer.ln_f.bias': [d],
    };
    for (const [name, shape] of Object.entries(shapes)) await ckpt.getTensor(name, shape);
    expect(ckpt.tensorNames).toHaveLength(2 + 12 * 2 + 2);
    expect(ckpt.tensorNames).not.toContain('lm_head.weight');
  });

  it('Llama: Linear layouts, GQA, untied head, llama3 rope scaling', async () => {
    const ckpt = await open({ family: 'llama', gqa: true, ropeScaling: 'llama3' });
    const c = ckpt.config;
    expect(c).toMatchObject({ numHeads: 4, numKvHeads: 2, headDim: 8, intermediateSize: 64, tieWordEmbeddings: false, qkvBias: false });
    expect(c.ropeScaling).toMatchObject({ type: 'llama3', originalMaxPositionEmbeddings: 16 });
    const shapes: Record<string, number[]> = {
      'model.embed_tokens.weight': [320, 32],
      'model.layers.0.input_layernorm.weight': [32],
      'model.layers.0.self_attn.q_proj.weight': [32, 32],
      'model.layers.0.self_attn.k_proj.weight': [16, 32],
      'model.layers.0.self_attn.v_proj.weight': [16, 32],
      'model.layers.0.self_attn.o_proj.weight': [32, 32],
      'model.layers.0.post_attention_layernorm.weight': [32],
      'model.layers.0.mlp.gate_proj.weight': [64, 32],
      'model.layers.0.mlp.up_proj.weight': [64, 32],
      'model.layers.0.mlp.down_proj.weight': [32, 64],
      'model.norm.weight': [32],
      'lm_head.weight': [320, 32],
    };
    for (const [name, shape] of Object.entries(shapes)) await ckpt.getTensor(name, shape);
    expect(ckpt.tensorNames.some((n) => n.endsWith('.bias'))).toBe(false);
  });

  it('Llama options: tied (SmolLM-style), biases, linear scaling, explicit head_dim', async () => {
    const ckpt = await open({ family: 'llama', tied: true, attentionBias: true, mlpBias: true, ropeScaling: 'linear', headDim: 16 });
    expect(ckpt.config).toMatchObject({ tieWordEmbeddings: true, qkvBias: true, outBias: true, mlpBias: true, headDim: 16 });
    expect(ckpt.config.ropeScaling).toEqual({ type: 'linear', factor: 2 });
    expect(ckpt.tensorNames).not.toContain('lm_head.weight');
    await ckpt.getTensor('model.layers.0.self_attn.q_proj.weight', [64, 32]);
    await ckpt.getTensor('model.layers.0.self_attn.o_proj.weight', [32, 64]);
    await ckpt.getTensor('model.layers.0.self_attn.o_proj.bias', [32]);
    await ckpt.getTensor('model.layers.0.mlp.down_proj.bias', [32]);
  });

  it('Qwen2: q/k/v biases only, rope_theta 1e6', async () => {
    const ckpt = await open({ family: 'qwen2', kvHeads: 1 });
    expect(ckpt.config).toMatchObject({ architecture: 'qwen2', numKvHeads: 1, ropeTheta: 1e6, qkvBias: true, outBias: false });
    await ckpt.getTensor('model.layers.0.self_attn.q_proj.bias', [32]);
    await ckpt.getTensor('model.layers.0.self_attn.k_proj.bias', [8]);
    await ckpt.getTensor('model.layers.0.self_attn.v_proj.bias', [8]);
    expect(ckpt.tensorNames.filter((n) => n.endsWith('.bias'))).toHaveLength(3 * 2);
  });

  it('Qwen3: per-head q_norm/k_norm, no biases, explicit head_dim', async () => {
    const ckpt = await open({ family: 'qwen3', gqa: true, headDim: 16 });
    expect(ckpt.config).toMatchObject({ architecture: 'qwen3', numKvHeads: 2, headDim: 16, qkNorm: true, qkvBias: false, outBias: false });
    await ckpt.getTensor('model.layers.1.self_attn.q_norm.weight', [16]);
    await ckpt.getTensor('model.layers.1.self_attn.k_norm.weight', [16]);
    await ckpt.getTensor('model.layers.1.self_attn.q_proj.weight', [64, 32]);
    expect(ckpt.tensorNames.some((n) => n.endsWith('.bias'))).toBe(false);
  });

  it('Mistral: Llama names, sliding_window in the config', async () => {
    const ckpt = await open({ family: 'mistral', gqa: true, slidingWindow: 4 });
    expect(ckpt.config).toMatchObject({ architecture: 'mistral', hfArchitecture: 'MistralForCausalLM', slidingWindow: 4, numKvHeads: 2 });
    await ckpt.getTensor('model.layers.0.self_attn.k_proj.weight', [16, 32]);
    expect((await open({ family: 'mistral' })).config.slidingWindow).toBeUndefined();
  });

  it('Phi-3: fused qkv_proj and gate_up_proj, LongRoPE config', async () => {
    const files = makeTinyCheckpoint({ family: 'phi3', gqa: true, longRope: true, partialRotaryFactor: 0.5 });
    expect(decodeJson(files['config.json'])).toMatchObject({ original_max_position_embeddings: 16, max_position_embeddings: 64, rope_scaling: { type: 'longrope' } });
    const ckpt = await openCheckpoint(memorySource(files));
    expect(ckpt.config).toMatchObject({ architecture: 'phi3', maxPositions: 16, rotaryDim: 4, ropeScaling: { type: 'longrope' } });
    await ckpt.getTensor('model.layers.0.self_attn.qkv_proj.weight', [32 + 2 * 16, 32]);
    await ckpt.getTensor('model.layers.0.mlp.gate_up_proj.weight', [128, 32]);
    expect(ckpt.tensorNames.some((n) => n.endsWith('.bias') || n.includes('q_proj'))).toBe(false);
  });

  it('Gemma 2/3: four norms per layer, q/k norms (3), layer_types, tied', async () => {
    const g3 = await open({ family: 'gemma3', layers: 3, slidingWindow: 4, slidingPattern: 3 });
    expect(g3.config).toMatchObject({ architecture: 'gemma3', tieWordEmbeddings: true, slidingWindow: 4, layerTypes: ['sliding', 'sliding', 'full'], qkNorm: true });
    for (const norm of ['input_layernorm', 'post_attention_layernorm', 'pre_feedforward_layernorm', 'post_feedforward_layernorm']) {
      await g3.getTensor(`model.layers.2.${norm}.weight`, [32]);
    }
    await g3.getTensor('model.layers.2.self_attn.q_norm.weight', [8]);
    expect(g3.tensorNames).not.toContain('lm_head.weight');
    const g2 = await open({ family: 'gemma2', softcaps: [2, 3] });
    expect(g2.config).toMatchObject({ architecture: 'gemma2', attentionSoftcap: 2, finalSoftcap: 3 });
    expect(g2.config.slidingWindow).toBeUndefined(); // window = context by default
    expect(g2.tensorNames.some((n) => n.includes('q_norm'))).toBe(false);
  });

  it('GPT-NeoX: fused query_key_value, LayerNorm biases, untied embed_out, Pythia config fields', async () => {
    const files = makeTinyCheckpoint({ family: 'gpt_neox' });
    const config = decodeJson(files['config.json']);
    expect(config).toMatchObject({ rotary_pct: 0.25, use_parallel_residual: true, hidden_act: 'gelu', tie_word_embeddings: false });
    const ckpt = await openCheckpoint(memorySource(files));
    expect(ckpt.config).toMatchObject({ architecture: 'gpt_neox', headDim: 8, rotaryDim: 2, parallelResidual: true, mlp: 'gelu' });
    const shapes: Record<string, number[]> = {
      'gpt_neox.embed_in.weight': [320, 32],
      'gpt_neox.layers.1.input_layernorm.bias': [32],
      'gpt_neox.layers.1.post_attention_layernorm.weight': [32],
      'gpt_neox.layers.1.attention.query_key_value.weight': [96, 32],
      'gpt_neox.layers.1.attention.query_key_value.bias': [96],
      'gpt_neox.layers.1.attention.dense.weight': [32, 32],
      'gpt_neox.layers.1.mlp.dense_h_to_4h.weight': [128, 32],
      'gpt_neox.layers.1.mlp.dense_4h_to_h.bias': [32],
      'gpt_neox.final_layer_norm.bias': [32],
      'embed_out.weight': [320, 32],
    };
    for (const [name, shape] of Object.entries(shapes)) await ckpt.getTensor(name, shape);
    expect(ckpt.tensorNames).toHaveLength(2 + 12 * 2 + 2);
  });

  it('is deterministic per seed, with non-degenerate weights', async () => {
    const a = makeTinyCheckpoint({ family: 'llama', seed: 7 });
    const same = (x: Uint8Array, y: Uint8Array) => x.length === y.length && x.every((v, i) => v === y[i]);
    const again = makeTinyCheckpoint({ family: 'llama', seed: 7 });
    expect(Object.keys(again)).toEqual(Object.keys(a));
    for (const name of Object.keys(a)) expect(same(again[name]!, a[name]!)).toBe(true);
    expect(same(makeTinyCheckpoint({ family: 'llama', seed: 8 })['model.safetensors']!, a['model.safetensors']!)).toBe(false);
    const ckpt = await openCheckpoint(memorySource(a));
    const std = (x: Float32Array, mean = 0) => Math.sqrt(x.reduce((s, v) => s + (v - mean) ** 2, 0) / x.length);
    const q = (await ckpt.getTensor('model.layers.0.self_attn.q_proj.weight')).data;
    expect(std(q)).toBeGreaterThan(0.1);
    expect(std(q)).toBeLessThan(0.3);
    const norm = (await ckpt.getTensor('model.norm.weight')).data;
    expect(Math.abs(norm.reduce((s, v) => s + v, 0) / norm.length - 1)).toBeLessThan(0.1);
    expect(std(norm, 1)).toBeGreaterThan(0.03);
  });

  it('writes F16/BF16 weights and sharded layouts', async () => {
    const files = makeTinyCheckpoint({ family: 'gpt2', dtype: 'F16', sharded: true });
    expect(Object.keys(files).sort()).toEqual([
      'config.json', 'model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors',
      'model.safetensors.index.json', 'tokenizer.json', 'tokenizer_config.json',
    ]);
    expect(decodeJson(files['config.json']).torch_dtype).toBe('float16');
    const index = decodeJson(files['model.safetensors.index.json']);
    expect(index.metadata.total_size).toBeGreaterThan(0);
    expect(new Set(Object.values(index.weight_map))).toEqual(new Set(['model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors']));
    const ckpt = await openCheckpoint(memorySource(files));
    await ckpt.getTensor('transformer.ln_f.bias', [32]);
  });

  it('rejects options that do not fit the family', () => {
    expect(() => makeTinyCheckpoint({ family: 'gpt2', tied: false })).toThrow(/always tied/);
    expect(() => makeTinyCheckpoint({ family: 'gpt2', gqa: true })).toThrow(/grouped-query/);
    expect(() => makeTinyCheckpoint({ family: 'qwen2', attentionBias: true })).toThrow(/Llama only/);
    expect(() => makeTinyCheckpoint({ family: 'llama', heads: 4, kvHeads: 3 })).toThrow(/not divisible/);
    expect(() => makeTinyCheckpoint({ family: 'llama', vocabSize: 100 })).toThrow(/below 256/);
  });
});

describe('tiny tokenizer', () => {
  const text = 'Hello world! The fox said: "tokens matter" in 2024.';

  it.each(['gpt2', 'llama', 'qwen2', 'qwen3', 'mistral', 'phi3', 'gemma', 'gemma3', 'gpt_neox'] as const)('%s loads in @huggingface/tokenizers and round-trips text', async (family) => {
    const ckpt = await open({ family });
    const tokenizer = new Tokenizer(ckpt.tokenizerJson as object, ckpt.tokenizerConfig as object);
    const encoded = tokenizer.encode(text);
    const addsBos = family === 'llama' || family === 'mistral' || family.startsWith('gemma');
    const body = addsBos ? encoded.ids.slice(1) : encoded.ids;
    if (addsBos) expect(encoded.ids[0]).toBe(ckpt.config.bosTokenId);
    expect(body.length).toBeLessThan(new TextEncoder().encode(text).length); // merges actually apply
    expect(Math.max(...encoded.ids)).toBeLessThan(ckpt.config.vocabSize);
    expect(tokenizer.decode(body)).toBe(text);
    expect(tokenizer.decode(encoded.ids, { skip_special_tokens: true })).toBe(text);
    // Non-ASCII text goes through byte fallback characters.
    expect(tokenizer.decode(tokenizer.encode('naïve café ✓').ids, { skip_special_tokens: true })).toBe('naïve café ✓');
    expect(tokenizer.token_to_id('<|endoftext|>') ?? tokenizer.token_to_id('<|end_of_text|>') ?? tokenizer.token_to_id('</s>') ?? tokenizer.token_to_id('<eos>')).toBe(ckpt.config.eosTokenId);
    expect(tokenizer.tokenize(' the')).toEqual(['Ġthe']);
  });

  it('fills the requested vocabulary exactly when the corpus allows', () => {
    expect(makeTinyTokenizer('gpt2', 320).size).toBe(320);
    expect(makeTinyTokenizer('qwen2', 259).size).toBe(259);
    expect(makeTinyTokenizer('llama', 400).size).toBeLessThanOrEqual(400);
  });
});

describe('Rng', () => {
  it('is deterministic and roughly standard normal', () => {
    expect(new Rng(3).normalArray(5)).toEqual(new Rng(3).normalArray(5));
    const xs = new Rng(1).normalArray(20000);
    const mean = xs.reduce((s, v) => s + v, 0) / xs.length;
    const variance = xs.reduce((s, v) => s + (v - mean) ** 2, 0) / xs.length;
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(Math.abs(variance - 1)).toBeLessThan(0.05);
    const rng = new Rng(9);
    for (let i = 0; i < 1000; i++) {
      const u = rng.next();
      expect(u >= 0 && u < 1).toBe(true);
      expect(rng.int(5)).toBeLessThan(5);
    }
  });
});
