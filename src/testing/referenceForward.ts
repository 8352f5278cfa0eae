// Independent plain-TypeScript reference forward pass of GPT-2 / Llama / Qwen2 / Qwen3 / Mistral / Phi-3 /
// Gemma 1/2/3 / GPT-NeoX, in float64,
// following the Hugging Face transformers modelling code and parameter names. Tests compare the
// compiled ONNX graphs against it, so it must not share code with the compiler.

import type { ModelConfig, Tensor } from '../engine/checkpoint/types';
import {
  add,
  applyRope,
  gelu,
  geluNew,
  layerNorm,
  linear,
  logSoftmaxAt,
  matmul,
  rmsNorm,
  ropeInvFreq,
  silu,
  softmax,
  transpose,
} from './referenceMath';

export type WeightLookup = (name: string) => Tensor;

export interface ReferenceOutput<A = Float32Array> {
  /** [T, V] */
  logits: A;
  /** Per layer [H, T, T]: causal attention probabilities (zeros above the diagonal). */
  attention: A[];
  /** Per layer [H, T]: ν^{l,h}_i = ‖ v^{l,h}_i W_O^h ‖₁ (heta-spec §1), output bias excluded. */
  valueStrength: A[];
  /**
   * L+1 entries [T, d], as HF `output_hidden_states`: hidden[0] enters layer 0 (GPT-2: token +
   * position embeddings), hidden[l] leaves layer l-1, and hidden[L] is after the final norm.
   */
  hidden: A[];
}

/** Reads a weight as float64 after checking its shape. */
type Get = (name: string, shape: number[]) => Float64Array;

function makeGetter(weights: WeightLookup): Get {
  return (name, shape) => {
    const t = weights(name);
    if (t.shape.length !== shape.length || t.shape.some((s, i) => s !== shape[i])) {
      throw new Error(`reference: ${name} has shape [${t.shape}], expected [${shape}]`);
    }
    return Float64Array.from(t.data);
  };
}

/** What one layer's attention needs, whatever the architecture. */
interface AttnInputs {
  q: Float64Array; // [T, H·hd], RoPE already applied
  k: Float64Array; // [T, Hkv·hd], RoPE already applied
  v: Float64Array; // [T, Hkv·hd]
  wO: Float64Array; // [H·hd, d], math layout: out = concat_heads @ wO
  bO?: Float64Array; // [d]
}

/**
 * Causal multi-head / grouped-query attention; returns output [T,d], probs [H,T,T], ν [H,T]. Query i
 * sees keys i−window+1 … i (sliding window; the rest get probability exactly 0).
 */
function attention(cfg: ModelConfig, a: AttnInputs, T: number, window = Infinity) {
  const { numHeads: H, numKvHeads: Hkv, headDim: hd, hiddenSize: d } = cfg;
  const probs = new Float64Array(H * T * T);
  const ctx = new Float64Array(T * H * hd);
  const nu = new Float64Array(H * T);
  const scale = cfg.queryScale ?? 1 / Math.sqrt(hd); // Gemma 2/3: query_pre_attn_scalar^−½
  const cap = cfg.attentionSoftcap; // Gemma 2: scores → cap·tanh(scores/cap)
  for (let h = 0; h < H; h++) {
    const kv = Math.floor((h * Hkv) / H); // HF repeat_kv: kv head j serves H/Hkv consecutive heads
    const qAt = (t: number, c: number) => a.q[t * H * hd + h * hd + c];
    const kAt = (t: number, c: number) => a.k[t * Hkv * hd + kv * hd + c];
    const vAt = (t: number, c: number) => a.v[t * Hkv * hd + kv * hd + c];
    for (let i = 0; i < T; i++) {
      // Scores over keys 0..i only; masked positions get probability exactly 0.
      const first = Math.max(0, i - window + 1);
      const scores = new Float64Array(i + 1 - first);
      for (let j = first; j <= i; j++) {
        let s = 0;
        for (let c = 0; c < hd; c++) s += qAt(i, c) * kAt(j, c);
        scores[j - first] = cap === undefined ? s * scale : cap * Math.tanh((s * scale) / cap);
      }
      const p = softmax(scores);
      for (let j = first; j <= i; j++) probs[h * T * T + i * T + j] = p[j - first];
      for (let c = 0; c < hd; c++) {
        let s = 0;
        for (let j = first; j <= i; j++) s += p[j - first] * vAt(j, c);
        ctx[i * H * hd + h * hd + c] = s;
      }
      // ν: L1 norm of this head's value vector pushed through its rows of W_O.
      let l1 = 0;
      for (let o = 0; o < d; o++) {
        let s = 0;
        for (let c = 0; c < hd; c++) s += vAt(i, c) * a.wO[(h * hd + c) * d + o];
        l1 += Math.abs(s);
      }
      nu[h * T + i] = l1;
    }
  }
  return { out: matmul(ctx, a.wO, T, H * hd, d, a.bO), probs, nu };
}

