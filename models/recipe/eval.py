#!/usr/bin/python3
"""Evaluate the Hugging Face checkpoint in models/demo (or --model DIR) with the plain-torch
model code from model.py:

  * validation loss / perplexity on the held-out slice: the first N (default 200)
    non-overlapping windows of 256 tokens of models/recipe/data/val.bin (deterministic);
  * greedy continuations (20 tokens) of 3 fixed prompts (tokenized with the checkpoint's
    tokenizer.json through node + @huggingface/tokenizers, the same tokenizer the app uses).

  /usr/bin/python3 models/recipe/eval.py [--model models/demo] [--windows 200] [--json out.json]
"""
import argparse
import json
import math
import os
import subprocess
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, HERE)
from model import load_hf  # noqa: E402

PROMPTS = [
    "The old man walked slowly down to the harbor, where",
    "Tomas Lindqvist kept a brass lantern in the cellar. His sister lived in Oslo. "
    "Question: Where did Tomas keep the lantern? Answer:",
    "In the beginning God created",
]

JS = r"""
import fs from 'node:fs';
import { Tokenizer } from '@huggingface/tokenizers';
const [dir, mode] = process.argv.slice(2);
const tj = JSON.parse(fs.readFileSync(dir + '/tokenizer.json', 'utf8'));
const tc = JSON.parse(fs.readFileSync(dir + '/tokenizer_config.json', 'utf8'));
const tok = new Tokenizer(tj, tc);
const inp = JSON.parse(fs.readFileSync(0, 'utf8'));
const out = mode === 'encode'
  ? inp.map((s) => Array.from(tok.encode(s, { add_special_tokens: false }).ids))
  : inp.map((ids) => tok.decode(ids, { skip_special_tokens: false }));
process.stdout.write(JSON.stringify(out));
"""


def node_tok(model_dir, mode, items):
    script = os.path.join(HERE, "work", "_tok.mjs")
    os.makedirs(os.path.dirname(script), exist_ok=True)
    with open(script, "w") as f:
        f.write(JS)
    # run from the repo root so node resolves node_modules
    r = subprocess.run(["node", script, os.path.abspath(model_dir), mode], input=json.dumps(items),
                       capture_output=True, text=True, cwd=ROOT, check=True)
    return json.loads(r.stdout)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default=os.path.join(ROOT, "models", "demo"))
    ap.add_argument("--val", default=os.path.join(HERE, "data", "val.bin"))
    ap.add_argument("--windows", type=int, default=200)
    ap.add_argument("--seq-len", type=int, default=256)
    ap.add_argument("--new-tokens", type=int, default=20)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--json")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)

    model, cfg = load_hf(args.model)
    n_params = sum(p.numel() for p in model.parameters())
    T = args.seq_len
    val = np.fromfile(args.val, dtype=np.uint16).astype(np.int64)
    n = min(args.windows, (len(val) - 1) // T)
    t0 = time.time()
    tot = 0.0
    with torch.no_grad():
        for i in range(0, n, 8):
            idx = range(i, min(n, i + 8))
            x = torch.from_numpy(np.stack([val[j * T:(j + 1) * T] for j in idx]))
            y = torch.from_numpy(np.stack([val[j * T + 1:(j + 1) * T + 1] for j in idx]))
            lg = model(x)
            tot += F.cross_entropy(lg.reshape(-1, lg.size(-1)), y.reshape(-1), reduction="sum").item()
    loss = tot / (n * T)
    print(f"model: {args.model} ({n_params:,} params)")
    print(f"validation: {n} windows x {T} tokens = {n * T:,} tokens; loss {loss:.4f} nats/token; "
          f"perplexity {math.exp(loss):.2f} ({time.time() - t0:.1f} s)")

    enc = node_tok(args.model, "encode", PROMPTS)
    outs = []
    with torch.no_grad():
        for ids in enc:
            ids = list(ids)
            new = []
            for _ in range(args.new_tokens):
                lg = model(torch.tensor([ids + new]))
                new.append(int(lg[0, -1].argmax()))
            outs.append(new)
    dec = node_tok(args.model, "decode", outs)
    samples = []
    for p, d in zip(PROMPTS, dec):
        print(f"\nPROMPT: {p}\nGREEDY: {d}")
        samples.append({"prompt": p, "continuation": d})
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"val_loss": loss, "perplexity": math.exp(loss), "windows": n, "seq_len": T,
                       "params": n_params, "samples": samples}, f, indent=2)


if __name__ == "__main__":
    main()
