#!/usr/bin/python3
"""Train the HETA Lens demo model (Llama-style, plain torch) on a mix of public-domain prose
(models/recipe/data/prose-train.bin, from data.mjs + encode.mjs) and generated copy tasks
(copytasks.py, encoded by copypool.py at start-up): each training window is drawn from the copy
stream with probability --copy-frac, else from the prose.

  /usr/bin/python3 models/recipe/train.py --preset gpu-m --hours 2.2         # fresh run
  /usr/bin/python3 models/recipe/train.py --resume                           # continue (same args kept in state)

At every checkpoint it measures the prose validation loss on the committed slice
(models/eval/val-tokens.u16) and the top-1 accuracy on the held-out copy items per question form
(models/eval/copy-heldout.jsonl; copyeval.py).

The learning-rate schedule is a function of *elapsed training time* over the --hours budget
(cosine decay to 10%), times a linear warmup over the first 200 steps, so a run of any length ends with a decayed LR.
Every --ckpt-minutes (and at the end) it writes, atomically (temp file + rename):
  models/recipe/work/state.pt        resumable state (model, optimizer, RNG, progress)
  models/demo/model.safetensors      Hugging Face LlamaForCausalLM weights (F32)
  models/demo/config.json            Hugging Face config
  models/demo/training_state.json    progress summary (step, tokens seen, losses)
Logs to models/recipe/work/train.log.
"""
import argparse
import contextlib
import json
import math
import os
import random
import shutil
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from model import LlamaLM, make_config, count_params, load_safetensors, save_safetensors, write_json_atomic, PRESETS  # noqa: E402
import copyeval  # noqa: E402
import copytasks  # noqa: E402
from copypool import build_copy_stream  # noqa: E402

DATA = os.path.join(HERE, "data")
WORK = os.path.join(HERE, "work")
DEMO = os.path.abspath(os.path.join(HERE, "..", "demo"))
TOKDIR = os.path.join(HERE, "tokenizer")


def parse_frame_weights(text):
    weights = {}
    for part in text.split(","):
        frame, _, w = part.partition("=")
        if frame not in copytasks.FRAMES:
            raise argparse.ArgumentTypeError(f"unknown frame {frame!r} (frames: {', '.join(copytasks.FRAMES)})")
        weights[frame] = float(w)
    return weights


def parse():
    p = argparse.ArgumentParser()
    p.add_argument("--preset", default="cpu", choices=sorted(PRESETS))
    p.add_argument("--hidden-size", type=int)
    p.add_argument("--layers", type=int, dest="num_hidden_layers")
    p.add_argument("--heads", type=int, dest="num_attention_heads")
    p.add_argument("--kv-heads", type=int, dest="num_key_value_heads")
    p.add_argument("--intermediate-size", type=int)
    p.add_argument("--seq-len", type=int, default=256)
    p.add_argument("--batch-size", type=int, default=16)
    p.add_argument("--lr", type=float, default=2e-3)
    p.add_argument("--min-lr-frac", type=float, default=0.1)
    p.add_argument("--warmup-steps", type=int, default=200)
    p.add_argument("--weight-decay", type=float, default=0.1)
    p.add_argument("--grad-clip", type=float, default=1.0)
    p.add_argument("--hours", type=float, default=2.0, help="training-time budget (excludes eval/ckpt)")
    p.add_argument("--max-steps", type=int, default=0, help="stop after this many steps (0 = no limit); for benchmarks")
    p.add_argument("--ckpt-minutes", type=float, default=10.0)
    p.add_argument("--log-seconds", type=float, default=60.0)
    p.add_argument("--copy-frac", type=float, default=0.6, help="share of training windows from the generated copy tasks")
    p.add_argument("--copy-tokens", type=int, default=20_000_000, help="size of the generated copy-task stream")
    p.add_argument("--repeat-share", type=float, default=0.0, help="share of random-token repeats in the generated stream")
    p.add_argument("--frame-weights", type=parse_frame_weights, default=None,
                   help="sampling weights of question frames, e.g. count=2,keep=1.5 (others weigh 1)")
    p.add_argument("--copy-stream", help="a prebuilt copy-task stream (.npy of uint16) instead of generating one")
    p.add_argument("--prose", default=os.path.join(DATA, "prose-train.bin"))
    p.add_argument("--answer-weight", type=float, default=1.0,
                   help="loss weight of the first answer token after 'Answer:' / 'A:' in the copy tasks")
    p.add_argument("--init-from", help="start from these weights (safetensors; fresh optimizer)")
    p.add_argument("--save-dtype", default="F32", choices=["F32", "F16"])
    p.add_argument("--snapshots", help="also keep every checkpoint's weights here (step<N>.safetensors), for averaging")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--device", default=None, help="cpu or cuda (default: cuda for --preset cuda if available, else cpu)")
    p.add_argument("--seed", type=int, default=1234)
    p.add_argument("--resume", action="store_true")
    p.add_argument("--no-save", action="store_true", help="benchmark mode: write nothing")
    p.add_argument("--out", default=DEMO)
    p.add_argument("--work", default=WORK, help="folder of the resumable state.pt")
    p.add_argument("--log", default=os.path.join(WORK, "train.log"))
    return p.parse_args()