/** Splits GPT-2's fused c_attn output [T, 3d] into q, k, v [T, d]. */
function splitQkv(qkv: Float64Array, T: number, d: number): Float64Array[] {
  return [0, 1, 2].map((part) => {
    const out = new Float64Array(T * d);
    for (let t = 0; t < T; t++) for (let c = 0; c < d; c++) out[t * d + c] = qkv[t * 3 * d + part * d + c];
    return out;
  });
}

/**
 * Applies RoPE to every head of x [T, nHeads·hd] at positions 0..T-1: to the first 2·invFreq.length
 * dims of each head (GPT-NeoX's partial rotary), the rest copied as they are.
 */
function ropeAll(x: Float64Array, T: number, nHeads: number, hd: number, invFreq: Float64Array, cosSinScale = 1): Float64Array {
  const out = Float64Array.from(x);
  const rotary = 2 * invFreq.length;
  for (let t = 0; t < T; t++) {
    for (let h = 0; h < nHeads; h++) {
      const off = t * nHeads * hd + h * hd;
      // LongRoPE's attention factor multiplies cos and sin, hence the rotated dims.
      out.set(applyRope(x.subarray(off, off + rotary), t, invFreq).map((v) => v * cosSinScale), off);
    }
  }
  return out;
}

/** Qwen3RMSNorm over each head (weights [hd]) of x [T, nHeads·hd]. */
function rmsNormHeads(x: Float64Array, T: number, nHeads: number, hd: number, w: Float64Array, eps: number): Float64Array {
  return rmsNorm(x, T * nHeads, hd, w, eps);
}

function gpt2Layer(cfg: ModelConfig, get: Get, l: number, x: Float64Array, T: number) {
  const d = cfg.hiddenSize;
  const inner = cfg.intermediateSize;
  const p = `transformer.h.${l}.`;
  const eps = cfg.normEps;
  const n1 = layerNorm(x, T, d, get(p + 'ln_1.weight', [d]), get(p + 'ln_1.bias', [d]), eps);
  const qkv = matmul(n1, get(p + 'attn.c_attn.weight', [d, 3 * d]), T, d, 3 * d, get(p + 'attn.c_attn.bias', [3 * d]));
  const [q, k, v] = splitQkv(qkv, T, d);
  const wO = get(p + 'attn.c_proj.weight', [d, d]); // Conv1D: already [in, out]
  const attn = attention(cfg, { q, k, v, wO, bO: get(p + 'attn.c_proj.bias', [d]) }, T);
  const h1 = add(x, attn.out);
  const n2 = layerNorm(h1, T, d, get(p + 'ln_2.weight', [d]), get(p + 'ln_2.bias', [d]), eps);
  const fc = matmul(n2, get(p + 'mlp.c_fc.weight', [d, inner]), T, d, inner, get(p + 'mlp.c_fc.bias', [inner])).map(geluNew);
  const mlp = matmul(fc, get(p + 'mlp.c_proj.weight', [inner, d]), T, inner, d, get(p + 'mlp.c_proj.bias', [d]));
  return { out: add(h1, mlp), probs: attn.probs, nu: attn.nu };
}

