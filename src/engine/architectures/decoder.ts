// The decoder-only transformer shared by every supported family. Families differ only in which
// parameters exist (see gpt2.ts, llama.ts) and in config flags: norm kind, MLP kind, positions,
// biases. Input X is the token-embedding lookup only; positions are added inside.

import type { ModelConfig } from '../checkpoint/types';
import type { GraphBuilder, Value } from '../ir/graph';
import { geluNew, layerNorm, linear, rmsNorm, silu } from '../ir/nn';
import type { ModelWeights } from '../compiler/weights';
import { ropeInverseFrequencies, rotateHalfMatrix } from './rope';

export interface DecoderOutputs {
  /** Hidden states after the last block, before the final norm: [B, T, d]. */
  hidden: Value;
  /** Per layer attention probabilities [B, H, T, T] (only when inspecting). */
  attention: Value[];
  /** Per layer value strengths ν [B, H, T] (spec §1; only when inspecting). */
  valueStrength: Value[];
}

interface Positions {
  /** Additive causal mask [T, T]: 0 on and below the diagonal, −1e9 above. */
  causalMask: Value;
  rope?: { cos: Value; sin: Value; rotate: Value };
}

const MASKED = -1e9;

function buildPositions(g: GraphBuilder, config: ModelConfig, x: Value): Positions {
  const seq = x.shape[1];
  const idx = g.range(g.dimOf(x, 1), seq);
  const above = g.less(g.unsqueeze(idx, [-1]), g.unsqueeze(idx, [0]));
  const causalMask = g.mul(g.cast(above, 'float32'), g.scalar(MASKED));
  if (config.positions !== 'rope') return { causalMask };
  const invTwice = () => {
    const inv = ropeInverseFrequencies(config.headDim, config.ropeTheta, config.ropeScaling);
    return Float32Array.from([...inv, ...inv]);
  };
  const angles = g.mul(g.unsqueeze(g.cast(idx, 'float32'), [-1]), g.sharedConstant('rope.inv_freq', invTwice, [config.headDim]));
  const rotate = g.sharedConstant('rope.rotate_half', () => rotateHalfMatrix(config.headDim), [config.headDim, config.headDim]);
  return { causalMask, rope: { cos: g.cos(angles), sin: g.sin(angles), rotate } };
}

function applyRope(g: GraphBuilder, x: Value, rope: NonNullable<Positions['rope']>): Value {
  return g.add(g.mul(x, rope.cos), g.mul(g.matmul(x, rope.rotate), rope.sin));
}

function norm(g: GraphBuilder, w: ModelWeights, config: ModelConfig, prefix: string, x: Value): Value {
  return config.norm === 'layernorm'
    ? layerNorm(g, x, w.vector(`${prefix}.weight`), w.vector(`${prefix}.bias`), config.normEps)
    : rmsNorm(g, x, w.vector(`${prefix}.weight`), config.normEps);
}

function bias(w: ModelWeights, key: string, present: boolean): Value | undefined {
  return present ? w.vector(key) : undefined;
}

