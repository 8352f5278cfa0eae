"""Plain-torch Llama-style decoder (RMSNorm, RoPE, SwiGLU, grouped-query attention) whose
parameter names, layouts and numerics match Hugging Face `LlamaForCausalLM`, plus a minimal
safetensors reader/writer (torch 1.13 has no safetensors package).

Shared by train.py and eval.py.
"""
import json
import math
import os
import struct

import torch
import torch.nn as nn
import torch.nn.functional as F

PRESETS = {
    # name: (hidden, layers, heads, kv_heads, intermediate)
    "cpu": dict(hidden_size=192, num_hidden_layers=4, num_attention_heads=6, num_key_value_heads=3, intermediate_size=512),
    "cpu-medium": dict(hidden_size=256, num_hidden_layers=6, num_attention_heads=8, num_key_value_heads=4, intermediate_size=688),
    "cpu-large": dict(hidden_size=320, num_hidden_layers=6, num_attention_heads=10, num_key_value_heads=5, intermediate_size=864),
    "cuda": dict(hidden_size=512, num_hidden_layers=8, num_attention_heads=8, num_key_value_heads=4, intermediate_size=1376),
    # candidates of the copy-task model (size-choice.md): trained side by side on one GPU
    "gpu-s": dict(hidden_size=192, num_hidden_layers=6, num_attention_heads=6, num_key_value_heads=3, intermediate_size=512),
    "gpu-m": dict(hidden_size=256, num_hidden_layers=6, num_attention_heads=8, num_key_value_heads=4, intermediate_size=704),
    "gpu-l": dict(hidden_size=320, num_hidden_layers=6, num_attention_heads=10, num_key_value_heads=5, intermediate_size=864),
}


def make_config(vocab_size, preset="cpu", max_position_embeddings=512, **overrides):
    c = dict(PRESETS[preset])
    c.update({k: v for k, v in overrides.items() if v is not None})
    return {
        "architectures": ["LlamaForCausalLM"],
        "model_type": "llama",
        "hidden_size": c["hidden_size"],
        "intermediate_size": c["intermediate_size"],
        "num_hidden_layers": c["num_hidden_layers"],
        "num_attention_heads": c["num_attention_heads"],
        "num_key_value_heads": c["num_key_value_heads"],
        "head_dim": c["hidden_size"] // c["num_attention_heads"],
        "hidden_act": "silu",
        "rms_norm_eps": 1e-5,
        "rope_theta": 10000.0,
        "rope_scaling": None,
        "max_position_embeddings": max_position_embeddings,
        "vocab_size": vocab_size,
        "tie_word_embeddings": True,
        "attention_bias": False,
        "mlp_bias": False,
        "attention_dropout": 0.0,
        "initializer_range": 0.02,
        "bos_token_id": 0,
        "eos_token_id": 0,
        "pad_token_id": None,
        "torch_dtype": "float32",
        "use_cache": True,
        "transformers_version": "4.44.0",
    }


class RMSNorm(nn.Module):
    def __init__(self, dim, eps):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(dim))
        self.eps = eps

    def forward(self, x):
        var = x.pow(2).mean(-1, keepdim=True)
        return self.weight * (x * torch.rsqrt(var + self.eps))


def rotate_half(x):
    h = x.shape[-1] // 2
    return torch.cat((-x[..., h:], x[..., :h]), dim=-1)


def rope_cos_sin(seq_len, head_dim, theta, device=None):
    # Identical to HF LlamaRotaryEmbedding (default rope type)
    inv_freq = 1.0 / (theta ** (torch.arange(0, head_dim, 2, dtype=torch.int64).float().to(device) / head_dim))
    t = torch.arange(seq_len, dtype=torch.int64).float().to(device)
    freqs = torch.outer(t, inv_freq)
    emb = torch.cat((freqs, freqs), dim=-1)
    return emb.cos(), emb.sin()


class Attention(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        d = cfg["hidden_size"]
        self.nh = cfg["num_attention_heads"]
        self.nkv = cfg["num_key_value_heads"]
        self.hd = cfg.get("head_dim") or d // self.nh
        self.q_proj = nn.Linear(d, self.nh * self.hd, bias=False)
        self.k_proj = nn.Linear(d, self.nkv * self.hd, bias=False)
        self.v_proj = nn.Linear(d, self.nkv * self.hd, bias=False)
        self.o_proj = nn.Linear(self.nh * self.hd, d, bias=False)

    def forward(self, x, cos, sin, mask):
        B, T, _ = x.shape
        q = self.q_proj(x).view(B, T, self.nh, self.hd).transpose(1, 2)
        k = self.k_proj(x).view(B, T, self.nkv, self.hd).transpose(1, 2)
        v = self.v_proj(x).view(B, T, self.nkv, self.hd).transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        rep = self.nh // self.nkv
        if rep > 1:
            k = k.repeat_interleave(rep, dim=1)  # same as HF repeat_kv
            v = v.repeat_interleave(rep, dim=1)
        if hasattr(F, "scaled_dot_product_attention"):  # torch >= 2 (the GPU machine): fused kernel
            y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        else:
            att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(self.hd))
            att = F.softmax(att + mask, dim=-1)
            y = att @ v
        y = y.transpose(1, 2).reshape(B, T, self.nh * self.hd)
        return self.o_proj(y)