function llamaLayer(cfg: ModelConfig, get: Get, l: number, x: Float64Array, T: number, invFreq: Float64Array) {
  const { hiddenSize: d, numHeads: H, numKvHeads: Hkv, headDim: hd, intermediateSize: inner, normEps: eps } = cfg;
  const p = `model.layers.${l}.`;
  const bias = (name: string, n: number, on: boolean) => (on ? get(p + name + '.bias', [n]) : undefined);
  const proj = (x2: Float64Array, name: string, nIn: number, nOut: number, withBias: boolean) =>
    linear(x2, get(p + name + '.weight', [nOut, nIn]), T, nIn, nOut, bias(name, nOut, withBias));

  const n1 = rmsNorm(x, T, d, get(p + 'input_layernorm.weight', [d]), eps);
  let q: Float64Array;
  let k: Float64Array;
  let v: Float64Array;
  if (cfg.architecture === 'phi3') {
    // Phi3Attention: one qkv_proj whose output is [q (H·hd) | k (Hkv·hd) | v (Hkv·hd)].
    const qkv = proj(n1, 'self_attn.qkv_proj', d, (H + 2 * Hkv) * hd, false);
    const cut = (from: number, width: number) => {
      const out = new Float64Array(T * width);
      for (let t = 0; t < T; t++) out.set(qkv.subarray(t * (H + 2 * Hkv) * hd + from, t * (H + 2 * Hkv) * hd + from + width), t * width);
      return out;
    };
    [q, k, v] = [cut(0, H * hd), cut(H * hd, Hkv * hd), cut((H + Hkv) * hd, Hkv * hd)];
  } else {
    q = proj(n1, 'self_attn.q_proj', d, H * hd, cfg.qkvBias);
    k = proj(n1, 'self_attn.k_proj', d, Hkv * hd, cfg.qkvBias);
    v = proj(n1, 'self_attn.v_proj', d, Hkv * hd, cfg.qkvBias);
  }
  if (cfg.architecture === 'qwen3') {
    // Qwen3Attention: q_norm / k_norm on each head, before RoPE.
    q = rmsNormHeads(q, T, H, hd, get(p + 'self_attn.q_norm.weight', [hd]), eps);
    k = rmsNormHeads(k, T, Hkv, hd, get(p + 'self_attn.k_norm.weight', [hd]), eps);
  }
  const cosSinScale = cfg.ropeScaling.type === 'longrope' ? cfg.ropeScaling.attentionFactor : 1;
  q = ropeAll(q, T, H, hd, invFreq, cosSinScale);
  k = ropeAll(k, T, Hkv, hd, invFreq, cosSinScale);
  const wO = transpose(get(p + 'self_attn.o_proj.weight', [d, H * hd]), d, H * hd); // -> [H·hd, d]
  const attn = attention(cfg, { q, k, v, wO, bO: bias('self_attn.o_proj', d, cfg.outBias) }, T, cfg.slidingWindow);
  const h1 = add(x, attn.out);
  const n2 = rmsNorm(h1, T, d, get(p + 'post_attention_layernorm.weight', [d]), eps);
  // SwiGLU: down(silu(gate(x)) * up(x)); biases per mlp_bias. Phi3MLP: gate_up_proj output chunked [gate | up].
  let gate: Float64Array;
  let up: Float64Array;
  if (cfg.architecture === 'phi3') {
    const both = proj(n2, 'mlp.gate_up_proj', d, 2 * inner, false);
    gate = new Float64Array(T * inner);
    up = new Float64Array(T * inner);
    for (let t = 0; t < T; t++) {
      gate.set(both.subarray(2 * t * inner, (2 * t + 1) * inner), t * inner);
      up.set(both.subarray((2 * t + 1) * inner, (2 * t + 2) * inner), t * inner);
    }
  } else {
    gate = proj(n2, 'mlp.gate_proj', d, inner, cfg.mlpBias);
    up = proj(n2, 'mlp.up_proj', d, inner, cfg.mlpBias);
  }
  const act = gate.map((g, i) => silu(g) * up[i]);
  const mlp = proj(act, 'mlp.down_proj', inner, d, cfg.mlpBias);
  return { out: add(h1, mlp), probs: attn.probs, nu: attn.nu };
}