function attentionBlock(g: GraphBuilder, w: ModelWeights, config: ModelConfig, l: number, x: Value, pos: Positions, inspect: boolean) {
  const { numHeads: H, numKvHeads: Hkv, headDim: hd } = config;
  const G = H / Hkv;
  const p = `layers.${l}.attn`;
  const q = linear(g, x, w.matrix(`${p}.q`), bias(w, `${p}.q_bias`, config.qkvBias));
  const k = linear(g, x, w.matrix(`${p}.k`), bias(w, `${p}.k_bias`, config.qkvBias));
  const v = linear(g, x, w.matrix(`${p}.v`), bias(w, `${p}.v_bias`, config.qkvBias));
  // Grouped-query attention by broadcasting: queries [B, Hkv, G, T, hd] against keys/values [B, Hkv, 1, T, hd].
  // Query head h = kv·G + g reads kv head ⌊h·Hkv/H⌋, as the spec requires.
  let qh = g.transpose(g.reshape(q, [0, 0, Hkv, G, hd]), [0, 2, 3, 1, 4]);
  let kh = g.unsqueeze(g.transpose(g.reshape(k, [0, 0, Hkv, hd]), [0, 2, 1, 3]), [2]);
  const vh = g.unsqueeze(g.transpose(g.reshape(v, [0, 0, Hkv, hd]), [0, 2, 1, 3]), [2]);
  if (pos.rope) {
    qh = applyRope(g, qh, pos.rope);
    kh = applyRope(g, kh, pos.rope);
  }
  const scores = g.add(g.mul(g.matmul(qh, g.transposeLast(kh)), g.scalar(1 / Math.sqrt(hd))), pos.causalMask);
  const probs = g.softmax(scores);
  const context = g.reshape(g.transpose(g.matmul(probs, vh), [0, 3, 1, 2, 4]), [0, 0, H * hd]);
  const out = linear(g, context, w.matrix(`${p}.o`), bias(w, `${p}.o_bias`, config.outBias));
  if (!inspect) return { out };
  // ν_i^{l,h} = ‖v_i^{l,h} W_O^h‖₁ with W_O^h the rows of the output projection fed by head h.
  const woHeads = g.reshape(w.matrix(`${p}.o`), [Hkv, G, hd, config.hiddenSize]);
  const strength = g.reduceSum(g.abs(g.matmul(vh, woHeads)), [-1], false);
  return {
    out,
    attention: g.mergeAxes(probs, 1),
    valueStrength: g.mergeAxes(strength, 1),
  };
}

function mlpBlock(g: GraphBuilder, w: ModelWeights, config: ModelConfig, l: number, x: Value): Value {
  const p = `layers.${l}.mlp`;
  if (config.mlp === 'gelu_new') {
    const hidden = geluNew(g, linear(g, x, w.matrix(`${p}.up`), bias(w, `${p}.up_bias`, config.mlpBias)));
    return linear(g, hidden, w.matrix(`${p}.down`), bias(w, `${p}.down_bias`, config.mlpBias));
  }
  const gate = silu(g, linear(g, x, w.matrix(`${p}.gate`), bias(w, `${p}.gate_bias`, config.mlpBias)));
  const up = linear(g, x, w.matrix(`${p}.up`), bias(w, `${p}.up_bias`, config.mlpBias));
  return linear(g, g.mul(gate, up), w.matrix(`${p}.down`), bias(w, `${p}.down_bias`, config.mlpBias));
}

/** Runs all blocks on X [B, T, d]. */
export function decoder(g: GraphBuilder, w: ModelWeights, config: ModelConfig, x: Value, inspect: boolean): DecoderOutputs {
  const pos = buildPositions(g, config, x);
  let h = x;
  if (config.positions === 'learned') h = g.add(h, w.rows('positions', g.range(g.dimOf(x, 1), x.shape[1])));
  const attention: Value[] = [];
  const valueStrength: Value[] = [];
  for (let l = 0; l < config.numLayers; l++) {
    const a = attentionBlock(g, w, config, l, norm(g, w, config, `layers.${l}.norm1`, h), pos, inspect);
    h = g.add(h, a.out);
    if (a.attention) attention.push(a.attention);
    if (a.valueStrength) valueStrength.push(a.valueStrength);
    h = g.add(h, mlpBlock(g, w, config, l, norm(g, w, config, `layers.${l}.norm2`, h)));
  }
  return { hidden: h, attention, valueStrength };
}

/** Final norm and output head on hidden rows [..., d] → logits [..., V]. */
export function lmHead(g: GraphBuilder, w: ModelWeights, config: ModelConfig, hidden: Value): Value {
  const normed = norm(g, w, config, 'final_norm', hidden);
  return g.matmul(normed, w.matrix(config.tieWordEmbeddings ? 'embed' : 'lm_head'));
}
