// The decoder-only transformer shared by every supported family. Families differ only in which
// parameters exist (see families/) and in config flags: norm kind, MLP kind, positions, biases,
// sliding window (all or some layers), q/k norms, partial rotary, parallel residual, Gemma's (1 + w)
// norms, sandwich norms, embedding scale, query scale and soft-capping. Input X is the
// token-embedding lookup only; positions (and Gemma's √d scale) are applied inside.

import type { ModelConfig, RopeScaling } from './config';
import type { GraphBuilder, Value } from '../ir/graph';
import { gelu, geluNew, layerNorm, rmsNorm, silu } from '../ir/nn';
import type { ModelWeights } from './weights';
import { ropeInverseFrequencies, rotateHalfMatrix } from './rope';

export interface DecoderOutputs {
  /** Hidden states after the last block, before the final norm: [B, T, d]. */
  hidden: Value;
  /** Per layer attention probabilities [B, H, T, T] (only when inspecting). */
  attention: Value[];
  /** Per layer value strengths ν [B, H, T] (spec §1; only when inspecting). */
  valueStrength: Value[];
  /** Keys (after RoPE) and values of every layer, [L, Hkv, T, hd] (only when inspecting, batch 1). */
  keys?: Value;
  values?: Value;
}

/**
 * Cached keys and values of the positions before X ([L, Hkv, P, hd], shared by the whole batch):
 * X then holds positions P … P+T−1. Perturbing token i leaves every earlier position unchanged, so
 * the prefix is computed once and the gradient pass only runs (and differentiates) from i on.
 */
export interface PastKeyValues {
  keys: Value;
  values: Value;
  /**
   * Positions of the new rows and of all keys (int64 [S] and [P+S]), taken by the caller from input
   * shapes. onnxruntime-web keeps shape arithmetic on the CPU only when it starts from a Shape node;
   * integer arithmetic on a graph input may land on WebGPU, whose int64 support garbles shapes.
   */
  positions: { query: Value; keys: Value };
}

interface Rope {
  cos: Value;
  sin: Value;
  rotate: Value;
}

/** What one layer attends with. */
interface LayerPositions {
  /** Additive mask [T, P+T]: 0 where the key is visible from the query, −1e9 where not. */
  mask: Value;
  rope?: Rope;
}

interface Positions {
  /** Absolute positions of X's rows, int64 [T]. */
  index: Value;
  layer(l: number): LayerPositions;
}

const MASKED = -1e9;

function buildPositions(g: GraphBuilder, config: ModelConfig, x: Value, past?: PastKeyValues): Positions {
  let idx: Value;
  let keyIdx: Value;
  if (past) ({ query: idx, keys: keyIdx } = past.positions);
  else {
    const offset = g.int64(0);
    idx = g.rangeFrom(offset, g.add(offset, g.dimOf(x, 1)), x.shape[1]);
    keyIdx = idx;
  }
  const above = g.cast(g.less(g.unsqueeze(idx, [-1]), g.unsqueeze(keyIdx, [0])), 'float32');
  const causalMask = g.mul(above, g.scalar(MASKED));
  const window = config.slidingWindow;
  let slidingMask = causalMask;
  if (window !== undefined) {
    // Also masked: keys at or before q − W (transformers' sliding_window_overlay keeps kv > q − W).
    // Compared as floats (exact below 2^24) so no int64 arithmetic can land on WebGPU.
    const q = g.cast(g.unsqueeze(idx, [-1]), 'float32');
    const k = g.cast(g.unsqueeze(keyIdx, [0]), 'float32');
    slidingMask = g.mul(g.add(above, g.cast(g.less(k, g.sub(q, g.scalar(window - 0.5))), 'float32')), g.scalar(MASKED));
  }
  const sliding = (l: number) => window !== undefined && (config.layerTypes?.[l] ?? 'sliding') === 'sliding';
  if (config.positions !== 'rope') return { index: idx, layer: (l) => ({ mask: sliding(l) ? slidingMask : causalMask }) };
  const rotate = g.sharedConstant('rope.rotate_half', () => rotateHalfMatrix(config.headDim, config.rotaryDim), [config.headDim, config.headDim]);
  const rope = { ...ropeTables(g, config, idx, 'rope', config.ropeTheta, config.ropeScaling), rotate };
  const localRope =
    config.localRopeTheta === undefined ? rope : { ...ropeTables(g, config, idx, 'rope.local', config.localRopeTheta, { type: 'none' }), rotate };
  return { index: idx, layer: (l) => (sliding(l) ? { mask: slidingMask, rope: localRope } : { mask: causalMask, rope }) };
}

