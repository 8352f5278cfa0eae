"""Independent PyTorch restatement of the HF GPT-2 / Llama / Qwen2 / Qwen3 / Mistral / Phi-3 / Gemma 1/2/3 / GPT-NeoX
forward pass, float64.

Used only by referenceForward.test.ts to cross-check the TypeScript reference; the test skips
when torch is missing. Usage: python3 torchReference.py IN.json  ->  JSON on stdout.
IN.json: {"config": ModelConfig, "weights": {name: {"shape": [...], "data": [...]}},
          "embeds": [T*d numbers], "T": T}
Output: {"logits": [T*V], "attention": [[H*T*T] per layer], "valueStrength": [[H*T] per layer]}
"""
import json
import math
import sys

import torch
import torch.nn.functional as F


def load(path):
    with open(path) as f:
        spec = json.load(f)
    W = {k: torch.tensor(v["data"], dtype=torch.float64).reshape(v["shape"]) for k, v in spec["weights"].items()}
    T = spec["T"]
    x = torch.tensor(spec["embeds"], dtype=torch.float64).reshape(T, -1)
    return spec["config"], W, x, T


def attend(q, k, v, H, Hkv, hd, wO, bO, window=None, scaling=None, softcap=None):
    """q [T,H*hd], k/v [T,Hkv*hd], wO [H*hd,d] (math layout). Returns out, probs [H,T,T], nu [H,T].
    window: transformers' sliding_window_overlay, key j visible from query i iff j > i - window."""
    T = q.shape[0]
    q = q.view(T, H, hd).transpose(0, 1)
    k = k.view(T, Hkv, hd).transpose(0, 1).repeat_interleave(H // Hkv, dim=0)  # HF repeat_kv
    v = v.view(T, Hkv, hd).transpose(0, 1).repeat_interleave(H // Hkv, dim=0)
    scores = q @ k.transpose(1, 2) * (scaling if scaling is not None else 1 / math.sqrt(hd))
    if softcap is not None:  # Gemma 2 eager_attention_forward
        scores = torch.tanh(scores / softcap) * softcap
    causal = torch.ones(T, T, dtype=torch.bool).tril()
    if window is not None:
        causal = causal & torch.ones(T, T, dtype=torch.bool).triu(-(window - 1))
    probs = torch.softmax(scores.masked_fill(~causal, float("-inf")), dim=-1)
    ctx = (probs @ v).transpose(0, 1).reshape(T, H * hd)
    out = ctx @ wO + (bO if bO is not None else 0)
    wO_heads = wO.view(H, hd, -1)  # rows fed by head h
    nu = torch.einsum("htc,hco->hto", v, wO_heads).abs().sum(-1)
    return out, probs, nu


def gpt2(cfg, W, x, T):
    d, H, eps = cfg["hiddenSize"], cfg["numHeads"], cfg["normEps"]
    hd = d // H
    ln = lambda t, p: F.layer_norm(t, (d,), W[p + ".weight"], W[p + ".bias"], eps)
    gelu_new = lambda t: 0.5 * t * (1 + torch.tanh(math.sqrt(2 / math.pi) * (t + 0.044715 * t.pow(3))))
    h = x + W["transformer.wpe.weight"][:T]
    probs_all, nu_all = [], []
    for l in range(cfg["numLayers"]):
        p = f"transformer.h.{l}."
        a = ln(h, p + "ln_1")
        q, k, v = (a @ W[p + "attn.c_attn.weight"] + W[p + "attn.c_attn.bias"]).split(d, dim=-1)
        out, probs, nu = attend(q, k, v, H, H, hd, W[p + "attn.c_proj.weight"], W[p + "attn.c_proj.bias"])
        h = h + out
        m = gelu_new(ln(h, p + "ln_2") @ W[p + "mlp.c_fc.weight"] + W[p + "mlp.c_fc.bias"])
        h = h + m @ W[p + "mlp.c_proj.weight"] + W[p + "mlp.c_proj.bias"]
        probs_all.append(probs)
        nu_all.append(nu)
    h = ln(h, "transformer.ln_f")
    head = W["transformer.wte.weight"] if cfg["tieWordEmbeddings"] else W["lm_head.weight"]
    return h @ head.T, probs_all, nu_all


def inv_freq_of(cfg):
    hd, theta, rs = cfg.get("rotaryDim") or cfg["headDim"], cfg["ropeTheta"], cfg["ropeScaling"]
    inv = 1.0 / (theta ** (torch.arange(0, hd, 2, dtype=torch.int64).to(torch.float64) / hd))
    if rs["type"] == "longrope":  # short regime of _compute_longrope_parameters
        inv = 1.0 / (torch.tensor(rs["shortFactor"], dtype=torch.float64) * theta ** (torch.arange(0, hd, 2, dtype=torch.int64).to(torch.float64) / hd))
    elif rs["type"] == "linear":
        inv = inv / rs["factor"]
    elif rs["type"] == "llama3":  # transformers _compute_llama3_parameters
        factor, low, high, old = rs["factor"], rs["lowFreqFactor"], rs["highFreqFactor"], rs["originalMaxPositionEmbeddings"]
        low_wl, high_wl = old / low, old / high
        wavelen = 2 * math.pi / inv
        inv_l = torch.where(wavelen > low_wl, inv / factor, inv)
        smooth = (old / wavelen - low) / (high - low)
        smoothed = (1 - smooth) * inv_l / factor + smooth * inv_l
        medium = ~(wavelen < high_wl) * ~(wavelen > low_wl)
        inv = torch.where(medium, smoothed, inv_l)
    return inv


def rope(t, n, hd, cos, sin):
    T = t.shape[0]
    t = t.view(T, n, hd)
    rot = torch.cat((-t[..., hd // 2 :], t[..., : hd // 2]), dim=-1)
    return (t * cos[:, None, :] + rot * sin[:, None, :]).reshape(T, n * hd)


def partial_rope(t, n, hd, rd, cos, sin):
    """RoPE on the first rd dims of each of n heads, the rest passed through (Phi-3's apply_rotary_pos_emb
    with rotary_dim = cos.shape[-1]; GPTNeoXAttention's rotary_ndims)."""
    T = t.shape[0]
    t3 = t.reshape(T, n, hd)
    rot = rope(t3[..., :rd].reshape(T, n * rd), n, rd, cos, sin).view(T, n, rd)
    return torch.cat((rot, t3[..., rd:]), dim=-1).reshape(T, n * hd)


def llama(cfg, W, x, T):
    d, H, Hkv, hd, eps = cfg["hiddenSize"], cfg["numHeads"], cfg["numKvHeads"], cfg["headDim"], cfg["normEps"]

    def rms(t, w):
        return t * torch.rsqrt(t.pow(2).mean(-1, keepdim=True) + eps) * w

    def lin(t, name, bias):
        return F.linear(t, W[name + ".weight"], W[name + ".bias"] if bias else None)

    freqs = torch.outer(torch.arange(T, dtype=torch.float64), inv_freq_of(cfg))
    emb = torch.cat((freqs, freqs), dim=-1)
    scale = cfg["ropeScaling"]["attentionFactor"] if cfg["ropeScaling"]["type"] == "longrope" else 1.0
    cos, sin = emb.cos() * scale, emb.sin() * scale
    rd = cfg.get("rotaryDim") or hd

    h = x
    probs_all, nu_all = [], []
    for l in range(cfg["numLayers"]):
        p = f"model.layers.{l}."
        a = rms(h, W[p + "input_layernorm.weight"])
        if cfg["architecture"] == "phi3":  # Phi3Attention: qkv_proj output [q | k | v]
            q, k, v = lin(a, p + "self_attn.qkv_proj", False).split([H * hd, Hkv * hd, Hkv * hd], dim=-1)
        else:
            q = lin(a, p + "self_attn.q_proj", cfg["qkvBias"])
            k = lin(a, p + "self_attn.k_proj", cfg["qkvBias"])
            v = lin(a, p + "self_attn.v_proj", cfg["qkvBias"])
        if cfg["architecture"] == "qwen3":  # Qwen3Attention: q_norm/k_norm per head before RoPE
            q = rms(q.view(T, H, hd), W[p + "self_attn.q_norm.weight"]).reshape(T, H * hd)
            k = rms(k.view(T, Hkv, hd), W[p + "self_attn.k_norm.weight"]).reshape(T, Hkv * hd)
        q = partial_rope(q, H, hd, rd, cos, sin)
        k = partial_rope(k, Hkv, hd, rd, cos, sin)
        bO = W[p + "self_attn.o_proj.bias"] if cfg["outBias"] else None
        out, probs, nu = attend(q, k, v, H, Hkv, hd, W[p + "self_attn.o_proj.weight"].T, bO, cfg.get("slidingWindow"))
        h = h + out
        b = rms(h, W[p + "post_attention_layernorm.weight"])
        mb = cfg["mlpBias"]
        if cfg["architecture"] == "phi3":  # Phi3MLP: gate, up = gate_up_proj(x).chunk(2)
            gate, up = lin(b, p + "mlp.gate_up_proj", False).chunk(2, dim=-1)
            h = h + lin(up * F.silu(gate), p + "mlp.down_proj", False)
        else:
            h = h + lin(F.silu(lin(b, p + "mlp.gate_proj", mb)) * lin(b, p + "mlp.up_proj", mb), p + "mlp.down_proj", mb)
        probs_all.append(probs)
        nu_all.append(nu)
    h = rms(h, W["model.norm.weight"])
    head = W["model.embed_tokens.weight"] if cfg["tieWordEmbeddings"] else W["lm_head.weight"]
    return h @ head.T, probs_all, nu_all


def gpt_neox(cfg, W, x, T):
    d, H, eps = cfg["hiddenSize"], cfg["numHeads"], cfg["normEps"]
    hd = d // H
    rd = cfg.get("rotaryDim") or hd
    ln = lambda t, p: F.layer_norm(t, (d,), W[p + ".weight"], W[p + ".bias"], eps)
    lin = lambda t, p, bias=True: F.linear(t, W[p + ".weight"], W[p + ".bias"] if bias else None)
    act = (lambda t: F.gelu(t)) if cfg["mlp"] == "gelu" else (lambda t: F.gelu(t, approximate="tanh"))
    freqs = torch.outer(torch.arange(T, dtype=torch.float64), inv_freq_of(cfg))
    emb = torch.cat((freqs, freqs), dim=-1)
    cos, sin = emb.cos(), emb.sin()

    h = x
    probs_all, nu_all = [], []
    for l in range(cfg["numLayers"]):
        p = f"gpt_neox.layers.{l}."
        qkv = lin(ln(h, p + "input_layernorm"), p + "attention.query_key_value", cfg["qkvBias"]).view(T, H, 3 * hd)
        q, k, v = (qkv[..., i * hd : (i + 1) * hd].reshape(T, H * hd) for i in range(3))
        bO = W[p + "attention.dense.bias"] if cfg["outBias"] else None
        out, probs, nu = attend(partial_rope(q, H, hd, rd, cos, sin), partial_rope(k, H, hd, rd, cos, sin), v, H, H, hd, W[p + "attention.dense.weight"].T, bO)
        mlp = lambda t: lin(act(lin(t, p + "mlp.dense_h_to_4h")), p + "mlp.dense_4h_to_h")
        if cfg.get("parallelResidual"):
            h = mlp(ln(h, p + "post_attention_layernorm")) + out + h
        else:
            h = h + out
            h = mlp(ln(h, p + "post_attention_layernorm")) + h
        probs_all.append(probs)
        nu_all.append(nu)
    h = ln(h, "gpt_neox.final_layer_norm")
    head = W["gpt_neox.embed_in.weight"] if cfg["tieWordEmbeddings"] else W["embed_out.weight"]
    return h @ head.T, probs_all, nu_all


def gemma(cfg, W, x, T):
    """Gemma / Gemma2 / Gemma3 (text) decoder layers as in transformers' modeling_gemma{,2,3}.py."""
    d, H, Hkv, hd, eps = cfg["hiddenSize"], cfg["numHeads"], cfg["numKvHeads"], cfg["headDim"], cfg["normEps"]
    gen = {"gemma": 1, "gemma2": 2, "gemma3": 3}[cfg["architecture"]]

    def rms(t, w):  # GemmaRMSNorm: x * rsqrt(mean(x^2) + eps) * (1 + w)
        return t * torch.rsqrt(t.pow(2).mean(-1, keepdim=True) + eps) * (1.0 + w)

    lin = lambda t, name: F.linear(t, W[name + ".weight"])
    act = (lambda t: F.gelu(t)) if cfg["mlp"] == "geglu" else (lambda t: F.gelu(t, approximate="tanh"))

    def tables(theta):
        inv = 1.0 / (theta ** (torch.arange(0, hd, 2, dtype=torch.int64).to(torch.float64) / hd))
        emb = torch.cat((torch.outer(torch.arange(T, dtype=torch.float64), inv),) * 2, dim=-1)
        return emb.cos(), emb.sin()

    cos_g, sin_g = tables(cfg["ropeTheta"])
    cos_l, sin_l = tables(cfg.get("localRopeTheta") or cfg["ropeTheta"])
    h = x * math.sqrt(d)  # normalizer = hidden_size ** 0.5
    probs_all, nu_all = [], []
    for l in range(cfg["numLayers"]):
        p = f"model.layers.{l}."
        types = cfg.get("layerTypes")
        sliding = gen > 1 and cfg.get("slidingWindow") is not None and types is not None and types[l] == "sliding"
        cos, sin = (cos_l, sin_l) if sliding else (cos_g, sin_g)
        a = rms(h, W[p + "input_layernorm.weight"])
        q, k, v = lin(a, p + "self_attn.q_proj"), lin(a, p + "self_attn.k_proj"), lin(a, p + "self_attn.v_proj")
        if gen == 3:
            q = rms(q.view(T, H, hd), W[p + "self_attn.q_norm.weight"]).reshape(T, H * hd)
            k = rms(k.view(T, Hkv, hd), W[p + "self_attn.k_norm.weight"]).reshape(T, Hkv * hd)
        out, probs, nu = attend(rope(q, H, hd, cos, sin), rope(k, Hkv, hd, cos, sin), v, H, Hkv, hd,
                                W[p + "self_attn.o_proj.weight"].T, None,
                                cfg["slidingWindow"] if sliding else None, cfg.get("queryScale"), cfg.get("attentionSoftcap"))
        if gen == 1:
            h = h + out
            b = rms(h, W[p + "post_attention_layernorm.weight"])
            h = h + lin(act(lin(b, p + "mlp.gate_proj")) * lin(b, p + "mlp.up_proj"), p + "mlp.down_proj")
        else:
            h = h + rms(out, W[p + "post_attention_layernorm.weight"])
            b = rms(h, W[p + "pre_feedforward_layernorm.weight"])
            m = lin(act(lin(b, p + "mlp.gate_proj")) * lin(b, p + "mlp.up_proj"), p + "mlp.down_proj")
            h = h + rms(m, W[p + "post_feedforward_layernorm.weight"])
        probs_all.append(probs)
        nu_all.append(nu)
    logits = rms(h, W["model.norm.weight"]) @ W["model.embed_tokens.weight"].T
    if cfg.get("finalSoftcap") is not None:
        logits = torch.tanh(logits / cfg["finalSoftcap"]) * cfg["finalSoftcap"]
    return logits, probs_all, nu_all


def main():
    cfg, W, x, T = load(sys.argv[1])
    fwd = {"gpt2": gpt2, "gpt_neox": gpt_neox, "gemma": gemma, "gemma2": gemma, "gemma3": gemma}.get(cfg["architecture"], llama)
    logits, probs, nu = fwd(cfg, W, x, T)
    flat = lambda t: t.reshape(-1).tolist()
    json.dump({"logits": flat(logits), "attention": [flat(p) for p in probs], "valueStrength": [flat(n) for n in nu]}, sys.stdout)


if __name__ == "__main__":
    main()
