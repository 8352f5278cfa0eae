import { mulberry32 } from './random';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { ModelConfig, Tensor } from '../engine/checkpoint/types';
import { referenceForward, referenceForward64, referenceLogProb, type WeightLookup } from './referenceForward';
import { applyRope, erf, gelu, ropeInvFreq, softmax } from './referenceMath';

// ---- tiny fixtures (weights made here, not by the compiler's fixtures) ----

/** Seeded uniforms in [0, 1) (a PRNG is not what this file tests, so it is shared). */
const prng = mulberry32;

function baseConfig(over: Partial<ModelConfig>): ModelConfig {
  return {
    architecture: 'llama',
    hfArchitecture: 'LlamaForCausalLM',
    vocabSize: 11,
    hiddenSize: 8,
    numLayers: 2,
    numHeads: 2,
    numKvHeads: 2,
    headDim: 4,
    intermediateSize: 12,
    maxPositions: 32,
    normEps: 1e-5,
    norm: 'rmsnorm',
    mlp: 'swiglu',
    positions: 'rope',
    ropeTheta: 10000,
    ropeScaling: { type: 'none' },
    qkvBias: false,
    outBias: false,
    mlpBias: false,
    tieWordEmbeddings: false,
    bosTokenId: null,
    eosTokenId: null,
    ...over,
  };
}

const gpt2Config = (over: Partial<ModelConfig> = {}) =>
  baseConfig({
    numKvHeads: over.numHeads ?? 2,
    architecture: 'gpt2',
    hfArchitecture: 'GPT2LMHeadModel',
    norm: 'layernorm',
    mlp: 'gelu_new',
    positions: 'learned',
    qkvBias: true,
    outBias: true,
    mlpBias: true,
    tieWordEmbeddings: true,
    ...over,
  });

/** HF parameter names and shapes of a config. */
function paramShapes(c: ModelConfig): Record<string, number[]> {
  const { hiddenSize: d, vocabSize: V, intermediateSize: I, numHeads: H, numKvHeads: Hkv, headDim: hd } = c;
  const s: Record<string, number[]> = {};
  if (c.architecture === 'gpt2') {
    s['transformer.wte.weight'] = [V, d];
    s['transformer.wpe.weight'] = [c.maxPositions, d];
    for (let l = 0; l < c.numLayers; l++) {
      const p = `transformer.h.${l}.`;
      Object.assign(s, {
        [p + 'ln_1.weight']: [d], [p + 'ln_1.bias']: [d], [p + 'ln_2.weight']: [d], [p + 'ln_2.bias']: [d],
        [p + 'attn.c_attn.weight']: [d, 3 * d], [p + 'attn.c_attn.bias']: [3 * d],
        [p + 'attn.c_proj.weight']: [d, d], [p + 'attn.c_proj.bias']: [d],
        [p + 'mlp.c_fc.weight']: [d, I], [p + 'mlp.c_fc.bias']: [I],
        [p + 'mlp.c_proj.weight']: [I, d], [p + 'mlp.c_proj.bias']: [d],
      });
    }
    s['transformer.ln_f.weight'] = [d];
    s['transformer.ln_f.bias'] = [d];
    if (!c.tieWordEmbeddings) s['lm_head.weight'] = [V, d];
  } else if (c.architecture === 'gpt_neox') {
    s['gpt_neox.embed_in.weight'] = [V, d];
    for (let l = 0; l < c.numLayers; l++) {
      const p = `gpt_neox.layers.${l}.`;
      Object.assign(s, {
        [p + 'input_layernorm.weight']: [d], [p + 'input_layernorm.bias']: [d],
        [p + 'post_attention_layernorm.weight']: [d], [p + 'post_attention_layernorm.bias']: [d],
        [p + 'attention.query_key_value.weight']: [3 * d, d], [p + 'attention.dense.weight']: [d, d],
        [p + 'mlp.dense_h_to_4h.weight']: [I, d], [p + 'mlp.dense_h_to_4h.bias']: [I],
        [p + 'mlp.dense_4h_to_h.weight']: [d, I], [p + 'mlp.dense_4h_to_h.bias']: [d],
      });
      if (c.qkvBias) s[p + 'attention.query_key_value.bias'] = [3 * d];
      if (c.outBias) s[p + 'attention.dense.bias'] = [d];
    }
    s['gpt_neox.final_layer_norm.weight'] = [d];
    s['gpt_neox.final_layer_norm.bias'] = [d];
    if (!c.tieWordEmbeddings) s['embed_out.weight'] = [V, d];
  } else {
    s['model.embed_tokens.weight'] = [V, d];
    for (let l = 0; l < c.numLayers; l++) {
      const p = `model.layers.${l}.`;
      const lin = (name: string, o: number, i: number, bias: boolean) => {
        s[p + name + '.weight'] = [o, i];
        if (bias) s[p + name + '.bias'] = [o];
      };
      s[p + 'input_layernorm.weight'] = [d];
      s[p + 'post_attention_layernorm.weight'] = [d];
      if (c.architecture === 'phi3') {
        lin('self_attn.qkv_proj', (H + 2 * Hkv) * hd, d, false);
        lin('self_attn.o_proj', d, H * hd, false);
        lin('mlp.gate_up_proj', 2 * I, d, false);
        lin('mlp.down_proj', d, I, false);
        continue;
      }
      lin('self_attn.q_proj', H * hd, d, c.qkvBias);
      lin('self_attn.k_proj', Hkv * hd, d, c.qkvBias);
      lin('self_attn.v_proj', Hkv * hd, d, c.qkvBias);
      lin('self_attn.o_proj', d, H * hd, c.outBias);
      if (c.architecture === 'qwen3' || c.architecture === 'gemma3') {
        s[p + 'self_attn.q_norm.weight'] = [hd];
        s[p + 'self_attn.k_norm.weight'] = [hd];
      }
      if (c.architecture === 'gemma2' || c.architecture === 'gemma3') {
        s[p + 'pre_feedforward_layernorm.weight'] = [d];
        s[p + 'post_feedforward_layernorm.weight'] = [d];
      }
      lin('mlp.gate_proj', I, d, c.mlpBias);
      lin('mlp.up_proj', I, d, c.mlpBias);
      lin('mlp.down_proj', d, I, c.mlpBias);
    }
    s['model.norm.weight'] = [d];
    if (!c.tieWordEmbeddings) s['lm_head.weight'] = [V, d];
  }
  return s;
}