/**
 * cos and sin of pos · inv_freq ([T, headDim]) from tables computed in float64, not with the
 * graph's Cos/Sin: WebGPU's sin/cos only promise an absolute error of 2^-11 (WGSL), which put
 * logits ~5e-4 away from the CPU's. pos = a·B + b with B ≈ √maxPositions, and the angle-sum
 * identities combine a coarse [maxPositions/B] and a fine [B] table, so the tables stay small
 * for long contexts.
 */
function ropeTables(g: GraphBuilder, config: ModelConfig, idx: Value, prefix: string, theta: number, scaling: RopeScaling): { cos: Value; sin: Value } {
  const hd = config.headDim;
  const block = 2 ** Math.ceil(Math.log2(Math.sqrt(config.maxPositions)));
  const coarseRows = Math.ceil(config.maxPositions / block);
  // Dims past rotaryDim (partial rotary) get frequency 0: cos 1, sin 0, so they pass unchanged.
  const rotaryDim = config.rotaryDim ?? hd;
  const inv = ropeInverseFrequencies(rotaryDim, theta, scaling);
  const frequency = (j: number) => (j < rotaryDim ? inv[j % (rotaryDim / 2)] : 0);
  // LongRoPE scales cos and sin of the rotary dims; only the coarse tables carry it, so the
  // angle-sum products below are scaled once.
  const factor = scaling.type === 'longrope' ? scaling.attentionFactor : 1;
  const scale = (j: number, scaled: boolean) => (scaled && j < rotaryDim ? factor : 1);
  const table = (fn: (a: number) => number, rows: number, step: number, scaled: boolean) => () => {
    const out = new Float32Array(rows * hd);
    for (let r = 0; r < rows; r++) for (let j = 0; j < hd; j++) out[r * hd + j] = fn(r * step * frequency(j)) * scale(j, scaled);
    return out;
  };
  const lookup = (name: string, fn: (a: number) => number, rows: number, step: number, at: Value, scaled = false) =>
    g.gather(g.sharedConstant(`${prefix}.${name}`, table(fn, rows, step, scaled), [rows, hd]), at);
  const b = g.int64(block);
  const hi = g.div(idx, b);
  const lo = g.sub(idx, g.mul(hi, b));
  const [cosHi, sinHi] = [lookup('cos_coarse', Math.cos, coarseRows, block, hi, true), lookup('sin_coarse', Math.sin, coarseRows, block, hi, true)];
  const [cosLo, sinLo] = [lookup('cos_fine', Math.cos, block, 1, lo), lookup('sin_fine', Math.sin, block, 1, lo)];
  return {
    cos: g.sub(g.mul(cosHi, cosLo), g.mul(sinHi, sinLo)),
    sin: g.add(g.mul(sinHi, cosLo), g.mul(cosHi, sinLo)),
  };
}

function applyRope(g: GraphBuilder, x: Value, rope: Rope): Value {
  return g.add(g.mul(x, rope.cos), g.mul(g.matmul(x, rope.rotate), rope.sin));
}

function norm(g: GraphBuilder, w: ModelWeights, config: ModelConfig, prefix: string, x: Value): Value {
  return config.norm === 'layernorm'
    ? layerNorm(g, x, w.vector(`${prefix}.weight`), w.vector(`${prefix}.bias`), config.normEps)
    : rmsNorm(g, x, rmsWeight(g, w, config, `${prefix}.weight`), config.normEps);
}

/** An RMSNorm weight as the norm applies it: w, or (offset + w) for Gemma. */
function rmsWeight(g: GraphBuilder, w: ModelWeights, config: ModelConfig, key: string): Value {
  const weight = w.vector(key);
  return config.normWeightOffset === undefined ? weight : g.add(weight, g.scalar(config.normWeightOffset));
}

/** cap · tanh(x / cap) (Gemma 2 soft-capping). */
function softcap(g: GraphBuilder, x: Value, cap: number): Value {
  return g.mul(g.tanh(g.mul(x, g.scalar(1 / cap))), g.scalar(cap));
}