/** GPTNeoXLayer: fused per-head q|k|v, partial RoPE, parallel (or sequential) residual, GELU MLP. */
function gptNeoxLayer(cfg: ModelConfig, get: Get, l: number, x: Float64Array, T: number, invFreq: Float64Array) {
  const { hiddenSize: d, numHeads: H, headDim: hd, intermediateSize: inner, normEps: eps } = cfg;
  const p = `gpt_neox.layers.${l}.`;
  const ln = (x2: Float64Array, name: string) => layerNorm(x2, T, d, get(p + name + '.weight', [d]), get(p + name + '.bias', [d]), eps);
  const lin = (x2: Float64Array, name: string, nIn: number, nOut: number, withBias: boolean) =>
    linear(x2, get(p + name + '.weight', [nOut, nIn]), T, nIn, nOut, withBias ? get(p + name + '.bias', [nOut]) : undefined);

  const qkv = lin(ln(x, 'input_layernorm'), 'attention.query_key_value', d, 3 * d, cfg.qkvBias); // [T, H·3·hd]
  // view(T, H, 3·hd): head h's query, key and value are consecutive hd-blocks of its 3·hd slice.
  const [q, k, v] = [0, 1, 2].map((part) => {
    const out = new Float64Array(T * H * hd);
    for (let t = 0; t < T; t++) {
      for (let h = 0; h < H; h++) {
        for (let c = 0; c < hd; c++) out[t * H * hd + h * hd + c] = qkv[t * 3 * d + h * 3 * hd + part * hd + c];
      }
    }
    return out;
  });
  const wO = transpose(get(p + 'attention.dense.weight', [d, d]), d, d);
  const bO = cfg.outBias ? get(p + 'attention.dense.bias', [d]) : undefined;
  const attn = attention(cfg, { q: ropeAll(q, T, H, hd, invFreq), k: ropeAll(k, T, H, hd, invFreq), v, wO, bO }, T);
  const act = cfg.mlp === 'gelu' ? gelu : geluNew;
  const mlp = (x2: Float64Array) =>
    lin(lin(x2, 'mlp.dense_h_to_4h', d, inner, true).map(act), 'mlp.dense_4h_to_h', inner, d, true);
  if (cfg.parallelResidual) return { out: add(add(mlp(ln(x, 'post_attention_layernorm')), attn.out), x), probs: attn.probs, nu: attn.nu };
  const h1 = add(attn.out, x);
  return { out: add(mlp(ln(h1, 'post_attention_layernorm')), h1), probs: attn.probs, nu: attn.nu };
}

/** GemmaRMSNorm: x / sqrt(mean(x²) + eps) · (1 + w). */
function gemmaRms(x: Float64Array, rows: number, size: number, w: Float64Array, eps: number): Float64Array {
  return rmsNorm(x, rows, size, w.map((v) => 1 + v), eps);
}

/**
 * Gemma{,2,3}DecoderLayer. Gemma 1 is the Llama layer with (1 + w) norms and GeGLU; Gemma 2/3 wrap
 * attention and MLP in pre- and post-norms (post_attention_layernorm normalizes the attention
 * output; pre_feedforward_layernorm precedes the MLP), and their sliding layers see `slidingWindow`
 * keys. Gemma 3 normalizes q and k heads and rotates sliding layers with rope_local_base_freq.
 */