class MLP(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        d, f = cfg["hidden_size"], cfg["intermediate_size"]
        self.gate_proj = nn.Linear(d, f, bias=False)
        self.up_proj = nn.Linear(d, f, bias=False)
        self.down_proj = nn.Linear(f, d, bias=False)

    def forward(self, x):
        return self.down_proj(F.silu(self.gate_proj(x)) * self.up_proj(x))


class DecoderLayer(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.self_attn = Attention(cfg)
        self.mlp = MLP(cfg)
        self.input_layernorm = RMSNorm(cfg["hidden_size"], cfg["rms_norm_eps"])
        self.post_attention_layernorm = RMSNorm(cfg["hidden_size"], cfg["rms_norm_eps"])

    def forward(self, x, cos, sin, mask):
        x = x + self.self_attn(self.input_layernorm(x), cos, sin, mask)
        return x + self.mlp(self.post_attention_layernorm(x))


class Inner(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.embed_tokens = nn.Embedding(cfg["vocab_size"], cfg["hidden_size"])
        self.layers = nn.ModuleList([DecoderLayer(cfg) for _ in range(cfg["num_hidden_layers"])])
        self.norm = RMSNorm(cfg["hidden_size"], cfg["rms_norm_eps"])


class LlamaLM(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        self.model = Inner(cfg)
        self.lm_head = nn.Linear(cfg["hidden_size"], cfg["vocab_size"], bias=False)
        if cfg["tie_word_embeddings"]:
            self.lm_head.weight = self.model.embed_tokens.weight
        self.hd = cfg.get("head_dim") or cfg["hidden_size"] // cfg["num_attention_heads"]
        self._rope = {}

    def init_weights(self, seed=0):
        g = torch.Generator().manual_seed(seed)
        std = self.cfg["initializer_range"]
        n_layers = self.cfg["num_hidden_layers"]
        for name, p in self.named_parameters():
            if p.dim() == 1:
                nn.init.ones_(p)
            else:
                s = std / math.sqrt(2 * n_layers) if name.endswith(("o_proj.weight", "down_proj.weight")) else std
                with torch.no_grad():
                    p.copy_(torch.randn(p.shape, generator=g) * s)

    def rope(self, T, device):
        key = (T, str(device))
        if key not in self._rope:
            self._rope[key] = rope_cos_sin(T, self.hd, self.cfg["rope_theta"], device)
        return self._rope[key]

    def forward(self, ids):
        B, T = ids.shape
        cos, sin = self.rope(T, ids.device)
        mask = torch.full((T, T), float("-inf"), device=ids.device).triu(1)
        x = self.model.embed_tokens(ids)
        for layer in self.model.layers:
            x = layer(x, cos, sin, mask)
        return self.lm_head(self.model.norm(x))

    def hf_state_dict(self):
        sd = {k: v.detach().to(torch.float32).contiguous() for k, v in self.state_dict().items()}
        if self.cfg["tie_word_embeddings"]:
            sd.pop("lm_head.weight", None)
        return sd


def count_params(model):
    emb = model.model.embed_tokens.weight.numel()
    total = sum(p.numel() for p in model.parameters())  # tied weight counted once
    return total, total - emb


# ---------------------------------------------------------------- safetensors (F32 only)
_DTYPES = {"F32": (torch.float32, "<f4"), "F16": (torch.float16, "<f2")}


def save_safetensors(tensors, path, metadata=None, dtype="F32"):
    header = {"__metadata__": dict(metadata or {"format": "pt"})}
    tdtype, npdtype = _DTYPES[dtype]
    offset = 0
    names = sorted(tensors)
    blobs = []
    for n in names:
        t = tensors[n].detach().to(tdtype).contiguous().cpu()
        b = t.numpy().astype(npdtype, copy=False).tobytes()
        header[n] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [offset, offset + len(b)]}
        offset += len(b)
        blobs.append(b)
    h = json.dumps(header, separators=(",", ":")).encode("utf-8")
    h += b" " * ((8 - len(h) % 8) % 8)  # align data to 8 bytes
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def load_safetensors(path):
    import numpy as np
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for k, v in header.items():
        if k == "__metadata__":
            continue
        a, b = v["data_offsets"]
        arr = np.frombuffer(data[a:b], dtype=_DTYPES[v["dtype"]][1]).astype(np.float32)
        out[k] = torch.from_numpy(arr).reshape(v["shape"])
    return out


def write_json_atomic(obj, path):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(obj, f, indent=2)
        f.write("\n")
    os.replace(tmp, path)


def load_hf(dirpath):
    with open(os.path.join(dirpath, "config.json")) as f:
        cfg = json.load(f)
    return model_from_tensors(load_safetensors(os.path.join(dirpath, "model.safetensors")), cfg), cfg


def model_from_tensors(tensors, cfg):
    """An eval-mode LlamaLM of Hugging Face-named tensors (the tied lm_head filled in from the embedding)."""
    model = LlamaLM(cfg)
    sd = dict(tensors)
    if cfg["tie_word_embeddings"]:
        sd["lm_head.weight"] = sd["model.embed_tokens.weight"]
    model.load_state_dict(sd, strict=True)
    return model.eval()