function bias(w: ModelWeights, key: string, present: boolean): Value | undefined {
  return present ? w.vector(key) : undefined;
}

/** x · Wᵀ (+ b) for the stored matrix `key`. */
function linear(g: GraphBuilder, w: ModelWeights, x: Value, key: string, bias?: Value): Value {
  const y = w.project(key, x);
  return bias ? g.add(y, bias) : y;
}

/** Layer l's cached [Hkv, P, hd] as [B, Hkv, 1, P, hd], prepended to the new keys or values along the sequence. */
function withPast(g: GraphBuilder, cache: Value, l: number, current: Value): Value {
  const layer = g.unsqueeze(g.gather(cache, g.int64(l)), [0, 2]);
  const shape = [current.shape[0], ...layer.shape.slice(1)];
  const expanded = g.expand(layer, g.concat([g.shapeOf(current, 0, 1), g.shapeOf(layer, 1)], 0), shape);
  return g.concat([expanded, current], 3);
}

function attentionBlock(g: GraphBuilder, w: ModelWeights, config: ModelConfig, l: number, x: Value, pos: LayerPositions, inspect: boolean, past?: PastKeyValues) {
  const { numHeads: H, numKvHeads: Hkv, headDim: hd } = config;
  const G = H / Hkv;
  const p = `layers.${l}.attn`;
  const q = linear(g, w, x, `${p}.q`, bias(w, `${p}.q_bias`, config.qkvBias));
  const k = linear(g, w, x, `${p}.k`, bias(w, `${p}.k_bias`, config.qkvBias));
  const v = linear(g, w, x, `${p}.v`, bias(w, `${p}.v_bias`, config.qkvBias));
  // Grouped-query attention by broadcasting: queries [B, Hkv, G, T, hd] against keys/values [B, Hkv, 1, T, hd].
  // Query head h = kv·G + g reads kv head ⌊h·Hkv/H⌋, as the spec requires.
  let qh = g.transpose(g.reshape(q, [0, 0, Hkv, G, hd]), [0, 2, 3, 1, 4]);
  let kh = g.unsqueeze(g.transpose(g.reshape(k, [0, 0, Hkv, hd]), [0, 2, 1, 3]), [2]);
  let vh = g.unsqueeze(g.transpose(g.reshape(v, [0, 0, Hkv, hd]), [0, 2, 1, 3]), [2]);
  if (config.qkNorm) {
    qh = rmsNorm(g, qh, rmsWeight(g, w, config, `${p}.q_norm.weight`), config.normEps);
    kh = rmsNorm(g, kh, rmsWeight(g, w, config, `${p}.k_norm.weight`), config.normEps);
  }
  if (pos.rope) {
    qh = applyRope(g, qh, pos.rope);
    kh = applyRope(g, kh, pos.rope);
  }
  const newKeys = kh;
  const newValues = vh;
  if (past) {
    kh = withPast(g, past.keys, l, kh);
    vh = withPast(g, past.values, l, vh);
  }
  let scores = g.mul(g.matmul(qh, g.transposeLast(kh)), g.scalar(config.queryScale ?? 1 / Math.sqrt(hd)));
  if (config.attentionSoftcap !== undefined) scores = softcap(g, scores, config.attentionSoftcap);
  scores = g.add(scores, pos.mask);
  const probs = g.softmax(scores);
  const context = g.reshape(g.transpose(g.matmul(probs, vh), [0, 3, 1, 2, 4]), [0, 0, H * hd]);
  const out = linear(g, w, context, `${p}.o`, bias(w, `${p}.o_bias`, config.outBias));
  if (!inspect) return { out };
  // ν_i^{l,h} = ‖v_i^{l,h} W_O^h‖₁ with W_O^h the rows of the output projection fed by head h. ν is
  // read here, from the values this attention actually mixed (`${p}.v`, bias included) and the
  // projection it actually applies (`${p}.o`), for every family: fused checkpoint layouts (GPT-NeoX's
  // per-head q|k|v in query_key_value, Phi-3's qkv_proj) are split into these parameters by the family's
  // map. Gemma 2/3's post-attention norm is not part of it: it rescales the sum of all heads at the
  // query's position, so it says nothing about token i's value, and ν stays ‖v W_O^h‖₁ as §1 defines.
  // W_O is stored [d, H·hd]; its per-head blocks as [Hkv, G, hd, d] are a transpose made here, in the
  // inspect pass only, and freed after this product.
  const woHeads = g.transpose(g.reshape(w.weight(`${p}.o`), [config.hiddenSize, Hkv, G, hd]), [1, 2, 3, 0]);
  const strength = g.reduceSum(g.abs(g.matmul(vh, woHeads)), [-1], false);
  // Cache layout [Hkv, T, hd] per layer (batch 1).
  const cacheOf = (t: Value) => g.reshape(t, [Hkv, -1, hd]);
  return {
    out,
    attention: g.mergeAxes(probs, 1),
    valueStrength: g.mergeAxes(strength, 1),
    keys: cacheOf(newKeys),
    values: cacheOf(newValues),
  };
}