function gemmaLayer(cfg: ModelConfig, get: Get, l: number, x: Float64Array, T: number, invFreq: Float64Array, localInvFreq: Float64Array) {
  const { hiddenSize: d, numHeads: H, numKvHeads: Hkv, headDim: hd, intermediateSize: inner, normEps: eps } = cfg;
  const p = `model.layers.${l}.`;
  const gen = cfg.architecture === 'gemma' ? 1 : cfg.architecture === 'gemma2' ? 2 : 3;
  const sliding = gen > 1 && cfg.slidingWindow !== undefined && cfg.layerTypes?.[l] === 'sliding';
  const proj = (x2: Float64Array, name: string, nIn: number, nOut: number) =>
    linear(x2, get(p + name + '.weight', [nOut, nIn]), T, nIn, nOut, cfg.qkvBias && name.startsWith('self_attn') ? get(p + name + '.bias', [nOut]) : undefined);
  const norm = (x2: Float64Array, name: string) => gemmaRms(x2, T, d, get(p + name + '.weight', [d]), eps);

  const n1 = norm(x, 'input_layernorm');
  let q = proj(n1, 'self_attn.q_proj', d, H * hd);
  let k = proj(n1, 'self_attn.k_proj', d, Hkv * hd);
  const v = proj(n1, 'self_attn.v_proj', d, Hkv * hd);
  if (gen === 3) {
    q = gemmaRms(q, T * H, hd, get(p + 'self_attn.q_norm.weight', [hd]), eps);
    k = gemmaRms(k, T * Hkv, hd, get(p + 'self_attn.k_norm.weight', [hd]), eps);
  }
  const inv = sliding && gen === 3 ? localInvFreq : invFreq;
  const wO = transpose(get(p + 'self_attn.o_proj.weight', [d, H * hd]), d, H * hd);
  const bO = cfg.outBias ? get(p + 'self_attn.o_proj.bias', [d]) : undefined;
  const attn = attention(cfg, { q: ropeAll(q, T, H, hd, inv), k: ropeAll(k, T, Hkv, hd, inv), v, wO, bO }, T, sliding ? cfg.slidingWindow : Infinity);
  const h1 = add(x, gen === 1 ? attn.out : norm(attn.out, 'post_attention_layernorm'));
  const n2 = norm(h1, gen === 1 ? 'post_attention_layernorm' : 'pre_feedforward_layernorm');
  const act = cfg.mlp === 'geglu' ? gelu : geluNew; // gelu_pytorch_tanh = gelu_new's formula
  const up = proj(n2, 'mlp.up_proj', d, inner);
  const mlp = proj(proj(n2, 'mlp.gate_proj', d, inner).map((g, i) => act(g) * up[i]), 'mlp.down_proj', inner, d);
  return { out: add(h1, gen === 1 ? mlp : norm(mlp, 'post_feedforward_layernorm')), probs: attn.probs, nu: attn.nu };
}

/** Embedding, final norm and untied head tensor names of each family's HF checkpoints. */
const NAMES: Record<string, { embed: string; finalNorm: string; head: string }> = {
  gpt2: { embed: 'transformer.wte.weight', finalNorm: 'transformer.ln_f', head: 'lm_head.weight' },
  gpt_neox: { embed: 'gpt_neox.embed_in.weight', finalNorm: 'gpt_neox.final_layer_norm', head: 'embed_out.weight' },
  llama: { embed: 'model.embed_tokens.weight', finalNorm: 'model.norm', head: 'lm_head.weight' },
};

function checkConfig(c: ModelConfig): void {
  if (c.numHeads % c.numKvHeads !== 0) throw new Error('reference: numHeads must be a multiple of numKvHeads');
  if (c.architecture === 'gpt2' && (c.numKvHeads !== c.numHeads || c.numHeads * c.headDim !== c.hiddenSize)) {
    throw new Error('reference: GPT-2 needs numKvHeads = numHeads and numHeads·headDim = hiddenSize');
  }
  if (c.positions === 'rope' && c.headDim % 2 !== 0) throw new Error('reference: RoPE needs an even headDim');
}