ANSWER_CUES = [(586, 26), (446, 26), (33, 26)]  # " Answer:", "Answer:" after a newline, "A:" (demo tokenizer ids)


def answer_weights(stream, weight):
    """weight at every token that follows an answer cue, 1 elsewhere (float32, like the stream)."""
    w = np.ones(len(stream), dtype=np.float32)
    if weight != 1.0:
        s = stream.astype(np.int64)
        for a, b in ANSWER_CUES:
            hit = np.flatnonzero((s[:-2] == a) & (s[1:-1] == b)) + 2
            w[hit] = weight
    return w


def main():
    args = parse()
    torch.set_num_threads(args.threads)
    os.makedirs(args.work, exist_ok=True)
    state_path = os.path.join(args.work, "state.pt")
    state = None
    if args.resume:
        state = torch.load(state_path, map_location="cpu")
        keep = {"resume", "hours", "ckpt_minutes", "threads", "log", "max_steps", "no_save", "device", "work", "out", "copy_stream"}
        saved = state["args"]
        for k, v in saved.items():
            if k not in keep:
                setattr(args, k, v)
        # Keep the saved budget unless --hours was given: a new budget re-times the cosine schedule
        # (shorter to anneal early before a deadline, longer to extend).
        if "--hours" not in sys.argv:
            args.hours = saved["hours"]

    dev = args.device or ("cuda" if args.preset == "cuda" and torch.cuda.is_available() else "cpu")
    logf = None if args.no_save else open(args.log, "a")

    def log(msg):
        line = time.strftime("%Y-%m-%d %H:%M:%S ") + msg
        print(line, flush=True)
        if logf:
            logf.write(line + "\n")
            logf.flush()

    prose = np.fromfile(args.prose, dtype=np.uint16)
    t_copy = time.time()
    if args.copy_stream:
        copy = np.load(args.copy_stream)
    else:
        copy = build_copy_stream(args.copy_tokens, args.seed + (state["step"] if state else 0), repeat_share=args.repeat_share,
                                 frame_weights=args.frame_weights)
    log(f"copy-task stream: {len(copy):,} tokens ({time.time() - t_copy:.1f} s)")
    with open(os.path.join(TOKDIR, "tokenizer.json")) as f:
        vocab_size = len(json.load(f)["model"]["vocab"]) + 0
    vocab_size = max(vocab_size, int(prose.max()) + 1, int(copy.max()) + 1)

    arch = {k: getattr(args, k) for k in ("hidden_size", "num_hidden_layers", "num_attention_heads", "num_key_value_heads", "intermediate_size")}
    cfg = state["config"] if state else make_config(vocab_size, args.preset, max_position_embeddings=max(512, args.seq_len), **arch)
    torch.manual_seed(args.seed)
    model = LlamaLM(cfg)
    if state:
        model.load_state_dict(state["model"])
    elif args.init_from:
        sd = load_safetensors(args.init_from)
        if cfg["tie_word_embeddings"]:
            sd["lm_head.weight"] = sd["model.embed_tokens.weight"]
        model.load_state_dict(sd)
    else:
        model.init_weights(args.seed)
    model.to(dev)
    total, non_emb = count_params(model)

    decay = [p for n, p in model.named_parameters() if p.dim() >= 2]
    no_decay = [p for n, p in model.named_parameters() if p.dim() < 2]
    fused = {"fused": True} if dev.startswith("cuda") else {}
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": args.weight_decay},
                             {"params": no_decay, "weight_decay": 0.0}], lr=args.lr, betas=(0.9, 0.95), eps=1e-8, **fused)
    step, train_secs, tokens_seen = 0, 0.0, 0
    history = []
    rng = np.random.default_rng(args.seed)
    if state:
        opt.load_state_dict(state["optimizer"])
        step, train_secs, tokens_seen = state["step"], state["train_secs"], state["tokens_seen"]
        history = state.get("history", [])
        rng.bit_generator.state = state["np_rng"]
        torch.set_rng_state(state["torch_rng"])
        random.setstate(state["py_rng"])
    budget = args.hours * 3600.0
    log(f"{'resume' if state else 'start'}: params {total:,} (non-embedding {non_emb:,}), cfg "
        f"d={cfg['hidden_size']} L={cfg['num_hidden_layers']} H={cfg['num_attention_heads']} KV={cfg['num_key_value_heads']} "
        f"ffn={cfg['intermediate_size']} vocab={cfg['vocab_size']}; prose {len(prose):,} tok, copy {len(copy):,} tok "
        f"(copy share {args.copy_frac}); "
        f"batch {args.batch_size}x{args.seq_len}; device {dev}; lr {args.lr}; budget {args.hours} h; step {step}, trained {train_secs/60:.1f} min")

    T, B = args.seq_len, args.batch_size
    windows = copyeval.prose_windows(T=T)
    items = copyeval.load_items()
    streams = [torch.from_numpy(prose.astype(np.int64)).to(dev), torch.from_numpy(copy.astype(np.int64)).to(dev)]
    offsets = torch.arange(T + 1, device=dev)
    cuda = dev.startswith("cuda")
    amp = (lambda: torch.autocast("cuda", dtype=torch.bfloat16)) if cuda else contextlib.nullcontext
    if cuda:
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.allow_tf32 = True

    def evaluate():
        """prose validation loss (nats/token, committed slice) and held-out copy accuracy."""
        model.eval()
        with amp():
            loss = copyeval.prose_loss(model, windows, dev)
            acc = copyeval.copy_accuracy(model, items, dev)
        model.train()
        return loss, acc

    # Per-token loss weights: the first token of every copied answer can weigh more than the rest,
    # most of which (invented names, random values) cannot be predicted at all.
    weights = [torch.ones(len(prose), device=dev), torch.from_numpy(answer_weights(copy, args.answer_weight)).to(dev)]

    def batch():
        n_copy = int(rng.binomial(B, args.copy_frac))
        rows, wrows = [], []
        for stream, w, n in ((streams[0], weights[0], B - n_copy), (streams[1], weights[1], n_copy)):
            if n:
                start = torch.from_numpy(rng.integers(0, len(stream) - T - 1, size=n)).to(dev)
                rows.append(stream[start[:, None] + offsets])
                wrows.append(w[start[:, None] + offsets[1:]])
        return torch.cat(rows), torch.cat(wrows)

    def lr_at(step, frac):
        # linear warmup over the first --warmup-steps steps, times a cosine decay (to
        # --min-lr-frac) over the fraction of the time budget already used
        warm = min(1.0, (step + 1) / max(1, args.warmup_steps))
        p = min(1.0, frac)
        return args.lr * warm * (args.min_lr_frac + (1 - args.min_lr_frac) * 0.5 * (1 + math.cos(math.pi * p)))

    def save(val_loss, final=False):
        if args.no_save:
            return
        t0 = time.time()
        st = {"model": model.state_dict(), "optimizer": opt.state_dict(), "config": cfg, "args": vars(args),
              "step": step, "train_secs": train_secs, "tokens_seen": tokens_seen, "history": history,
              "np_rng": rng.bit_generator.state, "torch_rng": torch.get_rng_state(), "py_rng": random.getstate()}
        torch.save(st, state_path + ".tmp")
        os.replace(state_path + ".tmp", state_path)
        os.makedirs(args.out, exist_ok=True)
        write_json_atomic({**cfg, "torch_dtype": "float16" if args.save_dtype == "F16" else "float32"},
                          os.path.join(args.out, "config.json"))
        weights = model.hf_state_dict()
        save_safetensors(weights, os.path.join(args.out, "model.safetensors"), dtype=args.save_dtype)
        if args.snapshots:
            os.makedirs(args.snapshots, exist_ok=True)
            save_safetensors(weights, os.path.join(args.snapshots, f"step{step}.safetensors"), dtype="F32")
        for fn in ("tokenizer.json", "tokenizer_config.json"):
            src = os.path.join(TOKDIR, fn)
            if os.path.exists(src):
                shutil.copyfile(src, os.path.join(args.out, fn + ".tmp"))
                os.replace(os.path.join(args.out, fn + ".tmp"), os.path.join(args.out, fn))
        write_json_atomic({"step": step, "tokens_seen": tokens_seen, "train_hours": round(train_secs / 3600, 3),
                           "val_loss": val_loss, "final": final, "params": total, "non_embedding_params": non_emb,
                           "copy_frac": args.copy_frac, "config": cfg, "history": history, "device": dev,
                           "seq_len": T, "batch_size": B, "saved_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())},
                          os.path.join(args.out, "training_state.json"))
        log(f"checkpoint step {step} -> {args.out} ({time.time() - t0:.1f} s){' FINAL' if final else ''}")

    model.train()
    last_ckpt = time.time()
    last_log = time.time()
    win_loss, win_n, win_tok, win_t = 0.0, 0, 0, 0.0
    val_loss = history[-1]["val"] if history else None
    while train_secs < budget and (args.max_steps <= 0 or step < args.max_steps):
        t0 = time.time()
        lr = lr_at(step, train_secs / budget)
        for g in opt.param_groups:
            g["lr"] = lr
        xb, wb = batch()
        x, y = xb[:, :-1], xb[:, 1:]
        with amp():
            logits = model(x)
        tok_loss = F.cross_entropy(logits.float().reshape(-1, logits.size(-1)), y.reshape(-1), reduction="none")
        loss = (tok_loss * wb.reshape(-1)).sum() / wb.sum()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        gn = torch.nn.utils.clip_grad_norm_(model.parameters(), args.grad_clip)
        opt.step()
        loss_value = loss.item()  # waits for the GPU, so dt is the step's real time
        dt = time.time() - t0
        step += 1
        train_secs += dt
        tokens_seen += B * T
        win_loss += loss_value; win_n += 1; win_tok += B * T; win_t += dt
        if time.time() - last_log > args.log_seconds or step == 1 or (args.max_steps and step == args.max_steps):
            log(f"step {step} loss {win_loss / win_n:.4f} lr {lr:.2e} gnorm {gn:.2f} tok/s {win_tok / win_t:.0f} "
                f"tokens {tokens_seen:,} trained {train_secs / 60:.1f}/{budget / 60:.0f} min")
            win_loss, win_n, win_tok, win_t = 0.0, 0, 0, 0.0
            last_log = time.time()
        if time.time() - last_ckpt > args.ckpt_minutes * 60:
            val_loss, acc = evaluate()
            history.append({"step": step, "tokens": tokens_seen, "train_min": round(train_secs / 60, 2), "val": val_loss, "copy": acc})
            log(f"eval step {step} val_loss {val_loss:.4f} ppl {math.exp(val_loss):.1f} top1 {copyeval.summary(acc)}")
            save(val_loss)
            last_ckpt = time.time()
    val_loss, acc = evaluate()
    history.append({"step": step, "tokens": tokens_seen, "train_min": round(train_secs / 60, 2), "val": val_loss, "copy": acc})
    log(f"done: step {step} tokens {tokens_seen:,} trained {train_secs / 60:.1f} min val_loss {val_loss:.4f} "
        f"ppl {math.exp(val_loss):.1f} top1 {copyeval.summary(acc)}")
    save(val_loss, final=True)


if __name__ == "__main__":
    main()