function mlpBlock(g: GraphBuilder, w: ModelWeights, config: ModelConfig, l: number, x: Value): Value {
  const p = `layers.${l}.mlp`;
  if (config.mlp === 'gelu' || config.mlp === 'gelu_new') {
    const activation = config.mlp === 'gelu' ? gelu : geluNew;
    const hidden = activation(g, linear(g, w, x, `${p}.up`, bias(w, `${p}.up_bias`, config.mlpBias)));
    return linear(g, w, hidden, `${p}.down`, bias(w, `${p}.down_bias`, config.mlpBias));
  }
  // Gated: SiLU (SwiGLU) or GELU (GeGLU; gelu_pytorch_tanh is gelu_new's formula).
  const activation = config.mlp === 'swiglu' ? silu : config.mlp === 'geglu' ? gelu : geluNew;
  const gate = activation(g, linear(g, w, x, `${p}.gate`, bias(w, `${p}.gate_bias`, config.mlpBias)));
  const up = linear(g, w, x, `${p}.up`, bias(w, `${p}.up_bias`, config.mlpBias));
  return linear(g, w, g.mul(gate, up), `${p}.down`, bias(w, `${p}.down_bias`, config.mlpBias));
}

/** Runs all blocks on X [B, T, d] (positions P … P+T−1 when a past is given). */
export function decoder(g: GraphBuilder, w: ModelWeights, config: ModelConfig, x: Value, inspect: boolean, past?: PastKeyValues): DecoderOutputs {
  const pos = buildPositions(g, config, x, past);
  let h = config.embeddingScale === undefined ? x : g.mul(x, g.scalar(config.embeddingScale));
  if (config.positions === 'learned') h = g.add(h, w.rows('positions', pos.index));
  const attention: Value[] = [];
  const valueStrength: Value[] = [];
  const keys: Value[] = [];
  const values: Value[] = [];
  for (let l = 0; l < config.numLayers; l++) {
    const input = h;
    const a = attentionBlock(g, w, config, l, norm(g, w, config, `layers.${l}.norm1`, h), pos.layer(l), inspect, past);
    // Gemma 2/3 normalize each branch's output before adding it.
    const post = (name: string, out: Value) => (config.sandwichNorms ? norm(g, w, config, `layers.${l}.${name}`, out) : out);
    if (!config.parallelResidual) h = g.add(h, post('attn_post_norm', a.out));
    if (a.attention) attention.push(a.attention);
    if (a.valueStrength) valueStrength.push(a.valueStrength);
    if (a.keys) keys.push(g.unsqueeze(a.keys, [0]));
    if (a.values) values.push(g.unsqueeze(a.values, [0]));
    const mlp = post('mlp_post_norm', mlpBlock(g, w, config, l, norm(g, w, config, `layers.${l}.norm2`, h)));
    // GPT-NeoX's parallel residual: both branches read the block input (h is still the input there).
    h = config.parallelResidual ? g.add(g.add(mlp, a.out), input) : g.add(h, mlp);
  }
  if (!inspect) return { hidden: h, attention, valueStrength };
  return { hidden: h, attention, valueStrength, keys: g.concat(keys, 0), values: g.concat(values, 0) };
}

/** Final norm and output head on hidden rows [..., d] → logits [..., V]. */
export function lmHead(g: GraphBuilder, w: ModelWeights, config: ModelConfig, hidden: Value): Value {
  const normed = norm(g, w, config, 'final_norm', hidden);
  const logits = w.project(config.tieWordEmbeddings ? 'embed' : 'lm_head', normed);
  return config.finalSoftcap === undefined ? logits : softcap(g, logits, config.finalSoftcap);
}