/** Random weights: norm weights near 1, everything else uniform in ±scale. */
function randomWeights(c: ModelConfig, seed: number, scale = 0.5): Map<string, Tensor> {
  const rnd = prng(seed);
  const m = new Map<string, Tensor>();
  for (const [name, shape] of Object.entries(paramShapes(c))) {
    const isNormWeight = /(ln_\d|ln_f|layernorm|norm)\.weight$/.test(name);
    const data = new Float32Array(shape.reduce((a, b) => a * b, 1)).map(() =>
      isNormWeight ? 1 + 0.2 * (rnd() - 0.5) : 2 * scale * (rnd() - 0.5),
    );
    m.set(name, { shape, data });
  }
  return m;
}

function lookup(m: Map<string, Tensor>): WeightLookup {
  return (name) => {
    const t = m.get(name);
    if (!t) throw new Error(`missing weight ${name}`);
    return t;
  };
}

function randomEmbeds(T: number, d: number, seed: number): Float32Array {
  const rnd = prng(seed);
  return new Float32Array(T * d).map(() => 2 * (rnd() - 0.5));
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

const qwen2Config = (over: Partial<ModelConfig> = {}) =>
  baseConfig({ architecture: 'qwen2', hfArchitecture: 'Qwen2ForCausalLM', qkvBias: true, ropeTheta: 1e6, ...over });
const llamaGqaConfig = (over: Partial<ModelConfig> = {}) =>
  baseConfig({
    numHeads: 4,
    numKvHeads: 2,
    headDim: 4,
    hiddenSize: 12,
    ropeTheta: 500000,
    ropeScaling: { type: 'llama3', factor: 8, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositionEmbeddings: 8 },
    ...over,
  });

const qwen3Config = (over: Partial<ModelConfig> = {}) =>
  llamaGqaConfig({ architecture: 'qwen3', hfArchitecture: 'Qwen3ForCausalLM', qkNorm: true, hiddenSize: 8, headDim: 6, ropeTheta: 1e6, ropeScaling: { type: 'none' }, ...over });
const mistralConfig = (over: Partial<ModelConfig> = {}) =>
  llamaGqaConfig({ architecture: 'mistral', hfArchitecture: 'MistralForCausalLM', slidingWindow: 3, ropeScaling: { type: 'none' }, ...over });
const phi3Config = (over: Partial<ModelConfig> = {}) =>
  llamaGqaConfig({
    architecture: 'phi3',
    hfArchitecture: 'Phi3ForCausalLM',
    headDim: 6,
    rotaryDim: 4,
    ropeTheta: 10000,
    ropeScaling: { type: 'longrope', shortFactor: [1.2, 3.5], attentionFactor: 1.19 },
    ...over,
  });
const gemmaConfig = (architecture: 'gemma' | 'gemma2' | 'gemma3', over: Partial<ModelConfig> = {}) =>
  llamaGqaConfig({
    architecture,
    hfArchitecture: { gemma: 'GemmaForCausalLM', gemma2: 'Gemma2ForCausalLM', gemma3: 'Gemma3ForCausalLM' }[architecture],
    hiddenSize: 8,
    headDim: 6,
    numLayers: 3,
    mlp: 'geglu_tanh',
    ropeScaling: { type: 'none' },
    tieWordEmbeddings: true,
    normWeightOffset: 1,
    embeddingScale: Math.sqrt(8),
    ...(architecture === 'gemma'
      ? {}
      : { sandwichNorms: true, queryScale: 0.3, slidingWindow: 3, layerTypes: ['sliding', 'full', 'sliding'] as ('sliding' | 'full')[] }),
    ...(architecture === 'gemma2' ? { attentionSoftcap: 1.5, finalSoftcap: 2 } : {}),
    ...(architecture === 'gemma3' ? { qkNorm: true, ropeTheta: 1e6, localRopeTheta: 10 } : {}),
    ...over,
  });
const gptNeoxConfig = (over: Partial<ModelConfig> = {}) =>
  baseConfig({
    architecture: 'gpt_neox',
    hfArchitecture: 'GPTNeoXForCausalLM',
    hiddenSize: 16,
    numHeads: 2,
    numKvHeads: 2,
    headDim: 8,
    rotaryDim: 2,
    intermediateSize: 20,
    norm: 'layernorm',
    mlp: 'gelu',
    qkvBias: true,
    outBias: true,
    mlpBias: true,
    parallelResidual: true,
    ...over,
  });

// ---- (a) hand-computed cases ----

describe('reference forward: hand-computed', () => {
  it('erf and exact GELU match tabulated values', () => {
    // erf values from Abramowitz & Stegun table 7.1 / mpmath to 16 digits.
    const table: [number, number][] = [[0, 0], [0.1, 0.1124629160182849], [0.5, 0.5204998778130465], [1, 0.8427007929497149], [2, 0.9953222650189527], [3.5, 0.9999992569016276], [5.9, 0.9999999999999999]];
    for (const [x, want] of table) {
      expect(Math.abs(erf(x) - want)).toBeLessThan(1e-15); // a few ulps
      expect(erf(-x)).toBe(-erf(x));
    }
    expect(erf(7)).toBe(1);
    expect(Math.abs(gelu(1) - 0.8413447460685429)).toBeLessThan(1e-15); // Φ(1)
  });

  it('RoPE pairs x[j] with x[j + hd/2] and rotates by pos·inv_freq', () => {
    const inv = ropeInvFreq(4, 100, { type: 'none' });
    expect(Array.from(inv)).toEqual([1, 0.1]); // 1/100^(0/4), 1/100^(2/4)
    const [a, b] = [2, 0.2]; // angles at position 2
    const got = applyRope([1, 2, 3, 4], 2, inv);
    const want = [
      1 * Math.cos(a) - 3 * Math.sin(a),
      2 * Math.cos(b) - 4 * Math.sin(b),
      3 * Math.cos(a) + 1 * Math.sin(a),
      4 * Math.cos(b) + 2 * Math.sin(b),
    ];
    expect(maxAbsDiff(got, want)).toBeLessThan(1e-15);
  });

  it('linear and llama3 rope scaling', () => {
    expect(Array.from(ropeInvFreq(4, 100, { type: 'linear', factor: 4 }))).toEqual([0.25, 0.025]);
    // hd=6, theta=1e4: inv = [1, 1e4^(-1/3), 1e4^(-2/3)], wavelengths ≈ [6.28, 135.4, 2916].
    // orig=256, low=1, high=4: low_freq_wavelen=256, high_freq_wavelen=64 -> high, medium, low band.
    const inv = ropeInvFreq(6, 1e4, { type: 'llama3', factor: 8, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositionEmbeddings: 256 });
    const f1 = 1e4 ** (-1 / 3);
    const smooth = (256 / ((2 * Math.PI) / f1) - 1) / (4 - 1);
    expect(smooth).toBeGreaterThan(0.29);
    expect(smooth).toBeLessThan(0.3);
    const want = [1, ((1 - smooth) * f1) / 8 + smooth * f1, 1e4 ** (-2 / 3) / 8];
    expect(maxAbsDiff(inv, want)).toBeLessThan(1e-15);
  });

  // Llama, 1 layer, d=hd=2, one head, identity q/k/v, eps=0, theta irrelevant (inv_freq=[1]).
  // x0=(1,1) and x1=(3,-3) both RMS-normalize to (1,±1); q1=k1=rot((1,-1), 1 rad) = (c+s, s-c).
  // Row 1 scores: q1·k0/√2 = √2·sin1, q1·k1/√2 = √2.
  const handConfig = baseConfig({ vocabSize: 3, hiddenSize: 2, numLayers: 1, numHeads: 1, numKvHeads: 1, headDim: 2, intermediateSize: 2, normEps: 0 });
  const eye = { shape: [2, 2], data: new Float32Array([1, 0, 0, 1]) };
  const handWeights = new Map<string, Tensor>([...randomWeights(handConfig, 1)]);
  for (const n of ['q_proj', 'k_proj', 'v_proj']) handWeights.set(`model.layers.0.self_attn.${n}.weight`, eye);
  handWeights.set('model.layers.0.input_layernorm.weight', { shape: [2], data: new Float32Array([1, 1]) });
  handWeights.set('model.layers.0.self_attn.o_proj.weight', { shape: [2, 2], data: new Float32Array([1, 2, 3, 4]) });

  it('softmax row with RoPE by hand', () => {
    const r = referenceForward64(handConfig, lookup(handWeights), [1, 1, 3, -3], 2);
    const p0 = 1 / (1 + Math.exp(Math.SQRT2 * (1 - Math.sin(1))));
    const A = r.attention[0]; // [1, 2, 2]
    expect(A[0]).toBe(1);
    expect(A[1]).toBe(0);
    expect(Math.abs(A[2] - p0)).toBeLessThan(1e-14);
    expect(Math.abs(A[3] - (1 - p0))).toBeLessThan(1e-14);
  });

  it('value strength uses o_proj.weight^T rows: ν = ‖v · Wo^T‖₁', () => {
    const r = referenceForward64(handConfig, lookup(handWeights), [1, 1, 3, -3], 2);
    // v0=(1,1): (1+2, 3+4) -> 10;  v1=(1,-1): (1-2, 3-4) -> 2
    expect(Array.from(r.valueStrength[0])).toEqual([10, 2]);
  });

  it('GPT-2: learned positions, c_attn v block with bias, c_proj rows per head', () => {
    // d=2, two heads of size 1, T=1, LayerNorm eps=0: (wte + wpe[0]) = (1,-1) normalizes to (1,-1).
    const c = gpt2Config({ vocabSize: 3, hiddenSize: 2, numLayers: 1, numHeads: 2, numKvHeads: 2, headDim: 1, intermediateSize: 2, normEps: 0 });
    const w = randomWeights(c, 2);
    const wpe = new Float32Array(c.maxPositions * 2);
    wpe.set([0.5, -0.5]);
    w.set('transformer.wpe.weight', { shape: [c.maxPositions, 2], data: wpe });
    w.set('transformer.h.0.ln_1.weight', { shape: [2], data: new Float32Array([1, 1]) });
    w.set('transformer.h.0.ln_1.bias', { shape: [2], data: new Float32Array([0, 0]) });
    // c_attn [2, 6]: columns 4..5 are the v block: v = (1,-1) @ [[2,3],[5,7]] + (0.5, 0.25) = (-2.5, -3.75)
    const cAttn = new Float32Array(12);
    cAttn.set([2, 3], 4);
    cAttn.set([5, 7], 10);
    w.set('transformer.h.0.attn.c_attn.weight', { shape: [2, 6], data: cAttn });
    w.set('transformer.h.0.attn.c_attn.bias', { shape: [6], data: new Float32Array([0, 0, 0, 0, 0.5, 0.25]) });
    w.set('transformer.h.0.attn.c_proj.weight', { shape: [2, 2], data: new Float32Array([1, -2, 0.5, 4]) });
    const r = referenceForward64(c, lookup(w), [0.5, -0.5], 1);
    expect(Array.from(r.hidden[0])).toEqual([1, -1]);
    // head 0 feeds row 0 (1,-2): 2.5·3 = 7.5; head 1 feeds row 1 (0.5,4): 3.75·4.5 = 16.875
    expect(Array.from(r.valueStrength[0])).toEqual([7.5, 16.875]);
  });
});

// ---- (b) properties ----

const families: [string, ModelConfig][] = [
  ['gpt2', gpt2Config()],
  ['llama', baseConfig({ ropeScaling: { type: 'linear', factor: 2 } })],
  ['llama gqa llama3', llamaGqaConfig()],
  ['llama attention_bias', baseConfig({ qkvBias: true, outBias: true })],
  ['qwen2', qwen2Config()],
  ['qwen3', qwen3Config()],
  ['mistral sliding window 3', mistralConfig()],
  ['phi3 fused, longrope, partial rotary', phi3Config()],
  ['gemma', gemmaConfig('gemma')],
  ['gemma2 soft-capped, alternating window 3', gemmaConfig('gemma2')],
  ['gemma3 q/k norms, local rope base', gemmaConfig('gemma3')],
  ['gpt-neox parallel residual, rotary 2 of 8', gptNeoxConfig()],
  ['gpt-neox sequential residual, full rotary, gelu_new', gptNeoxConfig({ parallelResidual: false, rotaryDim: undefined, mlp: 'gelu_new' })],
];

describe.each(families)('reference forward properties: %s', (_name, c) => {
  const T = 6;
  const w = lookup(randomWeights(c, 7));
  const x = randomEmbeds(T, c.hiddenSize, 8);
  const r = referenceForward(c, w, x, T);

  it('has the documented shapes', () => {
    expect(r.logits.length).toBe(T * c.vocabSize);
    expect(r.attention).toHaveLength(c.numLayers);
    expect(r.valueStrength).toHaveLength(c.numLayers);
    expect(r.hidden).toHaveLength(c.numLayers + 1);
    for (const a of r.attention) expect(a.length).toBe(c.numHeads * T * T);
    for (const v of r.valueStrength) expect(v.length).toBe(c.numHeads * T);
    expect(r.logits.every(Number.isFinite)).toBe(true);
  });

  it('attention rows sum to 1 and are 0 above the diagonal', () => {
    for (const [l, a] of r.attention.entries()) {
      const window = (c.layerTypes?.[l] ?? 'sliding') === 'sliding' ? (c.slidingWindow ?? Infinity) : Infinity;
      for (let h = 0; h < c.numHeads; h++) {
        for (let i = 0; i < T; i++) {
          let s = 0;
          for (let j = 0; j < T; j++) {
            const p = a[h * T * T + i * T + j];
            if (j > i || j <= i - window) expect(p).toBe(0);
            else expect(p).toBeGreaterThan(0);
            s += p;
          }
          expect(Math.abs(s - 1)).toBeLessThan(1e-6);
        }
      }
    }
  });

  it('is causal: changing the last embedding leaves earlier rows untouched', () => {
    const x2 = x.slice();
    // Not a constant shift: LayerNorm would cancel that.
    for (let k = (T - 1) * c.hiddenSize; k < T * c.hiddenSize; k++) x2[k] += k % 2 ? 0.7 : -0.4;
    const r2 = referenceForward(c, w, x2, T);
    const V = c.vocabSize;
    expect(Array.from(r2.logits.subarray(0, (T - 1) * V))).toEqual(Array.from(r.logits.subarray(0, (T - 1) * V)));
    expect(maxAbsDiff(r2.logits.subarray((T - 1) * V), r.logits.subarray((T - 1) * V))).toBeGreaterThan(1e-4);
  });

  it('referenceLogProb is log softmax of the logits row', () => {
    const V = c.vocabSize;
    const row = 3;
    const p = softmax(r.logits.subarray(row * V, (row + 1) * V));
    for (const t of [0, 5, V - 1]) {
      expect(Math.abs(referenceLogProb(c, w, x, T, row, t) - Math.log(p[t]))).toBeLessThan(1e-5);
    }
    let total = 0;
    for (let t = 0; t < V; t++) total += Math.exp(referenceLogProb(c, w, x, T, row, t));
    expect(Math.abs(total - 1)).toBeLessThan(1e-12);
  });
});

describe('reference forward: equivalences', () => {
  it('RoPE at position 0 is the identity', () => {
    const inv = ropeInvFreq(8, 10000, { type: 'llama3', factor: 8, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositionEmbeddings: 8 });
    const v = [0.3, -1, 2, 5, -0.25, 7, 1e-3, -4];
    expect(Array.from(applyRope(v, 0, inv))).toEqual(v);
    // A single token only sees position 0, so rope settings cannot matter.
    const a = llamaGqaConfig();
    const b = llamaGqaConfig({ ropeTheta: 10, ropeScaling: { type: 'none' } });
    const w = lookup(randomWeights(a, 3));
    const x = randomEmbeds(1, a.hiddenSize, 4);
    expect(Array.from(referenceForward64(a, w, x, 1).logits)).toEqual(Array.from(referenceForward64(b, w, x, 1).logits));
    // ... while with more tokens it does.
    const x3 = randomEmbeds(3, a.hiddenSize, 4);
    expect(maxAbsDiff(referenceForward64(a, w, x3, 3).logits, referenceForward64(b, w, x3, 3).logits)).toBeGreaterThan(1e-6);
  });

  it('tied head equals untied head with lm_head = embed_tokens', () => {
    const untied = baseConfig({});
    const tied = baseConfig({ tieWordEmbeddings: true });
    const m = randomWeights(untied, 5);
    m.set('lm_head.weight', m.get('model.embed_tokens.weight')!);
    const x = randomEmbeds(5, untied.hiddenSize, 6);
    const a = referenceForward64(untied, lookup(m), x, 5);
    m.delete('lm_head.weight');
    const b = referenceForward64(tied, lookup(m), x, 5);
    expect(Array.from(a.logits)).toEqual(Array.from(b.logits));
  });

  it('GQA equals MHA with duplicated kv heads', () => {
    const gqa = llamaGqaConfig({ numKvHeads: 2 }); // 4 query heads, kv head j serves heads 2j, 2j+1
    const mha = llamaGqaConfig({ numKvHeads: 4 });
    const m = randomWeights(gqa, 9);
    const mm = new Map(m);
    const hd = gqa.headDim;
    const d = gqa.hiddenSize;
    for (let l = 0; l < gqa.numLayers; l++) {
      for (const n of ['k_proj', 'v_proj']) {
        const name = `model.layers.${l}.self_attn.${n}.weight`;
        const src = m.get(name)!.data; // [2·hd, d]
        const dup = new Float32Array(4 * hd * d);
        for (let h = 0; h < 4; h++) dup.set(src.subarray(Math.floor(h / 2) * hd * d, (Math.floor(h / 2) + 1) * hd * d), h * hd * d);
        mm.set(name, { shape: [4 * hd, d], data: dup });
      }
    }
    const x = randomEmbeds(5, d, 10);
    const a = referenceForward64(gqa, lookup(m), x, 5);
    const b = referenceForward64(mha, lookup(mm), x, 5);
    expect(maxAbsDiff(a.logits, b.logits)).toBe(0);
    for (let l = 0; l < gqa.numLayers; l++) {
      expect(maxAbsDiff(a.attention[l], b.attention[l])).toBe(0);
      expect(maxAbsDiff(a.valueStrength[l], b.valueStrength[l])).toBe(0);
    }
  });

  it('Qwen2 with zero q/k/v biases equals Llama without biases', () => {
    const q = qwen2Config();
    const l = baseConfig({ ropeTheta: q.ropeTheta });
    const m = randomWeights(q, 11);
    for (const [name, t] of m) if (name.endsWith('.bias')) m.set(name, { shape: t.shape, data: new Float32Array(t.data.length) });
    const x = randomEmbeds(4, q.hiddenSize, 12);
    expect(Array.from(referenceForward64(q, lookup(m), x, 4).logits)).toEqual(Array.from(referenceForward64(l, lookup(m), x, 4).logits));
  });

  it('Mistral with a window as long as the prompt equals Llama', () => {
    const m = mistralConfig({ slidingWindow: 5 });
    const w = lookup(randomWeights(m, 13));
    const x = randomEmbeds(5, m.hiddenSize, 14);
    const llamaLike = { ...m, architecture: 'llama', slidingWindow: undefined };
    expect(Array.from(referenceForward64(m, w, x, 5).logits)).toEqual(Array.from(referenceForward64(llamaLike, w, x, 5).logits));
    expect(maxAbsDiff(referenceForward64(mistralConfig({ slidingWindow: 4 }), w, x, 5).logits, referenceForward64(m, w, x, 5).logits)).toBeGreaterThan(1e-6);
  });

  it('Qwen3 q/k norms make attention invariant to the scale of q_proj and k_proj', () => {
    const c = qwen3Config();
    const m = randomWeights(c, 15);
    const x = randomEmbeds(4, c.hiddenSize, 16);
    const a = referenceForward64(c, lookup(m), x, 4);
    const scaled = new Map(m);
    for (let l = 0; l < c.numLayers; l++) {
      for (const n of ['q_proj', 'k_proj']) {
        const name = `model.layers.${l}.self_attn.${n}.weight`;
        scaled.set(name, { shape: m.get(name)!.shape, data: m.get(name)!.data.map((v) => v * 8) });
      }
    }
    const b = referenceForward64(c, lookup(scaled), x, 4);
    // RMSNorm(8q) = RMSNorm(q) up to eps: eps/(mean q²) ≈ 1e-5 here.
    expect(maxAbsDiff(a.logits, b.logits)).toBeLessThan(1e-4);
    const noNorm = referenceForward64({ ...c, architecture: 'llama', qkNorm: undefined }, lookup(m), x, 4);
    expect(maxAbsDiff(a.logits, noNorm.logits)).toBeGreaterThan(1e-3);
  });

  it('GPT-NeoX rotary_pct: dims past rotaryDim carry no position, so with q/k living there RoPE has no effect', () => {
    // Zero the q and k rows of query_key_value that feed the rotary dims (0, 1 of each head): scores then
    // only see pass-through dims, and changing the rope base cannot move anything.
    const c = gptNeoxConfig();
    const m = randomWeights(c, 17);
    const hd = c.headDim;
    const d = c.hiddenSize;
    for (let l = 0; l < c.numLayers; l++) {
      const t = m.get(`gpt_neox.layers.${l}.attention.query_key_value.weight`)!;
      for (let h = 0; h < c.numHeads; h++) for (const part of [0, 1]) for (let r = 0; r < 2; r++) t.data.fill(0, ((h * 3 + part) * hd + r) * d, ((h * 3 + part) * hd + r + 1) * d);
      const b = m.get(`gpt_neox.layers.${l}.attention.query_key_value.bias`)!;
      for (let h = 0; h < c.numHeads; h++) for (const part of [0, 1]) b.data.fill(0, (h * 3 + part) * hd, (h * 3 + part) * hd + 2);
    }
    const x = randomEmbeds(4, d, 18);
    const a = referenceForward64(c, lookup(m), x, 4);
    expect(Array.from(referenceForward64({ ...c, ropeTheta: 7 }, lookup(m), x, 4).logits)).toEqual(Array.from(a.logits));
    expect(maxAbsDiff(referenceForward64({ ...c, rotaryDim: undefined, ropeTheta: 7 }, lookup(m), x, 4).logits, a.logits)).toBeGreaterThan(1e-6);
  });

  it('rejects weights of the wrong shape and inconsistent configs', () => {
    const c = baseConfig({});
    const m = randomWeights(c, 1);
    m.set('model.layers.0.self_attn.o_proj.weight', { shape: [4, 16], data: new Float32Array(64) });
    expect(() => referenceForward(c, lookup(m), randomEmbeds(2, c.hiddenSize, 1), 2)).toThrow(/o_proj.weight has shape/);
    const g = gpt2Config();
    expect(() => referenceForward({ ...g, numKvHeads: 1 }, lookup(randomWeights(g, 1)), randomEmbeds(2, 8, 1), 2)).toThrow(/GPT-2 needs/);
  });
});

// ---- (c) cross-check against an independent PyTorch restatement (skipped without torch) ----

/** The first Python that imports torch (HETA_PYTHON wins), or undefined. */
const python = [process.env.HETA_PYTHON, 'python3', '/usr/bin/python3'].find(
  (py) => py && spawnSync(py, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0,
);
const hasTorch = python !== undefined;
/** Why the torch cross-check did not run, shown beside each skipped case and once on stderr. */
const NO_TORCH =
  'skipped: no Python with torch (tried HETA_PYTHON, python3, /usr/bin/python3); install torch or set HETA_PYTHON to a Python that has it to run this cross-check';
const script = join(dirname(fileURLToPath(import.meta.url)), 'torchReference.py');

function runTorch(c: ModelConfig, m: Map<string, Tensor>, x: Float32Array, T: number) {
  const dir = mkdtempSync(join(tmpdir(), 'heta-ref-'));
  try {
    const weights = Object.fromEntries([...m].map(([n, t]) => [n, { shape: t.shape, data: Array.from(t.data) }]));
    const file = join(dir, 'in.json');
    writeFileSync(file, JSON.stringify({ config: c, weights, embeds: Array.from(x), T }));
    const res = spawnSync(python!, [script, file], { encoding: 'utf8', maxBuffer: 1 << 26 });
    if (res.status !== 0) throw new Error(`torchReference.py failed: ${res.stderr}`);
    return JSON.parse(res.stdout) as { logits: number[]; attention: number[][]; valueStrength: number[][] };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('reference forward vs independent torch restatement', () => {
  if (!hasTorch) console.warn(`reference forward vs torch: ${NO_TORCH}`);
  const cases: [string, ModelConfig][] = [
    ['gpt2', gpt2Config({ numLayers: 3, hiddenSize: 16, numHeads: 4, headDim: 4, intermediateSize: 64, vocabSize: 23 })],
    ['gpt2 untied', gpt2Config({ tieWordEmbeddings: false })],
    ['llama gqa llama3', llamaGqaConfig({ numLayers: 3, vocabSize: 19 })],
    ['llama linear tied', baseConfig({ ropeScaling: { type: 'linear', factor: 4 }, tieWordEmbeddings: true })],
    ['qwen2 gqa', qwen2Config({ numHeads: 4, numKvHeads: 1, hiddenSize: 16, headDim: 8 })],
    ['llama all biases', baseConfig({ qkvBias: true, outBias: true, mlpBias: true })],
    ['llama mlp bias only', baseConfig({ mlpBias: true })],
    ['qwen3 q/k norm', qwen3Config({ numLayers: 3 })],
    ['mistral sliding window', mistralConfig({ slidingWindow: 4 })],
    ['phi3 longrope, partial rotary', phi3Config()],
    ['gemma erf GeGLU', gemmaConfig('gemma', { mlp: 'geglu' })],
    ['gemma2 soft-capping, window', gemmaConfig('gemma2')],
    ['gemma3 q/k norms, local rope', gemmaConfig('gemma3')],
    ['phi3 plain rope, sliding window', phi3Config({ ropeScaling: { type: 'none' }, rotaryDim: undefined, slidingWindow: 5 })],
    ['gpt-neox parallel, partial rotary', gptNeoxConfig({ numLayers: 3 })],
    ['gpt-neox sequential, gelu_new, no attention bias', gptNeoxConfig({ parallelResidual: false, mlp: 'gelu_new', qkvBias: false, outBias: false, rotaryDim: 4 })],
  ];
  it.for(cases)('%s: logits, attention and ν agree to 1e-5', ([, c], ctx) => {
    ctx.skip(!hasTorch, NO_TORCH);
    const T = 9;
    const m = randomWeights(c, 21);
    const x = randomEmbeds(T, c.hiddenSize, 22);
    const ours = referenceForward64(c, lookup(m), x, T);
    const theirs = runTorch(c, m, x, T);
    expect(maxAbsDiff(ours.logits, theirs.logits)).toBeLessThan(1e-5);
    for (let l = 0; l < c.numLayers; l++) {
      expect(maxAbsDiff(ours.attention[l], theirs.attention[l])).toBeLessThan(1e-5);
      expect(maxAbsDiff(ours.valueStrength[l], theirs.valueStrength[l])).toBeLessThan(1e-5);
    }
  });
});