/** The full forward pass in float64. */
export function referenceForward64(
  config: ModelConfig,
  weights: WeightLookup,
  inputsEmbeds: ArrayLike<number>,
  T: number,
): ReferenceOutput<Float64Array> {
  const { hiddenSize: d, vocabSize: V } = config;
  if (inputsEmbeds.length !== T * d) throw new Error(`reference: inputsEmbeds has ${inputsEmbeds.length} values, expected ${T}×${d}`);
  checkConfig(config);
  const get = makeGetter(weights);
  const gpt2 = config.architecture === 'gpt2';
  const neox = config.architecture === 'gpt_neox';
  const isGemma = config.architecture.startsWith('gemma');
  const names = NAMES[config.architecture] ?? NAMES.llama!;

  let x: Float64Array = Float64Array.from(inputsEmbeds);
  if (isGemma) x = x.map((v) => v * Math.sqrt(d)); // GemmaModel: inputs_embeds · hidden_size^½
  if (gpt2) {
    // Learned absolute positions are added inside the model (heta-spec conventions).
    if (T > config.maxPositions) throw new Error(`reference: T=${T} exceeds maxPositions`);
    const wpe = get('transformer.wpe.weight', [config.maxPositions, d]);
    x = add(x, wpe.subarray(0, T * d));
  }
  const invFreq = gpt2 ? new Float64Array(0) : ropeInvFreq(config.rotaryDim ?? config.headDim, config.ropeTheta, config.ropeScaling);
  const localInvFreq = ropeInvFreq(config.headDim, config.localRopeTheta ?? config.ropeTheta, { type: 'none' });

  const attention: Float64Array[] = [];
  const valueStrength: Float64Array[] = [];
  const hidden: Float64Array[] = [x];
  for (let l = 0; l < config.numLayers; l++) {
    const r = gpt2
      ? gpt2Layer(config, get, l, x, T)
      : neox
        ? gptNeoxLayer(config, get, l, x, T, invFreq)
        : isGemma
          ? gemmaLayer(config, get, l, x, T, invFreq, localInvFreq)
          : llamaLayer(config, get, l, x, T, invFreq);
    attention.push(r.probs);
    valueStrength.push(r.nu);
    x = r.out;
    if (l < config.numLayers - 1) hidden.push(x);
  }

  const final =
    config.norm === 'layernorm'
      ? layerNorm(x, T, d, get(`${names.finalNorm}.weight`, [d]), get(`${names.finalNorm}.bias`, [d]), config.normEps)
      : (isGemma ? gemmaRms : rmsNorm)(x, T, d, get(`${names.finalNorm}.weight`, [d]), config.normEps);
  hidden.push(final);
  const head = get(config.tieWordEmbeddings ? names.embed : names.head, [V, d]);
  let logits = linear(final, head, T, d, V);
  const cap = config.finalSoftcap; // Gemma 2: logits → cap·tanh(logits/cap)
  if (cap !== undefined) logits = logits.map((z) => cap * Math.tanh(z / cap));
  return { logits, attention, valueStrength, hidden };
}

/** The reference forward pass; computed in float64, returned as float32. */
export function referenceForward(
  config: ModelConfig,
  weights: WeightLookup,
  inputsEmbeds: Float32Array,
  T: number,
): ReferenceOutput {
  const r = referenceForward64(config, weights, inputsEmbeds, T);
  const f32 = (a: Float64Array) => Float32Array.from(a);
  return {
    logits: f32(r.logits),
    attention: r.attention.map(f32),
    valueStrength: r.valueStrength.map(f32),
    hidden: r.hidden.map(f32),
  };
}

/** log softmax(logits[row])[target] in float64, for finite-difference checks. */
export function referenceLogProb(
  config: ModelConfig,
  weights: WeightLookup,
  embeds: ArrayLike<number>,
  T: number,
  row: number,
  target: number,
): number {
  const V = config.vocabSize;
  const { logits } = referenceForward64(config, weights, embeds, T);
  return logSoftmaxAt(logits.subarray(row * V, (row + 1) * V), target);
}
